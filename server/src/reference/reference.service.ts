import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../common/errors.js';
import { isInEasternProvince, nearest } from '../common/geo.js';
import { mapLoaded } from '../common/maybe-promise.js';
import { finiteInRange } from '../common/validate.js';
import { Category, Department, Municipality } from './reference.entity.js';

/**
 * How long a snapshot of the reference tables is served from memory. They hold a few dozen rows that
 * supervisors change rarely and no mutation edits yet, so a change made in the database shows within
 * this time; there is no other invalidation.
 */
export const REFERENCE_TTL_MS = 30_000;

/** Every municipality, department and category, by code, as read at `readAt`. */
export interface ReferenceSnapshot {
  readAt: number;
  municipalities: Municipality[];
  municipality: Map<string, Municipality>;
  department: Map<string, Department>;
  category: Map<string, Category>;
}

/**
 * Reference data (municipalities, departments, categories) and the geography rules built on it.
 * Lookups by code and the nearest municipality read an in-process snapshot at most
 * {@link REFERENCE_TTL_MS} old; its entities belong to no request's EntityManager, so a command links
 * them with `getReference`, never by assigning them.
 */
export class ReferenceService {
  private snapshot: ReferenceSnapshot | undefined;
  private reading: Promise<ReferenceSnapshot> | undefined;

  municipalities(em: EntityManager): Promise<Municipality[]> {
    return em.find(Municipality, {}, { orderBy: { code: 'asc' } });
  }

  departments(em: EntityManager): Promise<Department[]> {
    return em.find(Department, {}, { orderBy: { code: 'asc' } });
  }

  categories(em: EntityManager): Promise<Category[]> {
    return em.find(Category, {}, { orderBy: { targetHours: 'asc', code: 'asc' } });
  }

  /** The reference tables as of at most {@link REFERENCE_TTL_MS} ago; one read at a time refreshes them. */
  cached(em: EntityManager): ReferenceSnapshot | Promise<ReferenceSnapshot> {
    const snapshot = this.snapshot;
    if (snapshot && Date.now() - snapshot.readAt < REFERENCE_TTL_MS) return snapshot;
    this.reading ??= this.read(em.fork()).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(em: EntityManager): Promise<ReferenceSnapshot> {
    const readAt = Date.now();
    const [municipalities, departments, categories] = [await this.municipalities(em), await this.departments(em), await em.find(Category, {})];
    const snapshot: ReferenceSnapshot = {
      readAt,
      municipalities,
      municipality: new Map(municipalities.map((row) => [row.code, row])),
      department: new Map(departments.map((row) => [row.code, row])),
      category: new Map(categories.map((row) => [row.code, row])),
    };
    this.snapshot = snapshot;
    return snapshot;
  }

  /** The category with this code from the snapshot, or undefined: at once while the snapshot is fresh. */
  categoryByCode(em: EntityManager, code: string): Category | undefined | Promise<Category | undefined> {
    return mapLoaded(this.cached(em), (snapshot) => snapshot.category.get(code));
  }

  /** The municipality with this code from the snapshot, or undefined: at once while the snapshot is fresh. */
  municipalityByCode(em: EntityManager, code: string): Municipality | undefined | Promise<Municipality | undefined> {
    return mapLoaded(this.cached(em), (snapshot) => snapshot.municipality.get(code));
  }

  /** The department with this code from the snapshot, or undefined: at once while the snapshot is fresh. */
  departmentByCode(em: EntityManager, code: string): Department | undefined | Promise<Department | undefined> {
    return mapLoaded(this.cached(em), (snapshot) => snapshot.department.get(code));
  }

  /** The category (from the snapshot), or BAD_USER_INPUT naming `field`. */
  async category(em: EntityManager, code: string, field: string): Promise<Category> {
    const category = await this.categoryByCode(em, code);
    if (!category) throw badInput(field, `Unknown category "${code}"; see Query.categories`);
    return category;
  }

  /** Checks a point is a real coordinate inside the Eastern Province; errors name `field.lat` / `field.lng`. */
  checkPoint(field: string, lat: number, lng: number): void {
    finiteInRange(`${field}.lat`, lat, -90, 90);
    finiteInRange(`${field}.lng`, lng, -180, 180);
    if (!isInEasternProvince(lat, lng)) throw badInput(field, `(${lat}, ${lng}) is outside the Eastern Province`);
  }

  /** The given municipality (checked), or the one whose centre is nearest the point; from the snapshot. */
  async municipalityFor(em: EntityManager, field: string, lat: number, lng: number, code?: string | null): Promise<Municipality> {
    const snapshot = await this.cached(em);
    if (code) {
      const found = snapshot.municipality.get(code);
      if (!found) throw badInput(`${field}.municipalityCode`, `Unknown municipality "${code}"; see Query.municipalities`);
      return found;
    }
    const derived = nearest(snapshot.municipalities, lat, lng);
    if (!derived) throw badInput(field, 'No municipalities are configured');
    return derived;
  }
}

declare module '../access/access.context.js' {
  interface Services {
    reference: ReferenceService;
  }
}
