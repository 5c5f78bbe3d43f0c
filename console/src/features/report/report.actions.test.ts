import { describe, expect, it } from 'vitest';
import { offeredActions, type ReportAction, type ServerAction } from './report.actions.ts';

type Step = { status: 'ACCEPTED' | 'DECLINED' | 'CANCELLED' };

describe('the actions the detail view offers', () => {
  it.each<[string, ServerAction[], Step[] | null, ReportAction[]]>([
    ['a received incident', ['TRIAGE', 'ASSIGN', 'REJECT', 'MARK_DUPLICATE'], null, ['triage', 'assign', 'reject', 'markDuplicate']],
    [
      'a received incident that takes photos (offered beside the media, not as a button)',
      ['TRIAGE', 'ASSIGN', 'REJECT', 'MARK_DUPLICATE', 'ATTACH_MEDIA'],
      null,
      ['triage', 'assign', 'reject', 'markDuplicate'],
    ],
    ['a received inquiry', ['TRIAGE', 'ASSIGN', 'CLOSE', 'REJECT', 'MARK_DUPLICATE'], null, ['triage', 'assign', 'close', 'reject', 'markDuplicate']],
    ['an assigned report the viewer may take back', ['TRIAGE'], [{ status: 'ACCEPTED' }, { status: 'DECLINED' }, { status: 'CANCELLED' }], ['triage', 'cancelAssignment']],
    ['an assigned report the viewer may not take back', ['TRIAGE'], [{ status: 'ACCEPTED' }, { status: 'DECLINED' }], ['triage']],
    ['a resolved report', ['CLOSE', 'REOPEN', 'ATTACH_MEDIA'], null, ['close', 'reopen']],
    ['a closed report', ['REOPEN'], null, ['reopen']],
    ['a report the viewer may not command', [], null, []],
    ["commands that follow a crew's progress, were they listed", ['START', 'RESOLVE', 'RETURN_TO_QUEUE'], null, []],
  ])('%s: the server allows %j, next steps %j → %j', (_name, allowedActions, nextSteps, expected) => {
    expect(offeredActions({ allowedActions, activeAssignment: nextSteps && { nextSteps } })).toEqual(expected);
  });
});
