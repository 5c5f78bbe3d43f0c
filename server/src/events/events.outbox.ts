import type { EntityManager } from '@mikro-orm/postgresql';
import { DispatchEventRow } from './events.entity.js';
import type { DispatchEventPayloads, DispatchEventType } from './events.map.js';

/**
 * Queues an outbox row on `em`; it is inserted by the same flush, in the same transaction, as the change
 * it describes, so an event exists exactly when its change committed.
 */
export function appendEvent<T extends DispatchEventType>(em: EntityManager, type: T, payload: DispatchEventPayloads[T]): void {
  const row = new DispatchEventRow();
  row.type = type;
  const parts = payload as { report?: { id: string }; assignment?: { id: string }; crew?: { id: string } };
  row.reportId = parts.report?.id ?? null;
  row.assignmentId = parts.assignment?.id ?? null;
  row.crewId = parts.crew?.id ?? null;
  row.payload = payload;
  em.persist(row);
}
