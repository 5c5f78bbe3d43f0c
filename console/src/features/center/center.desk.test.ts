import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import { ApiError } from '../../graphql/errors.ts';
import type { LiveFeedOptions } from '../../live/live-feed.ts';
import { crew, event, followUp, report } from '../../test/builders.ts';
import { deferred, fakeRun } from '../../test/fake-run.ts';
import { CenterDesk, type FollowUpCounts } from './center.desk.ts';

const COUNTS: FollowUpCounts = { dueNow: 3, scheduledLater: 5, unreachable: 1, doneToday: 7 };

/** A desk over a fake server answering `counts`, and a fake feed the test drives. */
function setup(counts: FollowUpCounts = COUNTS) {
  const server = fakeRun({ FollowUpCounts: () => ({ followUpCounts: counts }) });
  let feed!: LiveFeedOptions;
  const started = vi.fn();
  const desk = new CenterDesk({
    run: server.run,
    feed: (options) => {
      feed = options;
      return { start: started, stop: vi.fn(), reconnectNow: vi.fn(), state: shallowRef('live') };
    },
  });
  return { server, desk, feed: () => feed, started };
}

describe('the center desk', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads the counters when the feed goes live', async () => {
    const { desk, feed, started, server } = setup();
    desk.start();
    expect(started).toHaveBeenCalledOnce();
    expect(server.calls).toEqual([]);
    feed().onResync();
    await vi.advanceTimersByTimeAsync(0);
    expect(desk.counts.value).toEqual(COUNTS);
    expect(desk.changes.value).toBe(1);
    desk.stop();
  });

  it('reloads the counters once for a burst of follow-up and report events, and not for a crew’s', async () => {
    const { desk, feed, server } = setup();
    desk.start();
    feed().onResync();
    await vi.advanceTimersByTimeAsync(0);

    feed().onEvent(event('CREW_UPDATED', { crew: crew() }));
    feed().onEvent(event('ASSIGNMENT_UPDATED', {}));
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.callsOf('FollowUpCounts')).toHaveLength(1);

    const next = { ...COUNTS, dueNow: 2, doneToday: 8 };
    server.handlers.FollowUpCounts = () => ({ followUpCounts: next });
    feed().onEvent(event('FOLLOWUP_UPDATED', { followUp: { id: 'f-1', status: 'REACHED', version: 2, report: { id: 'r-1' } } }));
    feed().onEvent(event('REPORT_UPDATED', { report: report() }));
    feed().onEvent(event('FOLLOWUP_CREATED', { followUp: { ...followUp(), report: { id: 'r-2' } } }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.callsOf('FollowUpCounts')).toHaveLength(2);
    expect(desk.counts.value).toEqual(next);
    expect(desk.changes.value).toBe(2);
    desk.stop();
  });

  it('reloads the counters as the clock turns, without events', async () => {
    const { desk, server } = setup();
    desk.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.callsOf('FollowUpCounts')).toHaveLength(1);
    desk.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.callsOf('FollowUpCounts')).toHaveLength(1);
  });

  it('keeps the answer to the latest load when an earlier one answers last, and keeps the counters when a load fails', async () => {
    const { desk, server } = setup();
    const first = deferred<{ followUpCounts: FollowUpCounts }>();
    const second = deferred<{ followUpCounts: FollowUpCounts }>();
    const answers = [first.promise, second.promise];
    server.handlers.FollowUpCounts = () => answers.shift();
    const loads = [desk.refreshCounts(), desk.refreshCounts()];
    second.resolve({ followUpCounts: { ...COUNTS, dueNow: 9 } });
    first.resolve({ followUpCounts: { ...COUNTS, dueNow: 1 } });
    await Promise.all(loads);
    expect(desk.counts.value?.dueNow).toBe(9);

    server.handlers.FollowUpCounts = () => {
      throw new ApiError({ code: 'NETWORK', message: 'offline' });
    };
    await desk.refreshCounts();
    expect(desk.counts.value?.dueNow).toBe(9);
    expect(desk.countsFailed.value).toBe(true);
  });

  it('polls when the feed is refused', async () => {
    const { desk, feed, server } = setup();
    desk.start();
    feed().onForbidden?.();
    expect(desk.polling.value).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.callsOf('FollowUpCounts')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(server.callsOf('FollowUpCounts')).toHaveLength(2);
    desk.stop();
  });
});
