// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import { event, report } from '../../test/builders.ts';
import { DISPATCH_FLOOR, DispatchFloor } from '../dispatch/dispatch.floor.ts';
import { reference } from '../reference/reference.ts';
import QueueView from './QueueView.vue';

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
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
    floor = new DispatchFloor({ onAuthFailed: () => undefined });
    floor.progress.value = { loaded: 0, total: 0, ready: true, done: true, error: null };
  });

  afterEach(() => {
    floor.alerts.acknowledgeAll();
  });

  it('lists open reports by priority then time left, marks the overdue in red, and slides a new one in without a reload', async () => {
    const { store } = floor;
    store.upsertReport(report({ reference: '940-2026-000010', priority: 'NORMAL', targetAt: hoursFromNow(3) }));
    store.upsertReport(report({ reference: '940-2026-000011', priority: 'HIGH', targetAt: hoursFromNow(-1) }));
    store.upsertReport(report({ reference: '940-2026-000012', priority: 'NORMAL', targetAt: hoursFromNow(1) }));
    await frame();
    const wrapper = mountQueue();
    await flushPromises();

    const rows = () => wrapper.findAll('[data-test=queue-row]');
    expect(rows().map((r) => r.attributes('data-reference'))).toEqual(['940-2026-000011', '940-2026-000012', '940-2026-000010']);
    expect(rows()[0]!.find('[data-test=countdown]').classes()).toContain('overdue');
    expect(rows()[0]!.find('[data-test=countdown]').text()).toMatch(/^-\d+:\d\d:\d\d$/);
    expect(rows()[1]!.find('[data-test=countdown]').classes()).not.toContain('overdue');
    expect(rows()[0]!.text()).toContain('Pothole');
    expect(rows()[0]!.text()).toContain('Al Khobar');

    store.applyEvent(event('REPORT_CREATED', { report: report({ reference: '940-2026-000013', priority: 'CRITICAL', targetAt: hoursFromNow(2) }) }));
    await frame();
    await nextTick();
    expect(rows()[0]!.attributes('data-reference')).toBe('940-2026-000013');
    expect(rows()[0]!.classes()).toContain('fresh');
    expect(floor.alerts.pending.value.map((a) => a.reference)).toEqual(['940-2026-000013']);
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
});
