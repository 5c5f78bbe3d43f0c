import { describe, expect, it } from 'vitest';
import { allowedActions, type ReportAction } from './report.actions.ts';

describe('the actions a report status allows', () => {
  it.each<[string, string, boolean, ReportAction[]]>([
    ['RECEIVED', 'INCIDENT', false, ['triage', 'assign', 'reject', 'markDuplicate']],
    ['RECEIVED', 'INQUIRY', false, ['triage', 'assign', 'close', 'reject', 'markDuplicate']],
    ['RECEIVED', 'NOTE', false, ['triage', 'assign', 'close', 'reject', 'markDuplicate']],
    ['ASSIGNED', 'INCIDENT', true, ['triage', 'cancelAssignment']],
    ['IN_PROGRESS', 'INCIDENT', true, ['triage', 'cancelAssignment']],
    ['RESOLVED', 'INCIDENT', false, ['close', 'reopen']],
    ['CLOSED', 'INCIDENT', false, ['reopen']],
    ['REJECTED', 'INCIDENT', false, ['reopen']],
    ['DUPLICATE', 'INCIDENT', false, ['reopen']],
  ])('%s %s (active assignment: %s) → %j', (status, kind, active, expected) => {
    expect(allowedActions({ status: status as never, kind: kind as never }, active)).toEqual(expected);
  });
});
