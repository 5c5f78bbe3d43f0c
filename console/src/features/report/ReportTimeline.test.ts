// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import ReportTimeline, { type TimelineLine } from './ReportTimeline.vue';

const AT = '2026-03-01T09:00:00.000Z';
const LINES: TimelineLine[] = [
  { at: AT, actor: 'intake-gateway', action: 'CREATED', fromStatus: null, toStatus: 'RECEIVED', note: null, params: null },
  {
    at: AT,
    actor: 'dispatcher',
    action: 'ASSIGNED',
    fromStatus: 'RECEIVED',
    toStatus: 'ASSIGNED',
    note: null,
    params: { crewId: 'c-1', crewNameAr: 'فريق اللوحات - الخبر 1', crewNameEn: 'Billboards crew – Khobar 1' },
  },
  { at: AT, actor: 'dispatcher', action: 'MEDIA_ATTACHED', note: null, params: { photos: 2, voice: 1 } },
  { at: AT, actor: 'dispatcher', action: 'MEDIA_ATTACHED', note: null, params: { photos: 11, voice: 0 } },
  { at: AT, actor: 'dispatcher', action: 'MERGED_WITH_ORIGINAL', note: null, params: { reference: '940-2026-000001', withReference: '940-2026-000002' } },
  { at: AT, actor: 'agent01', action: 'REOPENED_AFTER_FOLLOWUP', fromStatus: 'RESOLVED', toStatus: 'RECEIVED', note: 'ما زالت الحفرة', params: { satisfaction: 2, fixed: 'NO' } },
  { at: AT, actor: 'agent01', action: 'UNREACHABLE', fromStatus: 'RESOLVED', toStatus: 'CLOSED', note: null, params: { outcome: 'NO_ANSWER', attempts: 3 } },
];

function mountTimeline() {
  return mount(ReportTimeline, { props: { entries: LINES }, global: { plugins: [i18n] } });
}

/** The text a reader sees outside <bdi> (names, usernames, references and what people typed sit inside). */
function textOutsideBdi(element: Element): string {
  const clone = element.cloneNode(true) as Element;
  for (const bdi of clone.querySelectorAll('bdi')) bdi.remove();
  return clone.textContent ?? '';
}

describe('the timeline words codes and parameters in the viewer’s language', () => {
  afterEach(() => setLocale('ar'));

  it('reads as Arabic, arrows right to left, with names and references isolated', () => {
    setLocale('ar');
    const wrapper = mountTimeline();
    const items = wrapper.findAll('li');
    expect(items[1]!.text()).toContain('إلى فريق اللوحات - الخبر 1');
    expect(items[1]!.find('[data-test=status-arrow]').text()).toBe('←');
    expect(items[1]!.find('[data-test=status-change]').text().replace(/\s+/g, ' ')).toBe('جديد ← مُسند');
    expect(items[2]!.find('[data-test=timeline-params]').text()).toBe('صورتان ورسالة صوتية واحدة');
    expect(items[3]!.find('[data-test=timeline-params]').text()).toBe('11 صورة');
    expect(items[4]!.find('[data-test=timeline-params]').text().replace(/\s+/g, ' ')).toBe('نُقل إلى البلاغ 940-2026-000001 مع البلاغ 940-2026-000002');
    expect(items[5]!.find('[data-test=timeline-params]').text()).toBe('التقييم 2 من 5، المعالجة: لا');
    expect(items[6]!.find('[data-test=timeline-params]').text()).toBe('بعد 3 مكالمات دون رد');
    expect(textOutsideBdi(wrapper.element)).not.toMatch(/[A-Za-z]{2,}/);
    expect(wrapper.findAll('bdi').map((b) => b.text())).toEqual(expect.arrayContaining(['dispatcher', 'فريق اللوحات - الخبر 1', '940-2026-000001', 'ما زالت الحفرة']));
  });

  it('reads as English, arrows left to right, with the crew’s English name', () => {
    setLocale('en');
    const items = mountTimeline().findAll('li');
    expect(items[1]!.text()).toContain('to Billboards crew – Khobar 1');
    expect(items[1]!.find('[data-test=status-arrow]').text()).toBe('→');
    expect(items[2]!.find('[data-test=timeline-params]').text()).toBe('2 photos and 1 voice note');
    expect(items[6]!.find('[data-test=timeline-params]').text()).toBe('after 3 unanswered calls');
  });
});
