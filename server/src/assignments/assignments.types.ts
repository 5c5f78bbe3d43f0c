import { Extensions, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { CostExtensions } from '../common/limits.js';
import { ViewType } from '../common/view-type.js';
import { AssignmentStatus } from './assignments.enums.js';

/** An assignment as the API shows it; also its snapshot in dispatch events. */
@ViewType('Assignment', 'A report given to a crew, and how far the crew has got')
export class AssignmentView {
  @Field(() => ID, { description: 'Opaque identifier' })
  id!: string;

  @Field(() => AssignmentStatus, { description: 'Where the crew is with it' })
  status!: AssignmentStatus;

  @Field(() => String, { nullable: true, description: 'Latest note from the dispatcher or the crew' })
  note!: string | null;

  @Field(() => Date, { description: 'When the dispatcher assigned it' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed' })
  updatedAt!: Date;

  @Field(() => Int, { description: 'Incremented on every change' })
  version!: number;

  reportId!: string;
  crewId!: string;
}

@InputType({ description: 'Give a report to a crew' })
export class AssignReportInput {
  @Field(() => ID, { description: 'The report, which must have no active assignment' })
  reportId!: string;

  @Field(() => ID, { description: "An on-duty crew; the category department's crews are suggested, any may be chosen" })
  crewId!: string;

  @Field(() => String, { nullable: true, description: 'Instructions for the crew, at most 2,000 characters' })
  note?: string | null;

  @Field(() => Int, { nullable: true, description: 'The report version the dispatcher saw; CONFLICT when it changed since' })
  expectedVersion?: number | null;
}

@InputType({ description: "A crew's progress on its assignment" })
export class UpdateAssignmentStatusInput {
  @Field(() => ID, { description: 'The assignment' })
  assignmentId!: string;

  @Field(() => AssignmentStatus, { description: 'ACCEPTED, DECLINED, EN_ROUTE, ON_SITE or COMPLETED' })
  status!: AssignmentStatus;

  @Field(() => String, { nullable: true, description: 'Required when declining or completing: why, or what was done (at most 2,000 characters)' })
  note?: string | null;

  @Field(() => Int, { nullable: true, description: 'The assignment version the crew saw; CONFLICT when it changed since' })
  expectedVersion?: number | null;

  @Field(() => [ID], { nullable: true, description: 'With COMPLETED: after-photos the crew uploaded with POST /media (at most 6)' })
  mediaIds?: string[] | null;
}

@ObjectType('AssignmentStep', { description: 'A move the caller may make on an assignment now' })
export class AssignmentStep {
  @Field(() => AssignmentStatus, { description: 'The status it may move to' })
  status!: AssignmentStatus;

  @Field(() => Boolean, { description: 'Whether the move needs a note: why the crew declined, what it did, why a dispatcher took it back' })
  noteRequired!: boolean;
}

/** How many waiting jobs a crew's day lists at most: more than a dispatcher gives one crew at once (each job is counted whole, with its report and photos, by the cost rule). */
export const CREW_QUEUE_MAX = 10;
/** How many of today's finished jobs a crew's day lists at most: a long shift's work. */
export const CREW_FINISHED_MAX = 30;

/** A crew's day on its phone: one job under way, the jobs waiting in the order it will do them, and what it finished today. */
@ObjectType('CrewJobs', { description: "A crew's day: the job it works on now, the jobs waiting, and what it finished today" })
export class CrewJobsView {
  @Field(() => AssignmentView, {
    nullable: true,
    description: 'The job under way (EN_ROUTE or ON_SITE), else the first it accepted; null when it has only offers or nothing',
  })
  current!: AssignmentView | null;

  @Extensions({ maxItems: CREW_QUEUE_MAX } satisfies CostExtensions)
  @Field(() => [AssignmentView], { description: `The further jobs in the order the crew takes them: accepted ones oldest first, then offers (PENDING) oldest first; at most ${CREW_QUEUE_MAX}` })
  queue!: AssignmentView[];

  @Extensions({ maxItems: CREW_FINISHED_MAX } satisfies CostExtensions)
  @Field(() => [AssignmentView], { description: `Jobs it completed today (Asia/Riyadh), latest first; at most ${CREW_FINISHED_MAX}` })
  finishedToday!: AssignmentView[];
}
