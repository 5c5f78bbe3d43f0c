import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLError } from 'graphql';
import { mayMoveAssignment } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import { badInput, conflict, forbidden, notFound, sqlState, UNIQUE_VIOLATION } from '../common/errors.js';
import { leadingAssignment, leadingAssignments, leadingOrderSql, type LeadingAssignment } from './assignments.leading.js';
import * as check from '../common/validate.js';
import { Crew } from '../crews/crews.entity.js';
import { toCrewSnapshot, toCrewView } from '../crews/crews.mapper.js';
import { MediaPurpose } from '../media/media.enums.js';
import { mediaCounts } from '../media/media.mapper.js';
import type { FollowUpsService } from '../followups/followups.service.js';
import { localDayStart } from '../followups/followups.schedule.js';
import type { MediaService } from '../media/media.service.js';
import { appendEvent } from '../outbox/outbox.writer.js';
import { DispatchEventType } from '../outbox/outbox.map.js';
import type { Report } from '../reports/reports.entity.js';
import { ReportStatus } from '../reports/reports.enums.js';
import { toReportSnapshot } from '../reports/reports.mapper.js';
import type { ReportsService } from '../reports/reports.service.js';
import { nextStatus, ReportAction, TIMELINE_ACTION } from '../reports/reports.transitions.js';
import { Assignment } from './assignments.entity.js';
import { ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, WORKING_ASSIGNMENT_STATUSES } from './assignments.enums.js';
import { activeAssignmentSql, toAssignmentSnapshot } from './assignments.mapper.js';
import { assertAssignmentTransition, assignmentTimelineAction, CREW_SETTABLE, NOTE_REQUIRED, REPORT_EFFECT } from './assignments.transitions.js';
import { CREW_FINISHED_MAX, CREW_QUEUE_MAX, type AssignReportInput, type UpdateAssignmentStatusInput } from './assignments.types.js';

/**
 * A leading assignment's id and status as they are now. Entities are shared within a transaction, so the
 * crew's leading assignment before a move is often the very entity the move changes; comparing the crew's
 * status before and after needs the values, or both sides read the new status and the crew's change is
 * never published.
 */
function leadingValue(assignment: Assignment | undefined): LeadingAssignment | undefined {
  return assignment && { id: assignment.id, status: assignment.status };
}

/** The crew's day is the center's: a day in Asia/Riyadh. */
const CREW_DAY_TIME_ZONE = 'Asia/Riyadh';

/**
 * Assigning reports to crews and the crews' progress. Locks are always taken report → assignment → crew,
 * so concurrent commands queue instead of deadlocking; a partial unique index backs "one active
 * assignment per report" in the database itself.
 */
export class AssignmentsService {
  constructor(
    private readonly reports: ReportsService,
    private readonly media: MediaService,
    private readonly followUps: FollowUpsService,
    /** What "today" is for a crew's finished jobs; tests move it. */
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Each crew's leading active assignment as the database has it: what crews' status follows (CrewWork). */
  leading(em: EntityManager, crewIds: readonly string[]): Promise<Map<string, LeadingAssignment>> {
    return leadingAssignments(em, crewIds);
  }

  /**
   * A crew's day as its phone shows it, from its active assignments in leading order (`leadingOrderSql`: the
   * job under way, then what it accepted, oldest first, then its offers): the current job is the first unless
   * that is an offer (PENDING: nothing accepted yet), the queue the rest (at most `CREW_QUEUE_MAX`); and the jobs
   * it completed since today began in Asia/Riyadh, latest first, at most `CREW_FINISHED_MAX`.
   */
  async crewJobs(em: EntityManager, crewId: string): Promise<{ current: Assignment | null; queue: Assignment[]; finishedToday: Assignment[] }> {
    const ordered = await em.execute<{ id: string }[]>(`select a.id from assignment a where a.crew_id = ? and ${activeAssignmentSql('a')} order by ${leadingOrderSql('a')} limit ?`, [
      crewId,
      CREW_QUEUE_MAX + 1,
    ]);
    const byId = new Map((await em.find(Assignment, { id: { $in: ordered.map((row) => row.id) } })).map((assignment) => [assignment.id, assignment]));
    const active = ordered.map((row) => byId.get(row.id)).filter((assignment): assignment is Assignment => !!assignment);
    const since = localDayStart(this.clock(), CREW_DAY_TIME_ZONE);
    const finishedToday = await em.find(
      Assignment,
      { crew: crewId, status: AssignmentStatus.COMPLETED, updatedAt: { $gte: since } },
      { orderBy: { updatedAt: 'desc', id: 'asc' }, limit: CREW_FINISHED_MAX },
    );
    const [first] = active;
    const current = first && first.status !== AssignmentStatus.PENDING ? first : null;
    return { current, queue: active.filter((assignment) => assignment !== current).slice(0, CREW_QUEUE_MAX), finishedToday };
  }

  /** Gives a RECEIVED report to an on-duty crew; CONFLICT when it is already assigned or the crew is off duty. */
  async assign(em: EntityManager, viewer: Viewer, input: AssignReportInput): Promise<Assignment> {
    const reportId = check.id('input.reportId', input.reportId);
    const crewId = check.id('input.crewId', input.crewId);
    const note = check.text('input.note', input.note, { max: 2000 });
    try {
      return await em.transactional(async (tx) => {
        const report = await this.reports.lock(tx, reportId, 'input.reportId');
        this.checkVersion(report.version, input.expectedVersion, 'input.expectedVersion');
        const from = report.status;
        report.status = nextStatus(ReportAction.ASSIGN, from, report.kind);
        const crew = await this.lockCrew(tx, crewId, 'input.crewId');
        if (!crew.onDuty) throw conflict(`${crew.nameEn} is off duty`, { crewId });
        const before = await this.leadingOf(tx, crew);
        const assignment = new Assignment();
        assignment.report = report;
        assignment.crew = crew;
        assignment.note = note ?? null;
        tx.persist(assignment);
        this.reports.touch(report);
        this.reports.addTimeline(tx, report, viewer, TIMELINE_ACTION[ReportAction.ASSIGN], from, report.status, note ?? null, assignment.id, {
          crewId: crew.id,
          crewNameAr: crew.nameAr,
          crewNameEn: crew.nameEn,
        });
        this.publish(tx, DispatchEventType.ASSIGNMENT_CREATED, assignment, report, crew, before, leadingAssignment([...(before ? [before] : []), assignment]));
        return assignment;
      });
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw conflict('The report already has an active assignment', { reportId });
      throw err;
    }
  }

  /** A crew's progress (a dispatcher may record it on the crew's behalf). */
  async updateStatus(em: EntityManager, viewer: Viewer, input: UpdateAssignmentStatusInput): Promise<Assignment> {
    const assignmentId = check.id('input.assignmentId', input.assignmentId);
    if (!CREW_SETTABLE.includes(input.status)) {
      throw badInput('input.status', `status must be one of ${CREW_SETTABLE.join(', ')}; a dispatcher cancels with cancelAssignment`);
    }
    const note = check.text('input.note', input.note, { max: 2000, required: NOTE_REQUIRED.includes(input.status) });
    const mediaIds = input.mediaIds ?? [];
    if (mediaIds.length && input.status !== AssignmentStatus.COMPLETED) throw badInput('input.mediaIds', 'after-photos go with COMPLETED');
    return this.transition(em, viewer, assignmentId, 'input.assignmentId', input.status, note ?? null, input.expectedVersion, mediaIds);
  }

  /** A dispatcher takes a report back from a crew; the report returns to the queue. */
  cancel(em: EntityManager, viewer: Viewer, id: string, reason: string): Promise<Assignment> {
    const assignmentId = check.id('id', id);
    const why = check.requiredText('reason', reason, 2000);
    return this.transition(em, viewer, assignmentId, 'id', AssignmentStatus.CANCELLED, why, null);
  }

  private async transition(
    em: EntityManager,
    viewer: Viewer,
    assignmentId: string,
    field: string,
    to: AssignmentStatus,
    note: string | null,
    expectedVersion: number | null | undefined,
    mediaIds: readonly string[] = [],
  ): Promise<Assignment> {
    const peek = await em.fork().findOne(Assignment, { id: assignmentId });
    if (!peek) throw notFound('Assignment', assignmentId, field);
    if (!mayMoveAssignment(viewer, { crewId: peek.crew.id }, to)) throw forbidden('Only the assigned crew or a dispatcher may change this assignment');
    try {
      return await this.move(em, viewer, peek, assignmentId, field, to, note, expectedVersion, mediaIds);
    } catch (err) {
      // Two starts by one crew raced past the check below: the one-working-job index refused the second.
      if (sqlState(err) === UNIQUE_VIOLATION && WORKING_ASSIGNMENT_STATUSES.includes(to)) {
        const current = await this.workingJob(em.fork(), peek.crew.id, assignmentId);
        if (current) throw this.busyConflict(current, field);
      }
      throw err;
    }
  }

  private move(
    em: EntityManager,
    viewer: Viewer,
    peek: Assignment,
    assignmentId: string,
    field: string,
    to: AssignmentStatus,
    note: string | null,
    expectedVersion: number | null | undefined,
    mediaIds: readonly string[],
  ): Promise<Assignment> {
    return em.transactional(async (tx) => {
      const report = await this.reports.lock(tx, peek.report.id, field);
      const assignment = await tx.findOneOrFail(Assignment, { id: assignmentId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      this.checkVersion(assignment.version, expectedVersion, 'input.expectedVersion');
      assertAssignmentTransition(assignment.status, to);
      const crew = await this.lockCrew(tx, assignment.crew.id, field);
      if (WORKING_ASSIGNMENT_STATUSES.includes(to) && !WORKING_ASSIGNMENT_STATUSES.includes(assignment.status)) {
        const current = await this.workingJob(tx, crew.id, assignment.id);
        if (current) throw this.busyConflict(current, field);
      }
      // What the crew was doing, as values: the leading assignment may be the entity about to change.
      const before = leadingValue(await this.leadingOf(tx, crew));
      assignment.status = to;
      assignment.note = note ?? assignment.note;
      assignment.version += 1;
      assignment.updatedAt = new Date();
      const effect = REPORT_EFFECT[to];
      const from = report.status;
      if (effect) report.status = nextStatus(effect, from, report.kind);
      this.reports.touch(report);
      this.reports.addTimeline(tx, report, viewer, assignmentTimelineAction(to), from, report.status, note, assignment.id);
      // A resolved report with a phone gets its follow-up call in the same transaction.
      if (report.status === ReportStatus.RESOLVED && from !== ReportStatus.RESOLVED) await this.followUps.onResolved(tx, report);
      // The crew's after-photos go with its completion, in the same transaction: both happen or neither.
      const attached = await this.media.attach(tx, viewer, report.id, mediaIds, { purpose: MediaPurpose.AFTER_WORK, assignment }, 'input.mediaIds');
      if (attached.length) this.reports.addTimeline(tx, report, viewer, TIMELINE_ACTION.ATTACH_MEDIA, null, null, null, assignment.id, mediaCounts(attached));
      const after = await this.leadingOf(tx, crew);
      this.publish(tx, DispatchEventType.ASSIGNMENT_UPDATED, assignment, report, crew, before, after);
      if (attached.length) {
        appendEvent(tx, DispatchEventType.REPORT_UPDATED, { v: 1, report: toReportSnapshot(report), action: ReportAction.ATTACH_MEDIA }, await this.reports.holders(tx, report.id));
      }
      return assignment;
    });
  }

  /** The crew's job under way (EN_ROUTE or ON_SITE) other than `exceptId`, with its report; a crew has at most one. */
  private workingJob(em: EntityManager, crewId: string, exceptId: string): Promise<Assignment | null> {
    return em.findOne(Assignment, { crew: crewId, status: { $in: [...WORKING_ASSIGNMENT_STATUSES] }, id: { $ne: exceptId } }, { populate: ['report'] });
  }

  /** CONFLICT for a second start: one job at a time, naming the job under way so the crew (or dispatcher) knows what to finish first. */
  private busyConflict(current: Assignment, field: string): GraphQLError {
    return conflict(`The crew is already ${current.status === AssignmentStatus.ON_SITE ? 'on site at' : 'on its way to'} ${current.report.reference}; finish that job before starting another`, {
      field,
      currentAssignmentId: current.id,
      currentReportId: current.report.id,
      currentReference: current.report.reference,
      currentStatus: current.status,
    });
  }

  private checkVersion(actual: number, expected: number | null | undefined, field: string): void {
    if (expected === null || expected === undefined) return;
    if (actual !== expected) throw conflict(`It changed since you looked (version ${expected}, now ${actual}); refresh and decide again`, { field, version: actual });
  }

  private async lockCrew(tx: EntityManager, crewId: string, field: string): Promise<Crew> {
    const crew = await tx.findOne(Crew, { id: crewId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!crew) throw notFound('Crew', crewId, field);
    return crew;
  }

  /** The crew's leading active assignment as the transaction sees it (after pending changes are flushed). */
  private async leadingOf(tx: EntityManager, crew: Crew): Promise<Assignment | undefined> {
    const active = await tx.find(Assignment, { crew, status: { $in: [...ACTIVE_ASSIGNMENT_STATUSES] } });
    return leadingAssignment(active);
  }

  /**
   * Appends the assignment event, then CREW_UPDATED (with a bumped crew version) when the crew's derived
   * status changed, so subscribers see the cause before its effect.
   */
  private publish(
    tx: EntityManager,
    type: DispatchEventType.ASSIGNMENT_CREATED | DispatchEventType.ASSIGNMENT_UPDATED,
    assignment: Assignment,
    report: Report,
    crew: Crew,
    before: LeadingAssignment | undefined,
    after: LeadingAssignment | undefined,
  ): void {
    const previous = toCrewView(crew, before);
    const unchanged = toCrewView(crew, after);
    const changed = previous.status !== unchanged.status || previous.activeAssignmentId !== unchanged.activeAssignmentId;
    if (changed) crew.version += 1;
    const crewView = toCrewView(crew, after);
    appendEvent(tx, type, { v: 1, assignment: toAssignmentSnapshot(assignment), report: toReportSnapshot(report), crew: toCrewSnapshot(crewView) });
    if (changed) appendEvent(tx, DispatchEventType.CREW_UPDATED, { v: 1, crew: toCrewSnapshot(crewView) });
  }
}

declare module '../access/access.context.js' {
  interface Services {
    assignments: AssignmentsService;
  }
}
