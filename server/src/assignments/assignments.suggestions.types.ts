import { Extensions, Field, Float, Int, ObjectType } from 'type-graphql';
import type { CostExtensions } from '../common/limits.js';
import { CrewView } from '../crews/crews.types.js';
import { SuggestionReasonCode } from './assignments.suggestions.enums.js';
import { AssignmentView } from './assignments.types.js';

@ObjectType('SuggestionReason', { description: 'A reason for a suggestion, in Arabic and English' })
export class SuggestionReasonView {
  @Field(() => SuggestionReasonCode, { description: 'What kind of reason' })
  code!: SuggestionReasonCode;

  @Field(() => String, { description: 'In Arabic; numbers and references are isolated (U+2068 … U+2069) so they read in order' })
  textAr!: string;

  @Field(() => String, { description: 'In English' })
  textEn!: string;
}

/** The cost rule counts a suggestion's reasons as 6: duty, free or busy, location, skill, department, workload. */
const REASONS_MAX: CostExtensions = { maxItems: 6 };

@ObjectType('CrewSuggestion', { description: 'A crew ranked for a report by suggestCrews, with what placed it there' })
export class CrewSuggestionView {
  @Field(() => CrewView, { description: 'The crew' })
  crew!: CrewView;

  @Field(() => Float, { description: 'Higher is better; only the order among one answer means anything' })
  score!: number;

  @Field(() => Int, { nullable: true, description: 'Straight-line distance from its last location to the report; null when the location is unknown or older than 15 minutes' })
  distanceMeters!: number | null;

  @Field(() => Int, { nullable: true, description: 'How old its last location is, in whole minutes; null when it never shared one' })
  locationAgeMinutes!: number | null;

  @Field(() => Boolean, { description: 'Whether its location counts as unknown (none, or older than 15 minutes)' })
  locationStale!: boolean;

  @Field(() => Int, {
    nullable: true,
    description:
      'Estimated minutes to the report at an urban 30 km/h over the straight line, rounded, at least 1, from where it is now (not counting a current job); null when the location is unknown',
  })
  etaMinutes!: number | null;

  @Field(() => Boolean, { description: 'Whether it has an active assignment' })
  busy!: boolean;

  @Field(() => AssignmentView, { nullable: true, description: 'What a busy crew is doing: its leading active assignment' })
  currentAssignment!: AssignmentView | null;

  @Field(() => Int, { description: 'Jobs given to it or finished by it today (Asia/Riyadh), declined and cancelled ones not counted' })
  jobsToday!: number;

  @Extensions(REASONS_MAX)
  @Field(() => [SuggestionReasonView], { description: 'Why it stands here: duty, what it is doing, where it is, skill, department, workload' })
  reasons!: SuggestionReasonView[];
}
