import { createApp } from 'vue';
import App from './App.vue';
import { unlockAudio } from './features/alerts/alerts.ts';
import { exposeDiagnostics } from './features/dispatch/dispatch.floor.ts';
import { applyDocumentLocale, currentLocale, i18n } from './i18n/i18n.ts';
import { keepSessionAlive } from './session/auth.ts';
import './styles.css';

applyDocumentLocale(currentLocale());
keepSessionAlive();
for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, unlockAudio, { capture: true });

exposeDiagnostics(null);

createApp(App).use(i18n).mount('#app');
