import { describe, expect, it } from 'vitest';
import { nextTick, shallowRef } from 'vue';
import { ApiError } from '../../graphql/errors.ts';
import { assignment, followUp, reportDetail } from '../../test/builders.ts';
import { deferred, fakeRun } from '../../test/fake-run.ts';
import { fakeUploads, photoFile, stored } from '../../test/fake-uploads.ts';
import { ReportController, type ReportDetail } from './report.controller.ts';

/** A controller over a fake server holding `report`; translations are the keys themselves. */
function setup(report: ReportDetail | null = reportDetail(), liveVersion?: () => number) {
  const server = fakeRun({ ReportDetail: () => ({ report }) });
  const controller = new ReportController(report?.id ?? 'r-missing', { run: server.run, liveVersion, departmentOf: () => 'ROADS_LIGHTING', t: (key) => key });
  return { server, controller };
}

describe('loading a report', () => {
  it('shows the report once loaded, and not found when the server has none', async () => {
    const report = reportDetail();
    const { controller } = setup(report);
    expect(controller.loading.value).toBe(true);
    await controller.start();
    expect(controller.loading.value).toBe(false);
    expect(controller.report.value).toEqual(report);

    const missing = setup(null).controller;
    await missing.start();
    expect(missing.report.value).toBeNull();
    expect(missing.loadError.value).toBeNull();
  });

  it('says why a load failed', async () => {
    const { server, controller } = setup();
    server.handlers.ReportDetail = () => {
      throw new ApiError({ code: 'FORBIDDEN', message: 'Not allowed' });
    };
    await controller.start();
    expect(controller.loadError.value).toBe('Not allowed');
    expect(controller.loading.value).toBe(false);
  });

  it('shows the answer to the latest load when an earlier one answers last', async () => {
    const report = reportDetail({ version: 1 });
    const { server, controller } = setup(report);
    const first = deferred<{ report: ReportDetail }>();
    const second = deferred<{ report: ReportDetail }>();
    const answers = [first.promise, second.promise];
    server.handlers.ReportDetail = () => answers.shift();
    const loads = [controller.reload(), controller.reload()];
    second.resolve({ report: { ...report, version: 2 } });
    first.resolve({ report: { ...report, version: 1 } });
    await Promise.all(loads);
    expect(controller.report.value?.version).toBe(2);
  });

  it('reloads when the live store hears of a newer version than shown, and only then', async () => {
    const live = shallowRef(1);
    const { server, controller } = setup(reportDetail({ version: 1 }), () => live.value);
    await controller.start();
    live.value = 1;
    await nextTick();
    expect(server.callsOf('ReportDetail')).toHaveLength(1);
    live.value = 2;
    await nextTick();
    expect(server.callsOf('ReportDetail')).toHaveLength(2);
    controller.dispose();
    live.value = 3;
    await nextTick();
    expect(server.callsOf('ReportDetail')).toHaveLength(2);
  });
});

describe("following the report's follow-up call live", () => {
  it('reloads when the live store hears of another follow-up, or a newer version of the one shown, and only then', async () => {
    const shown = followUp({ version: 2 });
    const live = shallowRef<{ id: string; version: number } | undefined>(undefined);
    const server = fakeRun({ ReportDetail: () => ({ report: reportDetail({ followUp: shown }) }) });
    const controller = new ReportController('r-1', { run: server.run, liveFollowUp: () => live.value, t: (key) => key });
    await controller.start();
    live.value = { id: shown.id, version: 2 };
    await nextTick();
    expect(server.callsOf('ReportDetail')).toHaveLength(1);
    live.value = { id: shown.id, version: 3 };
    await nextTick();
    expect(server.callsOf('ReportDetail')).toHaveLength(2);
    live.value = { id: 'f-another', version: 1 };
    await nextTick();
    expect(server.callsOf('ReportDetail')).toHaveLength(3);
    controller.dispose();
  });
});

describe('acting on a report', () => {
  it('fills the chosen form from the report and closes it when chosen again', async () => {
    const { controller } = setup(reportDetail({ priority: 'HIGH', category: { code: 'POTHOLE' } }));
    await controller.start();
    controller.form.note = 'left over';
    controller.choose('triage');
    expect(controller.active.value).toBe('triage');
    expect(controller.form).toMatchObject({ categoryCode: 'POTHOLE', priority: 'HIGH', note: '' });
    controller.choose('triage');
    expect(controller.active.value).toBeNull();
  });

  it('offers the on-duty crews of the category department, nearest first, with their distance', async () => {
    const report = reportDetail({ location: { lat: 26.28, lng: 50.2, address: null, municipality: { code: 'KHOBAR' } } });
    const { server, controller } = setup(report);
    server.handlers.AssignableCrews = () => ({
      crews: [
        { id: 'c-near', name: 'Khobar Roads 1', status: 'AVAILABLE', location: { lat: 26.29, lng: 50.2 } },
        { id: 'c-unknown', name: 'Khobar Roads 2', status: 'AVAILABLE', location: null },
      ],
    });
    await controller.start();
    controller.choose('assign');
    expect(controller.crews.value).toBeNull();
    await new Promise((resolve) => setTimeout(resolve));
    expect(server.callsOf('AssignableCrews')).toEqual([{ departmentCodes: ['ROADS_LIGHTING'], near: { lat: 26.28, lng: 50.2 } }]);
    expect(controller.crews.value?.map((c) => [c.id, c.km === null ? null : Math.round(c.km * 10) / 10])).toEqual([
      ['c-near', 1.1],
      ['c-unknown', null],
    ]);
  });

  it('assigns at the version shown, says it is done, closes the form and reloads', async () => {
    const report = reportDetail({ version: 4 });
    const { server, controller } = setup(report);
    server.handlers.AssignReport = () => ({ assignReport: { id: 'a-1', status: 'PENDING', version: 1 } });
    server.handlers.AssignableCrews = () => ({ crews: [] });
    await controller.start();
    controller.choose('assign');
    controller.form.note = 'Bring cones';
    await controller.assign('c-1');
    expect(server.callsOf('AssignReport')).toEqual([{ input: { reportId: report.id, crewId: 'c-1', note: 'Bring cones', expectedVersion: 4 } }]);
    expect(controller.done.value).toBe('actions.done.assign');
    expect(controller.active.value).toBeNull();
    expect(controller.busy.value).toBe(false);
    expect(server.calls.at(-1)?.operation).toBe('ReportDetail');
  });

  it('sends only what the dispatcher filled in: blanks go as null', async () => {
    const { server, controller } = setup(reportDetail({ priority: 'NORMAL' }));
    server.handlers.TriageReport = () => ({ triageReport: { id: 'r', version: 2 } });
    server.handlers.CloseReport = () => ({ closeReport: { id: 'r', version: 3 } });
    server.handlers.RejectReport = () => ({ rejectReport: { id: 'r', version: 3 } });
    await controller.start();
    controller.choose('triage');
    controller.form.priority = 'CRITICAL';
    controller.form.categoryCode = '';
    await controller.triage();
    controller.choose('close');
    await controller.close();
    controller.choose('reject');
    controller.form.reason = 'Not ours';
    await controller.reject();
    const id = controller.report.value!.id;
    expect(server.callsOf('TriageReport')).toEqual([{ id, input: { categoryCode: null, priority: 'CRITICAL', note: null } }]);
    expect(server.callsOf('CloseReport')).toEqual([{ id, note: null }]);
    expect(server.callsOf('RejectReport')).toEqual([{ id, reason: 'Not ours', referredTo: null }]);
  });

  it('answers an inquiry with the words typed, says so and reloads', async () => {
    const { server, controller } = setup(reportDetail({ kind: 'INQUIRY', allowedActions: ['ANSWER', 'CLOSE', 'REJECT'] }));
    server.handlers.AnswerInquiry = (variables) => ({ answerInquiry: { id: variables.reportId, status: 'RESOLVED', answer: variables.answer, version: 2 } });
    await controller.start();
    expect(controller.actions.value).toEqual(['answer', 'close', 'reject']);
    controller.choose('answer');
    controller.form.answer = 'The spraying starts on Sunday';
    await controller.answer();
    expect(server.callsOf('AnswerInquiry')).toEqual([{ reportId: controller.id, answer: 'The spraying starts on Sunday' }]);
    expect(controller.done.value).toBe('actions.done.answer');
    expect(server.calls.at(-1)?.operation).toBe('ReportDetail');
  });

  it('cancels the active assignment with the reason given', async () => {
    const active = assignment({ status: 'ACCEPTED' });
    const { server, controller } = setup(reportDetail({ status: 'ASSIGNED', allowedActions: ['TRIAGE'], activeAssignment: { id: active.id, nextSteps: [{ status: 'CANCELLED' }] } }));
    server.handlers.CancelAssignment = () => ({ cancelAssignment: { id: active.id, status: 'CANCELLED', version: 3 } });
    await controller.start();
    expect(controller.actions.value).toEqual(['triage', 'cancelAssignment']);
    controller.choose('cancelAssignment');
    controller.form.reason = 'Crew needed elsewhere';
    await controller.cancelAssignment();
    expect(server.callsOf('CancelAssignment')).toEqual([{ id: active.id, reason: 'Crew needed elsewhere' }]);
    expect(controller.done.value).toBe('actions.done.cancelAssignment');
  });

  it('shows a CONFLICT apart, closes the form and reloads the report as it now is', async () => {
    const { server, controller } = setup(reportDetail());
    server.handlers.ReopenReport = () => {
      throw new ApiError({ code: 'CONFLICT', message: 'The report changed meanwhile' });
    };
    await controller.start();
    controller.choose('reopen');
    await controller.reopen();
    expect(controller.conflict.value).toBe('The report changed meanwhile');
    expect(controller.failure.value).toBeNull();
    expect(controller.active.value).toBeNull();
    expect(controller.done.value).toBe('');
    expect(server.callsOf('ReportDetail')).toHaveLength(2);
  });

  it('keeps the form open on any other failure, with the field at fault', async () => {
    const { server, controller } = setup(reportDetail());
    server.handlers.RejectReport = () => {
      throw new ApiError({ code: 'BAD_USER_INPUT', message: 'Too long', field: 'referredTo' });
    };
    await controller.start();
    controller.choose('reject');
    await controller.reject();
    expect(controller.failure.value).toEqual({ code: 'BAD_USER_INPUT', message: 'Too long', field: 'referredTo' });
    expect(controller.active.value).toBe('reject');
    expect(controller.conflict.value).toBe('');
  });

  it('marks a duplicate of the report named by reference, and says so when no report has it', async () => {
    const { server, controller } = setup(reportDetail());
    server.handlers.ReportByReference = ({ reference }) => ({ reportByReference: reference === '940-2026-000001' ? { id: 'r-original', reference, status: 'RECEIVED' } : null });
    server.handlers.MarkDuplicate = () => ({ markDuplicate: { id: 'r', version: 2 } });
    await controller.start();
    controller.choose('markDuplicate');
    controller.form.duplicateReference = ' 940-2026-999999 ';
    await controller.markDuplicate();
    expect(controller.failure.value).toEqual({ code: 'NOT_FOUND', message: 'actions.duplicateNotFound', field: 'duplicateOf', localized: true });
    expect(server.callsOf('MarkDuplicate')).toEqual([]);

    controller.form.duplicateReference = '940-2026-000001';
    await controller.markDuplicate();
    expect(server.callsOf('MarkDuplicate')).toEqual([{ id: controller.report.value!.id, duplicateOf: 'r-original' }]);
    expect(controller.done.value).toBe('actions.done.markDuplicate');
  });
});

describe('adding photos to a report', () => {
  /** A controller over a fake server and fake uploads, on a clock the test moves. */
  function withUploads(report: ReportDetail) {
    const server = fakeRun({ ReportDetail: () => ({ report }) });
    const files = fakeUploads();
    const clock = { now: 1_000_000 };
    const controller = new ReportController(report.id, { run: server.run, t: (key) => key, uploads: files.uploads, now: () => clock.now });
    return { server, files, controller, clock };
  }

  it('offers the picker when the server allows ATTACH_MEDIA, and not otherwise', async () => {
    const open = withUploads(reportDetail({ allowedActions: ['TRIAGE', 'ATTACH_MEDIA'] })).controller;
    await open.start();
    expect(open.canAttach.value).toBe(true);
    expect(open.actions.value).toEqual(['triage']);
    const closed = withUploads(reportDetail({ status: 'CLOSED', allowedActions: ['REOPEN'] })).controller;
    await closed.start();
    expect(closed.canAttach.value).toBe(false);
  });

  it('waits for the photos still uploading, attaches them in the order picked, says so and shows them', async () => {
    const report = reportDetail({ allowedActions: ['ATTACH_MEDIA'] });
    const { server, files, controller } = withUploads(report);
    server.handlers.AttachMedia = () => ({ attachMedia: { id: report.id, version: 2 } });
    await controller.start();
    files.uploads.add([photoFile('a.jpg'), photoFile('b.jpg')]);
    files.sent[0]!.answer.resolve(stored('m-a'));
    const attaching = controller.attachMedia();
    expect(controller.attaching.value).toBe(true);
    await new Promise((resolve) => setTimeout(resolve));
    expect(server.callsOf('AttachMedia')).toEqual([]);
    files.sent[1]!.answer.resolve(stored('m-b'));
    await attaching;
    expect(server.callsOf('AttachMedia')).toEqual([{ reportId: report.id, mediaIds: ['m-a', 'm-b'] }]);
    expect(controller.done.value).toBe('actions.done.attachMedia');
    expect(controller.attaching.value).toBe(false);
    expect(files.uploads.items.value).toEqual([]);
    expect(server.calls.at(-1)?.operation).toBe('ReportDetail');
  });

  it('holds back while a photo failed to upload, and shows the server refusing the attachment', async () => {
    const report = reportDetail({ allowedActions: ['ATTACH_MEDIA'] });
    const { server, files, controller } = withUploads(report);
    server.handlers.AttachMedia = () => {
      throw new ApiError({ code: 'BAD_USER_INPUT', field: 'mediaIds', message: 'at most 6 photos per report (it has 6)' });
    };
    await controller.start();
    files.uploads.add([photoFile('a.jpg')]);
    files.sent[0]!.fail(new Error('offline'));
    await controller.attachMedia();
    expect(controller.attachError.value).toBe('media.fixFailed');
    expect(server.callsOf('AttachMedia')).toEqual([]);

    files.uploads.retry(files.uploads.items.value[0]!.key);
    files.sent[1]!.answer.resolve(stored('m-a'));
    await controller.attachMedia();
    expect(controller.attachError.value).toBe('at most 6 photos per report (it has 6)');
    expect(files.uploads.items.value.map((i) => i.state)).toEqual(['done']);
  });

  it('fetches the report again for fresh links when a photo fails to load, but not more than every 30 s', async () => {
    const { server, controller, clock } = withUploads(reportDetail());
    await controller.start();
    controller.refreshLinks();
    expect(server.callsOf('ReportDetail')).toHaveLength(1);
    clock.now += 30_000;
    controller.refreshLinks();
    controller.refreshLinks();
    expect(server.callsOf('ReportDetail')).toHaveLength(2);
  });

  it('cancels the uploads in flight when the view closes', async () => {
    const { files, controller } = withUploads(reportDetail({ allowedActions: ['ATTACH_MEDIA'] }));
    await controller.start();
    files.uploads.add([photoFile('a.jpg')]);
    controller.dispose();
    expect(files.sent[0]!.options.signal?.aborted).toBe(true);
    expect(files.revoked).toEqual(['blob:a.jpg']);
  });
});
