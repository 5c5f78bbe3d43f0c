import urql from '@urql/vue';
import { createApp } from 'vue';
import App from './App.vue';
import { unlockAudio } from './features/alerts/alerts.ts';
import { exposeDiagnostics } from './features/dispatch/dispatch.floor.ts';
import { createConsoleClient } from './graphql/client.ts';
import { applyDocumentLocale, currentLocale, i18n } from './i18n/i18n.ts';
import './styles.css';

applyDocumentLocale(currentLocale());
for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, unlockAudio, { capture: true });

exposeDiagnostics(null);

// The one GraphQL client, provided to every component by the @urql/vue plugin (components take it with useRun()).
createApp(App).use(i18n).use(urql, createConsoleClient()).mount('#app');
