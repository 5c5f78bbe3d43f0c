import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Crew } from '../crews/crews.entity.js';
import { Role } from '../access/access.roles.js';

/** A person who signs in: staff of the center or a crew's phone. */
@Entity({ tableName: 'app_user' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 80, unique: true })
  username!: string;

  /** scrypt, see password.ts; never a plain password. */
  @Property({ type: 'string', length: 300, hidden: true })
  passwordHash!: string;

  @Enum({ items: () => Role, type: 'string' })
  role!: Role;

  @ManyToOne(() => Crew, { nullable: true, fieldName: 'crew_id' })
  crew?: Crew | null;

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

/** A gateway's or integrator's key; only its SHA-256 is stored. */
@Entity({ tableName: 'api_key' })
export class ApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 120 })
  name!: string;

  @Property({ type: 'string', length: 64, unique: true, hidden: true })
  keyHash!: string;

  @Enum({ items: () => Role, type: 'string' })
  role!: Role;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

/** A signed-in shift: the bearer token's SHA-256, its expiry and its revocation. */
@Entity({ tableName: 'session' })
@Index({ properties: ['user'] })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: true, hidden: true })
  tokenHash!: string;

  @ManyToOne(() => User, { fieldName: 'user_id' })
  user!: User;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
