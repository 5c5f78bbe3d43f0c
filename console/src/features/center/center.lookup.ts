import { computed, reactive, shallowRef } from 'vue';
import type { Run } from '../../graphql/client.ts';
import { ApiError, type ApiFailure } from '../../graphql/errors.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { i18n } from '../../i18n/i18n.ts';
import { AddReportNoteMutation } from '../report/report.operations.ts';
import { ReporterHistoryQuery } from './center.operations.ts';

/** One of a caller's reports, as the lookup lists it. */
export type HistoryReport = ResultOf<typeof ReporterHistoryQuery>['reporterHistory'][number];

export interface LookupControllerOptions {
  /** Runs operations: the app's GraphQL client (useRun() in the view), a fake in tests. */
  run: Run;
  /** Translates the lookup's own messages; the console's i18n by default. */
  t?: (key: string) => string;
}

/**
 * The caller lookup: a phone number (in any form the server reads: +9665…, 05…, 9665…) gives the caller's
 * reports, newest first; the agent opens one, adds a note to one (what the caller added on the phone), or
 * files a new report for the caller with the number filled in. The server says whether the number is one
 * (BAD_USER_INPUT on `phone`); only the answer to the latest search is shown.
 */
export class LookupController {
  /** The number typed. */
  readonly phone = shallowRef('');
  /** The number the results are for; empty before the first search. */
  readonly searched = shallowRef('');
  /** The caller's reports, newest first; null before a search answers. */
  readonly results = shallowRef<readonly HistoryReport[] | null>(null);
  readonly searching = shallowRef(false);
  /** Why the search failed (the server's message; `field` is `phone` for a number it cannot read). */
  readonly failure = shallowRef<ApiFailure | null>(null);
  /** The report whose note form is open. */
  readonly noting = shallowRef<string | null>(null);
  /** The note typed for each report, by id. */
  readonly notes = reactive<Record<string, string>>({});
  readonly noteBusy = shallowRef(false);
  readonly noteFailure = shallowRef<ApiFailure | null>(null);
  /** The reference of the report a note was added to last. */
  readonly noted = shallowRef('');
  /** The call-taker form is open to file a new report for the caller. */
  readonly filing = shallowRef(false);
  /** The caller's name as their newest report gives it, to greet them by. */
  readonly callerName = computed(() => this.results.value?.find((r) => r.reporter.name)?.reporter.name ?? null);
  private readonly run: Run;
  private readonly t: (key: string) => string;
  private searches = 0;

  constructor(options: LookupControllerOptions) {
    this.run = options.run;
    this.t = options.t ?? ((key) => i18n.global.t(key));
  }

  /** Looks up the number typed. */
  async search(): Promise<void> {
    const phone = this.phone.value.trim();
    const search = ++this.searches;
    this.failure.value = null;
    this.noted.value = '';
    this.noting.value = null;
    if (!phone) {
      this.failure.value = { code: 'BAD_USER_INPUT', message: this.t('center.lookup.needPhone'), field: 'phone' };
      return;
    }
    this.searching.value = true;
    try {
      const data = await this.run(ReporterHistoryQuery, { phone });
      if (search !== this.searches) return;
      this.results.value = data.reporterHistory;
      this.searched.value = phone;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (search !== this.searches) return;
      this.results.value = null;
      this.failure.value = err.failure;
    } finally {
      if (search === this.searches) this.searching.value = false;
    }
  }

  /** Opens the note form of a report (or closes it when open). */
  toggleNote(reportId: string): void {
    this.noting.value = this.noting.value === reportId ? null : reportId;
    this.noteFailure.value = null;
    this.noted.value = '';
  }

  /** Adds the note typed for a report to its timeline (NOTE_ADDED); the report's status stays. */
  async addNote(report: HistoryReport): Promise<void> {
    const note = this.notes[report.id]?.trim() ?? '';
    if (!note) {
      this.noteFailure.value = { code: 'BAD_USER_INPUT', message: this.t('center.lookup.needNote'), field: 'note' };
      return;
    }
    this.noteBusy.value = true;
    this.noteFailure.value = null;
    try {
      await this.run(AddReportNoteMutation, { reportId: report.id, note });
      delete this.notes[report.id];
      this.noting.value = null;
      this.noted.value = report.reference;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.noteFailure.value = err.failure;
    } finally {
      this.noteBusy.value = false;
    }
  }

  /** Opens the call-taker form for the caller, their number filled in; or closes it. */
  toggleFiling(): void {
    this.filing.value = !this.filing.value;
  }
}
