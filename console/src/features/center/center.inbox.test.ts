import { describe, expect, it } from 'vitest';
import { ApiError } from '../../graphql/errors.ts';
import { report } from '../../test/builders.ts';
import { reportsFilterOf } from '../../test/documents.ts';
import { fakeRun } from '../../test/fake-run.ts';
import { InquiryInboxQuery } from './center.operations.ts';
import { InboxController, type InboxItem } from './center.inbox.ts';

function inquiry(overrides: Partial<InboxItem> = {}): InboxItem {
  return {
    ...report({ kind: 'INQUIRY', description: 'متى يبدأ رش المبيدات في حي الراكة؟' }),
    reporter: { name: 'Noura', phone: '+966500000002', beneficiaryType: 'RESIDENT' },
    allowedActions: ['ANSWER', 'CLOSE', 'REJECT'],
    ...overrides,
  };
}

/** An inbox over a fake server holding `items`; translations are the keys. */
function setup(items: InboxItem[]) {
  let waiting = [...items];
  const server = fakeRun({
    InquiryInbox: () => ({ reports: { totalCount: waiting.length, edges: waiting.map((node) => ({ node })) } }),
    AnswerInquiry: (variables) => {
      waiting = waiting.filter((item) => item.id !== variables.reportId);
      return { answerInquiry: { id: variables.reportId, status: 'RESOLVED', answer: variables.answer, version: 2 } };
    },
  });
  const inbox = new InboxController({ run: server.run, t: (key) => key });
  return { server, inbox };
}

describe('the inquiry inbox', () => {
  it('asks the server for inquiries and notes still RECEIVED', () => {
    expect(reportsFilterOf(InquiryInboxQuery)).toEqual({ kinds: ['INQUIRY', 'NOTE'], statuses: ['RECEIVED'] });
  });

  it('lists them, offering an answer where the server allows one', async () => {
    const asked = inquiry();
    const note = inquiry({ kind: 'NOTE', allowedActions: ['CLOSE'] });
    const { inbox } = setup([asked, note]);
    await inbox.reload();
    expect(inbox.loaded.value).toBe(true);
    expect(inbox.total.value).toBe(2);
    expect(inbox.items.value.map((i) => i.id)).toEqual([asked.id, note.id]);
    expect(inbox.canAnswer(asked)).toBe(true);
    expect(inbox.canAnswer(note)).toBe(false);
  });

  it('does not send an empty answer, and says so', async () => {
    const asked = inquiry();
    const { server, inbox } = setup([asked]);
    await inbox.reload();
    inbox.answers[asked.id] = '   ';
    await inbox.answer(asked);
    expect(inbox.failure.value).toEqual({ id: asked.id, failure: { code: 'BAD_USER_INPUT', message: 'center.inbox.needAnswer', field: 'answer' } });
    expect(server.callsOf('AnswerInquiry')).toEqual([]);
  });

  it('sends the answer, clears it and reloads: the answered item leaves the inbox', async () => {
    const asked = inquiry();
    const other = inquiry();
    const { server, inbox } = setup([asked, other]);
    await inbox.reload();
    inbox.answers[asked.id] = ' يبدأ الرش يوم الأحد ';
    await inbox.answer(asked);
    expect(server.callsOf('AnswerInquiry')).toEqual([{ reportId: asked.id, answer: 'يبدأ الرش يوم الأحد' }]);
    expect(inbox.answered.value).toBe(asked.reference);
    expect(inbox.answers[asked.id]).toBeUndefined();
    expect(inbox.items.value.map((i) => i.id)).toEqual([other.id]);
    expect(inbox.busy.value).toBe('');
  });

  it('says plainly when someone else answered first, and shows the server’s other refusals by the item', async () => {
    const asked = inquiry();
    const { server, inbox } = setup([asked]);
    await inbox.reload();
    inbox.answers[asked.id] = 'answer';
    server.handlers.AnswerInquiry = () => {
      throw new ApiError({ code: 'CONFLICT', message: 'The report is no longer RECEIVED' });
    };
    await inbox.answer(asked);
    expect(inbox.conflict.value).toBe('The report is no longer RECEIVED');
    expect(inbox.failure.value).toBeNull();

    server.handlers.AnswerInquiry = () => {
      throw new ApiError({ code: 'BAD_USER_INPUT', message: 'The answer is too long', field: 'answer' });
    };
    await inbox.answer(asked);
    expect(inbox.conflict.value).toBe('');
    expect(inbox.failure.value).toEqual({ id: asked.id, failure: { code: 'BAD_USER_INPUT', message: 'The answer is too long', field: 'answer' } });
    expect(inbox.answers[asked.id]).toBe('answer');
  });
});
