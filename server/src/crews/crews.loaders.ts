import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byKey } from '../common/loaders.js';
import { CREW_READ } from './crews.mapper.js';
import type { CrewView } from './crews.types.js';

/** Crew views read straight from rows; their derived status comes from the assignments' `leadingAssignmentByCrew` when a client asks for it. */
export function createCrewLoaders(em: EntityManager) {
  return {
    crew: new DataLoader<string, CrewView | undefined>(async (ids) => {
      const rows = await em.execute<CrewView[]>(`select ${CREW_READ.columnsSql(em, 'c')} from crew c where c.id in (?)`, [[...ids]]);
      return byKey(
        ids,
        rows.map((row) => CREW_READ.revive(em, row)),
        (view) => view.id,
      );
    }),
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createCrewLoaders> {}
}
