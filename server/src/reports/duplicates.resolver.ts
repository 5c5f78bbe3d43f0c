import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../access/access.context.js';
import { OPERATIONS, seesDuplicateHints } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import type { CostExtensions } from '../common/limits.js';
import { MAX_POSSIBLE_DUPLICATES } from './duplicates.service.js';
import { PossibleDuplicateView } from './duplicates.types.js';
import { toReportView } from './reports.mapper.js';
import { ReportView } from './reports.types.js';

const DUPLICATES_MAX: CostExtensions = { maxItems: MAX_POSSIBLE_DUPLICATES };

/** `Report.possibleDuplicates` and the dispatcher's "not a duplicate". */
@Resolver(() => ReportView)
export class ReportDuplicatesResolver {
  @Extensions(DUPLICATES_MAX)
  @FieldResolver(() => [PossibleDuplicateView], {
    description:
      'Other reports that may be the same problem, nearest first (at most 5): same category, within its radius (default 150 m) and window (default 72 hours, before or after), open or resolved since; never a pair a dispatcher dismissed, and for a merged report its original. Empty for a merged or rejected report, and for crews. createReport returns them too, so a gateway can answer "already reported as 940-…"',
  })
  async possibleDuplicates(@Root() report: ReportView, @Ctx() ctx: Context): Promise<PossibleDuplicateView[]> {
    if (!seesDuplicateHints(requireViewer(ctx.viewer))) return [];
    return ctx.loaders.possibleDuplicatesByReport.load(report.id);
  }

  @Authorized(...OPERATIONS.dismissDuplicate)
  @Mutation(() => ReportView, { description: 'Mark two reports "not a duplicate": neither is suggested as the other’s duplicate again. Idempotent; audited on both timelines' })
  async dismissDuplicate(
    @Arg('reportId', () => ID, { description: 'The report showing the suggestion' }) reportId: string,
    @Arg('duplicateOfId', () => ID, { description: 'The suggested report that is a different problem' }) duplicateOfId: string,
    @Ctx() ctx: Context,
  ): Promise<ReportView> {
    return toReportView(await ctx.services.duplicates.dismiss(ctx.em, requireViewer(ctx.viewer), reportId, duplicateOfId));
  }
}

/** The other report of a suggestion, as far as the caller may read it. */
@Resolver(() => PossibleDuplicateView)
export class PossibleDuplicateResolver {
  @FieldResolver(() => ReportView, { nullable: true, description: 'The other report; null when the caller may not read it (an intake key sees only what it filed: the reference is what it quotes)' })
  async report(@Root() duplicate: PossibleDuplicateView, @Ctx() ctx: Context): Promise<ReportView | null> {
    const report = await ctx.loaders.report.load(duplicate.reportId);
    if (!report || !(await ctx.services.reports.canRead(ctx.em, requireViewer(ctx.viewer), report))) return null;
    return toReportView(report);
  }
}
