import { registerEnumType } from 'type-graphql';
import type { AssignmentView } from '../assignments/assignments.types.js';
import type { CrewView } from '../crews/crews.types.js';
import type { ReportView } from '../reports/reports.types.js';

export enum DispatchEventType {
  REPORT_CREATED = 'REPORT_CREATED',
  REPORT_UPDATED = 'REPORT_UPDATED',
  ASSIGNMENT_CREATED = 'ASSIGNMENT_CREATED',
  ASSIGNMENT_UPDATED = 'ASSIGNMENT_UPDATED',
  CREW_UPDATED = 'CREW_UPDATED',
  REPORT_OVERDUE = 'REPORT_OVERDUE',
}

registerEnumType(DispatchEventType, {
  name: 'DispatchEventType',
  description: 'What changed',
  valuesConfig: {
    REPORT_CREATED: { description: 'A report was filed' },
    REPORT_UPDATED: { description: "A report's status or fields changed (triage, close, reject, merge, reopen)" },
    ASSIGNMENT_CREATED: { description: 'A crew was given a report' },
    ASSIGNMENT_UPDATED: { description: 'An assignment moved on (accepted, en route, on site, completed, declined, cancelled)' },
    CREW_UPDATED: { description: 'A crew went on or off duty or shared its location' },
    REPORT_OVERDUE: { description: 'An open report passed its target time (once per report)' },
  },
});

/**
 * The one map of event types to payloads, used by the writers (services, inside their transaction) and
 * the readers (the hub and the subscription). Payloads are the views' plain fields as JSON.
 */
export interface DispatchEventPayloads {
  REPORT_CREATED: { report: ReportView };
  REPORT_UPDATED: { report: ReportView; action: string };
  ASSIGNMENT_CREATED: { assignment: AssignmentView; report: ReportView; crew: CrewView };
  ASSIGNMENT_UPDATED: { assignment: AssignmentView; report: ReportView; crew: CrewView };
  CREW_UPDATED: { crew: CrewView };
  REPORT_OVERDUE: { report: ReportView };
}

export type DispatchEventPayload<T extends DispatchEventType = DispatchEventType> = DispatchEventPayloads[T];
