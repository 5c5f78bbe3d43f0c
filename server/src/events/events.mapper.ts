import { reviveAssignmentView } from '../assignments/assignments.mapper.js';
import { reviveCrewView } from '../crews/crews.mapper.js';
import { reviveReportView } from '../reports/reports.mapper.js';
import type { AssignmentView } from '../assignments/assignments.types.js';
import type { CrewView } from '../crews/crews.types.js';
import type { ReportView } from '../reports/reports.types.js';
import type { OutboxEvent } from './events.hub.js';
import type { DispatchEventView } from './events.types.js';

/** The one mapping of an outbox event to its API shape: the entities as they were at the event. */
export function toDispatchEventView(event: OutboxEvent): DispatchEventView {
  const payload = event.payload as { report?: ReportView; assignment?: AssignmentView; crew?: CrewView };
  return {
    cursor: event.cursorText,
    type: event.type,
    occurredAt: new Date(event.occurredAt),
    report: payload.report ? reviveReportView(payload.report) : null,
    assignment: payload.assignment ? reviveAssignmentView(payload.assignment) : null,
    crew: payload.crew ? reviveCrewView(payload.crew) : null,
  };
}
