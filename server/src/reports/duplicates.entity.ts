import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A pair of reports a dispatcher marked "not a duplicate" (dismissDuplicate): never suggested again, either
 * way round. Stored once per pair with the lower id first (a check constraint says so), so one primary key
 * lookup answers for both directions and a second dismissal of the same pair changes nothing.
 */
@Entity({ tableName: 'duplicate_dismissal' })
export class DuplicateDismissal {
  [PrimaryKeyProp]?: ['reportId', 'otherId'];

  @PrimaryKey({ type: 'uuid' })
  reportId!: string;

  @PrimaryKey({ type: 'uuid' })
  otherId!: string;

  @Property({ type: 'datetime' })
  dismissedAt: Date = new Date();

  /** Who dismissed it (a username). */
  @Property({ type: 'string', length: 120 })
  dismissedBy!: string;
}
