import { reactive, shallowRef } from 'vue';
import type { AssignmentStatus } from '../../domain/assignment.ts';
import type { DispatchEvent } from '../../domain/event.ts';
import type { Run } from '../../graphql/client.ts';
import { formatSpan, type Locale } from '../../format/format.ts';
import { ApiError } from '../../graphql/errors.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { i18n } from '../../i18n/i18n.ts';
import { LiveFeed, type LiveFeedOptions } from '../../live/live-feed.ts';
import { clearSession, currentToken } from '../../session/session.ts';
import type { MediaItem } from '../media/media.operations.ts';
import { MediaUploads } from '../media/media.uploads.ts';
import { CrewJobsQuery, CrewViewerQuery, SetOwnShiftMutation, UpdateAssignmentStatusMutation, UpdateCrewLocationMutation, type CrewJobFields } from './crew.operations.ts';
import { LocationSharing } from './location-sharing.ts';

type JobNode = ResultOf<typeof CrewJobFields>;
/** The signed-in crew member, with their crew (null for a crew account without one). */
export type CrewViewer = ResultOf<typeof CrewViewerQuery>['me'];
/** A job the crew holds now: its report (with the reporter's phone while the crew may call), and the assignment it holds it by. */
export type WorkItem = Omit<JobNode['report'], 'media'> & { media: MediaItem[]; activeAssignment: Omit<JobNode, 'report'> };
/** A job the crew completed today: what the day's list shows of it. */
export type FinishedJob = ResultOf<typeof CrewJobsQuery>['myJobs']['finishedToday'][number];

/** The app's own messages, translated with their parameters. */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

/** A status the crew may move an assignment to now, and whether that move needs a note. */
export type CrewStep = WorkItem['activeAssignment']['nextSteps'][number];

/** What the crew app needs of the live feed. */
export type CrewFeed = Pick<LiveFeed, 'start' | 'stop' | 'state'>;

export interface CrewControllerOptions {
  /** Runs operations: the app's GraphQL client (useRun() in the view), a fake in tests. */
  run: Run;
  /** Opens the live feed; the dispatch events over graphql-ws by default. */
  feed?: (options: LiveFeedOptions) => CrewFeed;
  /** Translates the app's own messages; the console's i18n by default. */
  t?: Translate;
  /** Makes the uploads of one job's after-photos; to POST /media by default (a fake in tests). */
  uploads?: () => MediaUploads;
  /** The clock, for how recently the work (and its media links) was fetched. */
  now?: () => number;
}

/** How often the work is reloaded when the live feed is not allowed (the server refused the subscription). */
const POLL_MS = 15_000;
/** A burst of events about the crew's work reloads it once, this long after the first. */
const RELOAD_DELAY_MS = 250;
/** A photo that fails to load (its signed link expired) reloads the work, but not sooner than this after the last load. */
const LINK_REFRESH_MIN_MS = 30_000;

/** A job as the app holds it: the report in front, its assignment beside it. */
function toWorkItem({ report, ...assignment }: JobNode): WorkItem {
  return { ...report, activeAssignment: assignment };
}

/**
 * A field crew's app: its day as the server orders it (the current job, the queue, today's finished jobs),
 * kept current by the live feed (or by polling when the feed is refused), the steps it reports, its shift
 * and its shared location. A step that needs a note is not sent without one, and declining asks for its
 * reason only once the crew presses decline; ending the shift asks first. A CONFLICT is said plainly (the
 * job it must finish first, by reference, when it tried to start a second), and the work reloads after
 * every step whatever its outcome.
 */
export class CrewController {
  readonly me = shallowRef<CrewViewer | null>(null);
  /** The job the crew works on now (under way, else the first it accepted); null when it has none. */
  readonly current = shallowRef<WorkItem | null>(null);
  /** The further jobs, in the order the crew takes them: accepted ones, then offers. */
  readonly queue = shallowRef<readonly WorkItem[]>([]);
  /** What the crew completed today, latest first. */
  readonly finished = shallowRef<readonly FinishedJob[]>([]);
  /** Every job the crew holds now: the current one, then the queue. */
  readonly work = shallowRef<readonly WorkItem[]>([]);
  /** The assignment whose decline the crew started: its reason field and confirm/cancel show. */
  readonly declining = shallowRef('');
  /** The crew pressed "end shift": the app asks it to confirm. */
  readonly confirmingShiftEnd = shallowRef(false);
  /** The work has loaded at least once. */
  readonly loaded = shallowRef(false);
  /** The last problem to show, in words; empty when there is none. */
  readonly message = shallowRef('');
  /** The assignment whose step is being sent. */
  readonly busy = shallowRef('');
  /** The note typed for each assignment, by assignment id. */
  readonly notes = reactive<Record<string, string>>({});
  /** The feed was refused and the work is polled instead. */
  readonly polling = shallowRef(false);
  /** The assignment whose completion waits for its after-photos to finish uploading. */
  readonly waiting = shallowRef('');
  readonly sharing: LocationSharing;
  readonly feed: CrewFeed;
  private readonly run: Run;
  private readonly t: Translate;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly makeUploads: () => MediaUploads;
  /** Each job's after-photos, by assignment id, kept across reloads until the job is completed or gone. */
  private readonly photos = new Map<string, MediaUploads>();
  private readonly now: () => number;
  private loadedAt = Number.NEGATIVE_INFINITY;

  constructor(options: CrewControllerOptions) {
    this.run = options.run;
    this.t = options.t ?? ((key, params) => i18n.global.t(key, params ?? {}));
    this.makeUploads = options.uploads ?? (() => new MediaUploads());
    this.now = options.now ?? Date.now;
    this.sharing = new LocationSharing(async (lat, lng) => {
      await this.run(UpdateCrewLocationMutation, { lat, lng });
    });
    const feed = options.feed ?? ((feedOptions) => new LiveFeed(feedOptions));
    this.feed = feed({
      token: currentToken,
      onEvent: (event) => this.heard(event),
      onResync: () => void this.reload(),
      onAuthFailed: clearSession,
      onForbidden: () => this.poll(),
    });
  }

  /** Subscribes to the live feed, whose first connection loads the work. */
  start(): void {
    this.feed.start();
  }

  stop(): void {
    this.feed.stop();
    this.sharing.stop();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.pollTimer = null;
    this.reloadTimer = null;
    for (const uploads of this.photos.values()) uploads.clear();
    this.photos.clear();
  }

  /** Loads the crew member and their crew's day: the current job, the queue and today's finished jobs, as the server orders them. */
  async reload(): Promise<void> {
    try {
      const [viewer, jobs] = await Promise.all([this.run(CrewViewerQuery, {}), this.run(CrewJobsQuery, {})]);
      this.me.value = viewer.me;
      const { current, queue, finishedToday } = jobs.myJobs;
      this.current.value = current ? toWorkItem(current) : null;
      this.queue.value = queue.map(toWorkItem);
      this.finished.value = finishedToday;
      this.work.value = this.current.value ? [this.current.value, ...this.queue.value] : this.queue.value;
      if (!this.work.value.some((w) => w.activeAssignment.id === this.declining.value)) this.declining.value = '';
      this.loaded.value = true;
      this.loadedAt = this.now();
      this.forgetPhotosOfFinishedJobs();
    } catch (err) {
      this.message.value = err instanceof ApiError ? err.failure.message : this.t('crewApp.loadFailed');
    }
  }

  /** The steps the crew may report on an item now: exactly the server's next steps for this viewer. */
  steps(item: WorkItem): readonly CrewStep[] {
    return item.activeAssignment.nextSteps;
  }

  /**
   * The step whose note the app asks for now, null when none: what the crew did, as soon as it may complete;
   * why it declines, only once it pressed decline (an offer is not met with a reason field).
   */
  noteFor(item: WorkItem): AssignmentStatus | null {
    const declining = this.declining.value === item.activeAssignment.id;
    return this.steps(item).find((s) => s.noteRequired && (s.status !== 'DECLINED' || declining))?.status ?? null;
  }

  /**
   * The time to the report's response target at `now`, in words in `locale`: "متبقٍ ساعة و20 دقيقة" /
   * "1 hr 20 mins left", "متأخر 15 دقيقة" / "15 mins overdue" (whole minutes, as the console words spans: `formatSpan`).
   */
  countdown(item: WorkItem, now: number, locale: Locale): { text: string; overdue: boolean } {
    const msLeft = Date.parse(item.targetAt) - now;
    const overdue = msLeft < 0;
    return { text: this.t(overdue ? 'crewApp.overdueBy' : 'crewApp.timeLeft', { span: formatSpan(msLeft, locale) }), overdue };
  }

  /** Declining is a step the crew confirms: pressing it first opens the reason field. */
  asksFirst(step: CrewStep): boolean {
    return step.status === 'DECLINED';
  }

  /** The crew pressed decline: shows the reason field with confirm and cancel. */
  startDecline(item: WorkItem): void {
    this.declining.value = item.activeAssignment.id;
    this.message.value = '';
  }

  /** The crew thought better of declining: the reason field goes (what it typed stays, should it press decline again). */
  cancelDecline(): void {
    this.declining.value = '';
  }

  /** The job can be completed now, so the app offers to take after-photos for it. */
  takesAfterPhotos(item: WorkItem): boolean {
    return this.steps(item).some((s) => s.status === 'COMPLETED');
  }

  /** The after-photos taken for a job, uploading as soon as they are taken. */
  afterPhotos(item: WorkItem): MediaUploads {
    const id = item.activeAssignment.id;
    let uploads = this.photos.get(id);
    if (!uploads) {
      uploads = this.makeUploads();
      this.photos.set(id, uploads);
    }
    return uploads;
  }

  /**
   * Reports a step of an item's assignment, with the note typed for it. Completing sends the job's
   * after-photos: it waits for those still uploading (retried on a weak network) rather than lose them, and
   * does not complete while one has failed for good (the crew removes or retries it).
   */
  async step(item: WorkItem, next: CrewStep): Promise<void> {
    const assignment = item.activeAssignment;
    if (this.asksFirst(next) && this.declining.value !== assignment.id) {
      this.startDecline(item);
      return;
    }
    const note = this.notes[assignment.id]?.trim() ?? '';
    if (next.noteRequired && !note) {
      this.message.value = next.status === 'DECLINED' ? this.t('crewApp.needReason') : this.t('crewApp.needNote');
      return;
    }
    this.busy.value = assignment.id;
    this.message.value = '';
    const photos = next.status === 'COMPLETED' ? this.photos.get(assignment.id) : undefined;
    let mediaIds: string[] = [];
    if (photos) {
      this.waiting.value = assignment.id;
      const ready = await photos.ready();
      this.waiting.value = '';
      if (ready === null) {
        this.message.value = this.t('media.fixFailed');
        this.busy.value = '';
        return;
      }
      mediaIds = ready;
    }
    try {
      await this.run(UpdateAssignmentStatusMutation, {
        input: { assignmentId: assignment.id, status: next.status, note: note || null, expectedVersion: assignment.version, ...(mediaIds.length ? { mediaIds } : {}) },
      });
      this.notes[assignment.id] = '';
      if (this.declining.value === assignment.id) this.declining.value = '';
      if (photos) {
        photos.clear();
        this.photos.delete(assignment.id);
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.message.value = this.conflictMessage(err);
    } finally {
      this.busy.value = '';
      await this.reload();
    }
  }

  /** A photo of the work failed to load, most likely because its signed link expired: reloads the work for fresh links, unless it was loaded moments ago. */
  refreshLinks(): void {
    if (this.now() - this.loadedAt < LINK_REFRESH_MIN_MS) return;
    this.loadedAt = this.now();
    void this.reload();
  }

  /** Starts the crew's shift at once; ending it asks first (`confirmingShiftEnd`), so a stray tap does not take the crew off duty. */
  async toggleDuty(): Promise<void> {
    const crew = this.me.value?.crew;
    if (!crew) return;
    if (crew.onDuty) {
      this.confirmingShiftEnd.value = true;
      return;
    }
    await this.setDuty(true);
  }

  /** The crew confirmed: ends its shift. */
  async confirmShiftEnd(): Promise<void> {
    this.confirmingShiftEnd.value = false;
    await this.setDuty(false);
  }

  cancelShiftEnd(): void {
    this.confirmingShiftEnd.value = false;
  }

  private async setDuty(onDuty: boolean): Promise<void> {
    const crew = this.me.value?.crew;
    if (!crew) return;
    try {
      await this.run(SetOwnShiftMutation, { crewId: crew.id, onDuty });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // The server keeps a crew on duty while it holds a job: said in the crew's language.
      this.message.value = err.failure.code === 'CONFLICT' ? this.t('crewApp.shiftHasJobs') : err.failure.message;
    }
    await this.reload();
  }

  toggleSharing(): void {
    if (this.sharing.active.value) this.sharing.stop();
    else this.sharing.start();
  }

  /**
   * What a refused step says: a second start names the job to finish first (the server's CONFLICT carries its
   * reference); another CONFLICT means the job changed meanwhile; anything else is the server's own words.
   */
  private conflictMessage(err: ApiError): string {
    const { code, details, message } = err.failure;
    if (code !== 'CONFLICT') return message;
    const reference = details?.currentReference;
    // Isolated (FSI … PDI) as <bdi> would: a Latin reference inside an Arabic sentence keeps its own direction.
    if (typeof reference === 'string') return this.t('crewApp.busy', { reference: `\u2068${reference}\u2069` });
    return this.t('crewApp.conflict');
  }

  /** An event about the crew or a report it holds reloads the work (once for a burst). */
  private heard(event: DispatchEvent): void {
    const crewId = this.me.value?.crew?.id;
    const mine = event.crew?.id === crewId || this.work.value.some((w) => w.id === event.report?.id);
    if (mine) this.reloadSoon();
  }

  private reloadSoon(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.reload();
    }, RELOAD_DELAY_MS);
  }

  /** Drops the after-photos of jobs the crew no longer holds (cancelled, taken over): nothing can send them now. */
  private forgetPhotosOfFinishedJobs(): void {
    const held = new Set(this.work.value.map((w) => w.activeAssignment.id));
    for (const [id, uploads] of this.photos) {
      if (held.has(id)) continue;
      uploads.clear();
      this.photos.delete(id);
    }
  }

  /** The feed was refused: load now, then every POLL_MS. */
  private poll(): void {
    this.polling.value = true;
    void this.reload();
    this.pollTimer = setInterval(() => void this.reload(), POLL_MS);
  }
}
