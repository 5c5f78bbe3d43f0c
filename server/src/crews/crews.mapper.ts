import { AssignmentStatus } from '../assignments/assignments.enums.js';
import { ReadModel } from '../common/read-model.js';
import type { CrewSnapshotV1 } from '../outbox/outbox.map.js';
import { Crew } from './crews.entity.js';
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

/**
 * Where each stored property of a crew's view comes from: the one mapping, for entities and for rows read
 * straight from SQL. Status and active assignment are derived: `toCrewView` adds them, and on views read
 * from rows the resolvers derive them only when a client asks.
 */
export const CREW_READ = new ReadModel<Crew, Omit<CrewView, 'status' | 'activeAssignmentId'>, CrewView>(Crew, CrewView, {
  id: 'id',
  name: 'nameAr',
  nameAr: 'nameAr',
  nameEn: 'nameEn',
  onDuty: 'onDuty',
  skills: 'skills',
  version: 'version',
  departmentCode: 'department',
  municipalityCode: 'municipality',
  lat: 'lat',
  lng: 'lng',
  locationAt: 'locationAt',
});

/** A crew's view with its leading active assignment, which decides its status. */
export function toCrewView(crew: Crew, leading: { id: string; status: AssignmentStatus } | undefined | null): CrewView {
  const view = CREW_READ.fromEntity(crew);
  view.status = deriveCrewStatus(crew.onDuty, leading);
  view.activeAssignmentId = leading?.id ?? null;
  return view;
}

/** The crew as an event stores it (version 1). */
export function toCrewSnapshot(view: CrewView): CrewSnapshotV1 {
  if (!view.status) throw new Error(`crew ${view.id} snapshot without its status`);
  return { ...view, status: view.status, lat: view.lat ?? null, lng: view.lng ?? null, locationAt: view.locationAt?.toISOString() ?? null, activeAssignmentId: view.activeAssignmentId ?? null };
}

/** Today's view of a crew an event stored (version 1). */
export function fromCrewSnapshot(snapshot: CrewSnapshotV1): CrewView {
  return asView(CrewView, { ...snapshot, nameAr: snapshot.nameAr ?? snapshot.name, nameEn: snapshot.nameEn ?? snapshot.name, locationAt: snapshot.locationAt ? new Date(snapshot.locationAt) : null });
}

export function toCrewLocationView(crew: CrewView): CrewLocationView | null {
  if (crew.lat == null || crew.lng == null || !crew.locationAt) return null;
  return { lat: crew.lat, lng: crew.lng, at: crew.locationAt };
}
