import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { mayAttachMedia, REPORT_HOLDERS_SQL, reportAudience, reportAudienceAllows, reportAudienceSql } from '../access/access.policy.js';
import { principalOf, type Viewer } from '../access/access.viewer.js';
import { badInput, conflict, forbidden, notFound, sqlState, UNIQUE_VIOLATION } from '../common/errors.js';
import { e164 } from '../common/phone.js';
import * as check from '../common/validate.js';
import { insertSelectSql } from '../common/read-model.js';
import { mediaCounts } from '../media/media.mapper.js';
import { MediaPurpose } from '../media/media.enums.js';
import type { MediaService } from '../media/media.service.js';
import { appendEvent, outboxRow } from '../outbox/outbox.writer.js';
import { DispatchEventType } from '../outbox/outbox.map.js';
import { Category, Municipality } from '../reference/reference.entity.js';
import type { ReferenceService } from '../reference/reference.service.js';
import { Report, TimelineEntry, type TimelineParams } from './reports.entity.js';
import { OPEN_STATUSES, PRIORITY_RANK, type Priority, type ReportStatus } from './reports.enums.js';
import { toReportSnapshot } from './reports.mapper.js';
import { nextStatus, ReportAction, TIMELINE_ACTION } from './reports.transitions.js';
import type { CreateReportInput, TriageReportInput } from './reports.types.js';

const YEAR = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Riyadh', year: 'numeric' });

/**
 * The report lifecycle: intake (idempotent), triage, closure, rejection, merging, reopening, and the
 * reads with their per-role visibility. Each command is one transaction that locks the report row,
 * checks the transition table, bumps the version, writes the timeline and appends the outbox event.
 */
export class ReportsService {
  constructor(
    private readonly reference: ReferenceService,
    private readonly media: MediaService,
  ) {}

  /**
   * Files a report. A second call by the same sender with the same idempotency key returns the first
   * report, also when both calls race or the retry's input is invalid: the unique (submitter, key) index
   * decides, and a rejected insert or input re-reads the first report before failing.
   */
  async create(em: EntityManager, viewer: Viewer, input: CreateReportInput): Promise<Report> {
    const idempotencyKey = check.requiredText('idempotencyKey', input.idempotencyKey, 120);
    const submittedBy = principalOf(viewer);
    let intake: Awaited<ReturnType<ReportsService['intake']>>;
    try {
      intake = await this.intake(em, input);
    } catch (err) {
      const existing = await em.findOne(Report, { submittedBy, idempotencyKey });
      if (existing) return existing;
      throw err;
    }
    const { description, address, reporterName, reporterPhone, category, municipality } = intake;

    const report = new Report();
    report.receivedAt = new Date();
    report.kind = input.kind;
    report.channel = input.channel;
    report.category = em.getReference(Category, category.code);
    report.priority = category.defaultPriority;
    report.priorityRank = PRIORITY_RANK[category.defaultPriority];
    report.description = description;
    report.lat = input.location.lat;
    report.lng = input.location.lng;
    report.address = address ?? null;
    report.municipality = em.getReference(Municipality, municipality.code);
    report.reporterName = reporterName ?? null;
    report.reporterPhone = reporterPhone ?? null;
    report.reporterPhoneE164 = reporterPhone ? e164(reporterPhone) : null;
    report.beneficiaryType = input.reporter?.beneficiaryType ?? null;
    report.targetAt = new Date(report.receivedAt.getTime() + category.targetHours * 3_600_000);
    report.updatedAt = report.receivedAt;
    report.submittedBy = submittedBy;
    report.idempotencyKey = idempotencyKey;
    report.reference = '';
    const event = outboxRow(DispatchEventType.REPORT_CREATED, { v: 1, report: toReportSnapshot(report) });

    try {
      // The report, its CREATED timeline entry and its outbox event in one statement (so one transaction
      // and one round trip): the reference comes from the sequence inside it and is written into the
      // event's snapshot there. Intake is the busiest write; six round trips through the unit of work
      // were most of its cost (bench/RESULTS.md).
      const created = insertSelectSql(em, report, { reference: 'seq.reference' });
      const timeline = insertSelectSql(em, this.timelineEntry(report, viewer, 'CREATED', null, report.status, null));
      const outbox = insertSelectSql(em, event, { payload: (value) => `jsonb_set(${value}, '{report,reference}', to_jsonb(created.reference))` });
      const mediaIds = input.mediaIds ?? [];
      const insert = (tx: EntityManager) =>
        tx.execute<{ id: string; reference: string }[]>(
          `with seq as (select '940-' || ? || '-' || lpad(n, greatest(6, length(n)), '0') as reference from (select nextval('report_reference_seq')::text as n) s),
         created as (${created.sql} from seq returning id, reference),
         timeline as (${timeline.sql} from created),
         event as (${outbox.sql} from created)
         select id, reference from created`,
          [YEAR.format(report.receivedAt), ...created.params, ...timeline.params, ...outbox.params],
        );
      // Media goes in the same transaction as the report, so a bad media id files nothing; without media the
      // statement runs alone (intake's hot path keeps its one round trip).
      const [row] = mediaIds.length
        ? await em.transactional(async (tx) => {
            const rows = await insert(tx);
            const attached = await this.media.attach(tx, viewer, rows[0].id, mediaIds, { purpose: MediaPurpose.REPORT }, 'input.mediaIds');
            report.id = rows[0].id;
            const line = this.timelineEntry(report, viewer, TIMELINE_ACTION.ATTACH_MEDIA, null, null, null, null, mediaCounts(attached));
            line.report = tx.getReference(Report, report.id); // the row the statement inserted, not a new one to persist
            tx.persist(line);
            return rows;
          })
        : await insert(em);
      report.reference = row.reference;
      return report;
    } catch (err) {
      if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
      const winner = await em.fork().findOne(Report, { submittedBy, idempotencyKey });
      if (!winner) throw err;
      return winner;
    }
  }

  /** The checked fields of a new report with its category and municipality, or BAD_USER_INPUT. */
  private async intake(em: EntityManager, input: CreateReportInput) {
    const description = check.requiredText('description', input.description, 5000);
    if (!input.location) throw badInput('location', 'location is required');
    this.reference.checkPoint('location', input.location.lat, input.location.lng);
    const address = check.text('location.address', input.location.address, { max: 500 });
    const reporterName = check.text('reporter.name', input.reporter?.name, { max: 200 });
    const reporterPhone = check.phone('reporter.phone', input.reporter?.phone);
    const category = await this.reference.category(em, input.categoryCode, 'categoryCode');
    const municipality = await this.reference.municipalityFor(em, 'location', input.location.lat, input.location.lng, input.location.municipalityCode);
    return { description, address, reporterName, reporterPhone, category, municipality };
  }

  /** Corrects category and priority; a new category recomputes the target time from receipt. */
  async triage(em: EntityManager, viewer: Viewer, id: string, input: TriageReportInput): Promise<Report> {
    const note = check.text('input.note', input.note, { max: 2000 });
    if (!input.categoryCode && !input.priority) throw badInput('input', 'give a categoryCode, a priority or both');
    const category = input.categoryCode ? await this.reference.category(em, input.categoryCode, 'input.categoryCode') : undefined;
    return this.change(em, viewer, id, ReportAction.TRIAGE, note, (report, tx) => {
      if (category) {
        report.overdueNotifiedAt = null;
        report.category = tx.getReference(Category, category.code);
        report.targetAt = new Date(report.receivedAt.getTime() + category.targetHours * 3_600_000);
      }
      const priority: Priority | undefined = input.priority ?? category?.defaultPriority;
      if (priority) {
        report.priority = priority;
        report.priorityRank = PRIORITY_RANK[priority];
      }
    });
  }

  close(em: EntityManager, viewer: Viewer, id: string, note: string | null | undefined): Promise<Report> {
    const text = check.text('note', note, { max: 2000 });
    return this.change(em, viewer, id, ReportAction.CLOSE, text, (report) => {
      report.reopenedAfterFollowUpAt = null;
    });
  }

  reject(em: EntityManager, viewer: Viewer, id: string, reason: string, referredTo: string | null | undefined): Promise<Report> {
    const why = check.requiredText('reason', reason, 1000);
    const to = check.text('referredTo', referredTo, { max: 200 });
    return this.change(em, viewer, id, ReportAction.REJECT, why, (report) => {
      report.rejectionReason = why;
      report.referredTo = to ?? null;
    });
  }

  /**
   * Merges `id` into `duplicateOfId`. Both reports are locked in id order before anything is checked, so two
   * dispatchers marking A a duplicate of B and B of A at once are serialised without a deadlock: one wins and
   * the other finds its original already a duplicate (BAD_USER_INPUT), and no two reports point at each other.
   */
  async markDuplicate(em: EntityManager, viewer: Viewer, id: string, duplicateOfId: string): Promise<Report> {
    const originalId = check.id('duplicateOf', duplicateOfId);
    if (originalId === check.id('id', id)) throw badInput('duplicateOf', 'a report cannot duplicate itself');
    const found = await em.fork().findOne(Report, { id: originalId }, { fields: ['reference'] });
    if (!found) throw notFound('Report', originalId, 'duplicateOf');
    return this.change(
      em,
      viewer,
      id,
      ReportAction.MARK_DUPLICATE,
      null,
      async (report, tx) => {
        const original = await tx.findOneOrFail(Report, { id: originalId }, { refresh: true });
        if (original.duplicateOf) throw badInput('duplicateOf', `${original.reference} is itself a duplicate; merge into ${original.duplicateOf.id}`);
        report.duplicateOf = original;
        // Reports already merged into this one follow it to the original, so no duplicate points at a duplicate.
        const followers = await tx.find(Report, { duplicateOf: report.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
        for (const follower of followers) {
          follower.duplicateOf = original;
          this.touch(follower);
          this.addTimeline(tx, follower, viewer, 'MERGED_WITH_ORIGINAL', null, null, null, null, { reference: original.reference, withReference: report.reference });
          appendEvent(tx, DispatchEventType.REPORT_UPDATED, { v: 1, report: toReportSnapshot(follower), action: ReportAction.MARK_DUPLICATE }, await this.holders(tx, follower.id));
        }
      },
      originalId,
      { reference: found.reference },
    );
  }

  /**
   * Adds the caller's uploads to a report it may attach to (staff, or the INTAKE key that filed it: a
   * citizen's follow-up photo), audited in the timeline and published as REPORT_UPDATED. Media already on the
   * report is not attached twice, and a call that adds nothing changes nothing.
   */
  async attachMedia(em: EntityManager, viewer: Viewer, id: string, mediaIds: readonly string[]): Promise<Report> {
    const reportId = check.id('reportId', id);
    if (!mediaIds.length) throw badInput('mediaIds', 'name at least one media id');
    return em.transactional(async (tx) => {
      const report = await this.lock(tx, reportId, 'reportId');
      if (!(await this.canRead(tx, viewer, report))) throw notFound('Report', reportId, 'reportId');
      if (!mayAttachMedia(viewer, report)) throw forbidden('Only staff and the sender that filed the report may add media to it');
      nextStatus(ReportAction.ATTACH_MEDIA, report.status, report.kind);
      const attached = await this.media.attach(tx, viewer, report.id, mediaIds, { purpose: MediaPurpose.REPORT });
      if (!attached.length) return report;
      this.touch(report);
      this.addTimeline(tx, report, viewer, TIMELINE_ACTION.ATTACH_MEDIA, null, null, null, null, mediaCounts(attached));
      appendEvent(tx, DispatchEventType.REPORT_UPDATED, { v: 1, report: toReportSnapshot(report), action: ReportAction.ATTACH_MEDIA }, await this.holders(tx, report.id));
      return report;
    });
  }

  reopen(em: EntityManager, viewer: Viewer, id: string, reason: string): Promise<Report> {
    const why = check.requiredText('reason', reason, 2000);
    return this.change(em, viewer, id, ReportAction.REOPEN, why, (report) => {
      report.overdueNotifiedAt = null;
      report.duplicateOf = null;
      report.rejectionReason = null;
      report.referredTo = null;
    });
  }

  /**
   * Records that a dispatcher has seen the report (acknowledgeReport): every console then stops pinning it as an
   * unacknowledged CRITICAL report and silences its alarm. Allowed on open work; audited (ACKNOWLEDGED) and
   * published as REPORT_UPDATED. The first acknowledgement stands: acknowledging again changes nothing and
   * answers the report as it is.
   */
  async acknowledge(em: EntityManager, viewer: Viewer, id: string): Promise<Report> {
    const reportId = check.id('id', id);
    return em.transactional(async (tx) => {
      const report = await this.lock(tx, reportId, 'id');
      if (report.acknowledgedAt) return report;
      if (!OPEN_STATUSES.includes(report.status)) throw conflict(`a ${report.status} report is no longer open work to acknowledge`, { status: report.status });
      this.touch(report);
      report.acknowledgedAt = report.updatedAt;
      report.acknowledgedBy = viewer.name;
      this.addTimeline(tx, report, viewer, 'ACKNOWLEDGED', null, null, null);
      appendEvent(tx, DispatchEventType.REPORT_UPDATED, { v: 1, report: toReportSnapshot(report), action: 'ACKNOWLEDGE' }, await this.holders(tx, report.id));
      return report;
    });
  }

  /**
   * One locked, checked, versioned, audited and published status change. `lockWith` names a second report
   * the change depends on: both rows are locked together in id order first, so two changes of the same pair
   * queue behind each other instead of deadlocking.
   */
  private change(
    em: EntityManager,
    viewer: Viewer,
    id: string,
    action: ReportAction,
    note: string | null | undefined,
    apply?: (report: Report, tx: EntityManager) => void | Promise<void>,
    lockWith?: string,
    params: TimelineParams | null = null,
  ): Promise<Report> {
    const reportId = check.id('id', id);
    return em.transactional(async (tx) => {
      if (lockWith) await tx.execute('select id from report where id in (?, ?) order by id for update', [reportId, lockWith]);
      const report = await this.lock(tx, reportId, 'id');
      return this.applyChange(tx, viewer, report, action, note ?? null, apply, TIMELINE_ACTION[action], params);
    });
  }

  /**
   * A status change of a report already locked in `tx`: checked against the transition table, versioned,
   * audited (as `timelineAction`, by default the action's own line) and published. What `change` does inside
   * its transaction, and what another feature's command does inside its own (a follow-up closing or
   * reopening the report it is about).
   */
  async applyChange(
    tx: EntityManager,
    viewer: Viewer,
    report: Report,
    action: ReportAction,
    note: string | null,
    apply?: (report: Report, tx: EntityManager) => void | Promise<void>,
    timelineAction: string = TIMELINE_ACTION[action],
    params: TimelineParams | null = null,
  ): Promise<Report> {
    const from = report.status;
    report.status = nextStatus(action, from, report.kind);
    await apply?.(report, tx);
    this.touch(report);
    this.addTimeline(tx, report, viewer, timelineAction, from, report.status, note, null, params);
    appendEvent(tx, DispatchEventType.REPORT_UPDATED, { v: 1, report: toReportSnapshot(report), action }, await this.holders(tx, report.id));
    return report;
  }

  /**
   * Marks open reports that passed their target time and writes one REPORT_OVERDUE event for each.
   * Rows are claimed with SKIP LOCKED and stamped in the same transaction as their event, so with any
   * number of replicas running this, each overdue report gets exactly one event.
   */
  async markOverdue(em: EntityManager, limit = 200): Promise<number> {
    return em.transactional(async (tx) => {
      const due = await tx.execute<{ id: string }[]>(
        `select id from report where status in (?) and target_at < now() and overdue_notified_at is null order by target_at limit ? for update skip locked`,
        [[...OPEN_STATUSES], limit],
      );
      if (due.length === 0) return 0;
      const reports = await tx.find(Report, { id: { $in: due.map((row) => row.id) } });
      for (const report of reports) {
        report.overdueNotifiedAt = new Date();
        report.version += 1;
        appendEvent(tx, DispatchEventType.REPORT_OVERDUE, { v: 1, report: toReportSnapshot(report) }, await this.holders(tx, report.id));
      }
      return reports.length;
    });
  }

  /** The crews holding the report (the access policy's REPORT_HOLDERS_SQL): besides staff and integrators, who sees its events. */
  async holders(tx: EntityManager, reportId: string): Promise<string[]> {
    const rows = await tx.execute<{ crew_id: string }[]>(REPORT_HOLDERS_SQL, [reportId]);
    return rows.map((row) => row.crew_id);
  }

  /** Locks the report row for the rest of the transaction: the one ordering point for concurrent commands. */
  async lock(tx: EntityManager, id: string, field: string): Promise<Report> {
    const report = await tx.findOne(Report, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!report) throw notFound('Report', id, field);
    return report;
  }

  touch(report: Report): void {
    report.version += 1;
    report.updatedAt = new Date();
  }

  /**
   * Queues the timeline line of a change. `note` is only what a person typed; what the server knows about the
   * change (the crew, the other report, the media counted) goes in `params`, which the console words.
   */
  addTimeline(
    tx: EntityManager,
    report: Report,
    viewer: Viewer,
    action: string,
    from: ReportStatus | null,
    to: ReportStatus | null,
    note: string | null,
    assignmentId: string | null = null,
    params: TimelineParams | null = null,
  ): void {
    tx.persist(this.timelineEntry(report, viewer, action, from, to, note, assignmentId, params));
  }

  /** The timeline line of a change, at the report's last update: queued by `addTimeline`, or inserted by createReport's single statement. */
  timelineEntry(
    report: Report,
    viewer: Viewer,
    action: string,
    from: ReportStatus | null,
    to: ReportStatus | null,
    note: string | null,
    assignmentId: string | null = null,
    params: TimelineParams | null = null,
  ): TimelineEntry {
    const entry = new TimelineEntry();
    entry.report = report;
    entry.at = report.updatedAt;
    entry.assignmentId = assignmentId;
    entry.actor = viewer.name;
    entry.action = action;
    entry.fromStatus = from === to ? null : from;
    entry.toStatus = from === to ? null : to;
    entry.note = note;
    entry.params = params;
    return entry;
  }

  async get(em: EntityManager, viewer: Viewer, id: string): Promise<Report | null> {
    const reportId = check.id('id', id);
    const report = await em.findOne(Report, { id: reportId });
    return report && (await this.canRead(em, viewer, report)) ? report : null;
  }

  /**
   * The report a reference names, as staff quote it: whole (`940-2026-000123`, zeros optional) or just its
   * number (`123`, `000123`). The number comes from one sequence that never restarts, so it names one report
   * whatever the year; a number alone is read as this year's (Asia/Riyadh) first, then as any year's, newest
   * first. Null when there is none the viewer may read.
   */
  async byReference(em: EntityManager, viewer: Viewer, reference: string): Promise<Report | null> {
    const ref = check.requiredText('reference', reference, 30).toUpperCase();
    const whole = /^940-(\d{4})-0*(\d{1,12})$/.exec(ref);
    const short = whole ? null : /^0*(\d{1,12})$/.exec(ref);
    const number = (whole?.[2] ?? short?.[1])?.padStart(6, '0');
    const exact = whole ? `940-${whole[1]}-${number}` : number ? `940-${YEAR.format(new Date())}-${number}` : ref;
    const report = await em.findOne(Report, { reference: exact });
    if (report && (await this.canRead(em, viewer, report))) return report;
    if (!short || !number) return null;
    const others = await em.find(Report, { reference: { $like: `940-____-${number}` } }, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: 10 });
    for (const other of others) if (await this.canRead(em, viewer, other)) return other;
    return null;
  }

  /** Whether the viewer reads this report: the access policy's `reportAudience`, asked of its row (a crew's holding is in the database). */
  async canRead(em: EntityManager, viewer: Viewer, report: Report): Promise<boolean> {
    const audience = reportAudience(viewer);
    if (audience.kind !== 'held') return reportAudienceAllows(audience, { submittedBy: report.submittedBy, assignments: [] });
    const rule = reportAudienceSql(audience, 'r');
    const [{ allowed }] = await em.execute<{ allowed: boolean }[]>(`select exists (select 1 from report r where r.id = ? and ${rule.sql}) as allowed`, [report.id, ...rule.params]);
    return allowed;
  }
}

declare module '../access/access.context.js' {
  interface Services {
    reports: ReportsService;
  }
}
