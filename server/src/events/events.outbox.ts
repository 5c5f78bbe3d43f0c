import type { EntityManager } from '@mikro-orm/postgresql';
import { DispatchEventRow } from './events.entity.js';
import type { DispatchEventPayloads, DispatchEventType } from './events.map.js';

/**
 * Queues an outbox row on `em`; it is inserted by the same flush, in the same transaction, as the change
 * it describes, so an event exists exactly when its change committed. `crewId` is the crew allowed to
 * see a report event (the crew of the report's active assignment); crew and assignment events carry their own.
 */
export function appendEvent<T extends DispatchEventType>(em: EntityManager, type: T, payload: DispatchEventPayloads[T], crewId?: string | null): void {
  em.persist(Object.assign(new DispatchEventRow(), outboxRow(type, payload, crewId)));
}

/**
 * The columns of an outbox row: who may see the event follows from its payload. `appendEvent` queues
 * one; a command written as a single statement (createReport) inserts these values itself.
 */
export function outboxRow<T extends DispatchEventType>(type: T, payload: DispatchEventPayloads[T], crewId?: string | null) {
  const parts = payload as { report?: { id: string }; assignment?: { id: string; crewId: string }; crew?: { id: string } };
  return {
    type,
    reportId: parts.report?.id ?? null,
    assignmentId: parts.assignment?.id ?? null,
    crewId: parts.crew?.id ?? parts.assignment?.crewId ?? crewId ?? null,
    payload,
  };
}
