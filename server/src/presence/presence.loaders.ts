import DataLoader from 'dataloader';
import type { Presence, PresenceService } from './presence.service.js';

/** Who has each report open, one query per batch (a queue page's `viewers` is one read, not fifty). */
export function createPresenceLoaders(presence: PresenceService) {
  return {
    viewersByReport: new DataLoader<string, Presence[]>((reportIds) => presence.viewersOf(reportIds)),
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createPresenceLoaders> {}
}
