import { randomUUID } from 'node:crypto';
import { AssignmentStatus } from '../../server/src/assignments/assignments.enums.js';
import { assignmentTimelineAction } from '../../server/src/assignments/assignments.transitions.js';
import { CallOutcome, FixedAnswer, FollowUpStatus } from '../../server/src/followups/followups.enums.js';
import { FOLLOW_UP_TIMELINE } from '../../server/src/followups/followups.service.js';
import { PRIORITY_RANK, ReportStatus, type BeneficiaryType, type Channel, type Priority, type ReportKind } from '../../server/src/reports/reports.enums.js';
import { rebuild } from '../../server/src/indicators/indicators.rollup.js';
import { ReportAction, TIMELINE_ACTION } from '../../server/src/reports/reports.transitions.js';
import type { App } from './server.js';
import { sql } from './factories.js';

/**
 * Direct fixture rows for the indicators (issue 14): reports with whole histories (timeline lines, assignments,
 * follow-ups and their calls) at times the test chooses, written as the services write them (the same action
 * codes and status changes) but without waiting for a clock to pass. Build with the methods, then `insert`.
 */
export interface FixtureReportInput {
  receivedAt: Date | string;
  /** Hours from receivedAt to targetAt (default 24). */
  targetHours?: number;
  kind?: `${ReportKind}`;
  channel?: `${Channel}`;
  category?: string;
  priority?: `${Priority}`;
  municipality?: string;
  beneficiaryType?: `${BeneficiaryType}` | null;
}

interface Line {
  reportId: string;
  assignmentId: string | null;
  at: Date;
  action: string;
  from: string | null;
  to: string | null;
}

interface ReportRow {
  id: string;
  reference: string;
  kind: string;
  channel: string;
  category: string;
  priority: string;
  municipality: string;
  beneficiaryType: string | null;
  receivedAt: Date;
  targetAt: Date;
  status: ReportStatus;
  referredTo: string | null;
}

interface AssignmentRow {
  id: string;
  reportId: string;
  crewId: string;
  status: AssignmentStatus;
  createdAt: Date;
  updatedAt: Date;
}

interface FollowUpRow {
  id: string;
  reportId: string;
  status: FollowUpStatus;
  dueAt: Date;
  satisfaction: number | null;
  fixed: FixedAnswer | null;
  completedAt: Date | null;
  attempts: { at: Date; outcome: CallOutcome }[];
}

const time = (at: Date | string) => (at instanceof Date ? at : new Date(at));
let sequence = 0;

export class Fixtures {
  readonly reports: ReportRow[] = [];
  readonly lines: Line[] = [];
  readonly assignments: AssignmentRow[] = [];
  readonly followUps: FollowUpRow[] = [];
  private readonly byId = new Map<string, ReportRow>();

  report(input: FixtureReportInput): string {
    const receivedAt = time(input.receivedAt);
    const row: ReportRow = {
      id: randomUUID(),
      reference: `940-1999-${String(++sequence).padStart(6, '0')}-${randomUUID().slice(0, 8)}`,
      kind: input.kind ?? 'INCIDENT',
      channel: input.channel ?? 'WHATSAPP',
      category: input.category ?? 'POTHOLE',
      priority: input.priority ?? 'NORMAL',
      municipality: input.municipality ?? 'KHOBAR',
      beneficiaryType: input.beneficiaryType === undefined ? 'CITIZEN' : input.beneficiaryType,
      receivedAt,
      targetAt: new Date(receivedAt.getTime() + (input.targetHours ?? 24) * 3_600_000),
      status: ReportStatus.RECEIVED,
      referredTo: null,
    };
    this.reports.push(row);
    this.byId.set(row.id, row);
    this.lines.push({ reportId: row.id, assignmentId: null, at: receivedAt, action: 'CREATED', from: null, to: ReportStatus.RECEIVED });
    return row.id;
  }

  /** A status change of the report (or none with `to` null) written as the line `action`. */
  line(reportId: string, at: Date | string, action: string, to: ReportStatus | null, assignmentId: string | null = null): void {
    const report = this.get(reportId);
    const from = report.status;
    const changes = to !== null && to !== from;
    this.lines.push({ reportId, assignmentId, at: time(at), action, from: changes ? from : null, to: changes ? to : null });
    if (changes) report.status = to;
  }

  /** assignReport: a PENDING assignment and the report ASSIGNED. */
  assign(reportId: string, crewId: string, at: Date | string): string {
    const id = randomUUID();
    this.assignments.push({ id, reportId, crewId, status: AssignmentStatus.PENDING, createdAt: time(at), updatedAt: time(at) });
    this.line(reportId, at, TIMELINE_ACTION[ReportAction.ASSIGN], ReportStatus.ASSIGNED, id);
    return id;
  }

  /** The crew moves its assignment: ACCEPTED starts the report, COMPLETED resolves it, DECLINED returns it to the queue. */
  move(assignmentId: string, status: AssignmentStatus, at: Date | string): void {
    const assignment = this.assignments.find((row) => row.id === assignmentId);
    if (!assignment) throw new Error(`no assignment ${assignmentId}`);
    assignment.status = status;
    assignment.updatedAt = time(at);
    const to =
      status === AssignmentStatus.ACCEPTED
        ? ReportStatus.IN_PROGRESS
        : status === AssignmentStatus.COMPLETED
          ? ReportStatus.RESOLVED
          : status === AssignmentStatus.DECLINED || status === AssignmentStatus.CANCELLED
            ? ReportStatus.RECEIVED
            : null;
    this.line(assignment.reportId, at, assignmentTimelineAction(status), to, assignmentId);
  }

  /** Assign, accept, arrive and complete: the whole job, minutes after `at` for each step. */
  job(reportId: string, crewId: string, at: Date | string, steps: { accepted: number; onSite: number; completed: number }): string {
    const start = time(at).getTime();
    const id = this.assign(reportId, crewId, at);
    this.move(id, AssignmentStatus.ACCEPTED, new Date(start + steps.accepted * 60_000));
    this.move(id, AssignmentStatus.ON_SITE, new Date(start + steps.onSite * 60_000));
    this.move(id, AssignmentStatus.COMPLETED, new Date(start + steps.completed * 60_000));
    return id;
  }

  close(reportId: string, at: Date | string, action: string = TIMELINE_ACTION[ReportAction.CLOSE]): void {
    this.line(reportId, at, action, ReportStatus.CLOSED);
  }

  reject(reportId: string, at: Date | string, referredTo: string | null = null): void {
    this.get(reportId).referredTo = referredTo;
    this.line(reportId, at, TIMELINE_ACTION[ReportAction.REJECT], ReportStatus.REJECTED);
  }

  merge(reportId: string, at: Date | string): void {
    this.line(reportId, at, TIMELINE_ACTION[ReportAction.MARK_DUPLICATE], ReportStatus.DUPLICATE);
  }

  reopen(reportId: string, at: Date | string, action: string = TIMELINE_ACTION[ReportAction.REOPEN]): void {
    this.line(reportId, at, action, ReportStatus.RECEIVED);
  }

  answer(reportId: string, at: Date | string): void {
    this.line(reportId, at, TIMELINE_ACTION[ReportAction.ANSWER], ReportStatus.RESOLVED);
  }

  /**
   * A follow-up due at `dueAt` with its calls; a REACHED call ends it (and with fixed YES closes a RESOLVED report,
   * otherwise reopens it), as the satisfaction center's service does. `unreachable` ends it UNREACHABLE at the last call.
   */
  followUp(reportId: string, dueAt: Date | string, calls: { at: Date | string; outcome: `${CallOutcome}`; satisfaction?: number; fixed?: `${FixedAnswer}` }[], unreachable = false): string {
    const row: FollowUpRow = { id: randomUUID(), reportId, status: FollowUpStatus.PENDING, dueAt: time(dueAt), satisfaction: null, fixed: null, completedAt: null, attempts: [] };
    for (const call of calls) {
      row.attempts.push({ at: time(call.at), outcome: call.outcome as CallOutcome });
      this.line(reportId, call.at, `FOLLOWUP_${call.outcome}`, null);
      if (call.outcome === CallOutcome.REACHED) {
        row.status = FollowUpStatus.REACHED;
        row.satisfaction = call.satisfaction ?? null;
        row.fixed = (call.fixed as FixedAnswer) ?? null;
        row.completedAt = time(call.at);
        if (this.get(reportId).status === ReportStatus.RESOLVED) {
          if (call.fixed === FixedAnswer.YES) this.close(reportId, call.at, FOLLOW_UP_TIMELINE.CLOSED);
          else this.reopen(reportId, call.at, FOLLOW_UP_TIMELINE.REOPENED);
        }
      }
    }
    if (unreachable && calls.length) {
      row.status = FollowUpStatus.UNREACHABLE;
      row.completedAt = time(calls[calls.length - 1].at);
      if (this.get(reportId).status === ReportStatus.RESOLVED) this.close(reportId, row.completedAt, FOLLOW_UP_TIMELINE.UNREACHABLE);
    }
    this.followUps.push(row);
    return row.id;
  }

  private get(reportId: string): ReportRow {
    const report = this.byId.get(reportId);
    if (!report) throw new Error(`no report ${reportId}`);
    return report;
  }

  /**
   * Writes every row, set-based (a few statements whatever the number of reports), then rebuilds the maintained
   * aggregates from the raw tables, as a bulk load does (rows written here bypass the outbox the projector reads).
   */
  async insert(app: App): Promise<void> {
    const json = (rows: unknown[]) => JSON.stringify(rows);
    if (this.reports.length) {
      await sql(
        app,
        `insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, municipality_code,
                             beneficiary_type, received_at, target_at, submitted_by, idempotency_key, referred_to, updated_at, version)
         select x.id, x.reference, x.kind, x.channel, x.category, x.priority, x.rank, x.status, 'indicator fixture', 26.28, 50.2, x.municipality,
                x."beneficiaryType", x."receivedAt", x."targetAt", 'test:indicators', x.id::text, x."referredTo", x."receivedAt", 1
           from json_to_recordset(?::json) as x(id uuid, reference text, kind text, channel text, category text, priority text, rank smallint,
                status text, municipality text, "beneficiaryType" text, "receivedAt" timestamptz, "targetAt" timestamptz, "referredTo" text)`,
        [json(this.reports.map((row) => ({ ...row, rank: PRIORITY_RANK[row.priority as Priority] })))],
      );
    }
    if (this.assignments.length) {
      await sql(
        app,
        `insert into assignment (id, report_id, crew_id, status, created_at, updated_at, version)
         select x.id, x."reportId", x."crewId", x.status, x."createdAt", x."updatedAt", 1
           from json_to_recordset(?::json) as x(id uuid, "reportId" uuid, "crewId" uuid, status text, "createdAt" timestamptz, "updatedAt" timestamptz)`,
        [json(this.assignments)],
      );
    }
    if (this.lines.length) {
      await sql(
        app,
        `insert into timeline_entry (report_id, assignment_id, at, actor, action, from_status, to_status)
         select x."reportId", x."assignmentId", x.at, 'fixture', x.action, x."from", x."to"
           from json_to_recordset(?::json) as x("reportId" uuid, "assignmentId" uuid, at timestamptz, action text, "from" text, "to" text, n int)
          order by x.n`,
        [json(this.lines.map((line, n) => ({ ...line, n })))],
      );
    }
    if (this.followUps.length) {
      await sql(
        app,
        `insert into follow_up (id, report_id, status, phone, due_at, next_attempt_at, attempts, satisfaction, fixed, created_at, completed_at, version)
         select x.id, x."reportId", x.status, '+966500000000', x."dueAt", x."dueAt", x.attempts, x.satisfaction, x.fixed, x."dueAt", x."completedAt", 1
           from json_to_recordset(?::json) as x(id uuid, "reportId" uuid, status text, "dueAt" timestamptz, attempts int, satisfaction int, fixed text, "completedAt" timestamptz)`,
        [json(this.followUps.map((row) => ({ ...row, attempts: row.attempts.length })))],
      );
      const attempts = this.followUps.flatMap((row) => row.attempts.map((attempt) => ({ followUpId: row.id, ...attempt })));
      if (attempts.length) {
        await sql(
          app,
          `insert into follow_up_attempt (follow_up_id, at, agent, outcome)
           select x."followUpId", x.at, 'fixture', x.outcome from json_to_recordset(?::json) as x("followUpId" uuid, at timestamptz, outcome text)`,
          [json(attempts)],
        );
      }
    }
    await rebuild(app.orm.em.fork());
  }
}
