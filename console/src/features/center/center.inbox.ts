import { reactive, shallowRef } from 'vue';
import type { Run } from '../../graphql/client.ts';
import { ApiError, type ApiFailure } from '../../graphql/errors.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { i18n } from '../../i18n/i18n.ts';
import { AnswerInquiryMutation } from '../report/report.operations.ts';
import { InquiryInboxQuery } from './center.operations.ts';

/** An inquiry or note waiting for an answer. */
export type InboxItem = ResultOf<typeof InquiryInboxQuery>['reports']['edges'][number]['node'];

export interface InboxControllerOptions {
  /** Runs operations: the app's GraphQL client (useRun() in the view), a fake in tests. */
  run: Run;
  /** Translates the inbox's own messages; the console's i18n by default. */
  t?: (key: string) => string;
}

/** Items the inbox shows at once: the first of the server's order (its total is shown beside them). */
const PAGE = 50;

/**
 * The inquiry inbox: inquiries and notes still RECEIVED, each with an answer form where the server offers
 * ANSWER. An answer is sent only with words in it; once recorded the item leaves the inbox (it is RESOLVED),
 * and the inbox reloads after every answer whatever its outcome, since another agent may have answered first
 * (a CONFLICT, said plainly).
 */
export class InboxController {
  readonly items = shallowRef<readonly InboxItem[]>([]);
  /** How many are waiting in all (the inbox shows the first PAGE). */
  readonly total = shallowRef(0);
  readonly loaded = shallowRef(false);
  /** Why the last load failed; empty when it succeeded. */
  readonly loadError = shallowRef('');
  /** The answer typed for each item, by report id. */
  readonly answers = reactive<Record<string, string>>({});
  /** The item whose answer is being sent. */
  readonly busy = shallowRef('');
  /** The last answer's failure, and the item it was for. */
  readonly failure = shallowRef<{ id: string; failure: ApiFailure } | null>(null);
  /** The server's word on an item someone else answered or changed first (it leaves the inbox on the reload). */
  readonly conflict = shallowRef('');
  /** The reference of the item answered last. */
  readonly answered = shallowRef('');
  private readonly run: Run;
  private readonly t: (key: string) => string;
  private loads = 0;

  constructor(options: InboxControllerOptions) {
    this.run = options.run;
    this.t = options.t ?? ((key) => i18n.global.t(key));
  }

  /** Loads the inbox; only the answer to the latest load is shown. */
  async reload(): Promise<void> {
    const load = ++this.loads;
    try {
      const data = await this.run(InquiryInboxQuery, { first: PAGE });
      if (load !== this.loads) return;
      this.items.value = data.reports.edges.map((e) => e.node);
      this.total.value = data.reports.totalCount;
      this.loaded.value = true;
      this.loadError.value = '';
    } catch (err) {
      if (load !== this.loads) return;
      this.loadError.value = err instanceof ApiError ? err.failure.message : this.t('center.inbox.loadFailed');
    }
  }

  /** The server lets this agent answer the item now. */
  canAnswer(item: InboxItem): boolean {
    return item.allowedActions.includes('ANSWER');
  }

  /** Sends the answer typed for an item. */
  async answer(item: InboxItem): Promise<void> {
    const answer = this.answers[item.id]?.trim() ?? '';
    if (!answer) {
      this.failure.value = { id: item.id, failure: { code: 'BAD_USER_INPUT', message: this.t('center.inbox.needAnswer'), field: 'answer' } };
      return;
    }
    this.busy.value = item.id;
    this.failure.value = null;
    this.conflict.value = '';
    this.answered.value = '';
    try {
      await this.run(AnswerInquiryMutation, { reportId: item.id, answer });
      this.answered.value = item.reference;
      delete this.answers[item.id];
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.failure.code === 'CONFLICT') this.conflict.value = err.failure.message;
      else this.failure.value = { id: item.id, failure: err.failure };
    } finally {
      this.busy.value = '';
      await this.reload();
    }
  }
}
