import type { CrewFields } from '../graphql/fragments.ts';
import type { ResultOf } from '../graphql/graphql.ts';

/** A crew as the API sends it to the floor and the crew app. */
export type CrewCore = ResultOf<typeof CrewFields>;
export type CrewStatus = CrewCore['status'];

/** A crew as the floor holds it: flat, its last location's time as epoch milliseconds. */
export interface CrewRow {
  id: string;
  name: string;
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
