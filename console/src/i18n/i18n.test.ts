// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import LanguageSwitch from '../components/LanguageSwitch.vue';
import ar from './ar.json';
import en from './en.json';
import { createI18n } from 'vue-i18n';
import { applyDocumentLocale, arabicPluralIndex, i18n } from './i18n.ts';

function keys(messages: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) => (typeof value === 'object' && value !== null ? keys(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

const sources = import.meta.glob<string>(['../**/*.vue', '../**/*.ts', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true });

describe('languages', () => {
  it('opens in Arabic, right to left, and one switch turns the whole console to English, left to right', async () => {
    applyDocumentLocale('ar');
    const wrapper = mount(LanguageSwitch, { global: { plugins: [i18n] } });
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    expect(i18n.global.t('nav.queue')).toBe('قائمة البلاغات');
    expect(wrapper.text()).toBe('English');

    await wrapper.trigger('click');
    expect(document.documentElement.dir).toBe('ltr');
    expect(document.documentElement.lang).toBe('en');
    expect(i18n.global.t('nav.queue')).toBe('Queue');
    expect(wrapper.text()).toBe('العربية');
    expect(localStorage.getItem('balagh.locale')).toBe('en');

    await wrapper.trigger('click');
    expect(document.documentElement.dir).toBe('rtl');
  });

  it('has every string in both languages', () => {
    expect(keys(ar).sort()).toEqual(keys(en).sort());
  });

  it('has every literal message key the console uses', () => {
    const known = new Set(keys(en));
    const used = Object.values(sources).flatMap((text) => [...text.matchAll(/\bt\('([a-zA-Z.]+)'/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((key) => !known.has(key))).toEqual([]);
  });
});

describe('Arabic plural forms', () => {
  const reports = 'لا بلاغات | بلاغ واحد | بلاغان | {n} بلاغات | {n} بلاغًا | {n} بلاغ';
  const local = createI18n({ legacy: false, locale: 'ar', messages: { ar: { reports }, en: { reports: 'no reports | one report | {n} reports' } }, pluralRules: { ar: arabicPluralIndex } });

  it.each([
    [0, 'لا بلاغات'],
    [1, 'بلاغ واحد'],
    [2, 'بلاغان'],
    [3, '3 بلاغات'],
    [11, '11 بلاغًا'],
    [100, '100 بلاغ'],
  ])('words %i reports in the form Arabic uses for it', (count, text) => {
    expect(local.global.t('reports', count)).toBe(text);
  });

  it('leaves English and messages with fewer forms to the default choice', () => {
    expect(local.global.t('reports', 2, { locale: 'en' })).toBe('2 reports');
    expect(arabicPluralIndex(5, 2)).toBe(1);
  });

  it('is the console’s rule for Arabic', () => {
    expect(i18n.global.pluralRules.ar).toBe(arabicPluralIndex);
  });
});

describe('the queue’s counts in Arabic', () => {
  it.each([
    [0, 'لا بلاغات مفتوحة'],
    [1, 'بلاغ مفتوح واحد'],
    [2, 'بلاغان مفتوحان'],
    [3, '3 بلاغات مفتوحة'],
    [11, '11 بلاغًا مفتوحًا'],
    [100, '100 بلاغ مفتوح'],
  ])('reads %i open reports as %s', (count, text) => {
    expect(i18n.global.t('queue.open', { count: String(count) }, { plural: count, locale: 'ar' })).toBe(text);
  });

  it('keeps English in one form', () => {
    expect(i18n.global.t('queue.open', { count: '11' }, { plural: 11, locale: 'en' })).toBe('11 open');
  });
});
