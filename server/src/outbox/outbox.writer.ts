import type { EntityManager } from '@mikro-orm/postgresql';
import { eventCrews } from '../access/access.policy.js';
import { DispatchEventRow } from './outbox.entity.js';
import type { DispatchEventPayloads, DispatchEventType } from './outbox.map.js';

/**
 * Queues an outbox row on `em`; it is inserted by the same flush, in the same transaction, as the change
 * it describes, so an event exists exactly when its change committed. `reportHolders` are the crews that
 * hold the report of a report event when it is written (the access policy's REPORT_HOLDERS_SQL); crew and
 * assignment events name their own crew (`eventCrews`).
 */
export function appendEvent<T extends DispatchEventType>(em: EntityManager, type: T, payload: DispatchEventPayloads[T], reportHolders: readonly string[] = []): void {
  em.persist(outboxRow(type, payload, reportHolders));
}

/**
 * The outbox row of an event: who may see it follows from its payload and the report's holders.
 * `appendEvent` queues one; a command written as a single statement (createReport) inserts the same row
 * with `insertSelectSql`.
 */
export function outboxRow<T extends DispatchEventType>(type: T, payload: DispatchEventPayloads[T], reportHolders: readonly string[] = []) {
  const parts: { report?: { id: string }; assignment?: { id: string; crewId: string }; crew?: { id: string } } = payload;
  return Object.assign(new DispatchEventRow(), {
    type,
    reportId: parts.report?.id ?? null,
    assignmentId: parts.assignment?.id ?? null,
    crewIds: eventCrews(parts, reportHolders),
    payload,
  });
}
