import type { Locale } from '../format/format.ts';
import type { CrewFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';

/** A crew as the API sends it to the floor and the crew app. */
export type CrewCore = ResultOf<typeof CrewFields>;
export type CrewStatus = CrewCore['status'];

/** A crew as the floor holds it: flat, its last location's time as epoch milliseconds. */
export interface CrewRow {
  id: string;
  /** The Arabic name, as `Crew.name` gives it; show `crewName(row, locale)`. */
  name: string;
  nameAr: string;
  nameEn: string;
  onDuty: boolean;
  status: CrewStatus;
  version: number;
  departmentCode: string;
  municipalityCode: string;
  skills: readonly string[];
  lat: number | null;
  lng: number | null;
  locationAt: number | null;
  /** The assignment the crew is furthest along on, as the server picks it (what its status follows). */
  activeAssignmentId: string | null;
}

export function toCrewRow(crew: CrewCore): CrewRow {
  return {
    id: crew.id,
    name: crew.name,
    nameAr: crew.nameAr,
    nameEn: crew.nameEn,
    onDuty: crew.onDuty,
    status: crew.status,
    version: crew.version,
    departmentCode: crew.department.code,
    municipalityCode: crew.municipality.code,
    skills: crew.skills,
    lat: crew.location?.lat ?? null,
    lng: crew.location?.lng ?? null,
    locationAt: crew.location ? Date.parse(crew.location.at) : null,
    activeAssignmentId: crew.activeAssignment?.id ?? null,
  };
}

/** Anything that names a crew: a crew from the API, a row of the floor, a timeline line's parameters. */
export interface CrewNames {
  name?: string | null;
  nameAr?: string | null;
  nameEn?: string | null;
}

/**
 * A crew's name in the viewer's language: the English name in the English console, the Arabic one otherwise;
 * `name` (the Arabic, from clients and events before crews had two) when the one asked for is missing.
 */
export function crewName(crew: CrewNames, locale: Locale): string {
  const named = locale === 'en' ? crew.nameEn : crew.nameAr;
  return named || crew.nameAr || crew.name || '';
}
