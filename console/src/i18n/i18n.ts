import { createI18n } from 'vue-i18n';
import type { Locale } from '../format/format.ts';
import ar from './ar.json';
import en from './en.json';

const STORAGE_KEY = 'balagh.locale';

function initialLocale(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'ar';
  } catch {
    return 'ar';
  }
}

/** Every UI string, in Arabic (the default, right to left) and English. */
export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'ar',
  messages: { ar, en },
  missingWarn: false,
  fallbackWarn: false,
});

/** The current UI language. */
export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale;
}

/** Sets `lang` and `dir` on <html> so the whole layout (logical CSS properties) mirrors with the language. */
export function applyDocumentLocale(locale: Locale): void {
  document.documentElement.lang = locale;
  document.documentElement.dir = locale === 'ar' ? 'rtl' : 'ltr';
}

/** Switches the language, remembers the choice and flips the layout direction. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyDocumentLocale(locale);
}
