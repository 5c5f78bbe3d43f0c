import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { DuplicatesService } from './duplicates.service.js';
import type { PossibleDuplicateView } from './duplicates.types.js';

/** Each report's possible duplicates for one request: a page of 100 reports asks once, not 100 times. */
export function createDuplicateLoaders(em: EntityManager, duplicates: DuplicatesService) {
  return {
    possibleDuplicatesByReport: new DataLoader<string, PossibleDuplicateView[]>((reportIds) => duplicates.find(em, reportIds)),
  };
}

declare module '../access/access.context.js' {
  interface Loaders extends ReturnType<typeof createDuplicateLoaders> {}
}
