import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import { ApiError } from '../../graphql/errors.ts';
import type { LiveFeedOptions } from '../../live/live-feed.ts';
import { crew, event, report, workItem } from '../../test/builders.ts';
import { reportsFilterOf } from '../../test/documents.ts';
import { fakeRun } from '../../test/fake-run.ts';
import { fakeUploads, photoFile, stored } from '../../test/fake-uploads.ts';
import { CrewController, type WorkItem } from './crew.controller.ts';
import { CrewWorkQuery } from './crew.operations.ts';

const CREW = crew({ id: 'c-mine', name: 'Khobar Billboards 1' });
/** What the server offers a crew on a PENDING and on an ON_SITE assignment. */
const ANSWER = [
  { status: 'ACCEPTED', noteRequired: false },
  { status: 'DECLINED', noteRequired: true },
] as const;
const FINISH = [{ status: 'COMPLETED', noteRequired: true }] as const;

/** A report the crew's query returns: an open report the crew can read, with its active assignment only when the crew holds it. */
type Node = Omit<WorkItem, 'activeAssignment'> & { activeAssignment: WorkItem['activeAssignment'] | null };

/** A crew app over a fake server that returns `work`, and a fake feed the test drives; translations are the keys. */
function setup(work: Node[], uploads?: () => ReturnType<typeof fakeUploads>['uploads']) {
  const server = fakeRun({
    CrewViewer: () => ({ me: { id: 'u-1', username: 'crew01', role: 'CREW', crew: CREW } }),
    CrewWork: () => ({ reports: { edges: work.map((node) => ({ node })) } }),
  });
  let feed!: LiveFeedOptions;
  const controller = new CrewController({
    run: server.run,
    t: (key) => key,
    uploads,
    feed: (options) => {
      feed = options;
      return { start: vi.fn(), stop: vi.fn(), state: shallowRef('live') };
    },
  });
  return { server, controller, feed };
}

describe('the crew app', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows the open reports on which the server gives its crew an active assignment, not those it no longer holds', async () => {
    const mine = workItem();
    const inProgress = { ...workItem({ status: 'ON_SITE' }), status: 'IN_PROGRESS' as const };
    // open reports the crew can still read but holds no more: it declined one (now RECEIVED again), another crew took over the other
    const declined = { ...report({ status: 'RECEIVED' }), media: [], activeAssignment: null };
    const takenOver = { ...report({ status: 'ASSIGNED' }), media: [], activeAssignment: null };
    const { server, controller, feed } = setup([mine, declined, inProgress, takenOver]);
    feed.onResync();
    await vi.runAllTimersAsync();
    expect(controller.loaded.value).toBe(true);
    expect(controller.me.value?.crew?.id).toBe(CREW.id);
    expect(controller.work.value.map((w) => w.id)).toEqual([mine.id, inProgress.id]);
    expect(server.callsOf('CrewWork')).toEqual([{}]);
  });

  it('asks the server for its open work, naming no statuses of its own', () => {
    expect(reportsFilterOf(CrewWorkQuery)).toEqual({ open: true });
  });

  it('offers exactly the steps the server gives the crew, and asks for a note where one is required', async () => {
    const pending = workItem({ status: 'PENDING', nextSteps: [...ANSWER] });
    const enRoute = workItem({ status: 'EN_ROUTE', nextSteps: [{ status: 'ON_SITE', noteRequired: false }] });
    const nothing = workItem({ status: 'ON_SITE', nextSteps: [] });
    const { controller } = setup([pending, enRoute, nothing]);
    await controller.reload();
    expect(controller.steps(pending)).toEqual(ANSWER);
    expect(controller.noteFor(pending)).toBe('DECLINED');
    expect(controller.steps(enRoute).map((s) => s.status)).toEqual(['ON_SITE']);
    expect(controller.noteFor(enRoute)).toBeNull();
    expect(controller.steps(nothing)).toEqual([]);
  });

  it.each([
    ['DECLINED', 'PENDING', ANSWER, 'crewApp.needReason'],
    ['COMPLETED', 'ON_SITE', FINISH, 'crewApp.needNote'],
  ] as const)('does not send %s without a note, and says what is missing', async (status, from, nextSteps, message) => {
    const item = workItem({ status: from, nextSteps: [...nextSteps] });
    const { server, controller } = setup([item]);
    await controller.reload();
    controller.notes[item.activeAssignment.id] = '   ';
    const step = controller.steps(item).find((s) => s.status === status)!;
    expect(controller.noteFor(item)).toBe(status);
    await controller.step(item, step);
    expect(controller.message.value).toBe(message);
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([]);
  });

  it('sends a step with its note at the version shown, clears the note and reloads', async () => {
    const item = workItem({ status: 'ON_SITE', version: 3, nextSteps: [...FINISH] });
    const { server, controller } = setup([item]);
    server.handlers.UpdateAssignmentStatus = () => ({ updateAssignmentStatus: { ...item.activeAssignment, status: 'COMPLETED', version: 4 } });
    await controller.reload();
    controller.notes[item.activeAssignment.id] = ' Billboard removed ';
    await controller.step(item, FINISH[0]);
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([{ input: { assignmentId: item.activeAssignment.id, status: 'COMPLETED', note: 'Billboard removed', expectedVersion: 3 } }]);
    expect(controller.notes[item.activeAssignment.id]).toBe('');
    expect(controller.busy.value).toBe('');
    expect(
      server.calls
        .slice(-2)
        .map((c) => c.operation)
        .sort(),
    ).toEqual(['CrewViewer', 'CrewWork']);
  });

  it('says plainly when the assignment changed meanwhile, and keeps the note', async () => {
    const item = workItem({ status: 'PENDING', nextSteps: [...ANSWER] });
    const { server, controller } = setup([item]);
    server.handlers.UpdateAssignmentStatus = () => {
      throw new ApiError({ code: 'CONFLICT', message: 'stale version' });
    };
    await controller.reload();
    controller.notes[item.activeAssignment.id] = 'Truck broke down';
    await controller.step(item, ANSWER[1]);
    expect(controller.message.value).toBe('crewApp.conflict');
    expect(controller.notes[item.activeAssignment.id]).toBe('Truck broke down');
  });

  it('reloads once for a burst of events about its crew or its reports, and not for others', async () => {
    const item = workItem();
    const { server, controller, feed } = setup([item]);
    await controller.reload();
    const loads = () => server.callsOf('CrewWork').length;
    feed.onEvent(event('REPORT_CREATED', { report: report() }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(loads()).toBe(1);
    feed.onEvent(event('CREW_UPDATED', { crew: { ...CREW, version: 2 } }));
    feed.onEvent(event('REPORT_UPDATED', { report: { ...item, version: 2 } }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(loads()).toBe(2);
  });

  it('polls at once and every 15 s when the live feed is refused', async () => {
    const { server, controller, feed } = setup([]);
    feed.onForbidden!();
    expect(controller.polling.value).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.callsOf('CrewWork')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.callsOf('CrewWork')).toHaveLength(3);
    controller.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.callsOf('CrewWork')).toHaveLength(3);
  });

  it('starts and ends its shift', async () => {
    const { server, controller } = setup([]);
    server.handlers.SetOwnShift = ({ onDuty }) => ({ setCrewOnDuty: { id: CREW.id, onDuty, status: 'OFF_DUTY', version: 2 } });
    await controller.reload();
    await controller.toggleDuty();
    expect(server.callsOf('SetOwnShift')).toEqual([{ crewId: CREW.id, onDuty: false }]);
  });
});

describe("a job's after-photos", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A crew app whose jobs each get fake uploads; `jobs` lists them in the order the app asked for them. */
  function withPhotos(work: Node[]) {
    const jobs: Array<ReturnType<typeof fakeUploads>> = [];
    const app = setup(work, () => {
      const files = fakeUploads();
      jobs.push(files);
      return files.uploads;
    });
    return { ...app, jobs };
  }

  it('are offered only where the server lets the crew complete now', async () => {
    const onSite = workItem({ status: 'ON_SITE', nextSteps: [...FINISH] });
    const enRoute = workItem({ status: 'EN_ROUTE', nextSteps: [{ status: 'ON_SITE', noteRequired: false }] });
    const { controller } = withPhotos([onSite, enRoute]);
    await controller.reload();
    expect(controller.takesAfterPhotos(onSite)).toBe(true);
    expect(controller.takesAfterPhotos(enRoute)).toBe(false);
    expect(controller.afterPhotos(onSite)).toBe(controller.afterPhotos(onSite));
  });

  it('complete the job with it: completing waits, saying so, for the photo still uploading on a weak network', async () => {
    const item = workItem({ status: 'ON_SITE', version: 5, nextSteps: [...FINISH] });
    const { server, controller, jobs } = withPhotos([item]);
    server.handlers.UpdateAssignmentStatus = () => ({ updateAssignmentStatus: { ...item.activeAssignment, status: 'COMPLETED', version: 6 } });
    await controller.reload();
    controller.afterPhotos(item).add([photoFile('after.jpg')]);
    const [job] = jobs;
    job!.sent[0]!.options.onRetry?.(2, 1000);
    controller.notes[item.activeAssignment.id] = 'Pothole filled';
    const completing = controller.step(item, FINISH[0]);
    await vi.advanceTimersByTimeAsync(0);
    expect(controller.waiting.value).toBe(item.activeAssignment.id);
    expect(controller.busy.value).toBe(item.activeAssignment.id);
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([]);
    job!.sent[0]!.answer.resolve(stored('m-after'));
    await completing;
    expect(controller.waiting.value).toBe('');
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([
      { input: { assignmentId: item.activeAssignment.id, status: 'COMPLETED', note: 'Pothole filled', expectedVersion: 5, mediaIds: ['m-after'] } },
    ]);
    expect(job!.uploads.items.value).toEqual([]);
    expect(controller.afterPhotos(item)).not.toBe(job!.uploads);
  });

  it('that failed for good hold the completion back, with the note and the photo kept', async () => {
    const item = workItem({ status: 'ON_SITE', nextSteps: [...FINISH] });
    const { server, controller, jobs } = withPhotos([item]);
    await controller.reload();
    controller.afterPhotos(item).add([photoFile('after.jpg')]);
    jobs[0]!.sent[0]!.fail(new Error('offline'));
    controller.notes[item.activeAssignment.id] = 'Pothole filled';
    await controller.step(item, FINISH[0]);
    expect(controller.message.value).toBe('media.fixFailed');
    expect(controller.busy.value).toBe('');
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([]);
    expect(controller.notes[item.activeAssignment.id]).toBe('Pothole filled');
    expect(jobs[0]!.uploads.items.value.map((i) => i.state)).toEqual(['failed']);
  });

  it('are dropped with the job when the crew no longer holds it', async () => {
    const item = workItem({ status: 'ON_SITE', nextSteps: [...FINISH] });
    const work: Node[] = [item];
    const { controller, jobs } = withPhotos(work);
    await controller.reload();
    controller.afterPhotos(item).add([photoFile('after.jpg')]);
    work.length = 0;
    await controller.reload();
    expect(jobs[0]!.sent[0]!.options.signal?.aborted).toBe(true);
    expect(jobs[0]!.uploads.items.value).toEqual([]);
  });
});
