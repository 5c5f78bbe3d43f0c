import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../common/errors.js';
import { isInEasternProvince, nearest } from '../common/geo.js';
import { finiteInRange } from '../common/validate.js';
import { Category, Department, Municipality } from './reference.entity.js';

/** Reference data (municipalities, departments, categories) and the geography rules built on it. */
export class ReferenceService {
  municipalities(em: EntityManager): Promise<Municipality[]> {
    return em.find(Municipality, {}, { orderBy: { code: 'asc' } });
  }

  departments(em: EntityManager): Promise<Department[]> {
    return em.find(Department, {}, { orderBy: { code: 'asc' } });
  }

  categories(em: EntityManager): Promise<Category[]> {
    return em.find(Category, {}, { orderBy: { targetHours: 'asc', code: 'asc' } });
  }

  /** The category, or BAD_USER_INPUT naming `field`. */
  async category(em: EntityManager, code: string, field: string): Promise<Category> {
    const category = await em.findOne(Category, { code });
    if (!category) throw badInput(field, `Unknown category "${code}"; see Query.categories`);
    return category;
  }

  /** Checks a point is a real coordinate inside the Eastern Province; errors name `field.lat` / `field.lng`. */
  checkPoint(field: string, lat: number, lng: number): void {
    finiteInRange(`${field}.lat`, lat, -90, 90);
    finiteInRange(`${field}.lng`, lng, -180, 180);
    if (!isInEasternProvince(lat, lng)) throw badInput(field, `(${lat}, ${lng}) is outside the Eastern Province`);
  }

  /** The given municipality (checked), or the one whose centre is nearest the point. */
  async municipalityFor(em: EntityManager, field: string, lat: number, lng: number, code?: string | null): Promise<Municipality> {
    if (code) {
      const found = await em.findOne(Municipality, { code });
      if (!found) throw badInput(`${field}.municipalityCode`, `Unknown municipality "${code}"; see Query.municipalities`);
      return found;
    }
    const derived = nearest(await this.municipalities(em), lat, lng);
    if (!derived) throw badInput(field, 'No municipalities are configured');
    return derived;
  }
}
