import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import type { AssignmentStatus } from '../assignments/assignments.enums.js';
import { crewAudience, mayManageCrew } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import { conflict, forbidden, notFound } from '../common/errors.js';
import { distanceKm } from '../common/geo.js';
import * as check from '../common/validate.js';
import { appendEvent } from '../outbox/outbox.writer.js';
import { DispatchEventType } from '../outbox/outbox.map.js';
import type { ReferenceService } from '../reference/reference.service.js';
import { Crew } from './crews.entity.js';
import { toCrewSnapshot, toCrewView } from './crews.mapper.js';
import type { CrewFilter, CrewView } from './crews.types.js';

/** What a crew's status follows: its active assignment furthest along. */
export interface LeadingWork {
  id: string;
  status: AssignmentStatus;
}

/**
 * What crews need of assignments: each crew's leading active assignment, as the assignments feature defines
 * it (container.ts hands its service in here), so crews never import the feature that builds on them.
 */
export interface CrewWork {
  leading(em: EntityManager, crewIds: readonly string[]): Promise<Map<string, LeadingWork>>;
}

/** Crews: who they are, whether they are on duty, where they are; status is derived, never stored. */
export class CrewsService {
  constructor(
    private readonly reference: ReferenceService,
    private readonly work: CrewWork,
  ) {}

  /** Crews the viewer may see (a crew sees itself), filtered, with their derived status. */
  async list(em: EntityManager, viewer: Viewer, filter: CrewFilter | null | undefined): Promise<CrewView[]> {
    const where: Record<string, unknown>[] = [];
    const audience = crewAudience(viewer);
    if (audience.kind === 'own') where.push({ id: audience.crewId });
    if (filter?.departmentCodes?.length) where.push({ department: { $in: filter.departmentCodes } });
    if (filter?.municipalityCodes?.length) where.push({ municipality: { $in: filter.municipalityCodes } });
    if (filter?.onDuty !== null && filter?.onDuty !== undefined) where.push({ onDuty: filter.onDuty });
    if (filter?.near) this.reference.checkPoint('filter.near', filter.near.lat, filter.near.lng);
    const crews = await em.find(Crew, (where.length ? { $and: where } : {}) as FilterQuery<Crew>, { orderBy: { nameAr: 'asc' } });
    const leading = await this.work.leading(
      em,
      crews.map((crew) => crew.id),
    );
    let views = crews.map((crew) => toCrewView(crew, leading.get(crew.id)));
    if (filter?.statuses?.length) views = views.filter((view) => filter.statuses!.includes(view.status!));
    const near = filter?.near;
    if (near) {
      const distance = (view: CrewView) => (view.lat == null || view.lng == null ? Infinity : distanceKm(near.lat, near.lng, view.lat, view.lng));
      views.sort((a, b) => distance(a) - distance(b));
    }
    return views;
  }

  async get(em: EntityManager, viewer: Viewer, id: string): Promise<CrewView | null> {
    const crewId = check.id('id', id);
    const audience = crewAudience(viewer);
    if (audience.kind === 'own' && audience.crewId !== crewId) return null;
    const crew = await em.findOne(Crew, { id: crewId });
    if (!crew) return null;
    return toCrewView(crew, await this.leading(em, crew));
  }

  /** A crew starts or ends its shift (or a dispatcher does it for any crew). Ending it with work in hand is CONFLICT. */
  async setOnDuty(em: EntityManager, viewer: Viewer, id: string, onDuty: boolean): Promise<CrewView> {
    const crewId = check.id('crewId', id);
    if (!mayManageCrew(viewer, crewId)) throw forbidden('A crew may only set its own duty');
    return em.transactional(async (tx) => {
      const crew = await this.lock(tx, crewId, 'crewId');
      const leading = await this.leading(tx, crew);
      if (crew.onDuty === onDuty) return toCrewView(crew, leading);
      if (!onDuty && leading) throw conflict(`${crew.nameEn} still has an active assignment; complete it or have it cancelled first`, { assignmentId: leading.id });
      crew.onDuty = onDuty;
      crew.version += 1;
      const view = toCrewView(crew, leading);
      appendEvent(tx, DispatchEventType.CREW_UPDATED, { v: 1, crew: toCrewSnapshot(view) });
      return view;
    });
  }

  /** The calling crew's position. */
  async updateLocation(em: EntityManager, viewer: Viewer, lat: number, lng: number): Promise<CrewView> {
    if (!viewer.crewId) throw forbidden('Only a crew shares its location');
    this.reference.checkPoint('location', lat, lng);
    const crewId = viewer.crewId;
    return em.transactional(async (tx) => {
      const crew = await this.lock(tx, crewId, 'crewId');
      crew.lat = lat;
      crew.lng = lng;
      crew.locationAt = new Date();
      crew.version += 1;
      const view = toCrewView(crew, await this.leading(tx, crew));
      appendEvent(tx, DispatchEventType.CREW_UPDATED, { v: 1, crew: toCrewSnapshot(view) });
      return view;
    });
  }

  private async lock(tx: EntityManager, id: string, field: string): Promise<Crew> {
    const crew = await tx.findOne(Crew, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!crew) throw notFound('Crew', id, field);
    return crew;
  }

  /** The crew's leading active assignment; these commands read it before they change anything. */
  private async leading(em: EntityManager, crew: Crew): Promise<LeadingWork | undefined> {
    return (await this.work.leading(em, [crew.id])).get(crew.id);
  }
}

declare module '../access/access.context.js' {
  interface Services {
    crews: CrewsService;
  }
}
