import type { GraphQLResolveInfo } from 'graphql';
import { Args, Authorized, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context, Loaders } from '../access/access.context.js';
import { OPERATIONS } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import { selectedFields } from '../common/selection.js';
import { asView } from '../common/view-type.js';
import { reportPropertiesFor } from '../reports/reports.mapper.js';
import type { ReportPage } from './queue.service.js';
import { ReportConnection, ReportsArgs } from './queue.types.js';

/** Hands a page's active assignments and crews, read with the page, to the loaders: no second read. */
function primePage(loaders: Loaders, page: ReportPage): void {
  const { active: actives } = page;
  if (!actives) return;
  page.reports.forEach((report, index) => {
    const active = actives[index];
    loaders.activeAssignmentByReport.prime(report.id, active?.assignment);
    if (active) loaders.crew.prime(active.crew.id, active.crew);
  });
}

@Resolver(() => ReportConnection)
export class QueueResolver {
  @Authorized(...OPERATIONS.reports)
  @Query(() => ReportConnection, { description: 'Reports the caller may see, by priority then target time unless orderBy says otherwise (a crew: its own work; an intake key: what it filed)' })
  async reports(@Args(() => ReportsArgs) args: ReportsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<ReportConnection> {
    const viewer = requireViewer(ctx.viewer);
    const fields = selectedFields(info, ['edges', 'node']);
    const read = { properties: reportPropertiesFor(fields), activeAssignment: fields.has('activeAssignment') };
    const page = await ctx.services.queue.list(ctx.em, viewer, args.filter, args.first, args.after, read, args.orderBy);
    primePage(ctx.loaders, page);
    return asView(ReportConnection, {
      edges: page.reports.map((report, index) => ({ cursor: page.cursors[index], node: report })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null, hasPreviousPage: Boolean(args.after), startCursor: page.cursors[0] ?? null },
      countQuery: page.count,
    });
  }

  @FieldResolver(() => Int, { description: 'How many reports match the filter in all (counted only when asked for)' })
  totalCount(@Root() connection: ReportConnection, @Ctx() ctx: Context): Promise<number> {
    requireViewer(ctx.viewer);
    return connection.countQuery();
  }
}
