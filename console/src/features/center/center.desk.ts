import { inject, shallowRef, type InjectionKey } from 'vue';
import type { DispatchEvent } from '../../domain/event.ts';
import type { Run } from '../../graphql/client.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import { LiveFeed, type LiveFeedOptions } from '../../live/live-feed.ts';
import { clearSession, currentToken } from '../../session/session.ts';
import { FollowUpCountsQuery } from './center.operations.ts';

/** The satisfaction center's counters, as the server counts them. */
export type FollowUpCounts = ResultOf<typeof FollowUpCountsQuery>['followUpCounts'];

/** What the center needs of the live feed. */
export type CenterFeed = Pick<LiveFeed, 'start' | 'stop' | 'state' | 'reconnectNow'>;

export interface CenterDeskOptions {
  /** Runs operations: the app's GraphQL client (useRun() in the view), a fake in tests. */
  run: Run;
  /** Opens the live feed; the dispatch events over graphql-ws by default. */
  feed?: (options: LiveFeedOptions) => CenterFeed;
  /** The feed's token was refused: the session is over (clears it by default, which shows the sign-in). */
  onAuthFailed?: () => void;
}

/** A burst of events reloads the counters once, this long after the first. */
const RELOAD_DELAY_MS = 250;
/** Counters also move with the clock (a scheduled call falls due, the day turns): they reload this often without events. */
const CLOCK_MS = 60_000;
/** How often they reload when the live feed is refused. */
const POLL_MS = 15_000;

/** Events after which the counters or the center's lists may have changed: a follow-up's or a report's. */
function concernsCenter(event: DispatchEvent): boolean {
  return event.type.startsWith('FOLLOWUP_') || event.type.startsWith('REPORT_');
}

/**
 * An agent's live desk: the one event feed of the satisfaction center's screens, and the counters it keeps
 * current (due now, scheduled later, unreachable, done today). Every follow-up or report event reloads the
 * counters (once for a burst) and bumps `changes`, which the center's lists watch to reload themselves; a
 * resync (first connection, or a gap the feed could not replay) does the same.
 */
export class CenterDesk {
  readonly counts = shallowRef<FollowUpCounts | null>(null);
  /** The last reload of the counters failed (they show as they were). */
  readonly countsFailed = shallowRef(false);
  /** Bumped once per burst of follow-up or report events, and on every resync. */
  readonly changes = shallowRef(0);
  /** The feed was refused and the counters are polled instead. */
  readonly polling = shallowRef(false);
  readonly feed: CenterFeed;
  private readonly run: Run;
  private loads = 0;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private clockTimer: ReturnType<typeof setInterval> | null = null;

  constructor(options: CenterDeskOptions) {
    this.run = options.run;
    const feed = options.feed ?? ((feedOptions) => new LiveFeed(feedOptions));
    this.feed = feed({
      token: currentToken,
      onEvent: (event) => this.heard(event),
      onResync: () => this.changed(),
      onAuthFailed: options.onAuthFailed ?? clearSession,
      onForbidden: () => this.poll(),
    });
  }

  /** Subscribes to the live feed, whose first connection loads the counters, and reloads them as the clock turns. */
  start(): void {
    this.feed.start();
    this.every(CLOCK_MS);
  }

  stop(): void {
    this.feed.stop();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.reloadTimer = null;
    this.clockTimer = null;
    this.loads += 1;
  }

  /** Loads the counters now; only the answer to the latest load is kept. */
  async refreshCounts(): Promise<void> {
    const load = ++this.loads;
    try {
      const data = await this.run(FollowUpCountsQuery, {});
      if (load !== this.loads) return;
      this.counts.value = data.followUpCounts;
      this.countsFailed.value = false;
    } catch {
      if (load === this.loads) this.countsFailed.value = true;
    }
  }

  private heard(event: DispatchEvent): void {
    if (!concernsCenter(event) || this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      this.changed();
    }, RELOAD_DELAY_MS);
  }

  private changed(): void {
    this.changes.value += 1;
    void this.refreshCounts();
  }

  /** The feed was refused: load now, then every POLL_MS. */
  private poll(): void {
    this.polling.value = true;
    this.changed();
    this.every(POLL_MS);
  }

  private every(ms: number): void {
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.clockTimer = setInterval(() => this.changed(), ms);
  }
}

/** How the center's screens reach the desk of the app they sit in: CenterApp provides it, useDesk() injects it. */
export const CENTER_DESK: InjectionKey<CenterDesk> = Symbol('CenterDesk');

/** The desk of the satisfaction center's app this component sits in; throws outside one, which is a wiring mistake. */
export function useDesk(): CenterDesk {
  const desk = inject(CENTER_DESK, null);
  if (!desk) throw new Error('useDesk() needs a CenterDesk provided by an ancestor (CenterApp)');
  return desk;
}
