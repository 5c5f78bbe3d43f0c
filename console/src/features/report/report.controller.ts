import { computed, effectScope, reactive, shallowRef, watch } from 'vue';
import type { Priority } from '../../domain/report.ts';
import type { Run } from '../../graphql/client.ts';
import { ApiError, type ApiFailure } from '../../graphql/errors.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { distanceKm } from '../../format/format.ts';
import { i18n } from '../../i18n/i18n.ts';
import { MediaUploads } from '../media/media.uploads.ts';
import { AttachMediaMutation, type MediaItem } from '../media/media.operations.ts';
import { reference } from '../reference/reference.ts';
import { offeredActions, type ReportAction } from './report.actions.ts';
import {
  AnswerInquiryMutation,
  AssignableCrewsQuery,
  AssignReportMutation,
  CancelAssignmentMutation,
  CloseReportMutation,
  MarkDuplicateMutation,
  RejectReportMutation,
  ReopenReportMutation,
  ReportByReferenceQuery,
  ReportDetailQuery,
  TriageReportMutation,
} from './report.operations.ts';

type DetailResult = NonNullable<ResultOf<typeof ReportDetailQuery>['report']>;
/** The report as the detail view shows it (its media with their links, which the queue's fields leave out). */
export type ReportDetail = Omit<DetailResult, 'media'> & { media: MediaItem[] };
/** A crew the dispatcher may assign, with its distance from the report (null: no known location). */
export type CrewOption = ResultOf<typeof AssignableCrewsQuery>['crews'][number] & { km: number | null };

export interface ReportControllerOptions {
  /** Runs operations: the app's GraphQL client (useRun() in the view), a fake in tests. */
  run: Run;
  /** The version of this report the live store has heard of: a newer one than shown reloads the view. */
  liveVersion?: () => number;
  /** The report's follow-up as the live store last heard of it: another one, or a newer version, than shown reloads the view. */
  liveFollowUp?: () => { id: string; version: number } | undefined;
  /** The department that handles a category, whose crews are offered when assigning; the reference data by default. */
  departmentOf?: (categoryCode: string) => string | undefined;
  /** Translates the view's own messages; the console's i18n by default. */
  t?: (key: string) => string;
  /** The photos being added to the report; uploads to POST /media by default (a fake in tests). */
  uploads?: MediaUploads;
  /** The clock, for how recently the media links were fetched. */
  now?: () => number;
}

/**
 * A photo or recording that fails to load has most likely outlived its signed link: the report is fetched
 * again for fresh links, but not sooner than this after the last load, so a file that is really gone does
 * not reload the view in a loop.
 */
const LINK_REFRESH_MIN_MS = 30_000;

function blankForm() {
  return { categoryCode: '', priority: '' as Priority | '', note: '', reason: '', referredTo: '', duplicateReference: '', answer: '' };
}

/**
 * One report's detail view: loads the report (again after each action, and whenever the live store
 * hears of a newer version), offers the actions it allows, runs them and keeps what the view shows of
 * the outcome. A CONFLICT (someone else changed the report first) closes the form and is shown apart
 * from other failures, which keep the form open for a correction.
 */
export class ReportController {
  readonly report = shallowRef<ReportDetail | null>(null);
  /** No answer yet from the first load. */
  readonly loading = shallowRef(true);
  /** Why the last load failed; null when it succeeded. */
  readonly loadError = shallowRef<string | null>(null);
  /** The action whose form is open. */
  readonly active = shallowRef<ReportAction | null>(null);
  readonly busy = shallowRef(false);
  /** The last action's failure (not a conflict): what to correct, and in which field. */
  readonly failure = shallowRef<ApiFailure | null>(null);
  /** The server's word on a conflicting change, after which the view shows the report as it now is. */
  readonly conflict = shallowRef('');
  /** What the last action did, in words. */
  readonly done = shallowRef('');
  /** The crews to assign, nearest first; null while they load. */
  readonly crews = shallowRef<CrewOption[] | null>(null);
  /** The open action's form, reset whenever an action is chosen. */
  readonly form = reactive(blankForm());
  /** The actions the server allows this viewer on the report now. */
  readonly actions = computed<ReportAction[]>(() => (this.report.value ? offeredActions(this.report.value) : []));
  /** The server lets this viewer add photos to the report now (ATTACH_MEDIA): the view shows the picker. */
  readonly canAttach = computed(() => this.report.value?.allowedActions.includes('ATTACH_MEDIA') ?? false);
  /** The photos picked to add to the report, uploading as soon as they are picked. */
  readonly uploads: MediaUploads;
  /** Adding the picked photos: waiting for their uploads, then for the server. */
  readonly attaching = shallowRef(false);
  /** Why the photos could not be added, in words; empty when nothing went wrong. */
  readonly attachError = shallowRef('');
  private readonly run: Run;
  private readonly now: () => number;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private readonly departmentOf: (categoryCode: string) => string | undefined;
  private readonly t: (key: string) => string;
  private readonly liveVersion?: () => number;
  private readonly liveFollowUp?: () => { id: string; version: number } | undefined;
  private readonly scope = effectScope();
  private loads = 0;

  constructor(
    readonly id: string,
    options: ReportControllerOptions,
  ) {
    this.run = options.run;
    this.departmentOf = options.departmentOf ?? ((code) => reference.value?.categories.get(code)?.department.code);
    this.t = options.t ?? ((key) => i18n.global.t(key));
    this.liveVersion = options.liveVersion;
    this.liveFollowUp = options.liveFollowUp;
    this.uploads = options.uploads ?? new MediaUploads();
    this.now = options.now ?? Date.now;
  }

  /** Loads the report and follows the live store's version of it (and of its follow-up) until dispose(). */
  start(): Promise<void> {
    const { liveVersion, liveFollowUp } = this;
    if (liveVersion) {
      this.scope.run(() =>
        watch(liveVersion, (version) => {
          if (this.report.value && version > this.report.value.version) void this.reload();
        }),
      );
    }
    if (liveFollowUp) {
      this.scope.run(() =>
        watch(liveFollowUp, (heard) => {
          const report = this.report.value;
          if (!report || !heard) return;
          const shown = report.followUp;
          if (!shown || shown.id !== heard.id || heard.version > shown.version) void this.reload();
        }),
      );
    }
    return this.reload();
  }

  dispose(): void {
    this.scope.stop();
    this.loads += 1;
    this.uploads.clear();
  }

  /** Loads the report; only the answer to the latest load is shown. */
  async reload(): Promise<void> {
    const load = ++this.loads;
    try {
      const data = await this.run(ReportDetailQuery, { id: this.id });
      if (load !== this.loads) return;
      this.report.value = data.report ?? null;
      this.loadError.value = null;
      this.loadedAt = this.now();
    } catch (err) {
      if (load !== this.loads) return;
      this.loadError.value = err instanceof Error ? err.message : String(err);
    } finally {
      if (load === this.loads) this.loading.value = false;
    }
  }

  /** Opens an action's form (or closes it when it is open), filled from the report. */
  choose(action: ReportAction): void {
    this.active.value = this.active.value === action ? null : action;
    this.failure.value = null;
    this.done.value = '';
    const report = this.report.value;
    if (!report) return;
    Object.assign(this.form, blankForm(), { categoryCode: report.category.code, priority: report.priority });
    if (this.active.value === 'assign') void this.loadCrews(report);
  }

  triage(): Promise<void> {
    const { id } = this.current();
    const { categoryCode, priority, note } = this.form;
    return this.act(() => this.run(TriageReportMutation, { id, input: { categoryCode: categoryCode || null, priority: priority || null, note: note || null } }), this.t('actions.done.triage'));
  }

  assign(crewId: string): Promise<void> {
    const { id, version } = this.current();
    return this.act(() => this.run(AssignReportMutation, { input: { reportId: id, crewId, note: this.form.note || null, expectedVersion: version } }), this.t('actions.done.assign'));
  }

  cancelAssignment(): Promise<void> {
    const assignment = this.current().activeAssignment;
    if (!assignment) return Promise.resolve();
    return this.act(() => this.run(CancelAssignmentMutation, { id: assignment.id, reason: this.form.reason }), this.t('actions.done.cancelAssignment'));
  }

  close(): Promise<void> {
    const { id } = this.current();
    return this.act(() => this.run(CloseReportMutation, { id, note: this.form.note || null }), this.t('actions.done.close'));
  }

  reject(): Promise<void> {
    const { id } = this.current();
    return this.act(() => this.run(RejectReportMutation, { id, reason: this.form.reason, referredTo: this.form.referredTo || null }), this.t('actions.done.reject'));
  }

  /** Marks the report a duplicate of the one the dispatcher names by reference. */
  markDuplicate(): Promise<void> {
    const { id } = this.current();
    return this.act(async () => {
      const found = await this.run(ReportByReferenceQuery, { reference: this.form.duplicateReference.trim() });
      if (!found.reportByReference) throw new ApiError({ code: 'NOT_FOUND', message: this.t('actions.duplicateNotFound'), field: 'duplicateOf', localized: true });
      await this.run(MarkDuplicateMutation, { id, duplicateOf: found.reportByReference.id });
    }, this.t('actions.done.markDuplicate'));
  }

  /** Answers an inquiry or a note (the server resolves it and records the answer). */
  answer(): Promise<void> {
    const { id } = this.current();
    return this.act(() => this.run(AnswerInquiryMutation, { reportId: id, answer: this.form.answer }), this.t('actions.done.answer'));
  }

  reopen(): Promise<void> {
    const { id } = this.current();
    return this.act(() => this.run(ReopenReportMutation, { id, reason: this.form.reason }), this.t('actions.done.reopen'));
  }

  /**
   * Adds the picked photos to the report once every upload is through (waiting for those still in flight),
   * then reloads the report to show them. A photo that failed to upload holds the rest back until it is
   * removed or retried; the server's refusal (too many photos, a report that takes none now) is shown.
   */
  async attachMedia(): Promise<void> {
    const { id } = this.current();
    this.attaching.value = true;
    this.attachError.value = '';
    this.done.value = '';
    try {
      const mediaIds = await this.uploads.ready();
      if (mediaIds === null) {
        this.attachError.value = this.t('media.fixFailed');
        return;
      }
      if (mediaIds.length === 0) return;
      await this.run(AttachMediaMutation, { reportId: id, mediaIds });
      this.uploads.clear();
      this.done.value = this.t('actions.done.attachMedia');
      await this.reload();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.attachError.value = err.failure.message;
    } finally {
      this.attaching.value = false;
    }
  }

  /**
   * A photo or recording of the report failed to load, most likely because its signed link expired: loads
   * the report again for fresh links, unless it was loaded moments ago.
   */
  refreshLinks(): void {
    if (this.now() - this.loadedAt < LINK_REFRESH_MIN_MS) return;
    this.loadedAt = this.now();
    void this.reload();
  }

  /** The report an action applies to; actions are offered only once it is loaded. */
  private current(): ReportDetail {
    const report = this.report.value;
    if (!report) throw new Error(`report ${this.id} is not loaded`);
    return report;
  }

  private async loadCrews(report: ReportDetail): Promise<void> {
    this.crews.value = null;
    const department = this.departmentOf(report.category.code);
    const near = { lat: report.location.lat, lng: report.location.lng };
    try {
      const data = await this.run(AssignableCrewsQuery, { departmentCodes: department ? [department] : null, near });
      this.crews.value = data.crews.map((crew) => ({ ...crew, km: crew.location ? distanceKm(near, crew.location) : null }));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.failure.value = err.failure;
    }
  }

  /** Runs one action, shows its outcome (`done` when it succeeds) and reloads the report whatever happened. */
  private async act(command: () => Promise<unknown>, done: string): Promise<void> {
    this.busy.value = true;
    this.failure.value = null;
    this.conflict.value = '';
    try {
      await command();
      this.done.value = done;
      this.active.value = null;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.failure.code === 'CONFLICT') {
        this.conflict.value = err.failure.message;
        this.active.value = null;
      } else {
        this.failure.value = err.failure;
      }
    } finally {
      this.busy.value = false;
      await this.reload();
    }
  }
}
