declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** Read-only diagnostics of the dispatcher's live session (support, end-to-end tests, benchmark). */
  readonly __balagh: {
    diagnostics(): ReturnType<import('./features/dispatch/dispatch.floor.ts').DispatchFloor['diagnostics']> | null;
    openReports(): ReturnType<import('./features/dispatch/dispatch.floor.ts').DispatchFloor['openReports']> | null;
  };
}
