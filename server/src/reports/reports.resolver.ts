import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { OPERATIONS, seesFollowUps } from '../access/access.policy.js';
import { timelineReadsAssignments, visibleTimeline } from '../access/access.timeline.js';
import { requireViewer } from '../access/access.viewer.js';
import type { Context } from '../access/access.context.js';
import type { CostExtensions } from '../common/limits.js';
import { mapLoaded } from '../common/maybe-promise.js';
import { toCategoryView, toMunicipalityView } from '../reference/reference.mapper.js';
import { MediaView } from '../media/media.types.js';
import { CategoryView, MunicipalityView } from '../reference/reference.types.js';
import { isOpen, isOverdue, queueKey, toReporterView, toReportLocationView, toReportView } from './reports.mapper.js';
import { allowedActions, ReportAction } from './reports.transitions.js';
import { CreateReportInput, ReporterView, ReportLocationView, ReportView, TimelineEntryView, TriageReportInput } from './reports.types.js';

/** The cost rule counts a report's timeline as 50 entries: a full life (filed, triaged, assigned, each crew step, resolved, followed up, closed) several times over. */
const TIMELINE_MAX: CostExtensions = { maxItems: 50 };
/** A report holds at most 6 photos and a voice note, and its jobs' after-photos: counted as 20. */
const MEDIA_MAX: CostExtensions = { maxItems: 20 };

@Resolver(() => ReportView)
export class ReportsResolver {
  @Authorized(...OPERATIONS.report)
  @Query(() => ReportView, { nullable: true, description: 'One report, or null when it does not exist or the caller may not see it' })
  async report(@Arg('id', () => ID, { description: 'The report' }) id: string, @Ctx() ctx: Context): Promise<ReportView | null> {
    const report = await ctx.services.reports.get(ctx.em, requireViewer(ctx.viewer), id);
    return report ? toReportView(report) : null;
  }

  @Authorized(...OPERATIONS.reportByReference)
  @Query(() => ReportView, {
    nullable: true,
    description:
      "One report by the reference quoted to the reporter, e.g. 940-2026-000123, or by its number alone (123 or 000123: this year's first, then any year's); null when none the caller may see",
  })
  async reportByReference(
    @Arg('reference', () => String, { description: 'The reference, e.g. 940-2026-000123, or its number, e.g. 123' }) reference: string,
    @Ctx() ctx: Context,
  ): Promise<ReportView | null> {
    const report = await ctx.services.reports.byReference(ctx.em, requireViewer(ctx.viewer), reference);
    return report ? toReportView(report) : null;
  }

  @Authorized(...OPERATIONS.createReport)
  @Mutation(() => ReportView, { description: 'File a report (gateways with an INTAKE key, call-takers). Idempotent per sender and idempotencyKey' })
  async createReport(@Arg('input', () => CreateReportInput, { description: "The report and the sender's idempotency key" }) input: CreateReportInput, @Ctx() ctx: Context): Promise<ReportView> {
    return toReportView(await ctx.services.reports.create(ctx.em, requireViewer(ctx.viewer), input));
  }

  @Authorized(...OPERATIONS.triageReport)
  @Mutation(() => ReportView, { description: 'Correct category and priority of an open report' })
  async triageReport(
    @Arg('id', () => ID, { description: 'The report, open (RECEIVED, ASSIGNED or IN_PROGRESS)' }) id: string,
    @Arg('input', () => TriageReportInput, { description: 'The corrected category and/or priority' }) input: TriageReportInput,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.reports.triage(ctx.em, requireViewer(ctx.viewer), id, input));
  }

  @Authorized(...OPERATIONS.closeReport)
  @Mutation(() => ReportView, { description: 'Close a RESOLVED report (or a note or inquiry answered from the queue)' })
  async closeReport(
    @Arg('id', () => ID, { description: 'The report, RESOLVED (or a RECEIVED note or inquiry)' }) id: string,
    @Arg('note', () => String, { nullable: true, description: 'How it was closed, e.g. the reporter confirmed (at most 2,000 characters)' }) note: string | null,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.reports.close(ctx.em, requireViewer(ctx.viewer), id, note));
  }

  @Authorized(...OPERATIONS.rejectReport)
  @Mutation(() => ReportView, { description: "Reject a RECEIVED report as invalid or not the municipality's, optionally referring it to another entity" })
  async rejectReport(
    @Arg('id', () => ID, { description: 'The report, RECEIVED' }) id: string,
    @Arg('reason', () => String, { description: 'Why it is rejected, told to the reporter (at most 1,000 characters)' }) reason: string,
    @Arg('referredTo', () => String, { nullable: true, description: 'The external entity it belongs to, e.g. National Water Company' }) referredTo: string | null,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.reports.reject(ctx.em, requireViewer(ctx.viewer), id, reason, referredTo));
  }

  @Authorized(...OPERATIONS.markDuplicate)
  @Mutation(() => ReportView, { description: 'Merge a RECEIVED report into the report it repeats' })
  async markDuplicate(
    @Arg('id', () => ID, { description: 'The RECEIVED report that repeats another' }) id: string,
    @Arg('duplicateOf', () => ID, { description: 'The report it repeats, which must not itself be a duplicate' }) duplicateOf: string,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.reports.markDuplicate(ctx.em, requireViewer(ctx.viewer), id, duplicateOf));
  }

  @Authorized(...OPERATIONS.acknowledgeReport)
  @Mutation(() => ReportView, { description: 'Acknowledge an open report (a CRITICAL alarm seen): every console unpins it and silences its alarm. Idempotent: the first acknowledgement stands' })
  async acknowledgeReport(@Arg('id', () => ID, { description: 'The open report' }) id: string, @Ctx() ctx: Context): Promise<ReportView> {
    return toReportView(await ctx.services.reports.acknowledge(ctx.em, requireViewer(ctx.viewer), id));
  }

  @FieldResolver(() => String, { nullable: true, description: 'Who acknowledged it (a username); null until then, and for callers who do not see who did what (intake keys, integrators, crews)' })
  acknowledgedBy(@Root() report: ReportView, @Ctx() ctx: Context): string | null {
    return seesFollowUps(ctx.viewer) ? report.acknowledgedBy : null;
  }

  @Authorized(...OPERATIONS.reopenReport)
  @Mutation(() => ReportView, { description: 'Return a resolved, closed, rejected or duplicate report to the queue' })
  async reopenReport(
    @Arg('id', () => ID, { description: 'The RESOLVED, CLOSED, REJECTED or DUPLICATE report' }) id: string,
    @Arg('reason', () => String, { description: 'Why, e.g. the reporter says it is not fixed (at most 2,000 characters)' }) reason: string,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.reports.reopen(ctx.em, requireViewer(ctx.viewer), id, reason));
  }

  @Authorized(...OPERATIONS.attachMedia)
  @Mutation(() => ReportView, { description: 'Add photos or a voice note uploaded with POST /media to a report: a citizen’s follow-up through its gateway (the INTAKE key that filed it), or staff' })
  async attachMedia(
    @Arg('reportId', () => ID, { description: 'The report, RECEIVED, ASSIGNED, IN_PROGRESS or RESOLVED' }) reportId: string,
    @Arg('mediaIds', () => [ID], { description: 'Media the caller uploaded; at most 6 photos and 1 voice note on a report' }) mediaIds: string[],
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.reports.attachMedia(ctx.em, requireViewer(ctx.viewer), reportId, mediaIds));
  }

  @Extensions(MEDIA_MAX)
  @FieldResolver(() => [MediaView], {
    description:
      'Photos and voice notes, oldest first, as the caller may fetch them: staff everything; an intake key its own; a crew those of a report assigned to it now; an integrator photos only, stripped of metadata',
  })
  async media(@Root() report: ReportView, @Ctx() ctx: Context): Promise<MediaView[]> {
    const viewer = requireViewer(ctx.viewer);
    const [media, active] = await Promise.all([ctx.loaders.mediaByReport.load(report.id), viewer.crewId ? ctx.loaders.activeAssignmentByReport.load(report.id) : undefined]);
    return ctx.services.media.visible(viewer, media, report, active?.crewId ?? null);
  }

  @FieldResolver(() => CategoryView, { description: 'What kind of problem it is' })
  category(@Root() report: ReportView, @Ctx() ctx: Context): CategoryView | Promise<CategoryView> {
    return mapLoaded(ctx.loaders.category.load(report.categoryCode), (category) => {
      if (!category) throw new Error(`category ${report.categoryCode} missing`);
      return toCategoryView(category);
    });
  }

  @FieldResolver(() => ReportLocationView, { description: 'Where it is' })
  location(@Root() report: ReportView): ReportLocationView {
    return toReportLocationView(report);
  }

  @FieldResolver(() => ReporterView, {
    description: 'Who filed it; name and phone masked for integrators; a crew sees the phone only while the report’s active assignment is its own and EN_ROUTE or ON_SITE (null otherwise)',
  })
  reporter(@Root() report: ReportView, @Ctx() ctx: Context): ReporterView | Promise<ReporterView> {
    if (!ctx.viewer?.crewId) return toReporterView(report, ctx.viewer, null);
    return mapLoaded(ctx.loaders.activeAssignmentByReport.load(report.id), (active) => toReporterView(report, ctx.viewer, active));
  }

  @FieldResolver(() => Boolean, { description: 'Whether a follow-up call reopened it because the reporter said it was not (or only partly) fixed; cleared when it closes' })
  reopenedAfterFollowUp(@Root() report: ReportView): boolean {
    return !!report.reopenedAfterFollowUpAt;
  }

  @FieldResolver(() => Boolean, { description: 'Open and past its target time' })
  overdue(@Root() report: ReportView): boolean {
    return isOverdue(report);
  }

  @FieldResolver(() => Boolean, { description: "In the center's open work (RECEIVED, ASSIGNED or IN_PROGRESS): in the dispatcher's queue" })
  open(@Root() report: ReportView): boolean {
    return isOpen(report);
  }

  @FieldResolver(() => String, {
    description:
      "The report's place in the queue: compared as plain strings (code units, not a locale collation), keys sort exactly as `reports` lists (priority, then target time, then id), so a client orders its queue as the server does",
  })
  queueKey(@Root() report: ReportView): string {
    return queueKey(report);
  }

  @FieldResolver(() => [ReportAction], {
    description:
      "The report commands the caller may run now, from the transition table and the caller's role (TRIAGE, ASSIGN, CLOSE, REJECT, MARK_DUPLICATE, REOPEN); what a console offers. The server still decides: a concurrent change answers CONFLICT",
  })
  allowedActions(@Root() report: ReportView, @Ctx() ctx: Context): ReportAction[] {
    return allowedActions(ctx.viewer, report);
  }

  @Extensions(TIMELINE_MAX)
  @FieldResolver(() => [TimelineEntryView], {
    description:
      "The audit trail, oldest first, as the caller may see it: staff every line whole; an intake key the status changes of what it filed; an integrator codes, statuses and times; a crew its own work whole and other crews' as codes",
  })
  async timeline(@Root() report: ReportView, @Ctx() ctx: Context): Promise<TimelineEntryView[]> {
    const viewer = requireViewer(ctx.viewer);
    const [entries, assignments] = await Promise.all([ctx.loaders.timelineByReport.load(report.id), timelineReadsAssignments(viewer) ? ctx.loaders.assignmentsByReport.load(report.id) : []]);
    return visibleTimeline(viewer, report, entries, assignments);
  }

  @FieldResolver(() => ReportView, { nullable: true, description: 'The report this one repeats, when DUPLICATE; null when the caller may not read it' })
  async duplicateOf(@Root() report: ReportView, @Ctx() ctx: Context): Promise<ReportView | null> {
    if (!report.duplicateOfId) return null;
    const original = await ctx.loaders.report.load(report.duplicateOfId);
    if (!original || !(await ctx.services.reports.canRead(ctx.em, requireViewer(ctx.viewer), original))) return null;
    return toReportView(original);
  }
}

@Resolver(() => ReportLocationView)
export class ReportLocationResolver {
  @FieldResolver(() => MunicipalityView, { description: 'The municipality responsible for the place' })
  municipality(@Root() location: ReportLocationView, @Ctx() ctx: Context): MunicipalityView | Promise<MunicipalityView> {
    return mapLoaded(ctx.loaders.municipality.load(location.municipalityCode), (municipality) => {
      if (!municipality) throw new Error(`municipality ${location.municipalityCode} missing`);
      return toMunicipalityView(municipality);
    });
  }
}
