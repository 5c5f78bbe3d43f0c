import { createI18n } from 'vue-i18n';
import type { Locale } from '../format/format.ts';
import ar from './ar.json';
import en from './en.json';

const STORAGE_KEY = 'balagh.locale';

/** Arabic's CLDR plural categories in the order an Arabic count message lists its forms. */
const AR_CATEGORIES: readonly Intl.LDMLPluralRule[] = ['zero', 'one', 'two', 'few', 'many', 'other'];
const arPlurals = new Intl.PluralRules('ar');

/**
 * Which form of an Arabic count message to use. Arabic has six forms (0 صفر, 1 مفرد, 2 مثنى, 3–10 جمع
 * قلة, 11–99 جمع كثرة, 100… other), so an Arabic count message lists all six, separated by `|`, in
 * {@link AR_CATEGORIES}' order; a message with fewer forms falls back to vue-i18n's default choice.
 */
export function arabicPluralIndex(choice: number, choicesLength: number, orgRule?: (choice: number, choicesLength: number) => number): number {
  if (choicesLength === AR_CATEGORIES.length) return AR_CATEGORIES.indexOf(arPlurals.select(Math.abs(choice)));
  return orgRule ? orgRule(choice, choicesLength) : Math.min(Math.abs(choice), choicesLength - 1);
}

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
  pluralRules: { ar: arabicPluralIndex },
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
