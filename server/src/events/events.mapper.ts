import { fromAssignmentSnapshot } from '../assignments/assignments.mapper.js';
import { fromCrewSnapshot } from '../crews/crews.mapper.js';
import { fromFollowUpSnapshot } from '../followups/followups.mapper.js';
import { fromReportSnapshot } from '../reports/reports.mapper.js';
import type { OutboxEvent } from './events.hub.js';
import type { DispatchEventView } from './events.types.js';

/**
 * The one mapping of an outbox event to its API shape: the entities as they were at the event, from the
 * stored snapshots of its version. Only events the fan-out let through come here, so an unreadable row
 * (`stored` null) is a bug.
 */
export function toDispatchEventView(event: OutboxEvent): DispatchEventView {
  const { stored } = event;
  if (!stored) throw new Error(`outbox event ${event.cursorText} has no readable payload`);
  const { payload } = stored;
  return {
    cursor: event.cursorText,
    type: stored.type,
    occurredAt: new Date(event.occurredAt),
    report: 'report' in payload ? fromReportSnapshot(payload.report) : null,
    assignment: 'assignment' in payload ? fromAssignmentSnapshot(payload.assignment) : null,
    crew: 'crew' in payload ? fromCrewSnapshot(payload.crew) : null,
    followUp: 'followUp' in payload ? fromFollowUpSnapshot(payload.followUp) : null,
  };
}
