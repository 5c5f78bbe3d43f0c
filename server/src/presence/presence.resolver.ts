import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../access/access.context.js';
import { mayCall, OPERATIONS } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import { ReportView } from '../reports/reports.types.js';
import { toPresenceView, toReportPresenceView } from './presence.mapper.js';
import type { ReportPresence } from './presence.service.js';
import { PresenceView, ReportPresenceView, VIEWERS_MAX } from './presence.types.js';

interface SubscribeData<A> {
  args: A;
  context: Context;
}

@Resolver(() => ReportPresenceView)
export class PresenceResolver {
  @Authorized(...OPERATIONS.viewingReport)
  @Subscription(() => ReportPresenceView, {
    description:
      'Says that you have this report open, for as long as the subscription lasts (complete it, or close the socket, and it ends at once; a lost connection ends it at the next unanswered ping), and streams who has the report open: at once, then at every change. Staff and agents only; you are among the viewers (leave yourself out by `Presence.userId`). NOT_FOUND for no such report; RATE_LIMITED past PRESENCE_MAX_REPORTS reports open at once, over all your tabs',
    subscribe: ({ args, context }: SubscribeData<{ reportId: string }>) => context.services.presence.watch(requireViewer(context.viewer), args.reportId),
  })
  viewingReport(@Root() presence: ReportPresence, @Arg('reportId', () => ID, { description: 'The report you have open' }) _reportId: string): ReportPresenceView {
    return toReportPresenceView(presence);
  }

  @Authorized(...OPERATIONS.reportPresence)
  @Subscription(() => ReportPresenceView, {
    description:
      'Who has which report open, over every server process: first each report asked for (without `reportIds`, each report someone has open now), then every change. Staff and agents only; a report nobody has open any more arrives once with no viewers. BAD_USER_INPUT (field reportIds) past 200 ids',
    subscribe: ({ args, context }: SubscribeData<{ reportIds?: string[] | null }>) => {
      requireViewer(context.viewer);
      return context.services.presence.follow(args.reportIds ?? null);
    },
  })
  reportPresence(
    @Root() presence: ReportPresence,
    @Arg('reportIds', () => [ID], { nullable: true, description: 'The reports to follow (at most 200); none: every report' }) _reportIds: string[] | null,
  ): ReportPresenceView {
    return toReportPresenceView(presence);
  }
}

@Resolver(() => ReportView)
export class ReportViewersResolver {
  @Extensions(VIEWERS_MAX)
  @FieldResolver(() => [PresenceView], { description: 'Who has this report open now, earliest first; empty for roles that do not see presence (see reportPresence)' })
  async viewers(@Root() report: ReportView, @Ctx() ctx: Context): Promise<PresenceView[]> {
    if (!mayCall(ctx.viewer, 'reportPresence')) return [];
    return (await ctx.loaders.viewersByReport.load(report.id)).map(toPresenceView);
  }
}
