import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { DispatchEventType } from './outbox.map.js';

/**
 * The outbox: one row per change, written in the same transaction as the change. `txId` defaults to
 * `pg_current_xact_id()`; readers only read below the oldest running transaction and order by
 * `(txId, id)`, so a late commit can never slip in behind a cursor. No foreign keys: events outlive
 * nothing and are pruned by age.
 */
@Entity({ tableName: 'dispatch_event' })
export class DispatchEventRow {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', columnType: 'xid8', persist: false, defaultRaw: 'pg_current_xact_id()' })
  txId!: string;

  @Enum({ items: () => DispatchEventType, type: 'string' })
  type!: DispatchEventType;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  occurredAt: Date = new Date();

  @Property({ type: 'uuid', nullable: true })
  reportId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  assignmentId?: string | null;

  /** The crews that see this event besides staff and integrators (the access policy's `eventCrews`). */
  @Property({ type: 'string[]', columnType: 'uuid[]', defaultRaw: `'{}'` })
  crewIds: string[] = [];

  /** JSON snapshots of the entities as they were at this event, shaped by their mappers. */
  @Property({ type: 'json' })
  payload!: object;
}
