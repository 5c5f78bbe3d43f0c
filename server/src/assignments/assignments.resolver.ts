import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { OPERATIONS, readsEveryReport, seesAssignment, visibleAssignments } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import type { Context } from '../access/access.context.js';
import type { CostExtensions } from '../common/limits.js';
import { CrewView } from '../crews/crews.types.js';
import { MediaView } from '../media/media.types.js';
import { toReportView } from '../reports/reports.mapper.js';
import { ReportView } from '../reports/reports.types.js';
import { toAssignmentView } from './assignments.mapper.js';
import { ASSIGNMENT_TRANSITIONS, nextSteps } from './assignments.transitions.js';
import { AssignmentStep, AssignmentView, AssignReportInput, CrewJobsView, UpdateAssignmentStatusInput } from './assignments.types.js';

/** The cost rule counts a report's assignments as 10: one, and a new one after each decline or cancellation. */
const ASSIGNMENTS_MAX: CostExtensions = { maxItems: 10 };
/** The cost rule counts an assignment's next steps as the most any status allows. */
/** A job has at most 6 after-photos. */
const AFTER_PHOTOS_MAX: CostExtensions = { maxItems: 6 };
const STEPS_MAX: CostExtensions = { maxItems: Math.max(...Object.values(ASSIGNMENT_TRANSITIONS).map((next) => next.length)) };

@Resolver(() => AssignmentView)
export class AssignmentsResolver {
  @Authorized(...OPERATIONS.assignReport)
  @Mutation(() => AssignmentView, { description: 'Give a RECEIVED report to an on-duty crew; CONFLICT when it already has an active assignment' })
  async assignReport(
    @Arg('input', () => AssignReportInput, { description: 'Which report, which crew, and the report version the dispatcher saw' }) input: AssignReportInput,
    @Ctx() ctx: Context,
  ): Promise<AssignmentView> {
    return toAssignmentView(await ctx.services.assignments.assign(ctx.em, requireViewer(ctx.viewer), input));
  }

  @Authorized(...OPERATIONS.updateAssignmentStatus)
  @Mutation(() => AssignmentView, { description: "The crew's progress: accept or decline, en route, on site, completed with a note" })
  async updateAssignmentStatus(
    @Arg('input', () => UpdateAssignmentStatusInput, { description: 'Which assignment, its new status and a note' }) input: UpdateAssignmentStatusInput,
    @Ctx() ctx: Context,
  ): Promise<AssignmentView> {
    const viewer = requireViewer(ctx.viewer);
    return toAssignmentView(await ctx.services.assignments.updateStatus(ctx.em, viewer, input));
  }

  @Authorized(...OPERATIONS.myJobs)
  @Query(() => CrewJobsView, { description: "The calling crew's day: the job under way, the jobs waiting in order, and what it finished today (Asia/Riyadh)" })
  async myJobs(@Ctx() ctx: Context): Promise<CrewJobsView> {
    const crewId = requireViewer(ctx.viewer).crewId;
    if (!crewId) return { current: null, queue: [], finishedToday: [] };
    const { current, queue, finishedToday } = await ctx.services.assignments.crewJobs(ctx.em, crewId);
    return { current: current ? toAssignmentView(current) : null, queue: queue.map(toAssignmentView), finishedToday: finishedToday.map(toAssignmentView) };
  }

  @Authorized(...OPERATIONS.cancelAssignment)
  @Mutation(() => AssignmentView, { description: 'Take the report back from the crew; it returns to the queue' })
  async cancelAssignment(
    @Arg('id', () => ID, { description: 'The assignment to take back' }) id: string,
    @Arg('reason', () => String, { description: 'Why, for the crew and the timeline (at most 2,000 characters)' }) reason: string,
    @Ctx() ctx: Context,
  ): Promise<AssignmentView> {
    return toAssignmentView(await ctx.services.assignments.cancel(ctx.em, requireViewer(ctx.viewer), id, reason));
  }

  @FieldResolver(() => ReportView, { description: 'The report being worked on' })
  async report(@Root() assignment: AssignmentView, @Ctx() ctx: Context): Promise<ReportView> {
    const report = await ctx.loaders.report.load(assignment.reportId);
    if (!report) throw new Error(`report ${assignment.reportId} missing`);
    return toReportView(report);
  }

  @FieldResolver(() => CrewView, { description: 'The crew doing the work' })
  async crew(@Root() assignment: AssignmentView, @Ctx() ctx: Context): Promise<CrewView> {
    const crew = await ctx.loaders.crew.load(assignment.crewId);
    if (!crew) throw new Error(`crew ${assignment.crewId} missing`);
    return crew;
  }

  @Extensions(AFTER_PHOTOS_MAX)
  @FieldResolver(() => [MediaView], { description: 'The crew’s after-photos of this job, as the caller may fetch them (the report’s media rules)' })
  async media(@Root() assignment: AssignmentView, @Ctx() ctx: Context): Promise<MediaView[]> {
    const viewer = requireViewer(ctx.viewer);
    const [media, report, active] = await Promise.all([
      ctx.loaders.mediaByAssignment.load(assignment.id),
      ctx.loaders.report.load(assignment.reportId),
      viewer.crewId ? ctx.loaders.activeAssignmentByReport.load(assignment.reportId) : undefined,
    ]);
    if (!report) return [];
    return ctx.services.media.visible(viewer, media, report, active?.crewId ?? null);
  }

  @Extensions(STEPS_MAX)
  @FieldResolver(() => [AssignmentStep], {
    description:
      "Where the caller may move it now, from the assignment's transition table and the caller's role: a crew its own progress (never CANCELLED), a dispatcher any step and CANCELLED; empty once it is finished",
  })
  nextSteps(@Root() assignment: AssignmentView, @Ctx() ctx: Context): AssignmentStep[] {
    return nextSteps(ctx.viewer, assignment);
  }
}

/** A report's assignments: resolved here, where the assignment rules live, so the reports feature needs none of them. */
@Resolver(() => ReportView)
export class ReportAssignmentsResolver {
  @FieldResolver(() => AssignmentView, { nullable: true, description: 'The assignment a crew is working on now, if any (a crew sees only its own; an intake key none)' })
  async activeAssignment(@Root() report: ReportView, @Ctx() ctx: Context): Promise<AssignmentView | null> {
    const assignment = await ctx.loaders.activeAssignmentByReport.load(report.id);
    return assignment && seesAssignment(requireViewer(ctx.viewer), assignment) ? assignment : null;
  }

  @Extensions(ASSIGNMENTS_MAX)
  @FieldResolver(() => [AssignmentView], { description: 'Every assignment, oldest first (a crew sees only its own, and none once it declined or was taken off; an intake key none)' })
  async assignments(@Root() report: ReportView, @Ctx() ctx: Context): Promise<AssignmentView[]> {
    const viewer = requireViewer(ctx.viewer);
    return visibleAssignments(viewer, await ctx.loaders.assignmentsByReport.load(report.id));
  }
}

/** A crew's current work: its leading assignment, which this feature owns. */
@Resolver(() => CrewView)
export class CrewAssignmentResolver {
  @FieldResolver(() => AssignmentView, { nullable: true, description: 'The assignment the crew is furthest along on; null when the caller may not read its report' })
  async activeAssignment(@Root() crew: CrewView, @Ctx() ctx: Context): Promise<AssignmentView | null> {
    const activeAssignmentId = crew.activeAssignmentId !== undefined ? crew.activeAssignmentId : (await ctx.loaders.leadingAssignmentByCrew.load(crew.id))?.id;
    if (!activeAssignmentId) return null;
    const assignment = await ctx.loaders.assignment.load(activeAssignmentId);
    if (!assignment) return null;
    const viewer = requireViewer(ctx.viewer);
    // Staff and integrators read every report: no need to load this one to ask (a live crew event reaches this per group).
    if (!readsEveryReport(viewer)) {
      const report = await ctx.loaders.report.load(assignment.report.id);
      if (!report || !(await ctx.services.reports.canRead(ctx.em, viewer, report))) return null;
    }
    return toAssignmentView(assignment);
  }
}
