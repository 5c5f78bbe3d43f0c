import { Args, Authorized, Ctx, Extensions, Query, Resolver } from 'type-graphql';
import type { Context } from '../access/access.context.js';
import { OPERATIONS } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import { asView } from '../common/view-type.js';
import { INDICATOR_CODES, INDICATORS } from './indicators.definitions.js';
import { DEFINITIONS, INDICATOR_ROWS_COST, IndicatorDefinitionView, IndicatorRowView, IndicatorSeriesArgs, IndicatorsArgs } from './indicators.types.js';

/** The performance indicators (issue 14): aggregates only, no personal data, so integrators may read them too. */
@Resolver()
export class IndicatorsResolver {
  @Authorized(...OPERATIONS.indicatorDefinitions)
  @Extensions(DEFINITIONS)
  @Query(() => [IndicatorDefinitionView], { description: 'Every indicator: its code (its field on IndicatorRow), Arabic and English label, unit and exact rule, in the published order' })
  indicatorDefinitions(@Ctx() ctx: Context): IndicatorDefinitionView[] {
    requireViewer(ctx.viewer);
    return INDICATOR_CODES.map((code) => {
      const definition: { hiddenInSmallGroups?: true } & (typeof INDICATORS)[typeof code] = INDICATORS[code];
      return asView(IndicatorDefinitionView, { code, ...definition, hiddenInSmallGroups: definition.hiddenInSmallGroups ?? false });
    });
  }

  @Authorized(...OPERATIONS.indicators)
  @Extensions(INDICATOR_ROWS_COST)
  @Query(() => [IndicatorRowView], {
    description:
      'The indicators of a period [from, to), one row per group of groupBy (one row without it); BAD_USER_INPUT for to not after from, over 5 years, an unknown code or more than 3 dimensions',
  })
  async indicators(@Args(() => IndicatorsArgs) args: IndicatorsArgs, @Ctx() ctx: Context): Promise<IndicatorRowView[]> {
    requireViewer(ctx.viewer);
    const rows = await ctx.services.indicators.indicators(ctx.em, args.period, args.groupBy, args.filter);
    return rows.map((row) => asView(IndicatorRowView, row));
  }

  @Authorized(...OPERATIONS.indicatorSeries)
  @Extensions(INDICATOR_ROWS_COST)
  @Query(() => [IndicatorRowView], { description: 'The indicators per Asia/Riyadh day, week (Sunday first) or month of a period (and per group of groupBy); at most 400 rows' })
  async indicatorSeries(@Args(() => IndicatorSeriesArgs) args: IndicatorSeriesArgs, @Ctx() ctx: Context): Promise<IndicatorRowView[]> {
    requireViewer(ctx.viewer);
    const rows = await ctx.services.indicators.series(ctx.em, args.period, args.bucket, args.groupBy, args.filter);
    return rows.map((row) => asView(IndicatorRowView, row));
  }
}
