import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { BeneficiaryType } from '../reports/reports.enums.js';
import { Report } from '../reports/reports.entity.js';
import { CallOutcome, FixedAnswer, FollowUpStatus } from './followups.enums.js';

/**
 * The satisfaction center's call back after a report was resolved. Created in the resolving transaction
 * (when the report has a phone), callable from `nextAttemptAt` inside calling hours, held by one agent at a
 * time (`claimedBy` until `claimedUntil`). The migration adds one open follow-up per report (partial unique
 * index) and the partial index `claimNextFollowUp` reads in call order.
 */
@Entity({ tableName: 'follow_up' })
@Index({ properties: ['report', 'createdAt'] })
export class FollowUp {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Report, { fieldName: 'report_id' })
  report!: Report;

  @Enum({ items: () => FollowUpStatus, type: 'string' })
  status: FollowUpStatus = FollowUpStatus.PENDING;

  /** The number to call, in E.164 as the report has it. */
  @Property({ type: 'string', length: 20 })
  phone!: string;

  @Enum({ items: () => BeneficiaryType, type: 'string', nullable: true })
  beneficiaryType?: BeneficiaryType | null;

  /** When it first became callable (resolution + FOLLOWUP_DELAY_HOURS, moved into calling hours). */
  @Property({ type: 'datetime' })
  dueAt!: Date;

  /** When it may be called next. */
  @Property({ type: 'datetime' })
  nextAttemptAt!: Date;

  @Property({ type: 'integer' })
  attempts: number = 0;

  /** Calls nobody answered (NO_ANSWER, BUSY): FOLLOWUP_MAX_ATTEMPTS of them make it UNREACHABLE. */
  @Property({ type: 'integer' })
  unanswered: number = 0;

  @Property({ type: 'uuid', nullable: true })
  claimedBy?: string | null;

  @Property({ type: 'string', length: 120, nullable: true })
  claimedByName?: string | null;

  @Property({ type: 'datetime', nullable: true })
  claimedUntil?: Date | null;

  @Property({ type: 'integer', nullable: true })
  satisfaction?: number | null;

  @Enum({ items: () => FixedAnswer, type: 'string', nullable: true })
  fixed?: FixedAnswer | null;

  @Property({ type: 'text', nullable: true })
  comment?: string | null;

  @Property({ type: 'text', nullable: true })
  closedReason?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'string', length: 120, nullable: true })
  completedBy?: string | null;

  @Property({ type: 'integer' })
  version: number = 1;
}

/** One call of a follow-up, as the agent recorded it. */
@Entity({ tableName: 'follow_up_attempt' })
@Index({ properties: ['followUp', 'at'] })
export class FollowUpAttempt {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => FollowUp, { fieldName: 'follow_up_id' })
  followUp!: FollowUp;

  @Property({ type: 'datetime' })
  at!: Date;

  /** The agent's user name. */
  @Property({ type: 'string', length: 120 })
  agent!: string;

  @Enum({ items: () => CallOutcome, type: 'string' })
  outcome!: CallOutcome;

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @Property({ type: 'datetime', nullable: true })
  callBackAt?: Date | null;
}
