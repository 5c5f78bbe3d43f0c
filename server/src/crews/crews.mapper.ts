import { AssignmentStatus } from '../assignments/assignments.enums.js';
import type { Crew } from './crews.entity.js';
import { CrewStatus } from './crews.enums.js';
import { asView } from '../common/view-type.js';
import { CrewView, type CrewLocationView } from './crews.types.js';

/** A crew's status follows from its duty flag and the assignment it is furthest along on. */
export function deriveCrewStatus(onDuty: boolean, leading: { status: AssignmentStatus } | undefined | null): CrewStatus {
  if (!onDuty) return CrewStatus.OFF_DUTY;
  if (!leading) return CrewStatus.AVAILABLE;
  if (leading.status === AssignmentStatus.EN_ROUTE) return CrewStatus.EN_ROUTE;
  if (leading.status === AssignmentStatus.ON_SITE) return CrewStatus.ON_SITE;
  return CrewStatus.ASSIGNED;
}

/** The one mapping of a crew row (with its leading active assignment) to its API shape and snapshot. */
export function toCrewView(crew: Crew, leading: { id: string; status: AssignmentStatus } | undefined | null): CrewView {
  return asView(CrewView, {
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
  });
}

/**
 * The crew row `c` as the JSON of its view without the derived parts (null when there is no crew), for
 * reads that build views straight from rows instead of hydrating entities; `reviveCrewView` makes the
 * view, whose status and active assignment the resolvers then derive only when a client asks for them.
 */
export function crewViewJsonSql(c: string): string {
  return `case when ${c}.id is null then null else json_build_object('id', ${c}.id, 'name', ${c}.name, 'onDuty', ${c}.on_duty,
    'skills', ${c}.skills, 'version', ${c}.version, 'departmentCode', ${c}.department_code, 'municipalityCode', ${c}.municipality_code,
    'lat', ${c}.lat, 'lng', ${c}.lng, 'locationAt', ${c}.location_at) end`;
}

/** A crew view from its plain JSON form: an event's snapshot, or a row of `crewViewJsonSql`. */
export function reviveCrewView(json: CrewView): CrewView {
  const view = asView(CrewView, json);
  view.locationAt = json.locationAt ? new Date(json.locationAt) : null;
  return view;
}

export function toCrewLocationView(crew: CrewView): CrewLocationView | null {
  if (crew.lat == null || crew.lng == null || !crew.locationAt) return null;
  return { lat: crew.lat, lng: crew.lng, at: crew.locationAt };
}
