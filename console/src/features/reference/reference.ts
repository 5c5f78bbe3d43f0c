import { shallowRef } from 'vue';
import { useRun, type Run } from '../../graphql/client.ts';
import type { ResultOf } from '../../graphql/graphql.ts';
import type { Locale } from '../../format/format.ts';
import { ReferenceQuery } from './reference.operations.ts';

type ReferenceData = ResultOf<typeof ReferenceQuery>;
export type Category = ReferenceData['categories'][number];
export type Municipality = ReferenceData['municipalities'][number];
export type Department = ReferenceData['departments'][number];

interface Named {
  code: string;
  nameAr: string;
  nameEn: string;
}

/** Categories, municipalities and departments, loaded once per session; they change rarely. */
export const reference = shallowRef<{
  categories: Map<string, Category>;
  municipalities: Map<string, Municipality>;
  departments: Map<string, Department>;
} | null>(null);

let loading: Promise<void> | null = null;

/** Loads the reference data once; concurrent callers share one request, a failed one is retried next call. */
export function loadReference(run: Run): Promise<void> {
  loading ??= run(ReferenceQuery, {}).then(
    (data) => {
      reference.value = {
        categories: new Map(data.categories.map((c) => [c.code, c])),
        municipalities: new Map(data.municipalities.map((m) => [m.code, m])),
        departments: new Map(data.departments.map((d) => [d.code, d])),
      };
    },
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

/** loadReference over the app's GraphQL client, for a component: call in setup, load whenever needed. */
export function useLoadReference(): () => Promise<void> {
  const run = useRun();
  return () => loadReference(run);
}

/** The display name of a coded thing in the current language, or the code itself while loading. */
export function nameOf(item: Named | undefined, code: string, locale: Locale): string {
  if (!item) return code;
  return locale === 'ar' ? item.nameAr : item.nameEn;
}

export function categoryName(code: string, locale: Locale): string {
  return nameOf(reference.value?.categories.get(code), code, locale);
}

export function municipalityName(code: string, locale: Locale): string {
  return nameOf(reference.value?.municipalities.get(code), code, locale);
}

export function departmentName(code: string, locale: Locale): string {
  return nameOf(reference.value?.departments.get(code), code, locale);
}

/** Named things sorted by their name in the current language, for filter and form pickers. */
export function sortedByName<T extends Named>(items: Iterable<T>, locale: Locale): T[] {
  return [...items].sort((a, b) => nameOf(a, a.code, locale).localeCompare(nameOf(b, b.code, locale), locale));
}
