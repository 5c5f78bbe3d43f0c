import { computed, shallowRef, type Ref } from 'vue';
import type { Locale } from '../../format/format.ts';
import type { Run } from '../../graphql/client.ts';
import { ApiError, type ApiFailure } from '../../graphql/errors.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { SuggestCrewsQuery } from './suggestions.operations.ts';

/** One crew the server suggests for the report, as the assign dialog shows it. */
export type Suggestion = ResultOf<typeof SuggestCrewsQuery>['suggestCrews'][number];
export type SuggestionReason = Suggestion['reasons'][number];

/** How many suggestions the dialog shows first: the server's default top five. */
export const SUGGESTIONS_SHOWN = 5;

export interface SuggestionsControllerOptions {
  /** Runs operations: the app's GraphQL client (useRun() in the view), a fake in tests. */
  run: Run;
}

/**
 * The assign dialog's suggestions: the server's ranking for one report (the console ranks nothing itself), and the
 * department's other crews after them, without the suggested ones. A failed load leaves the other crews to pick
 * from and says why.
 */
export class SuggestionsController {
  /** The top crews, best first; null while they load. */
  readonly suggestions = shallowRef<readonly Suggestion[] | null>(null);
  readonly failure = shallowRef<ApiFailure | null>(null);
  private readonly run: Run;

  constructor(
    private readonly reportId: string,
    options: SuggestionsControllerOptions,
  ) {
    this.run = options.run;
  }

  async load(): Promise<void> {
    this.suggestions.value = null;
    this.failure.value = null;
    try {
      this.suggestions.value = (await this.run(SuggestCrewsQuery, { reportId: this.reportId, first: SUGGESTIONS_SHOWN })).suggestCrews;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.failure.value = err.failure;
      this.suggestions.value = [];
    }
  }

  /** The crews of `all` that are not among the suggestions, in their own order. */
  others<C extends { id: string }>(all: Ref<readonly C[] | null>) {
    return computed(() => {
      if (all.value === null) return null;
      const suggested = new Set((this.suggestions.value ?? []).map((suggestion) => suggestion.crew.id));
      return all.value.filter((crew) => !suggested.has(crew.id));
    });
  }
}

/** A reason in the reader's language, as the server words it (Arabic with its numbers and references isolated). */
export function reasonText(reason: SuggestionReason, locale: Locale): string {
  return locale === 'en' ? reason.textEn : reason.textAr;
}

/** The reasons a row spells out beside its own figures: distance, location and the busy job are shown as figures already. */
export function spokenReasons(suggestion: Suggestion): readonly SuggestionReason[] {
  return suggestion.reasons.filter((reason) => !['DISTANCE', 'LOCATION_UNKNOWN', 'BUSY', 'FREE'].includes(reason.code));
}
