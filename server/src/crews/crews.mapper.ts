import { AssignmentStatus } from '../assignments/assignments.enums.js';
import type { Assignment } from '../assignments/assignments.entity.js';
import type { Crew } from './crews.entity.js';
import { CrewStatus } from './crews.enums.js';
import type { CrewLocationView, CrewView } from './crews.types.js';

/** A crew's status follows from its duty flag and the assignment it is furthest along on. */
export function deriveCrewStatus(onDuty: boolean, leading: Assignment | undefined | null): CrewStatus {
  if (!onDuty) return CrewStatus.OFF_DUTY;
  if (!leading) return CrewStatus.AVAILABLE;
  if (leading.status === AssignmentStatus.EN_ROUTE) return CrewStatus.EN_ROUTE;
  if (leading.status === AssignmentStatus.ON_SITE) return CrewStatus.ON_SITE;
  return CrewStatus.ASSIGNED;
}

/** The one mapping of a crew row (with its leading active assignment) to its API shape and snapshot. */
export function toCrewView(crew: Crew, leading: Assignment | undefined | null): CrewView {
  return {
    id: crew.id,
    name: crew.name,
    onDuty: crew.onDuty,
    status: deriveCrewStatus(crew.onDuty, leading),
    skills: crew.skills,
    version: crew.version,
    departmentCode: crew.department.code,
    municipalityCode: crew.municipality.code,
    lat: crew.lat ?? null,
    lng: crew.lng ?? null,
    locationAt: crew.locationAt ?? null,
    activeAssignmentId: leading?.id ?? null,
  };
}

export function reviveCrewView(json: CrewView): CrewView {
  return { ...json, locationAt: json.locationAt ? new Date(json.locationAt) : null };
}

export function toCrewLocationView(crew: CrewView): CrewLocationView | null {
  if (crew.lat == null || crew.lng == null || !crew.locationAt) return null;
  return { lat: crew.lat, lng: crew.lng, at: crew.locationAt };
}
