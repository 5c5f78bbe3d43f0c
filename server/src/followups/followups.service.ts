import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../access/access.viewer.js';
import type { FollowUpConfig } from '../common/config.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import { e164 } from '../common/phone.js';
import * as check from '../common/validate.js';
import { DispatchEventType } from '../outbox/outbox.map.js';
import { appendEvent } from '../outbox/outbox.writer.js';
import { Report } from '../reports/reports.entity.js';
import { ReportStatus } from '../reports/reports.enums.js';
import { toReportSnapshot } from '../reports/reports.mapper.js';
import type { ReportsService } from '../reports/reports.service.js';
import { canApply, ReportAction } from '../reports/reports.transitions.js';
import { FollowUp, FollowUpAttempt } from './followups.entity.js';
import { CallOutcome, FixedAnswer, FollowUpStatus, UNANSWERED } from './followups.enums.js';
import { toFollowUpSnapshot } from './followups.mapper.js';
import { callingDay, nextAttemptAfter, nextCallable, parseCallHours, type CallingPolicy } from './followups.schedule.js';
import type { FollowUpCounts, FollowUpFilter, RecordFollowUpInput } from './followups.types.js';

/** The clock the center's rules read: injected, so tests move time instead of sleeping. */
export type Clock = () => Date;

/** Timeline lines of the center's work; each call is `FOLLOWUP_<outcome>` (FOLLOWUP_NO_ANSWER, FOLLOWUP_REACHED …). */
export const FOLLOW_UP_TIMELINE = {
  CLOSED: 'CLOSED_AFTER_FOLLOWUP',
  REOPENED: 'REOPENED_AFTER_FOLLOWUP',
  UNREACHABLE: 'UNREACHABLE',
  NOTE: 'NOTE_ADDED',
} as const;

const PAGE_MAX = 100;

interface Cursor {
  at: string;
  id: string;
}

/**
 * The beneficiary satisfaction center: a follow-up call for every resolved report with a phone (created in
 * the resolving transaction), claimed by one agent at a time with SKIP LOCKED, retried by the calling policy
 * and closing or reopening the report by what the reporter says; inquiries answered, notes added, and the
 * caller's history by phone. Every change is audited on the report and published in the same outbox.
 */
export class FollowUpsService {
  readonly policy: CallingPolicy;

  constructor(
    private readonly reports: ReportsService,
    readonly config: FollowUpConfig,
    readonly clock: Clock = () => new Date(),
  ) {
    this.policy = { ...parseCallHours(config.callHours), closedWeekdays: config.closedWeekdays, timeZone: 'Asia/Riyadh' };
  }

  /**
   * Called inside the transaction that made `report` RESOLVED: with a reporter phone, a follow-up due after
   * FOLLOWUP_DELAY_HOURS and inside calling hours, announced as FOLLOWUP_CREATED. Without one nothing.
   *
   * A report has at most one pending follow-up (`follow_up_one_open_per_report`). When one is still pending
   * from an earlier resolution (the report was closed or reopened by hand before anyone called, then resolved
   * again), that call is now about this resolution: it is rescheduled from now, released by whoever held it,
   * and its unanswered count starts again (announced as FOLLOWUP_UPDATED), instead of a second one the index
   * would refuse.
   */
  async onResolved(tx: EntityManager, report: Report): Promise<FollowUp | null> {
    const phone = report.reporterPhoneE164 ?? (report.reporterPhone ? e164(report.reporterPhone) : null);
    if (!phone) return null;
    const now = this.clock();
    const pending = await tx.findOne(FollowUp, { report, status: FollowUpStatus.PENDING });
    const followUp = pending ?? new FollowUp();
    followUp.report = report;
    followUp.phone = phone;
    followUp.beneficiaryType = report.beneficiaryType ?? null;
    followUp.dueAt = nextCallable(new Date(now.getTime() + this.config.delayHours * 3_600_000), this.policy);
    followUp.nextAttemptAt = followUp.dueAt;
    if (pending) {
      pending.unanswered = 0;
      pending.claimedBy = null;
      pending.claimedByName = null;
      pending.claimedUntil = null;
      pending.version += 1;
      this.publish(tx, DispatchEventType.FOLLOWUP_UPDATED, pending, report);
      return pending;
    }
    followUp.createdAt = now;
    // Announced (FOLLOWUP_CREATED) but not a timeline line of its own: the resolution's line says what happened,
    // and every call and result is a line.
    tx.persist(followUp);
    this.publish(tx, DispatchEventType.FOLLOWUP_CREATED, followUp, report);
    return followUp;
  }

  /**
   * The oldest callable follow-up nobody holds, now held by the caller for FOLLOWUP_CLAIM_MINUTES; null when
   * there is none. One statement with FOR UPDATE SKIP LOCKED: two agents never get the same one, and a claim
   * that lapsed is claimable again. An agent holds one at a time: claiming again first returns the one it held.
   */
  async claimNext(em: EntityManager, viewer: Viewer): Promise<FollowUp | null> {
    const now = this.clock();
    // Outside calling hours nothing is callable, whatever is due (a follow-up due at 20:45 waits for the morning).
    if (nextCallable(now, this.policy).getTime() !== now.getTime()) return null;
    const until = new Date(now.getTime() + this.config.claimMinutes * 60_000);
    return em.transactional(async (tx) => {
      await tx.execute(`update follow_up set claimed_by = null, claimed_by_name = null, claimed_until = null, version = version + 1 where claimed_by = ? and status = 'PENDING'`, [viewer.id]);
      const rows = await tx.execute<{ id: string }[]>(
        `update follow_up set claimed_by = ?, claimed_by_name = ?, claimed_until = ?, version = version + 1
         where id = (select id from follow_up where status = 'PENDING' and next_attempt_at <= ? and (claimed_until is null or claimed_until <= ?)
                     order by next_attempt_at, id limit 1 for update skip locked)
         returning id`,
        [viewer.id, viewer.name, until, now, now],
      );
      if (rows.length === 0) return null;
      const followUp = await tx.findOneOrFail(FollowUp, { id: rows[0].id }, { populate: ['report'], refresh: true });
      this.publish(tx, DispatchEventType.FOLLOWUP_UPDATED, followUp, followUp.report);
      return followUp;
    });
  }

  /** Returns a held follow-up to the queue early. */
  async release(em: EntityManager, viewer: Viewer, id: string): Promise<FollowUp> {
    const followUpId = check.id('id', id);
    return em.transactional(async (tx) => {
      const followUp = await this.held(tx, viewer, followUpId, 'id');
      followUp.claimedBy = null;
      followUp.claimedByName = null;
      followUp.claimedUntil = null;
      followUp.version += 1;
      this.publish(tx, DispatchEventType.FOLLOWUP_UPDATED, followUp, followUp.report);
      return followUp;
    });
  }

  /**
   * One call of a follow-up the caller holds. Unanswered calls retry on another calling day at least
   * FOLLOWUP_RETRY_HOURS later, up to FOLLOWUP_MAX_ATTEMPTS; then, or on a wrong number, the follow-up is
   * UNREACHABLE and the report CLOSED with that reason. REACHED with fixed YES closes the report with the
   * rating; NO or PARTLY reopens it (back to RECEIVED, priority kept, marked, the citizen's words in the
   * timeline) so it is in the dispatchers' live queue at once. All of it in one transaction.
   */
  async record(em: EntityManager, viewer: Viewer, input: RecordFollowUpInput): Promise<FollowUp> {
    const followUpId = check.id('input.followUpId', input.followUpId);
    const note = check.text('input.note', input.note, { max: 2000 }) ?? null;
    const comment = check.text('input.comment', input.comment, { max: 2000 }) ?? null;
    const now = this.clock();
    const reached = input.outcome === CallOutcome.REACHED;
    if (reached) {
      if (input.satisfaction === null || input.satisfaction === undefined || !Number.isInteger(input.satisfaction) || input.satisfaction < 1 || input.satisfaction > 5) {
        throw badInput('input.satisfaction', 'satisfaction must be a whole number from 1 to 5 when the reporter was reached');
      }
      if (!input.fixed) throw badInput('input.fixed', 'say whether it was fixed (YES, NO or PARTLY) when the reporter was reached');
    } else {
      if (input.satisfaction !== null && input.satisfaction !== undefined) throw badInput('input.satisfaction', 'satisfaction goes only with REACHED');
      if (input.fixed) throw badInput('input.fixed', 'fixed goes only with REACHED');
    }
    let callBackAt: Date | null = null;
    if (input.outcome === CallOutcome.CALL_BACK_LATER) {
      if (!input.callBackAt || Number.isNaN(input.callBackAt.getTime())) throw badInput('input.callBackAt', 'say when to call back');
      if (input.callBackAt.getTime() <= now.getTime()) throw badInput('input.callBackAt', 'callBackAt must be in the future');
      if (input.callBackAt.getTime() > now.getTime() + 30 * 86_400_000) throw badInput('input.callBackAt', 'callBackAt must be within 30 days');
      callBackAt = input.callBackAt;
    } else if (input.callBackAt) {
      throw badInput('input.callBackAt', 'callBackAt goes only with CALL_BACK_LATER');
    }

    return em.transactional(async (tx) => {
      const peek = await tx.findOne(FollowUp, { id: followUpId });
      if (!peek) throw notFound('FollowUp', followUpId, 'input.followUpId');
      const report = await this.reports.lock(tx, peek.report.id, 'input.followUpId');
      const followUp = await this.held(tx, viewer, followUpId, 'input.followUpId');
      const attempt = new FollowUpAttempt();
      attempt.followUp = followUp;
      attempt.at = now;
      attempt.agent = viewer.name;
      attempt.outcome = input.outcome;
      attempt.note = note;
      attempt.callBackAt = callBackAt;
      tx.persist(attempt);
      followUp.attempts += 1;
      followUp.version += 1;
      followUp.claimedBy = null;
      followUp.claimedByName = null;
      followUp.claimedUntil = null;
      // The outcome is the line's code (FOLLOWUP_NO_ANSWER …), which a console words in its reader's language; the note is the agent's own.
      this.reports.addTimeline(tx, report, viewer, `FOLLOWUP_${input.outcome}`, null, null, note);

      if (reached) {
        followUp.status = FollowUpStatus.REACHED;
        followUp.satisfaction = input.satisfaction ?? null;
        followUp.fixed = input.fixed ?? null;
        followUp.comment = comment;
        this.finish(followUp, viewer, now);
        if (input.fixed === FixedAnswer.YES && report.status !== ReportStatus.RESOLVED) {
          // Someone closed (or reopened) it since the follow-up was created: the answer is recorded, the report left as they decided.
        } else if (input.fixed === FixedAnswer.YES) {
          await this.reports.applyChange(
            tx,
            viewer,
            report,
            ReportAction.CLOSE,
            comment,
            (r) => {
              r.reopenedAfterFollowUpAt = null;
            },
            FOLLOW_UP_TIMELINE.CLOSED,
            { satisfaction: input.satisfaction ?? undefined, fixed: input.fixed ?? undefined },
          );
        } else if (canApply(ReportAction.REOPEN, report.status, report.kind)) {
          await this.reports.applyChange(
            tx,
            viewer,
            report,
            ReportAction.REOPEN,
            comment,
            (r) => {
              r.reopenedAfterFollowUpAt = now;
              r.overdueNotifiedAt = null;
            },
            FOLLOW_UP_TIMELINE.REOPENED,
            { satisfaction: input.satisfaction ?? undefined, fixed: input.fixed ?? undefined },
          );
        }
      } else {
        if (UNANSWERED.includes(input.outcome)) followUp.unanswered += 1;
        const giveUp = input.outcome === CallOutcome.WRONG_NUMBER || followUp.unanswered >= this.config.maxAttempts;
        if (giveUp) {
          followUp.status = FollowUpStatus.UNREACHABLE;
          followUp.closedReason = input.outcome === CallOutcome.WRONG_NUMBER ? 'wrong number' : `no answer after ${followUp.unanswered} attempts`;
          this.finish(followUp, viewer, now);
          if (report.status === ReportStatus.RESOLVED) {
            await this.reports.applyChange(tx, viewer, report, ReportAction.CLOSE, null, undefined, FOLLOW_UP_TIMELINE.UNREACHABLE, {
              outcome: input.outcome,
              attempts: followUp.attempts,
            });
          }
        } else {
          followUp.nextAttemptAt = callBackAt ? nextCallable(callBackAt, this.policy) : nextAttemptAfter(now, this.config.retryHours, this.policy);
        }
      }
      this.publish(tx, DispatchEventType.FOLLOWUP_UPDATED, followUp, report);
      return followUp;
    });
  }

  /** Answers an inquiry or note in RECEIVED: RESOLVED with the answer recorded (and, with a phone, its follow-up). */
  async answerInquiry(em: EntityManager, viewer: Viewer, id: string, answer: string): Promise<Report> {
    const reportId = check.id('reportId', id);
    const text = check.requiredText('answer', answer, 5000);
    return em.transactional(async (tx) => {
      const report = await this.reports.lock(tx, reportId, 'reportId');
      await this.reports.applyChange(tx, viewer, report, ReportAction.ANSWER, text, (r) => {
        r.answer = text;
        r.answeredAt = this.clock();
      });
      await this.onResolved(tx, report);
      return report;
    });
  }

  /** A note on a report from the center (a caller's call), audited in its timeline and published. */
  async addNote(em: EntityManager, viewer: Viewer, id: string, note: string): Promise<Report> {
    const reportId = check.id('reportId', id);
    const text = check.requiredText('note', note, 2000);
    return em.transactional(async (tx) => {
      const report = await this.reports.lock(tx, reportId, 'reportId');
      this.reports.touch(report);
      this.reports.addTimeline(tx, report, viewer, FOLLOW_UP_TIMELINE.NOTE, null, null, text);
      appendEvent(tx, DispatchEventType.REPORT_UPDATED, { v: 1, report: toReportSnapshot(report), action: 'ADD_NOTE' }, await this.reports.holders(tx, report.id));
      return report;
    });
  }

  /** Every report filed with this phone, newest first (at most 100): the caller on the line and their history. */
  async reporterHistory(em: EntityManager, phone: string): Promise<Report[]> {
    const raw = check.requiredText('phone', phone, 30);
    const number = e164(raw);
    if (!number) throw badInput('phone', 'phone is not a phone number (e.g. 0501234567 or +966501234567)');
    return em.find(Report, { reporterPhoneE164: number }, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: 100 });
  }

  /** A page of follow-ups, soonest callable first. */
  async list(em: EntityManager, filter: FollowUpFilter | null | undefined, first: number, after: string | null | undefined): Promise<{ rows: FollowUp[]; cursors: string[]; hasNextPage: boolean }> {
    const size = check.pageSize('first', first, PAGE_MAX);
    const and: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      and.push(sql);
      params.push(...values);
    };
    const f = filter ?? {};
    if (f.statuses?.length) add('f.status in (?)', [...f.statuses]);
    if (f.dueBefore) add('f.next_attempt_at < ?', f.dueBefore);
    if (f.agent) add('(f.claimed_by_name = ? or f.completed_by = ?)', f.agent, f.agent);
    if (f.municipalityCodes?.length) add('r.municipality_code in (?)', [...f.municipalityCodes]);
    if (f.categoryCodes?.length) add('r.category_code in (?)', [...f.categoryCodes]);
    if (after) {
      const cursor = decodeCursor(after);
      add('(f.next_attempt_at, f.id) > (?, ?)', cursor.at, cursor.id);
    }
    const rows = await em.execute<{ id: string }[]>(
      `select f.id from follow_up f join report r on r.id = f.report_id ${and.length ? `where ${and.join(' and ')}` : ''} order by f.next_attempt_at, f.id limit ?`,
      [...params, size + 1],
    );
    const ids = rows.slice(0, size).map((row) => row.id);
    const found = new Map((await em.find(FollowUp, { id: { $in: ids } })).map((row) => [row.id, row]));
    const page = ids.map((id) => found.get(id)).filter((row): row is FollowUp => !!row);
    return { rows: page, cursors: page.map((row) => Buffer.from(JSON.stringify([row.nextAttemptAt.toISOString(), row.id])).toString('base64url')), hasNextPage: rows.length > size };
  }

  /** The center's counters now (today in Asia/Riyadh). */
  async counts(em: EntityManager): Promise<FollowUpCounts> {
    const now = this.clock();
    const dayStart = new Date(`${callingDay(now, this.policy)}T00:00:00+03:00`);
    const [row] = await em.execute<{ due_now: string; later: string; unreachable: string; done_today: string }[]>(
      `select count(*) filter (where status = 'PENDING' and next_attempt_at <= ? and (claimed_until is null or claimed_until <= ?)) as due_now,
              count(*) filter (where status = 'PENDING' and next_attempt_at > ?) as later,
              count(*) filter (where status = 'UNREACHABLE') as unreachable,
              count(*) filter (where completed_at >= ?) as done_today
       from follow_up where status = 'PENDING' or completed_at is not null`,
      [now, now, now, dayStart],
    );
    return { dueNow: Number(row.due_now), scheduledLater: Number(row.later), unreachable: Number(row.unreachable), doneToday: Number(row.done_today) };
  }

  /** The follow-up `id`, locked, held by the caller now; CONFLICT when finished or held by another agent (or the claim lapsed). */
  private async held(tx: EntityManager, viewer: Viewer, id: string, field: string): Promise<FollowUp> {
    const followUp = await tx.findOne(FollowUp, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['report'] });
    if (!followUp) throw notFound('FollowUp', id, field);
    if (followUp.status !== FollowUpStatus.PENDING) throw conflict(`This follow-up is already ${followUp.status}`, { field, status: followUp.status });
    const now = this.clock();
    if (followUp.claimedBy !== viewer.id || !followUp.claimedUntil || followUp.claimedUntil.getTime() <= now.getTime()) {
      throw conflict(
        followUp.claimedBy && followUp.claimedBy !== viewer.id && followUp.claimedUntil && followUp.claimedUntil > now
          ? `${followUp.claimedByName} holds this follow-up`
          : 'Claim this follow-up first (claimNextFollowUp); your claim may have lapsed',
        { field },
      );
    }
    return followUp;
  }

  private finish(followUp: FollowUp, viewer: Viewer, now: Date): void {
    followUp.completedAt = now;
    followUp.completedBy = viewer.name;
  }

  private publish(tx: EntityManager, type: DispatchEventType.FOLLOWUP_CREATED | DispatchEventType.FOLLOWUP_UPDATED, followUp: FollowUp, report: Report): void {
    // No crew sees the center's events: an empty crew list, and the policy keeps integrators out (CENTER_EVENT_TYPES).
    appendEvent(tx, type, { v: 1, followUp: toFollowUpSnapshot(followUp), report: toReportSnapshot(report) }, []);
  }
}

function decodeCursor(value: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string') throw new Error('shape');
    return { at, id: check.id('after', id) };
  } catch {
    throw badInput('after', 'after is not a cursor from this list');
  }
}

declare module '../access/access.context.js' {
  interface Services {
    followUps: FollowUpsService;
  }
}
