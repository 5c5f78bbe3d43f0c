import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CostExtensions } from '../common/limits.js';
import type { Context } from '../access/access.context.js';
import { OPERATIONS, seesFollowUps } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import { toReportView } from '../reports/reports.mapper.js';
import { ReportView } from '../reports/reports.types.js';
import { toFollowUpAttemptView, toFollowUpView } from './followups.mapper.js';
import { FollowUpAttemptView, FollowUpConnection, FollowUpCounts, FollowUpFilter, FollowUpView, RecordFollowUpInput } from './followups.types.js';

/** reporterHistory answers at most 100 reports. */
const HISTORY_MAX: CostExtensions = { maxItems: 100 };
/** A follow-up's calls: a few unanswered ones and the call-backs a reporter asked for; counted as 20. */
const ATTEMPTS_MAX: CostExtensions = { maxItems: 20 };

@Resolver(() => FollowUpView)
export class FollowUpsResolver {
  @Authorized(...OPERATIONS.followUps)
  @Query(() => FollowUpConnection, { description: 'Follow-up calls, soonest callable first (staff and agents)' })
  async followUps(
    @Arg('filter', () => FollowUpFilter, { nullable: true, description: 'Which follow-ups' }) filter: FollowUpFilter | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1 to 100' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page' }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<FollowUpConnection> {
    const page = await ctx.services.followUps.list(ctx.em, filter, first, after);
    return {
      edges: page.rows.map((row, index) => ({ cursor: page.cursors[index], node: toFollowUpView(row) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null, hasPreviousPage: !!after, startCursor: page.cursors[0] ?? null },
    };
  }

  @Authorized(...OPERATIONS.followUpCounts)
  @Query(() => FollowUpCounts, { description: 'The satisfaction center’s counters: due now, scheduled later, unreachable, done today' })
  followUpCounts(@Ctx() ctx: Context): Promise<FollowUpCounts> {
    return ctx.services.followUps.counts(ctx.em);
  }

  @Authorized(...OPERATIONS.reporterHistory)
  @Extensions(HISTORY_MAX)
  @Query(() => [ReportView], { description: 'Every report filed with this phone, newest first (at most 100): +9665…, 05… and 9665… are one number' })
  async reporterHistory(@Arg('phone', () => String, { description: 'The caller’s number in any usual form' }) phone: string, @Ctx() ctx: Context): Promise<ReportView[]> {
    return (await ctx.services.followUps.reporterHistory(ctx.em, phone)).map(toReportView);
  }

  @Authorized(...OPERATIONS.claimNextFollowUp)
  @Mutation(() => FollowUpView, { nullable: true, description: 'Take the oldest callable follow-up nobody holds, held for FOLLOWUP_CLAIM_MINUTES; null when there is nothing to call now' })
  async claimNextFollowUp(@Ctx() ctx: Context): Promise<FollowUpView | null> {
    const followUp = await ctx.services.followUps.claimNext(ctx.em, requireViewer(ctx.viewer));
    return followUp ? toFollowUpView(followUp) : null;
  }

  @Authorized(...OPERATIONS.releaseFollowUp)
  @Mutation(() => FollowUpView, { description: 'Give a held follow-up back to the queue' })
  async releaseFollowUp(@Arg('id', () => ID, { description: 'The follow-up the caller holds' }) id: string, @Ctx() ctx: Context): Promise<FollowUpView> {
    return toFollowUpView(await ctx.services.followUps.release(ctx.em, requireViewer(ctx.viewer), id));
  }

  @Authorized(...OPERATIONS.recordFollowUpAttempt)
  @Mutation(() => FollowUpView, { description: 'Record one call of a held follow-up: a retry, UNREACHABLE (report closed), or REACHED (fixed YES closes the report, NO or PARTLY reopens it)' })
  async recordFollowUpAttempt(@Arg('input', () => RecordFollowUpInput, { description: 'The call' }) input: RecordFollowUpInput, @Ctx() ctx: Context): Promise<FollowUpView> {
    return toFollowUpView(await ctx.services.followUps.record(ctx.em, requireViewer(ctx.viewer), input));
  }

  @Authorized(...OPERATIONS.answerInquiry)
  @Mutation(() => ReportView, { description: 'Answer an inquiry or note in RECEIVED: it becomes RESOLVED with the answer recorded' })
  async answerInquiry(
    @Arg('reportId', () => ID, { description: 'The inquiry or note' }) reportId: string,
    @Arg('answer', () => String, { description: 'The answer, 1 to 5,000 characters' }) answer: string,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.followUps.answerInquiry(ctx.em, requireViewer(ctx.viewer), reportId, answer));
  }

  @Authorized(...OPERATIONS.addReportNote)
  @Mutation(() => ReportView, { description: 'Add a note to a report (a caller’s call), audited in its timeline' })
  async addReportNote(
    @Arg('reportId', () => ID, { description: 'The report' }) reportId: string,
    @Arg('note', () => String, { description: 'The note, 1 to 2,000 characters' }) note: string,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.followUps.addNote(ctx.em, requireViewer(ctx.viewer), reportId, note));
  }

  @FieldResolver(() => ReportView, { description: 'The report it is about' })
  async report(@Root() followUp: FollowUpView, @Ctx() ctx: Context): Promise<ReportView> {
    const report = await ctx.loaders.report.load(followUp.reportId);
    if (!report) throw new Error(`report ${followUp.reportId} missing`);
    return toReportView(report);
  }

  @Extensions(ATTEMPTS_MAX)
  @FieldResolver(() => [FollowUpAttemptView], { description: 'Its calls, oldest first' })
  async attemptLog(@Root() followUp: FollowUpView, @Ctx() ctx: Context): Promise<FollowUpAttemptView[]> {
    return (await ctx.loaders.attemptsByFollowUp.load(followUp.id)).map(toFollowUpAttemptView);
  }
}

@Resolver(() => ReportView)
export class ReportFollowUpResolver {
  @FieldResolver(() => FollowUpView, { nullable: true, description: 'Its latest follow-up call; null when none, and for crews, gateways and integrators' })
  async followUp(@Root() report: ReportView, @Ctx() ctx: Context): Promise<FollowUpView | null> {
    if (!seesFollowUps(ctx.viewer)) return null;
    const followUp = await ctx.loaders.latestFollowUpByReport.load(report.id);
    return followUp ? toFollowUpView(followUp) : null;
  }
}
