import urql from '@urql/vue';
import { createApp } from 'vue';
import App from './App.vue';
import { unlockAudio } from './features/alerts/alerts.ts';
import { floor } from './features/dispatch/dispatch.floor.ts';
import { client } from './graphql/client.ts';
import { applyDocumentLocale, currentLocale, i18n } from './i18n/i18n.ts';
import { keepSessionAlive } from './session/auth.ts';
import './styles.css';

applyDocumentLocale(currentLocale());
keepSessionAlive();
for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, unlockAudio, { capture: true });

Object.defineProperty(window, '__balagh', {
  value: { diagnostics: () => floor.value?.diagnostics() ?? null, openReports: () => floor.value?.openReports() ?? null },
});

createApp(App).use(i18n).use(urql, client).mount('#app');
