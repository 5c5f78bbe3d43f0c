import type { ReportCore, ReportStatus } from '../../domain/report.ts';

/** What a dispatcher can do to a report from its detail view. */
export type ReportAction = 'triage' | 'assign' | 'cancelAssignment' | 'close' | 'reject' | 'markDuplicate' | 'reopen';

const OPEN: readonly ReportStatus[] = ['RECEIVED', 'ASSIGNED', 'IN_PROGRESS'];
const REOPENABLE: readonly ReportStatus[] = ['RESOLVED', 'CLOSED', 'REJECTED', 'DUPLICATE'];

/**
 * The actions a report's status allows, mirroring the server's transition table so the view offers only
 * what can succeed (the server still decides: a concurrent change answers CONFLICT).
 */
export function allowedActions(report: { status: ReportStatus; kind: ReportCore['kind'] }, hasActiveAssignment: boolean): ReportAction[] {
  const actions: ReportAction[] = [];
  if (OPEN.includes(report.status)) actions.push('triage');
  if (report.status === 'RECEIVED') actions.push('assign');
  if (hasActiveAssignment) actions.push('cancelAssignment');
  const answeredFromQueue = report.status === 'RECEIVED' && (report.kind === 'NOTE' || report.kind === 'INQUIRY');
  if (report.status === 'RESOLVED' || answeredFromQueue) actions.push('close');
  if (report.status === 'RECEIVED') actions.push('reject', 'markDuplicate');
  if (REOPENABLE.includes(report.status)) actions.push('reopen');
  return actions;
}
