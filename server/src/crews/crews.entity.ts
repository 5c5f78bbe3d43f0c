import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Department, Municipality } from '../reference/reference.entity.js';

/**
 * A field crew. Its dispatch status is derived from `onDuty` and its active assignment, never stored,
 * so there is no second copy of the truth to drift.
 */
@Entity({ tableName: 'crew' })
export class Crew {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The crew's name in Arabic, what the Arabic console and `Crew.name` show (column `name`, from before crews had two). */
  @Property({ type: 'string', length: 120, fieldName: 'name' })
  nameAr!: string;

  /** The crew's name in English, what the English console shows. */
  @Property({ type: 'string', length: 120 })
  nameEn!: string;

  @ManyToOne(() => Department, { fieldName: 'department_code' })
  department!: Department;

  @ManyToOne(() => Municipality, { fieldName: 'municipality_code' })
  municipality!: Municipality;

  /** Category codes this crew is equipped for. */
  @Property({ type: 'text[]' })
  skills: string[] = [];

  @Property({ type: 'boolean' })
  onDuty: boolean = false;

  @Property({ type: 'double', nullable: true })
  lat?: number | null;

  @Property({ type: 'double', nullable: true })
  lng?: number | null;

  @Property({ type: 'datetime', nullable: true })
  locationAt?: Date | null;

  /** Bumped on every change so a client can drop a stale update. */
  @Property({ type: 'integer' })
  version: number = 1;
}
