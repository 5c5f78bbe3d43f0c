import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Role, STAFF_ROLES } from '../auth/auth.enums.js';
import { requireRole } from '../auth/viewer.js';
import type { Context } from '../common/context.js';
import { CrewView } from '../crews/crews.types.js';
import { toReportView } from '../reports/reports.mapper.js';
import { ReportView } from '../reports/reports.types.js';
import { toAssignmentView } from './assignments.mapper.js';
import { AssignmentView, AssignReportInput, UpdateAssignmentStatusInput } from './assignments.types.js';

@Resolver(() => AssignmentView)
export class AssignmentsResolver {
  @Mutation(() => AssignmentView, { description: 'Give a RECEIVED report to an on-duty crew; CONFLICT when it already has an active assignment' })
  async assignReport(
    @Arg('input', () => AssignReportInput, { description: 'Which report, which crew, and the report version the dispatcher saw' }) input: AssignReportInput,
    @Ctx() ctx: Context,
  ): Promise<AssignmentView> {
    return toAssignmentView(await ctx.services.assignments.assign(ctx.em, requireRole(ctx.viewer, STAFF_ROLES), input));
  }

  @Mutation(() => AssignmentView, { description: "The crew's progress: accept or decline, en route, on site, completed with a note" })
  async updateAssignmentStatus(
    @Arg('input', () => UpdateAssignmentStatusInput, { description: 'Which assignment, its new status and a note' }) input: UpdateAssignmentStatusInput,
    @Ctx() ctx: Context,
  ): Promise<AssignmentView> {
    const viewer = requireRole(ctx.viewer, [...STAFF_ROLES, Role.CREW]);
    return toAssignmentView(await ctx.services.assignments.updateStatus(ctx.em, viewer, input));
  }

  @Mutation(() => AssignmentView, { description: 'Take the report back from the crew; it returns to the queue' })
  async cancelAssignment(
    @Arg('id', () => ID, { description: 'The assignment to take back' }) id: string,
    @Arg('reason', () => String, { description: 'Why, for the crew and the timeline (at most 2,000 characters)' }) reason: string,
    @Ctx() ctx: Context,
  ): Promise<AssignmentView> {
    return toAssignmentView(await ctx.services.assignments.cancel(ctx.em, requireRole(ctx.viewer, STAFF_ROLES), id, reason));
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
}
