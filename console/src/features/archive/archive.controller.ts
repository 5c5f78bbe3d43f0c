import { shallowRef } from 'vue';
import type { Run } from '../../graphql/client.ts';
import { ApiError, type ApiFailure } from '../../graphql/errors.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { fromQuery, toServerFilter, type ArchiveFilter } from './archive.filters.ts';
import { ArchivePageQuery } from './archive.operations.ts';

/** One report as an archive row shows it. */
export type ArchiveRow = ResultOf<typeof ArchivePageQuery>['reports']['edges'][number]['node'];

/** Rows per page: a screenful and a little more. */
export const ARCHIVE_PAGE_SIZE = 50;

/**
 * The archive's list: the filter an address query describes, its first page from the server, and more pages on
 * request with the server's cursor. Only the answer to the latest search is kept, so a slow first page cannot
 * overwrite a newer one; a bad value (a phone that is no number, a short text) is the server's BAD_USER_INPUT,
 * shown with its field.
 */
export class ArchiveController {
  /** The filter of the rows shown. */
  readonly filter = shallowRef<ArchiveFilter>(fromQuery(''));
  readonly rows = shallowRef<readonly ArchiveRow[]>([]);
  /** How many reports match in all; null before the first page answers. */
  readonly total = shallowRef<number | null>(null);
  readonly hasMore = shallowRef(false);
  readonly loading = shallowRef(false);
  readonly failure = shallowRef<ApiFailure | null>(null);
  private cursor: string | null = null;
  private searches = 0;

  constructor(private readonly run: Run) {}

  /** Shows the first page for an address query (the route's), dropping what was shown. */
  async show(query: string): Promise<void> {
    this.filter.value = fromQuery(query);
    this.rows.value = [];
    this.total.value = null;
    this.cursor = null;
    this.hasMore.value = false;
    await this.fetch(true);
  }

  /** Adds the next page. */
  async more(): Promise<void> {
    if (!this.hasMore.value || this.loading.value) return;
    await this.fetch(false);
  }

  private async fetch(first: boolean): Promise<void> {
    const search = first ? ++this.searches : this.searches;
    this.loading.value = true;
    this.failure.value = null;
    try {
      const filter = this.filter.value;
      const data = await this.run(ArchivePageQuery, { filter: toServerFilter(filter), orderBy: filter.sort, first: ARCHIVE_PAGE_SIZE, after: first ? null : this.cursor });
      if (search !== this.searches) return;
      const page = data.reports;
      this.rows.value = [...(first ? [] : this.rows.value), ...page.edges.map((edge) => edge.node)];
      this.total.value = page.totalCount;
      this.cursor = page.pageInfo.endCursor ?? null;
      this.hasMore.value = page.pageInfo.hasNextPage;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (search === this.searches) this.failure.value = err.failure;
    } finally {
      if (search === this.searches) this.loading.value = false;
    }
  }
}
