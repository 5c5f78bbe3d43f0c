import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Category, Municipality } from '../reference/reference.entity.js';
import { BeneficiaryType, Channel, Priority, ReportKind, ReportStatus } from './reports.enums.js';

/**
 * A report (بلاغ), note or inquiry. The queue index (open reports by priority rank, target time, id) is a
 * partial index written in the migration; `priorityRank` mirrors `priority` so that index can sort on it.
 */
@Entity({ tableName: 'report' })
@Unique({ properties: ['submittedBy', 'idempotencyKey'] })
@Index({ properties: ['receivedAt'] })
export class Report {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** `940-<year>-<at least 6 digits>`, from a sequence so concurrent intake never waits on a counter row. */
  @Property({ type: 'string', length: 30, unique: true })
  reference!: string;

  @Enum({ items: () => ReportKind, type: 'string' })
  kind!: ReportKind;

  @Enum({ items: () => Channel, type: 'string' })
  channel!: Channel;

  @ManyToOne(() => Category, { fieldName: 'category_code' })
  category!: Category;

  @Enum({ items: () => Priority, type: 'string' })
  priority!: Priority;

  @Property({ type: 'smallint' })
  priorityRank!: number;

  @Enum({ items: () => ReportStatus, type: 'string' })
  status: ReportStatus = ReportStatus.RECEIVED;

  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'double' })
  lat!: number;

  @Property({ type: 'double' })
  lng!: number;

  @Property({ type: 'string', length: 500, nullable: true })
  address?: string | null;

  @ManyToOne(() => Municipality, { fieldName: 'municipality_code' })
  municipality!: Municipality;

  @Property({ type: 'string', length: 200, nullable: true })
  reporterName?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  reporterPhone?: string | null;

  /** The phone in E.164 (`+9665…`), whatever form it was given in: what a caller's history is looked up by. */
  @Property({ type: 'string', length: 20, nullable: true })
  reporterPhoneE164?: string | null;

  @Enum({ items: () => BeneficiaryType, type: 'string', nullable: true })
  beneficiaryType?: BeneficiaryType | null;

  @Property({ type: 'datetime' })
  receivedAt: Date = new Date();

  @Property({ type: 'datetime' })
  targetAt!: Date;

  /** The principal that filed it (`user:<id>` or `key:<id>`); scopes idempotency keys and INTAKE reads. */
  @Property({ type: 'string', length: 60 })
  submittedBy!: string;

  @Property({ type: 'string', length: 120 })
  idempotencyKey!: string;

  @ManyToOne(() => Report, { nullable: true, fieldName: 'duplicate_of_id' })
  duplicateOf?: Report | null;

  @Property({ type: 'string', length: 1000, nullable: true })
  rejectionReason?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  referredTo?: string | null;

  /** An inquiry's or note's answer from the satisfaction center (answerInquiry). */
  @Property({ type: 'text', nullable: true })
  answer?: string | null;

  @Property({ type: 'datetime', nullable: true })
  answeredAt?: Date | null;

  /** Set when a follow-up call reopened it (the reporter said it was not fixed); cleared when it closes. */
  @Property({ type: 'datetime', nullable: true })
  reopenedAfterFollowUpAt?: Date | null;

  /** Set once the REPORT_OVERDUE event has been written, so it is written exactly once. */
  @Property({ type: 'datetime', nullable: true })
  overdueNotifiedAt?: Date | null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ type: 'integer' })
  version: number = 1;
}

/** One line of a report's audit trail: who, when, what changed and why. */
@Entity({ tableName: 'timeline_entry' })
@Index({ properties: ['report', 'at'] })
export class TimelineEntry {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Report, { fieldName: 'report_id' })
  report!: Report;

  @Property({ type: 'uuid', nullable: true })
  assignmentId?: string | null;

  @Property({ type: 'datetime' })
  at: Date = new Date();

  /** Display name of the actor: a username or an API key's name. */
  @Property({ type: 'string', length: 120 })
  actor!: string;

  @Property({ type: 'string', length: 40 })
  action!: string;

  @Property({ type: 'string', length: 20, nullable: true })
  fromStatus?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  toStatus?: string | null;

  @Property({ type: 'text', nullable: true })
  note?: string | null;
}
