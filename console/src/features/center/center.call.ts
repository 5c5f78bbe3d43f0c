import { computed, reactive, shallowRef } from 'vue';
import type { Run } from '../../graphql/client.ts';
import { ApiError, type ApiFailure } from '../../graphql/errors.ts';
import type { ResultOf, VariablesOf } from '../../graphql/graphql.ts';
import { ClaimNextFollowUpMutation, RecordFollowUpAttemptMutation, ReleaseFollowUpMutation } from './center.operations.ts';

/** A follow-up the agent holds, with the report to call about. */
export type ClaimedFollowUp = NonNullable<ResultOf<typeof ClaimNextFollowUpMutation>['claimNextFollowUp']>;
type RecordInput = VariablesOf<typeof RecordFollowUpAttemptMutation>['input'];
export type CallOutcome = RecordInput['outcome'];
export type FixedAnswer = NonNullable<RecordInput['fixed']>;
export type FollowUpStatus = ClaimedFollowUp['status'];

/** The outcome buttons, in the order an agent reaches for them. */
export const OUTCOMES: readonly CallOutcome[] = ['REACHED', 'NO_ANSWER', 'BUSY', 'CALL_BACK_LATER', 'WRONG_NUMBER'];
/** Was it fixed: the answers the citizen may give. */
export const FIXED_ANSWERS: readonly FixedAnswer[] = ['YES', 'PARTLY', 'NO'];
/** The rating scale. */
export const RATINGS: readonly number[] = [1, 2, 3, 4, 5];

/**
 * Where the agent is: before the first claim (`idle`), asking for the next call (`claiming`), on a call
 * (`calling`), or told that nothing is due now (`nothing`).
 */
export type CallState = 'idle' | 'claiming' | 'calling' | 'nothing';

/** What the last recorded call came to, for the view to say before the next one. */
export interface RecordedCall {
  reference: string;
  outcome: CallOutcome;
  /** The follow-up's status after it: REACHED (done), UNREACHABLE (the last attempt failed) or PENDING (to call again). */
  status: FollowUpStatus;
  fixed: FixedAnswer | null;
}

function blankForm() {
  return { outcome: null as CallOutcome | null, satisfaction: null as number | null, fixed: null as FixedAnswer | null, comment: '', note: '', callBackAt: '' };
}

/** A `datetime-local` value (the agent's local time) as an ISO instant; null when empty or not a time. */
function instant(local: string): string | null {
  if (!local) return null;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

export interface CallControllerOptions {
  /** Runs operations: the app's GraphQL client (useRun() in the view), a fake in tests. */
  run: Run;
}

/**
 * The "next call" flow of a satisfaction-center agent: claims the next follow-up due (the server holds it
 * for this agent a while), takes the call's outcome and, when the citizen was reached, their rating, whether
 * it was fixed and their comment, records it, and goes straight to the next call. The server decides every
 * rule (what a reached call needs, when a call back may be, who holds what): its BAD_USER_INPUT keeps the
 * form open with its message by the field at fault; a CONFLICT (the hold lapsed and another agent took the
 * call, or it was finished) drops the call and says so.
 */
export class CallController {
  readonly state = shallowRef<CallState>('idle');
  readonly current = shallowRef<ClaimedFollowUp | null>(null);
  /** The call being recorded: the outcome picked, and what goes with it. */
  readonly form = reactive(blankForm());
  readonly busy = shallowRef(false);
  /** The last command's failure (not a conflict): the server's message and the field at fault. */
  readonly failure = shallowRef<ApiFailure | null>(null);
  /** The server's word on a call that was no longer this agent's to record. */
  readonly conflict = shallowRef('');
  /** The call recorded last. */
  readonly last = shallowRef<RecordedCall | null>(null);
  /** Claim the next call as soon as one is recorded. */
  readonly autoNext = shallowRef(true);
  /** When the hold on the current call ends (epoch ms); null without one. */
  readonly holdEndsAt = computed(() => {
    const until = this.current.value?.claimedUntil;
    return until ? Date.parse(until) : null;
  });
  private readonly run: Run;

  constructor(options: CallControllerOptions) {
    this.run = options.run;
  }

  /** Claims the next follow-up due; `nothing` when none is due now. */
  async claim(): Promise<void> {
    this.state.value = 'claiming';
    this.failure.value = null;
    try {
      const data = await this.run(ClaimNextFollowUpMutation, {});
      this.show(data.claimNextFollowUp ?? null);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.failure.value = err.failure;
      this.show(null, 'idle');
    }
  }

  /** Picks the call's outcome; the form keeps what was typed for the others. */
  choose(outcome: CallOutcome): void {
    this.form.outcome = outcome;
    this.failure.value = null;
  }

  /** The server's message when it refused the last command because of this field; empty otherwise. */
  fieldError(field: keyof RecordInput): string {
    const failure = this.failure.value;
    if (!failure?.field) return '';
    return failure.field === field || failure.field.endsWith(`.${field}`) ? failure.message : '';
  }

  /** Records the call with what goes with its outcome, then claims the next one (unless the agent paused). */
  async record(): Promise<void> {
    const followUp = this.current.value;
    const outcome = this.form.outcome;
    if (!followUp || !outcome || this.busy.value) return;
    this.busy.value = true;
    this.failure.value = null;
    this.conflict.value = '';
    try {
      const data = await this.run(RecordFollowUpAttemptMutation, { input: this.input(followUp.id, outcome) });
      const result = data.recordFollowUpAttempt;
      this.last.value = { reference: followUp.report.reference, outcome, status: result.status, fixed: result.fixed ?? null };
      this.show(null, 'idle');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.failure.code !== 'CONFLICT') {
        this.failure.value = err.failure;
        return;
      }
      this.conflict.value = err.failure.message;
      this.show(null, 'idle');
      return;
    } finally {
      this.busy.value = false;
    }
    if (this.autoNext.value) await this.claim();
  }

  /** Gives the current call back untouched (another agent may take it) and stops. */
  async release(): Promise<void> {
    const followUp = this.current.value;
    if (!followUp || this.busy.value) return;
    this.busy.value = true;
    this.failure.value = null;
    try {
      await this.run(ReleaseFollowUpMutation, { id: followUp.id });
      this.show(null, 'idle');
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.failure.code === 'CONFLICT') this.show(null, 'idle');
      else this.failure.value = err.failure;
    } finally {
      this.busy.value = false;
    }
  }

  private show(followUp: ClaimedFollowUp | null, empty: CallState = 'nothing'): void {
    this.current.value = followUp;
    Object.assign(this.form, blankForm());
    this.state.value = followUp ? 'calling' : empty;
  }

  /** The input for the outcome picked: a reached call's answers, a call back's time, a note with any. */
  private input(followUpId: string, outcome: CallOutcome): RecordInput {
    const base = { followUpId, outcome, note: this.form.note.trim() || null };
    if (outcome === 'REACHED') return { ...base, satisfaction: this.form.satisfaction, fixed: this.form.fixed, comment: this.form.comment.trim() || null };
    if (outcome === 'CALL_BACK_LATER') return { ...base, callBackAt: instant(this.form.callBackAt) };
    return base;
  }
}
