// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import { followUp } from '../../test/builders.ts';
import FollowUpPanel from './FollowUpPanel.vue';

const call = (outcome: string) => ({ at: '2026-03-01T12:00:00.000Z', agent: 'agent01', outcome, note: null, callBackAt: null }) as never;

describe('why a follow-up was given up, in the viewer’s words', () => {
  afterEach(() => setLocale('ar'));

  it('words three unanswered calls and a wrong number from the calls, not the server’s English reason', () => {
    setLocale('ar');
    const unanswered = followUp({ status: 'UNREACHABLE', attempts: 3, closedReason: 'no answer after 3 attempts', attemptLog: [call('NO_ANSWER'), call('BUSY'), call('NO_ANSWER')] });
    const wrong = followUp({ status: 'UNREACHABLE', attempts: 1, closedReason: 'wrong number', attemptLog: [call('WRONG_NUMBER')] });
    const reason = (value: ReturnType<typeof followUp>) =>
      mount(FollowUpPanel, { props: { followUp: value }, global: { plugins: [i18n] } })
        .find('[data-test=followup-closed-reason]')
        .text();
    expect(reason(unanswered)).toBe('بعد 3 مكالمات دون رد');
    expect(reason(wrong)).toBe('رقم خاطئ');
    setLocale('en');
    expect(reason(unanswered)).toBe('after 3 unanswered calls');
  });
});
