import { Extensions, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { CostExtensions } from '../common/limits.js';
import { PageInfo } from '../queue/queue.types.js';
import { BeneficiaryType } from '../reports/reports.enums.js';
import { CallOutcome, FixedAnswer, FollowUpStatus } from './followups.enums.js';

@ObjectType('FollowUpAttempt', { description: 'One call of a follow-up' })
export class FollowUpAttemptView {
  @Field(() => Date, { description: 'When the call was recorded' })
  at!: Date;

  @Field(() => String, { description: 'The agent who called' })
  agent!: string;

  @Field(() => CallOutcome, { description: 'What happened' })
  outcome!: CallOutcome;

  @Field(() => String, { nullable: true, description: 'The agent’s note' })
  note!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the reporter asked to be called again (CALL_BACK_LATER)' })
  callBackAt!: Date | null;
}

@ObjectType('FollowUp', { description: 'The satisfaction center’s call back to a reporter after a report was resolved' })
export class FollowUpView {
  @Field(() => ID, { description: 'Opaque identifier' })
  id!: string;

  reportId!: string;

  @Field(() => FollowUpStatus, { description: 'PENDING (to call), REACHED or UNREACHABLE' })
  status!: FollowUpStatus;

  @Field(() => BeneficiaryType, { nullable: true, description: 'The reporter’s kind (citizen, resident, contractor, investor, staff), from the report' })
  beneficiaryType!: BeneficiaryType | null;

  @Field(() => Date, { description: 'When it first became callable: resolution plus FOLLOWUP_DELAY_HOURS, inside calling hours' })
  dueAt!: Date;

  @Field(() => Date, { description: 'When it may be called next' })
  nextAttemptAt!: Date;

  @Field(() => Int, { description: 'Calls made so far' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'The agent holding it now (a claim lasts FOLLOWUP_CLAIM_MINUTES)' })
  claimedBy!: string | null;

  @Field(() => Date, { nullable: true, description: 'Until when that agent holds it' })
  claimedUntil!: Date | null;

  @Field(() => Int, { nullable: true, description: 'The reporter’s rating, 1 (very dissatisfied) to 5 (very satisfied), when REACHED' })
  satisfaction!: number | null;

  @Field(() => FixedAnswer, { nullable: true, description: 'Whether the reporter says it was fixed, when REACHED' })
  fixed!: FixedAnswer | null;

  @Field(() => String, { nullable: true, description: 'The reporter’s own words' })
  comment!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it ended UNREACHABLE' })
  closedReason!: string | null;

  @Field(() => Date, { description: 'When it was created (the report’s resolution)' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was finished' })
  completedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who finished it' })
  completedBy!: string | null;

  @Field(() => Int, { description: 'Bumped by every change; an event older than what a client holds is stale' })
  version!: number;
}

@ObjectType('FollowUpCounts', { description: 'The satisfaction center’s counters, as of now' })
export class FollowUpCounts {
  @Field(() => Int, { description: 'Pending and callable now, held by nobody' })
  dueNow!: number;

  @Field(() => Int, { description: 'Pending, callable later (at night, on Friday, or a retry)' })
  scheduledLater!: number;

  @Field(() => Int, { description: 'Ended UNREACHABLE (all time)' })
  unreachable!: number;

  @Field(() => Int, { description: 'Finished today (Asia/Riyadh), reached or unreachable' })
  doneToday!: number;
}

@ObjectType('FollowUpEdge', { description: 'A follow-up in a page' })
export class FollowUpEdge {
  @Field(() => String, { description: 'Position of this follow-up in the order (next attempt, then id)' })
  cursor!: string;

  @Field(() => FollowUpView, { description: 'The follow-up' })
  node!: FollowUpView;
}

@ObjectType('FollowUpConnection', { description: 'A page of follow-ups, soonest callable first' })
export class FollowUpConnection {
  @Extensions({ maxItems: 'first' } satisfies CostExtensions)
  @Field(() => [FollowUpEdge], { description: 'The page' })
  edges!: FollowUpEdge[];

  @Field(() => PageInfo, { description: 'Paging' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'Which follow-ups to list' })
export class FollowUpFilter {
  @Field(() => [FollowUpStatus], { nullable: true, description: 'Any of these statuses' })
  statuses?: FollowUpStatus[] | null;

  @Field(() => Date, { nullable: true, description: 'Callable before this time' })
  dueBefore?: Date | null;

  @Field(() => String, { nullable: true, description: 'Held or finished by this agent (user name)' })
  agent?: string | null;

  @Field(() => [String], { nullable: true, description: 'Reports in any of these municipalities' })
  municipalityCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Reports of any of these categories' })
  categoryCodes?: string[] | null;
}

@InputType({ description: 'One call of a follow-up the agent holds' })
export class RecordFollowUpInput {
  @Field(() => ID, { description: 'The follow-up, claimed by the caller' })
  followUpId!: string;

  @Field(() => CallOutcome, { description: 'What happened' })
  outcome!: CallOutcome;

  @Field(() => String, { nullable: true, description: 'The agent’s note, at most 2,000 characters' })
  note?: string | null;

  @Field(() => Date, { nullable: true, description: 'Required with CALL_BACK_LATER: when the reporter asked to be called' })
  callBackAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Required with REACHED: 1 to 5' })
  satisfaction?: number | null;

  @Field(() => FixedAnswer, { nullable: true, description: 'Required with REACHED: YES closes the report, NO or PARTLY reopens it' })
  fixed?: FixedAnswer | null;

  @Field(() => String, { nullable: true, description: 'The reporter’s own words, at most 2,000 characters' })
  comment?: string | null;
}
