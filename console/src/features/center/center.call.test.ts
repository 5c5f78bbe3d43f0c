import { describe, expect, it } from 'vitest';
import { ApiError } from '../../graphql/errors.ts';
import { claimedFollowUp } from '../../test/builders.ts';
import { fakeRun } from '../../test/fake-run.ts';
import { CallController, type ClaimedFollowUp } from './center.call.ts';

/** A call flow over a fake server that hands out `queue` one claim at a time (null once it is empty). */
function setup(queue: ClaimedFollowUp[]) {
  const waiting = [...queue];
  const server = fakeRun({
    ClaimNextFollowUp: () => ({ claimNextFollowUp: waiting.shift() ?? null }),
  });
  const controller = new CallController({ run: server.run });
  return { server, controller };
}

/** What the server answers to a recorded call: the follow-up at its next version, in the status given. */
function recorded(followUp: ClaimedFollowUp, status: ClaimedFollowUp['status'], fixed: ClaimedFollowUp['fixed'] = null) {
  return { recordFollowUpAttempt: { ...followUp, status, fixed, attempts: followUp.attempts + 1, claimedBy: null, claimedUntil: null, version: followUp.version + 1 } };
}

describe('the next call', () => {
  it('says there is nothing to call now when the server has no follow-up due', async () => {
    const { server, controller } = setup([]);
    expect(controller.state.value).toBe('idle');
    await controller.claim();
    expect(controller.state.value).toBe('nothing');
    expect(controller.current.value).toBeNull();
    expect(server.callsOf('ClaimNextFollowUp')).toEqual([{}]);
  });

  it('shows the claimed call with a blank form, and the end of its hold', async () => {
    const first = claimedFollowUp();
    const { controller } = setup([first]);
    controller.form.comment = 'left over';
    await controller.claim();
    expect(controller.state.value).toBe('calling');
    expect(controller.current.value).toEqual(first);
    expect(controller.form).toEqual({ outcome: null, satisfaction: null, fixed: null, comment: '', note: '', callBackAt: '' });
    expect(controller.holdEndsAt.value).toBe(Date.parse('2026-03-01T12:15:00.000Z'));
  });

  it('records a reached citizen who says it was not fixed, with the rating and comment, then goes straight to the next call', async () => {
    const first = claimedFollowUp();
    const second = claimedFollowUp();
    const { server, controller } = setup([first, second]);
    server.handlers.RecordFollowUpAttempt = () => recorded(first, 'REACHED', 'NO');
    await controller.claim();
    controller.choose('REACHED');
    controller.form.satisfaction = 2;
    controller.form.fixed = 'NO';
    controller.form.comment = '  The pothole is still there  ';
    controller.form.callBackAt = '2026-03-02T10:00';
    await controller.record();

    expect(server.callsOf('RecordFollowUpAttempt')).toEqual([{ input: { followUpId: first.id, outcome: 'REACHED', note: null, satisfaction: 2, fixed: 'NO', comment: 'The pothole is still there' } }]);
    expect(controller.last.value).toEqual({ reference: first.report.reference, outcome: 'REACHED', status: 'REACHED', fixed: 'NO' });
    expect(server.calls.map((c) => c.operation)).toEqual(['ClaimNextFollowUp', 'RecordFollowUpAttempt', 'ClaimNextFollowUp']);
    expect(controller.state.value).toBe('calling');
    expect(controller.current.value?.id).toBe(second.id);
    expect(controller.form.outcome).toBeNull();
  });

  it('ends on "nothing to call" when the call recorded was the last one due', async () => {
    const only = claimedFollowUp();
    const { server, controller } = setup([only]);
    server.handlers.RecordFollowUpAttempt = () => recorded(only, 'PENDING');
    await controller.claim();
    controller.choose('NO_ANSWER');
    await controller.record();
    expect(controller.state.value).toBe('nothing');
    expect(controller.last.value?.status).toBe('PENDING');
  });

  it('keeps the form open with the server’s message by the field at fault, and claims nothing meanwhile', async () => {
    const first = claimedFollowUp();
    const { server, controller } = setup([first, claimedFollowUp()]);
    server.handlers.RecordFollowUpAttempt = () => {
      throw new ApiError({ code: 'BAD_USER_INPUT', message: 'A reached call needs a satisfaction rating from 1 to 5', field: 'input.satisfaction' });
    };
    await controller.claim();
    controller.choose('REACHED');
    controller.form.fixed = 'YES';
    await controller.record();

    expect(server.callsOf('RecordFollowUpAttempt')).toEqual([{ input: { followUpId: first.id, outcome: 'REACHED', note: null, satisfaction: null, fixed: 'YES', comment: null } }]);
    expect(controller.state.value).toBe('calling');
    expect(controller.current.value?.id).toBe(first.id);
    expect(controller.fieldError('satisfaction')).toBe('A reached call needs a satisfaction rating from 1 to 5');
    expect(controller.fieldError('fixed')).toBe('');
    expect(controller.form).toMatchObject({ outcome: 'REACHED', fixed: 'YES' });
    expect(controller.busy.value).toBe(false);
    expect(server.callsOf('ClaimNextFollowUp')).toHaveLength(1);

    server.handlers.RecordFollowUpAttempt = () => recorded(first, 'REACHED', 'YES');
    controller.form.satisfaction = 5;
    await controller.record();
    expect(controller.failure.value).toBeNull();
    expect(server.callsOf('ClaimNextFollowUp')).toHaveLength(2);
  });

  it.each([
    ['CALL_BACK_LATER', { callBackAt: new Date('2026-03-02T10:30').toISOString() }],
    ['NO_ANSWER', {}],
    ['BUSY', {}],
    ['WRONG_NUMBER', {}],
  ] as const)('sends %s with what goes with it (and the note), not the answers of a reached call', async (outcome, extra) => {
    const first = claimedFollowUp();
    const { server, controller } = setup([first]);
    server.handlers.RecordFollowUpAttempt = () => recorded(first, 'PENDING');
    await controller.claim();
    controller.choose('REACHED');
    controller.form.satisfaction = 3;
    controller.choose(outcome);
    controller.form.callBackAt = '2026-03-02T10:30';
    controller.form.note = ' asked to call after work ';
    await controller.record();
    expect(server.callsOf('RecordFollowUpAttempt')).toEqual([{ input: { followUpId: first.id, outcome, note: 'asked to call after work', ...extra } }]);
  });

  it('says plainly when the call is no longer the agent’s (a CONFLICT), drops it and waits', async () => {
    const first = claimedFollowUp();
    const { server, controller } = setup([first, claimedFollowUp()]);
    server.handlers.RecordFollowUpAttempt = () => {
      throw new ApiError({ code: 'CONFLICT', message: 'Another agent holds this follow-up' });
    };
    await controller.claim();
    controller.choose('BUSY');
    await controller.record();
    expect(controller.conflict.value).toBe('Another agent holds this follow-up');
    expect(controller.failure.value).toBeNull();
    expect(controller.current.value).toBeNull();
    expect(controller.state.value).toBe('idle');
    expect(server.callsOf('ClaimNextFollowUp')).toHaveLength(1);

    await controller.claim();
    expect(controller.conflict.value).toBe('Another agent holds this follow-up');
    expect(controller.state.value).toBe('calling');
  });

  it('stops after the call when the agent pauses, and sends nothing without an outcome', async () => {
    const first = claimedFollowUp();
    const { server, controller } = setup([first, claimedFollowUp()]);
    server.handlers.RecordFollowUpAttempt = () => recorded(first, 'PENDING');
    await controller.claim();
    await controller.record();
    expect(server.callsOf('RecordFollowUpAttempt')).toEqual([]);

    controller.autoNext.value = false;
    controller.choose('NO_ANSWER');
    await controller.record();
    expect(controller.state.value).toBe('idle');
    expect(server.callsOf('ClaimNextFollowUp')).toHaveLength(1);
  });

  it('gives a call back untouched', async () => {
    const first = claimedFollowUp();
    const { server, controller } = setup([first]);
    server.handlers.ReleaseFollowUp = () => ({ releaseFollowUp: { id: first.id, status: 'PENDING', claimedBy: null, version: 2 } });
    await controller.claim();
    await controller.release();
    expect(server.callsOf('ReleaseFollowUp')).toEqual([{ id: first.id }]);
    expect(controller.current.value).toBeNull();
    expect(controller.state.value).toBe('idle');
  });

  it('shows why a claim failed and lets the agent try again', async () => {
    const { server, controller } = setup([]);
    server.handlers.ClaimNextFollowUp = () => {
      throw new ApiError({ code: 'FORBIDDEN', message: 'Not allowed' });
    };
    await controller.claim();
    expect(controller.state.value).toBe('idle');
    expect(controller.failure.value?.message).toBe('Not allowed');
  });
});
