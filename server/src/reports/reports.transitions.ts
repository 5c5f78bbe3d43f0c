import { registerEnumType } from 'type-graphql';
import { mayCall, type Operation } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import { conflict } from '../common/errors.js';
import { ReportKind, ReportStatus } from './reports.enums.js';

const { RECEIVED, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED, REJECTED, DUPLICATE } = ReportStatus;

/** Every change a report's status can go through. */
export enum ReportAction {
  TRIAGE = 'TRIAGE',
  ASSIGN = 'ASSIGN',
  START = 'START',
  RESOLVE = 'RESOLVE',
  RETURN_TO_QUEUE = 'RETURN_TO_QUEUE',
  CLOSE = 'CLOSE',
  REJECT = 'REJECT',
  MARK_DUPLICATE = 'MARK_DUPLICATE',
  REOPEN = 'REOPEN',
  ATTACH_MEDIA = 'ATTACH_MEDIA',
  ANSWER = 'ANSWER',
}

registerEnumType(ReportAction, {
  name: 'ReportAction',
  description: 'A change of a report: the dispatcher commands (Report.allowedActions) and the changes that follow a crew',
  valuesConfig: {
    TRIAGE: { description: 'Correct category and priority (triageReport)' },
    ASSIGN: { description: 'Give it to a crew (assignReport)' },
    START: { description: 'Follows the crew accepting its assignment' },
    RESOLVE: { description: 'Follows the crew completing its assignment' },
    RETURN_TO_QUEUE: { description: 'Follows a declined or cancelled assignment' },
    CLOSE: { description: 'Close it (closeReport)' },
    REJECT: { description: 'Reject it, optionally referring it elsewhere (rejectReport)' },
    MARK_DUPLICATE: { description: 'Merge it into the report it repeats (markDuplicate)' },
    REOPEN: { description: 'Return it to the queue (reopenReport)' },
    ATTACH_MEDIA: { description: 'Add photos or a voice note (attachMedia); the status stays' },
    ANSWER: { description: 'Answer an inquiry or note from the satisfaction center (answerInquiry)' },
  },
});

interface Transition {
  from: readonly ReportStatus[];
  /** Only for these kinds (all when absent): inquiries and notes go to the satisfaction center, not to crews. */
  kinds?: readonly ReportKind[];
  /** Extra source statuses for some kinds: a note or inquiry can be closed straight from the queue. */
  alsoFrom?: { kinds: readonly ReportKind[]; statuses: readonly ReportStatus[] };
  /** The new status; null keeps the status (triage). */
  to: ReportStatus | null;
}

/**
 * The report lifecycle, in one place. START and RESOLVE follow the crew (accept, complete);
 * RETURN_TO_QUEUE follows a declined or cancelled assignment.
 */
export const REPORT_TRANSITIONS: Record<ReportAction, Transition> = {
  TRIAGE: { from: [RECEIVED, ASSIGNED, IN_PROGRESS], to: null },
  ASSIGN: { from: [RECEIVED], kinds: [ReportKind.INCIDENT], to: ASSIGNED },
  START: { from: [ASSIGNED], to: IN_PROGRESS },
  RESOLVE: { from: [IN_PROGRESS], to: RESOLVED },
  RETURN_TO_QUEUE: { from: [ASSIGNED, IN_PROGRESS], to: RECEIVED },
  CLOSE: { from: [RESOLVED], alsoFrom: { kinds: [ReportKind.NOTE, ReportKind.INQUIRY], statuses: [RECEIVED] }, to: CLOSED },
  REJECT: { from: [RECEIVED], to: REJECTED },
  MARK_DUPLICATE: { from: [RECEIVED], to: DUPLICATE },
  REOPEN: { from: [RESOLVED, CLOSED, REJECTED, DUPLICATE], to: RECEIVED },
  // A follow-up photo while the report is handled, or after it was resolved (to show it was not fixed).
  ATTACH_MEDIA: { from: [RECEIVED, ASSIGNED, IN_PROGRESS, RESOLVED], to: null },
  ANSWER: { from: [], alsoFrom: { kinds: [ReportKind.NOTE, ReportKind.INQUIRY], statuses: [RECEIVED] }, to: RESOLVED },
};

/** How each action reads in the timeline. */
export const TIMELINE_ACTION: Record<ReportAction, string> = {
  TRIAGE: 'TRIAGED',
  ASSIGN: 'ASSIGNED',
  START: 'STARTED',
  RESOLVE: 'RESOLVED',
  RETURN_TO_QUEUE: 'RETURNED_TO_QUEUE',
  CLOSE: 'CLOSED',
  REJECT: 'REJECTED',
  MARK_DUPLICATE: 'MARKED_DUPLICATE',
  REOPEN: 'REOPENED',
  ATTACH_MEDIA: 'MEDIA_ATTACHED',
  ANSWER: 'ANSWERED',
};

/** The operation a caller runs for each action it may command; the others follow a crew's progress. */
const COMMANDS: Partial<Record<ReportAction, Operation>> = {
  TRIAGE: 'triageReport',
  ASSIGN: 'assignReport',
  CLOSE: 'closeReport',
  REJECT: 'rejectReport',
  MARK_DUPLICATE: 'markDuplicate',
  REOPEN: 'reopenReport',
  ATTACH_MEDIA: 'attachMedia',
  ANSWER: 'answerInquiry',
};

/**
 * The actions `viewer` may command on a report now: the transition table allows them from its status and
 * the access policy lets the viewer's role call their operation. What the console offers; the server
 * still decides (a concurrent change answers CONFLICT).
 */
export function allowedActions(viewer: Viewer | null, report: { status: ReportStatus; kind: ReportKind }): ReportAction[] {
  const allowed: ReportAction[] = [];
  for (const action of Object.values(ReportAction)) {
    const operation = COMMANDS[action];
    if (operation && mayCall(viewer, operation) && canApply(action, report.status, report.kind)) allowed.push(action);
  }
  return allowed;
}

export function canApply(action: ReportAction, status: ReportStatus, kind: ReportKind): boolean {
  const transition = REPORT_TRANSITIONS[action];
  if (transition.kinds && !transition.kinds.includes(kind)) return false;
  if (transition.from.includes(status)) return true;
  return !!transition.alsoFrom && transition.alsoFrom.kinds.includes(kind) && transition.alsoFrom.statuses.includes(status);
}

/** The status after `action`, or CONFLICT when the report's status does not allow it. */
export function nextStatus(action: ReportAction, status: ReportStatus, kind: ReportKind): ReportStatus {
  if (!canApply(action, status, kind)) {
    throw conflict(`${action} is not allowed for a ${kind} report in status ${status}`, { status, action });
  }
  return REPORT_TRANSITIONS[action].to ?? status;
}
