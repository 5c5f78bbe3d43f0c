import { Extensions, Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../access/access.roles.js';
import type { CostExtensions } from '../common/limits.js';

/** People looking at one report at once: a handful of dispatchers at most; counted as 20. */
export const VIEWERS_MAX: CostExtensions = { maxItems: 20 };

@ObjectType('Presence', { description: 'Someone at the center who has a report open now (issue 13), so a colleague does not take the same call' })
export class PresenceView {
  @Field(() => ID, { description: 'Their user id (the console leaves out the signed-in user by it)' })
  userId!: string;

  @Field(() => String, { description: 'Their user name, as the timeline writes it' })
  name!: string;

  @Field(() => Role, { description: 'Their role' })
  role!: Role;

  @Field(() => Date, { description: 'Since when they have it open (their earliest open page on it)' })
  since!: Date;
}

@ObjectType('ReportPresence', { description: 'Who has one report open now; sent again whenever that changes' })
export class ReportPresenceView {
  @Field(() => ID, { description: 'The report' })
  reportId!: string;

  @Extensions(VIEWERS_MAX)
  @Field(() => [PresenceView], { description: 'Everyone who has it open, earliest first, one entry per person; empty when nobody has' })
  viewers!: PresenceView[];
}
