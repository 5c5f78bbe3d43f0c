import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReferenceService } from './reference.service.js';

/** Categories, municipalities and departments come from the reference snapshot (at most 30 s old), usually without a query. */
export function createReferenceLoaders(em: EntityManager, reference: ReferenceService) {
  return {
    category: { load: (code: string) => reference.categoryByCode(em, code) },
    municipality: { load: (code: string) => reference.municipalityByCode(em, code) },
    department: { load: (code: string) => reference.departmentByCode(em, code) },
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createReferenceLoaders> {}
}
