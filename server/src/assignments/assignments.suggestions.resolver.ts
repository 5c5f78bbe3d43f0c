import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { OPERATIONS } from '../access/access.policy.js';
import { requireViewer } from '../access/access.viewer.js';
import type { Context } from '../access/access.context.js';
import { CrewSuggestionView } from './assignments.suggestions.types.js';

@Resolver(() => CrewSuggestionView)
export class CrewSuggestionsResolver {
  @Authorized(...OPERATIONS.suggestCrews)
  @Query(() => [CrewSuggestionView], {
    description:
      'Crews ranked for a report, best first: skill for its category, its responsible department, on duty, free or busy (and with what), straight-line distance from a location at most 15 minutes old, and jobs today; each with its reasons in Arabic and English',
  })
  suggestCrews(
    @Arg('reportId', () => ID, { description: 'The report to find a crew for' }) reportId: string,
    @Arg('first', () => Int, { defaultValue: 5, description: 'How many crews, 1 to 100 (every crew, ranked, with 100)' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<CrewSuggestionView[]> {
    return ctx.services.suggestions.suggest(ctx.em, requireViewer(ctx.viewer), reportId, first);
  }
}
