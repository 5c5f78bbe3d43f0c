import type { Presence, ReportPresence } from './presence.service.js';
import type { PresenceView, ReportPresenceView } from './presence.types.js';

/** The GraphQL view of one person's presence. */
export function toPresenceView(presence: Presence): PresenceView {
  return { userId: presence.userId, name: presence.name, role: presence.role, since: presence.since };
}

/** The GraphQL view of who has one report open. */
export function toReportPresenceView(presence: ReportPresence): ReportPresenceView {
  return { reportId: presence.reportId, viewers: presence.viewers.map(toPresenceView) };
}
