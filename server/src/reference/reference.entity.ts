import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Priority } from '../reports/reports.enums.js';

/** A municipality (بلدية) of the province; its centre derives a report's municipality from coordinates. */
@Entity({ tableName: 'municipality' })
export class Municipality {
  [PrimaryKeyProp]?: 'code';

  @PrimaryKey({ type: 'string', length: 40 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  nameAr!: string;

  @Property({ type: 'string', length: 200 })
  nameEn!: string;

  @Property({ type: 'double' })
  lat!: number;

  @Property({ type: 'double' })
  lng!: number;
}

/** A department (إدارة) that owns field crews and categories of work. */
@Entity({ tableName: 'department' })
export class Department {
  [PrimaryKeyProp]?: 'code';

  @PrimaryKey({ type: 'string', length: 40 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  nameAr!: string;

  @Property({ type: 'string', length: 200 })
  nameEn!: string;
}

/** A kind of report with its default routing, priority and response target. */
@Entity({ tableName: 'category' })
export class Category {
  [PrimaryKeyProp]?: 'code';

  @PrimaryKey({ type: 'string', length: 40 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  nameAr!: string;

  @Property({ type: 'string', length: 200 })
  nameEn!: string;

  @ManyToOne(() => Department, { fieldName: 'department_code' })
  department!: Department;

  @Enum({ items: () => Priority, type: 'string' })
  defaultPriority!: Priority;

  @Property({ type: 'integer' })
  targetHours!: number;

  @Property({ type: 'boolean' })
  lifeSafety!: boolean;

  /** How near (metres) a report of this category must be to another to be suggested as its duplicate; null: DUPLICATE_RADIUS_M. */
  @Property({ type: 'integer', nullable: true })
  duplicateRadiusM?: number | null;

  /** How far apart in time (hours, before or after) two reports of this category may be and still be suggested as duplicates; null: DUPLICATE_WINDOW_HOURS. */
  @Property({ type: 'integer', nullable: true })
  duplicateWindowHours?: number | null;
}
