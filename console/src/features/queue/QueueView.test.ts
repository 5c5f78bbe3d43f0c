// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import type { Priority } from '../../domain/report.ts';
import { event, report } from '../../test/builders.ts';
import { fakeRun } from '../../test/fake-run.ts';
import { DISPATCH_FLOOR, DispatchFloor } from '../dispatch/dispatch.floor.ts';
import { reference } from '../reference/reference.ts';
import QueueView from './QueueView.vue';

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}

/** An open report with the key the server would give it: priority rank, target time, id. */
function queued(reference: string, priority: Priority, rank: number, hours: number) {
  const targetAt = hoursFromNow(hours);
  return report({ id: `r-${reference}`, reference, priority, targetAt, queueKey: `${rank}|${targetAt}|r-${reference}` });
}

describe('the live queue', () => {
  let floor: DispatchFloor;

  /** Mounts the queue inside a dispatch shell's floor, as AppShell provides it. */
  function mountQueue() {
    return mount(QueueView, { global: { plugins: [i18n], provide: { [DISPATCH_FLOOR]: floor } } });
  }

  beforeEach(() => {
    setLocale('en');
    reference.value = {
      categories: new Map([['POTHOLE', { code: 'POTHOLE', nameAr: 'حفرة', nameEn: 'Pothole', defaultPriority: 'HIGH', targetHours: 12, lifeSafety: false, department: { code: 'ROADS_LIGHTING' } }]]),
      municipalities: new Map([['KHOBAR', { code: 'KHOBAR', nameAr: 'الخبر', nameEn: 'Al Khobar', lat: 26.28, lng: 50.2 }]]),
      departments: new Map(),
    };
    // a floor that is never started: it runs no operation, and the fake fails the test if it did
    floor = new DispatchFloor({ run: fakeRun().run, onAuthFailed: () => undefined });
    floor.progress.value = { loaded: 0, total: 0, ready: true, done: true, error: null };
  });

  afterEach(() => {
    floor.alerts.acknowledgeAll();
  });

  it("lists open reports in the server's queue order, marks the overdue in red, slides a new one in and drops a closed one without a reload", async () => {
    const { store } = floor;
    store.upsertReport(queued('940-2026-000010', 'NORMAL', 2, 3));
    const overdueHigh = queued('940-2026-000011', 'HIGH', 1, -1);
    store.upsertReport(overdueHigh);
    store.upsertReport(queued('940-2026-000012', 'NORMAL', 2, 1));
    await frame();
    const wrapper = mountQueue();
    await flushPromises();

    const rows = () => wrapper.findAll('[data-test=queue-row]');
    expect(rows().map((r) => r.attributes('data-reference'))).toEqual(['940-2026-000011', '940-2026-000012', '940-2026-000010']);
    expect(rows()[0]!.find('[data-test=countdown]').classes()).toContain('overdue');
    // An hour late and an hour left, in words (the clock has ticked a little since the rows were made).
    expect(rows()[0]!.find('[data-test=countdown]').text()).toMatch(/^(1 hr|59 mins) late$/);
    expect(rows()[1]!.find('[data-test=countdown]').classes()).not.toContain('overdue');
    expect(rows()[1]!.find('[data-test=countdown]').text()).toMatch(/^(1 hr|59 mins)$/);
    expect(rows()[0]!.text()).toContain('Pothole');
    expect(rows()[0]!.text()).toContain('Al Khobar');

    store.applyEvent(event('REPORT_CREATED', { report: queued('940-2026-000013', 'CRITICAL', 0, 2) }));
    await frame();
    await nextTick();
    expect(rows()[0]!.attributes('data-reference')).toBe('940-2026-000013');
    expect(rows()[0]!.classes()).toContain('fresh');
    expect(floor.alerts.pending.value.map((a) => a.reference)).toEqual(['940-2026-000013']);

    store.applyEvent(event('REPORT_UPDATED', { report: { ...overdueHigh, status: 'REJECTED', open: false, version: 2 } }));
    await vi.waitFor(() => expect(rows().map((r) => r.attributes('data-reference'))).toEqual(['940-2026-000013', '940-2026-000012', '940-2026-000010']));
    expect(wrapper.find('[data-test=queue-counts]').text()).toContain('3 open');
    wrapper.unmount();
  });

  it('filters by priority and by text', async () => {
    const { store } = floor;
    store.upsertReport(report({ reference: '940-2026-000020', priority: 'LOW', description: 'Graffiti on a wall' }));
    store.upsertReport(report({ reference: '940-2026-000021', priority: 'HIGH', description: 'Deep pothole' }));
    await frame();
    const wrapper = mountQueue();
    await flushPromises();

    await wrapper.find('[data-test=filter-priority]').setValue('HIGH');
    expect(wrapper.findAll('[data-test=queue-row]').map((r) => r.attributes('data-reference'))).toEqual(['940-2026-000021']);
    await wrapper.find('[data-test=filter-priority]').setValue('');
    await wrapper.find('[data-test=queue-search]').setValue('graffiti');
    expect(wrapper.findAll('[data-test=queue-row]').map((r) => r.attributes('data-reference'))).toEqual(['940-2026-000020']);
    expect(wrapper.find('[data-test=queue-counts]').text()).toContain('1 shown');
    wrapper.unmount();
  });

  it('marks a report with photos or a voice note with an icon named for screen readers, and follows a live update', async () => {
    const { store } = floor;
    const plain = report({ reference: '940-2026-000030' });
    store.upsertReport(plain);
    store.upsertReport(
      report({
        reference: '940-2026-000031',
        media: [
          { id: 'm-1', kind: 'PHOTO' },
          { id: 'm-2', kind: 'PHOTO' },
          { id: 'm-3', kind: 'VOICE' },
        ],
      }),
    );
    await frame();
    const wrapper = mountQueue();
    await flushPromises();
    const row = (reference: string) => wrapper.find(`[data-test=queue-row][data-reference="${reference}"]`);

    expect(row('940-2026-000031').find('[data-test=row-photos]').attributes()).toMatchObject({ role: 'img', 'aria-label': 'Photos attached: 2' });
    expect(row('940-2026-000031').find('[data-test=row-voice]').attributes()).toMatchObject({ role: 'img', 'aria-label': 'Voice note attached' });
    expect(row('940-2026-000030').find('[data-test=row-photos]').exists()).toBe(false);

    store.applyEvent(event('REPORT_UPDATED', { report: { ...plain, version: 2, media: [{ id: 'm-4', kind: 'PHOTO' }] } }));
    await vi.waitFor(() => expect(row('940-2026-000030').find('[data-test=row-photos]').attributes('aria-label')).toBe('Photos attached: 1'));
    expect(row('940-2026-000030').find('[data-test=row-voice]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('marks a report reopened after its follow-up call with a marker named for screen readers, as it comes back live', async () => {
    const { store } = floor;
    const resolved = report({ reference: '940-2026-000040', status: 'RESOLVED', open: false, version: 4 });
    store.upsertReport(report({ reference: '940-2026-000041' }));
    store.upsertReport(resolved);
    await frame();
    const wrapper = mountQueue();
    await flushPromises();
    const row = (reference: string) => wrapper.find(`[data-test=queue-row][data-reference="${reference}"]`);
    expect(row('940-2026-000041').find('[data-test=row-reopened]').exists()).toBe(false);
    expect(row('940-2026-000040').exists()).toBe(false);

    store.applyEvent(event('REPORT_UPDATED', { report: { ...resolved, status: 'RECEIVED', open: true, reopenedAfterFollowUp: true, version: 5 } }));
    await vi.waitFor(() => expect(row('940-2026-000040').exists()).toBe(true));
    expect(row('940-2026-000040').classes()).toContain('reopened');
    expect(row('940-2026-000040').find('[data-test=row-reopened]').attributes()).toMatchObject({
      role: 'img',
      'aria-label': 'Reopened after the follow-up call: the citizen said it was not fixed',
    });
    expect(row('940-2026-000041').classes()).not.toContain('reopened');
    wrapper.unmount();
  });
});
