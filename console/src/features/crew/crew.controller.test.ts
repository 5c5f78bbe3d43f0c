import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import { ApiError } from '../../graphql/errors.ts';
import { i18n } from '../../i18n/i18n.ts';
import type { LiveFeedOptions } from '../../live/live-feed.ts';
import { crew, event, report, workItem } from '../../test/builders.ts';
import { fakeRun } from '../../test/fake-run.ts';
import { fakeUploads, photoFile, stored } from '../../test/fake-uploads.ts';
import { CrewController, type FinishedJob, type Translate, type WorkItem } from './crew.controller.ts';

const CREW = crew({ id: 'c-mine', name: 'Khobar Billboards 1' });
/** What the server offers a crew on a PENDING and on an ON_SITE assignment. */
const ANSWER = [
  { status: 'ACCEPTED', noteRequired: false },
  { status: 'DECLINED', noteRequired: true },
] as const;
const FINISH = [{ status: 'COMPLETED', noteRequired: true }] as const;
const SET_OUT = [
  { status: 'EN_ROUTE', noteRequired: false },
  { status: 'ON_SITE', noteRequired: false },
] as const;

/** Translations as their keys, with the parameters in brackets: what a message says, without the words. */
const keys: Translate = (key, params) => (params ? `${key}(${Object.values(params).join(', ')})` : key);

/** A job as `myJobs` returns it: the assignment with its report inside. */
function asJob({ activeAssignment, ...report }: WorkItem) {
  return { ...activeAssignment, report };
}

/**
 * A crew app over a fake server whose `myJobs` answers the first of `work` as the current job and the rest
 * as the queue (the server's order; read when asked, so a test may change `work`), and a fake feed the test drives.
 */
function setup(work: WorkItem[], uploads?: () => ReturnType<typeof fakeUploads>['uploads'], finished: FinishedJob[] = [], t: Translate = keys) {
  const server = fakeRun({
    CrewViewer: () => ({ me: { id: 'u-1', username: 'crew01', role: 'CREW', crew: CREW } }),
    CrewJobs: () => ({ myJobs: { current: work[0] ? asJob(work[0]) : null, queue: work.slice(1).map(asJob), finishedToday: finished } }),
  });
  let feed!: LiveFeedOptions;
  const controller = new CrewController({
    run: server.run,
    t,
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

  it("shows the server's current job, its queue in the server's order and today's finished jobs", async () => {
    const current = workItem({ status: 'ACCEPTED' });
    const next = workItem({ status: 'ACCEPTED' });
    const offer = workItem({ status: 'PENDING', nextSteps: [...ANSWER] });
    const done: FinishedJob = {
      id: 'a-done',
      updatedAt: '2026-03-01T07:00:00.000Z',
      note: 'filled',
      report: { id: 'r-done', reference: '940-2026-000009', category: { code: 'POTHOLE' }, location: { municipality: { code: 'KHOBAR' } } },
    };
    const { server, controller, feed } = setup([current, next, offer], undefined, [done]);
    feed.onResync();
    await vi.runAllTimersAsync();
    expect(controller.loaded.value).toBe(true);
    expect(controller.me.value?.crew?.id).toBe(CREW.id);
    expect(controller.current.value?.id).toBe(current.id);
    expect(controller.queue.value.map((w) => w.id)).toEqual([next.id, offer.id]);
    expect(controller.work.value.map((w) => w.id)).toEqual([current.id, next.id, offer.id]);
    expect(controller.finished.value).toEqual([done]);
    expect(server.callsOf('CrewJobs')).toEqual([{}]);
  });

  it('shows offers alone as its queue when the server gives no current job', async () => {
    const offer = workItem({ status: 'PENDING', nextSteps: [...ANSWER] });
    const server = fakeRun({
      CrewViewer: () => ({ me: { id: 'u-1', username: 'crew01', role: 'CREW', crew: CREW } }),
      CrewJobs: () => ({ myJobs: { current: null, queue: [asJob(offer)], finishedToday: [] } }),
    });
    const controller = new CrewController({ run: server.run, t: keys, feed: () => ({ start: vi.fn(), stop: vi.fn(), state: shallowRef('live') }) });
    await controller.reload();
    expect(controller.current.value).toBeNull();
    expect(controller.work.value.map((w) => w.id)).toEqual([offer.id]);
  });

  it('offers exactly the steps the server gives the crew, and asks for the completion note as soon as it may complete', async () => {
    const pending = workItem({ status: 'PENDING', nextSteps: [...ANSWER] });
    const enRoute = workItem({ status: 'EN_ROUTE', nextSteps: [{ status: 'ON_SITE', noteRequired: false }] });
    const onSite = workItem({ status: 'ON_SITE', nextSteps: [...FINISH] });
    const nothing = workItem({ status: 'ON_SITE', nextSteps: [] });
    const { controller } = setup([pending, enRoute, onSite, nothing]);
    await controller.reload();
    expect(controller.steps(pending)).toEqual(ANSWER);
    expect(controller.steps(enRoute).map((s) => s.status)).toEqual(['ON_SITE']);
    expect(controller.noteFor(enRoute)).toBeNull();
    expect(controller.noteFor(onSite)).toBe('COMPLETED');
    expect(controller.steps(nothing)).toEqual([]);
  });

  it('asks for a reason only once the crew presses decline, then declines with it or cancels', async () => {
    const offer = workItem({ status: 'PENDING', version: 2, nextSteps: [...ANSWER] });
    const other = workItem({ status: 'PENDING', nextSteps: [...ANSWER] });
    const { server, controller } = setup([offer, other]);
    server.handlers.UpdateAssignmentStatus = () => ({ updateAssignmentStatus: { ...offer.activeAssignment, status: 'DECLINED', version: 3 } });
    await controller.reload();
    expect(controller.noteFor(offer)).toBeNull();

    await controller.step(offer, ANSWER[1]);
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([]);
    expect(controller.declining.value).toBe(offer.activeAssignment.id);
    expect(controller.noteFor(offer)).toBe('DECLINED');
    expect(controller.noteFor(other)).toBeNull();
    controller.cancelDecline();
    expect(controller.noteFor(offer)).toBeNull();

    controller.startDecline(offer);
    await controller.step(offer, ANSWER[1]);
    expect(controller.message.value).toBe('crewApp.needReason');
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([]);
    controller.notes[offer.activeAssignment.id] = ' Not our district ';
    await controller.step(offer, ANSWER[1]);
    expect(server.callsOf('UpdateAssignmentStatus')).toEqual([{ input: { assignmentId: offer.activeAssignment.id, status: 'DECLINED', note: 'Not our district', expectedVersion: 2 } }]);
    expect(controller.declining.value).toBe('');
  });

  it('does not complete without a note, and says what is missing', async () => {
    const item = workItem({ status: 'ON_SITE', nextSteps: [...FINISH] });
    const { server, controller } = setup([item]);
    await controller.reload();
    controller.notes[item.activeAssignment.id] = '   ';
    await controller.step(item, FINISH[0]);
    expect(controller.message.value).toBe('crewApp.needNote');
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
    ).toEqual(['CrewJobs', 'CrewViewer']);
  });

  it('says plainly when the assignment changed meanwhile, and keeps the note', async () => {
    const item = workItem({ status: 'PENDING', nextSteps: [...ANSWER] });
    const { server, controller } = setup([item]);
    server.handlers.UpdateAssignmentStatus = () => {
      throw new ApiError({ code: 'CONFLICT', message: 'stale version', details: { version: 4 } });
    };
    await controller.reload();
    controller.startDecline(item);
    controller.notes[item.activeAssignment.id] = 'Truck broke down';
    await controller.step(item, ANSWER[1]);
    expect(controller.message.value).toBe('crewApp.conflict');
    expect(controller.notes[item.activeAssignment.id]).toBe('Truck broke down');
  });

  it('names the job to finish first when the server refuses to start a second one', async () => {
    const underWay = workItem({ status: 'EN_ROUTE', nextSteps: [{ status: 'ON_SITE', noteRequired: false }] });
    const waiting = workItem({ status: 'ACCEPTED', nextSteps: [...SET_OUT] });
    const { server, controller } = setup([underWay, waiting]);
    server.handlers.UpdateAssignmentStatus = () => {
      throw new ApiError({ code: 'CONFLICT', message: 'The crew is already on its way to …', details: { currentReference: underWay.reference, currentStatus: 'EN_ROUTE' } });
    };
    await controller.reload();
    await controller.step(waiting, SET_OUT[0]);
    expect(controller.message.value).toBe(`crewApp.busy(\u2068${underWay.reference}\u2069)`);
    expect(controller.busy.value).toBe('');
  });

  it("shows another refusal in the server's words", async () => {
    const item = workItem({ status: 'ACCEPTED', nextSteps: [...SET_OUT] });
    const { server, controller } = setup([item]);
    server.handlers.UpdateAssignmentStatus = () => {
      throw new ApiError({ code: 'FORBIDDEN', message: 'Only the assigned crew may change this assignment' });
    };
    await controller.reload();
    await controller.step(item, SET_OUT[0]);
    expect(controller.message.value).toBe('Only the assigned crew may change this assignment');
  });

  it('reloads once for a burst of events about its crew or its reports, and not for others', async () => {
    const item = workItem();
    const { server, controller, feed } = setup([item]);
    await controller.reload();
    const loads = () => server.callsOf('CrewJobs').length;
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
    expect(server.callsOf('CrewJobs')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.callsOf('CrewJobs')).toHaveLength(3);
    controller.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.callsOf('CrewJobs')).toHaveLength(3);
  });

  it('starts its shift at once, and ends it only once the crew confirms', async () => {
    const { server, controller } = setup([]);
    server.handlers.SetOwnShift = ({ onDuty }) => ({ setCrewOnDuty: { id: CREW.id, onDuty, status: 'OFF_DUTY', version: 2 } });
    await controller.reload();
    await controller.toggleDuty();
    expect(controller.confirmingShiftEnd.value).toBe(true);
    expect(server.callsOf('SetOwnShift')).toEqual([]);
    controller.cancelShiftEnd();
    expect(controller.confirmingShiftEnd.value).toBe(false);
    expect(server.callsOf('SetOwnShift')).toEqual([]);
    await controller.toggleDuty();
    await controller.confirmShiftEnd();
    expect(controller.confirmingShiftEnd.value).toBe(false);
    expect(server.callsOf('SetOwnShift')).toEqual([{ crewId: CREW.id, onDuty: false }]);

    server.handlers.CrewViewer = () => ({ me: { id: 'u-1', username: 'crew01', role: 'CREW', crew: { ...CREW, onDuty: false, status: 'OFF_DUTY' } } });
    await controller.reload();
    await controller.toggleDuty();
    expect(controller.confirmingShiftEnd.value).toBe(false);
    expect(server.callsOf('SetOwnShift')).toEqual([
      { crewId: CREW.id, onDuty: false },
      { crewId: CREW.id, onDuty: true },
    ]);
  });
});

describe('ending the shift while holding jobs', () => {
  it("says in the crew's language that the server keeps it on duty", async () => {
    const { server, controller } = setup([workItem({ status: 'ACCEPTED' })]);
    server.handlers.SetOwnShift = () => {
      throw new ApiError({ code: 'CONFLICT', message: 'Khobar Billboards 1 still has an active assignment', details: { assignmentId: 'a-1' } });
    };
    await controller.reload();
    await controller.toggleDuty();
    await controller.confirmShiftEnd();
    expect(controller.message.value).toBe('crewApp.shiftHasJobs');
  });
});

describe("the countdown to a job's target", () => {
  const NOW = Date.parse('2026-03-01T10:00:00.000Z');
  const MIN = 60_000;
  const at = (msFromNow: number): WorkItem => ({ ...workItem({ status: 'ACCEPTED' }), targetAt: new Date(NOW + msFromNow).toISOString() });

  it.each([
    ['ar', 80 * MIN + 30_000, 'متبقٍ ساعة و20 دقيقة', false],
    ['ar', -15 * MIN - 30_000, 'متأخر 15 دقيقة', true],
    ['ar', (2 * 24 * 60 + 3 * 60) * MIN, 'متبقٍ يومان و3 ساعات', false],
    ['ar', 11 * 60 * MIN + 2 * MIN, 'متبقٍ 11 ساعة ودقيقتان', false],
    ['en', 80 * MIN + 30_000, '1 hr 20 mins left', false],
    ['en', -15 * MIN, '15 mins overdue', true],
  ] as const)('in %s, %i ms before the target reads "%s"', (locale, msLeft, text, overdue) => {
    const previous = i18n.global.locale.value;
    i18n.global.locale.value = locale;
    try {
      const controller = new CrewController({ run: fakeRun().run, feed: () => ({ start: vi.fn(), stop: vi.fn(), state: shallowRef('live') }) });
      expect(controller.countdown(at(msLeft), NOW, locale)).toEqual({ text, overdue });
    } finally {
      i18n.global.locale.value = previous;
    }
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
  function withPhotos(work: WorkItem[]) {
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
    const work: WorkItem[] = [item];
    const { controller, jobs } = withPhotos(work);
    await controller.reload();
    controller.afterPhotos(item).add([photoFile('after.jpg')]);
    work.length = 0;
    await controller.reload();
    expect(jobs[0]!.sent[0]!.options.signal?.aborted).toBe(true);
    expect(jobs[0]!.uploads.items.value).toEqual([]);
  });
});
