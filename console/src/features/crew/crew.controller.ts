import { reactive, shallowRef } from 'vue';
import type { AssignmentStatus } from '../../domain/assignment.ts';
import type { DispatchEvent } from '../../domain/event.ts';
import type { Run } from '../../graphql/client.ts';
import { ApiError } from '../../graphql/errors.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { i18n } from '../../i18n/i18n.ts';
import { LiveFeed, type LiveFeedOptions } from '../../live/live-feed.ts';
import { clearSession, currentToken } from '../../session/session.ts';
import type { MediaItem } from '../media/media.operations.ts';
import { MediaUploads } from '../media/media.uploads.ts';
import { CrewViewerQuery, CrewWorkQuery, SetOwnShiftMutation, UpdateAssignmentStatusMutation, UpdateCrewLocationMutation } from './crew.operations.ts';
import { LocationSharing } from './location-sharing.ts';

type WorkNode = ResultOf<typeof CrewWorkQuery>['reports']['edges'][number]['node'];
/** The signed-in crew member, with their crew (null for a crew account without one). */
export type CrewViewer = ResultOf<typeof CrewViewerQuery>['me'];
/** A report the crew holds now, with the assignment it holds it by. */
export type WorkItem = Omit<WorkNode, 'media' | 'activeAssignment'> & { media: MediaItem[]; activeAssignment: NonNullable<WorkNode['activeAssignment']> };

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
  t?: (key: string) => string;
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

/**
 * A field crew's app: its own open work, kept current by the live feed (or by polling when the feed is
 * refused), the steps it reports, its shift and its shared location. A step that needs a note is not
 * sent without one; a CONFLICT (the assignment changed meanwhile, e.g. a dispatcher cancelled it) is
 * said plainly, and the work reloads after every step whatever its outcome.
 */
export class CrewController {
  readonly me = shallowRef<CrewViewer | null>(null);
  readonly work = shallowRef<readonly WorkItem[]>([]);
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
  private readonly t: (key: string) => string;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly makeUploads: () => MediaUploads;
  /** Each job's after-photos, by assignment id, kept across reloads until the job is completed or gone. */
  private readonly photos = new Map<string, MediaUploads>();
  private readonly now: () => number;
  private loadedAt = Number.NEGATIVE_INFINITY;

  constructor(options: CrewControllerOptions) {
    this.run = options.run;
    this.t = options.t ?? ((key) => i18n.global.t(key));
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

  /** Loads the crew member and the reports their crew holds now: its open reports on which it has an active assignment. */
  async reload(): Promise<void> {
    try {
      const [viewer, reports] = await Promise.all([this.run(CrewViewerQuery, {}), this.run(CrewWorkQuery, {})]);
      this.me.value = viewer.me;
      // The server shows a crew only its own active assignment: an open report with one is the crew's work.
      this.work.value = reports.reports.edges.map((e) => e.node).filter((r): r is WorkItem => r.activeAssignment !== null);
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

  /** The next step that needs a note (why the crew declines, what it did), so the app asks for it; null when none does. */
  noteFor(item: WorkItem): AssignmentStatus | null {
    return this.steps(item).find((s) => s.noteRequired)?.status ?? null;
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
      if (photos) {
        photos.clear();
        this.photos.delete(assignment.id);
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.message.value = err.failure.code === 'CONFLICT' ? this.t('crewApp.conflict') : err.failure.message;
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

  /** Starts or ends the crew's shift. */
  async toggleDuty(): Promise<void> {
    const crew = this.me.value?.crew;
    if (!crew) return;
    try {
      await this.run(SetOwnShiftMutation, { crewId: crew.id, onDuty: !crew.onDuty });
    } catch (err) {
      this.message.value = err instanceof ApiError ? err.failure.message : String(err);
    }
    await this.reload();
  }

  toggleSharing(): void {
    if (this.sharing.active.value) this.sharing.stop();
    else this.sharing.start();
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
