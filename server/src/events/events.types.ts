import { Field, InputType } from 'type-graphql';
import { ViewType } from '../common/view-type.js';
import { AssignmentView } from '../assignments/assignments.types.js';
import { CrewView } from '../crews/crews.types.js';
import { Priority } from '../reports/reports.enums.js';
import { ReportView } from '../reports/reports.types.js';
import { DispatchEventType } from '../outbox/outbox.map.js';
import { FollowUpView } from '../followups/followups.types.js';

@ViewType('DispatchEvent', 'One change, with the entities as they were at that change (compare their `version`)')
export class DispatchEventView {
  @Field(() => String, { description: 'Position in the event stream: pass it as `after` to resume from here' })
  cursor!: string;

  @Field(() => DispatchEventType, { description: 'What changed' })
  type!: DispatchEventType;

  @Field(() => Date, { description: 'When the change was made' })
  occurredAt!: Date;

  @Field(() => ReportView, { nullable: true, description: 'The report, for report and assignment events' })
  report?: ReportView | null;

  @Field(() => AssignmentView, { nullable: true, description: 'The assignment, for assignment events' })
  assignment?: AssignmentView | null;

  @Field(() => FollowUpView, { nullable: true, description: 'The follow-up call, for FOLLOWUP_CREATED and FOLLOWUP_UPDATED (staff and agents only)' })
  followUp!: FollowUpView | null;

  @Field(() => CrewView, { nullable: true, description: 'The crew, for crew and assignment events' })
  crew?: CrewView | null;
}

@InputType({
  description:
    'Which events to receive; every given condition must hold. Municipality applies to the report (or, for crew events, the crew); category and priority apply to events that carry a report',
})
export class DispatchEventFilter {
  @Field(() => [DispatchEventType], { nullable: true, description: 'Any of these types' })
  types?: DispatchEventType[] | null;

  @Field(() => [String], { nullable: true, description: 'Any of these municipality codes' })
  municipalityCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Any of these category codes' })
  categoryCodes?: string[] | null;

  @Field(() => [Priority], { nullable: true, description: 'Any of these priorities' })
  priorities?: Priority[] | null;
}
