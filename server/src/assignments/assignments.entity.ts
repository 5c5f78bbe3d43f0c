import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Crew } from '../crews/crews.entity.js';
import { Report } from '../reports/reports.entity.js';
import { AssignmentStatus } from './assignments.enums.js';

/**
 * A report given to a crew. The migration adds a partial unique index so the database itself refuses a
 * second active assignment for one report, whatever the application does.
 */
@Entity({ tableName: 'assignment' })
@Index({ properties: ['crew', 'status'] })
@Index({ properties: ['report'] })
export class Assignment {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Report, { fieldName: 'report_id' })
  report!: Report;

  @ManyToOne(() => Crew, { fieldName: 'crew_id' })
  crew!: Crew;

  @Enum({ items: () => AssignmentStatus, type: 'string' })
  status: AssignmentStatus = AssignmentStatus.PENDING;

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ type: 'integer' })
  version: number = 1;
}
