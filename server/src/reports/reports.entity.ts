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
// The archive's orders (newest or oldest received, last changed) page on these with the id breaking ties (migration 20261203000000).
@Index({ name: 'report_received_at_id_index', properties: ['receivedAt', 'id'] })
@Index({ name: 'report_updated_at_id_index', properties: ['updatedAt', 'id'] })
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

  /**
   * When a dispatcher acknowledged it (acknowledgeReport): a server fact every console shares, so a CRITICAL
   * report stays pinned at the top of every dispatcher's queue until one of them has seen it.
   */
  @Property({ type: 'datetime', nullable: true })
  acknowledgedAt?: Date | null;

  /** Who acknowledged it (a username). */
  @Property({ type: 'string', length: 120, nullable: true })
  acknowledgedBy?: string | null;

  /** Set once the REPORT_OVERDUE event has been written, so it is written exactly once. */
  @Property({ type: 'datetime', nullable: true })
  overdueNotifiedAt?: Date | null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Property({ type: 'integer' })
  version: number = 1;
}

/**
 * What a timeline line is about beyond its code, as data the console words in its viewer's language: the
 * server writes no sentence of its own into a line (issue 13). Each action fills the keys it has:
 * ASSIGNED the crew; MARKED_DUPLICATE and MERGED_WITH_ORIGINAL the original's reference (and, for a report
 * that followed another into the original, that one's); MEDIA_ATTACHED how many photos and voice notes.
 */
export interface TimelineParams {
  crewId?: string;
  crewNameAr?: string;
  crewNameEn?: string;
  /** The other report's reference: the original a report was merged into. */
  reference?: string;
  /** For MERGED_WITH_ORIGINAL: the report this one had been merged into, which went to the original with it. */
  withReference?: string;
  photos?: number;
  voice?: number;
  /** Follow-up lines (CLOSED_AFTER_FOLLOWUP, REOPENED_AFTER_FOLLOWUP): the reporter's rating 1-5 and whether it was fixed (YES, PARTLY, NO). */
  satisfaction?: number;
  fixed?: string;
  /** UNREACHABLE: the last call's outcome and how many calls were made. */
  outcome?: string;
  attempts?: number;
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

  /** What a person typed; never a sentence the server makes up (that goes in `params`). */
  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @Property({ type: 'json', nullable: true })
  params?: TimelineParams | null;
}
