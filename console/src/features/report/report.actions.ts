import type { ResultOf } from '../../graphql/graphql.ts';
import type { ReportDetailQuery } from './report.operations.ts';

type Detail = NonNullable<ResultOf<typeof ReportDetailQuery>['report']>;
/** A report command as the server names it (Report.allowedActions). */
export type ServerAction = Detail['allowedActions'][number];

/** What a dispatcher can do to a report from its detail view: a form, a button and a message each. */
export type ReportAction = 'triage' | 'assign' | 'cancelAssignment' | 'close' | 'reject' | 'markDuplicate' | 'reopen' | 'answer';

/**
 * The view's action for each server command. START, RESOLVE and RETURN_TO_QUEUE follow a crew's progress
 * and are never a dispatcher's command (the server never lists them): null. ATTACH_MEDIA changes no status:
 * the view offers it as the photo picker beside the report's media, not as a button here (null). Exhaustive,
 * so a command the server adds fails the type-check until the view decides what to offer for it.
 */
const VIEW_ACTION: Record<ServerAction, ReportAction | null> = {
  TRIAGE: 'triage',
  ASSIGN: 'assign',
  START: null,
  RESOLVE: null,
  RETURN_TO_QUEUE: null,
  CLOSE: 'close',
  REJECT: 'reject',
  MARK_DUPLICATE: 'markDuplicate',
  REOPEN: 'reopen',
  ATTACH_MEDIA: null,
  ANSWER: 'answer',
};

/**
 * The actions the view offers: the commands the server allows this viewer now, in the server's order, then
 * cancelling the active assignment when the server offers CANCELLED among its next steps. The view mirrors
 * no rule of its own; the server still decides (a concurrent change answers CONFLICT).
 */
export function offeredActions(report: Pick<Detail, 'allowedActions'> & { activeAssignment: { nextSteps: readonly { status: string }[] } | null }): ReportAction[] {
  const actions = report.allowedActions.map((action) => VIEW_ACTION[action]).filter((action): action is ReportAction => action !== null);
  if (report.activeAssignment?.nextSteps.some((step) => step.status === 'CANCELLED')) actions.push('cancelAssignment');
  return actions;
}
