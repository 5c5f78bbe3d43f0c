import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ViewType } from '../common/view-type.js';
import { BeneficiaryType, Channel, Priority, ReportKind, ReportStatus } from './reports.enums.js';

/**
 * A report as the API shows it. Relations (category, municipality, assignments, timeline) and the
 * role-dependent reporter are field resolvers; the plain fields here are also the JSON snapshot stored
 * with each dispatch event, so an event shows the report as it was then.
 */
@ViewType('Report', 'A report (بلاغ), note or inquiry, tracked from intake to closure')
export class ReportView {
  @Field(() => ID, { description: 'Opaque identifier' })
  id!: string;

  @Field(() => String, { description: 'Human reference quoted to the reporter, e.g. 940-2026-000123' })
  reference!: string;

  @Field(() => ReportKind, { description: 'Report, note or inquiry' })
  kind!: ReportKind;

  @Field(() => Channel, { description: 'How it reached the center' })
  channel!: Channel;

  @Field(() => Priority, { description: "Current priority; starts at the category's default" })
  priority!: Priority;

  @Field(() => ReportStatus, { description: 'Where it is in its life' })
  status!: ReportStatus;

  @Field(() => String, { description: "The reporter's description" })
  description!: string;

  @Field(() => Date, { description: 'When the center received it' })
  receivedAt!: Date;

  @Field(() => Date, { description: "Response target: receivedAt plus the category's target hours" })
  targetAt!: Date;

  @Field(() => Date, { description: 'When it last changed' })
  updatedAt!: Date;

  @Field(() => Int, { description: 'Incremented on every change; a client drops any update with a lower version' })
  version!: number;

  @Field(() => String, { nullable: true, description: 'Why it was rejected, when REJECTED' })
  rejectionReason!: string | null;

  @Field(() => String, { nullable: true, description: 'The external entity it was referred to, when REJECTED as not ours' })
  referredTo!: string | null;

  categoryCode!: string;
  municipalityCode!: string;
  lat!: number;
  lng!: number;
  address!: string | null;
  reporterName!: string | null;
  reporterPhone!: string | null;
  beneficiaryType!: BeneficiaryType | null;
  submittedBy!: string;
  duplicateOfId!: string | null;

  @Field(() => String, { nullable: true, description: 'An inquiry’s or note’s answer from the satisfaction center (answerInquiry)' })
  answer!: string | null;

  /** When a follow-up call reopened it (the reporter said it was not fixed); null otherwise. */
  reopenedAfterFollowUpAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When a dispatcher acknowledged it (acknowledgeReport), shared by every console: an unacknowledged CRITICAL report stays pinned at the top of the queue; null until then',
  })
  acknowledgedAt!: Date | null;

  /** Who acknowledged it (a username): the `acknowledgedBy` field, for those who see who did what. */
  acknowledgedBy!: string | null;
}

@ViewType('ReportLocation', 'Where the problem is')
export class ReportLocationView {
  @Field(() => Float, { description: 'Latitude, WGS84' })
  lat!: number;

  @Field(() => Float, { description: 'Longitude, WGS84' })
  lng!: number;

  @Field(() => String, { nullable: true, description: 'Address or landmark as given' })
  address?: string | null;

  municipalityCode!: string;
}

@ViewType('Reporter', 'Who filed the report; name and phone are masked for integrators')
export class ReporterView {
  @Field(() => String, { nullable: true, description: 'Name, masked (e.g. "م*** ا***") for roles that may not see it' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Phone, masked (e.g. "+9665*****567") for roles that may not see it' })
  phone?: string | null;

  @Field(() => BeneficiaryType, { nullable: true, description: 'Citizen, resident, contractor, investor or staff' })
  beneficiaryType?: BeneficiaryType | null;
}

@ViewType(
  'TimelineParams',
  "What a timeline line is about beyond its action code, as data for a client to word in its reader's language (the server writes no sentence into a line). Each action fills its own fields and leaves the rest null: ASSIGNED the crew (crewId, crewNameAr, crewNameEn); MARKED_DUPLICATE the original's reference; MERGED_WITH_ORIGINAL the original's reference and withReference; MEDIA_ATTACHED photos and voice; CLOSED_AFTER_FOLLOWUP and REOPENED_AFTER_FOLLOWUP satisfaction and fixed; UNREACHABLE outcome and attempts",
)
export class TimelineParamsView {
  @Field(() => ID, { nullable: true, description: 'ASSIGNED: the crew given the report' })
  crewId?: string | null;

  @Field(() => String, { nullable: true, description: "ASSIGNED: the crew's Arabic name when it was assigned" })
  crewNameAr?: string | null;

  @Field(() => String, { nullable: true, description: "ASSIGNED: the crew's English name when it was assigned" })
  crewNameEn?: string | null;

  @Field(() => String, { nullable: true, description: 'MARKED_DUPLICATE, MERGED_WITH_ORIGINAL: the reference of the original report this one was merged into' })
  reference?: string | null;

  @Field(() => String, { nullable: true, description: 'MERGED_WITH_ORIGINAL: the report this one had been merged into, which went into the original with it' })
  withReference?: string | null;

  @Field(() => Int, { nullable: true, description: 'MEDIA_ATTACHED: how many photos were added' })
  photos?: number | null;

  @Field(() => Int, { nullable: true, description: 'MEDIA_ATTACHED: how many voice notes were added' })
  voice?: number | null;

  @Field(() => Int, { nullable: true, description: "CLOSED_AFTER_FOLLOWUP, REOPENED_AFTER_FOLLOWUP: the reporter's rating, 1 to 5" })
  satisfaction?: number | null;

  @Field(() => String, { nullable: true, description: 'CLOSED_AFTER_FOLLOWUP, REOPENED_AFTER_FOLLOWUP: whether the reporter says it was fixed (YES, PARTLY, NO)' })
  fixed?: string | null;

  @Field(() => String, { nullable: true, description: "UNREACHABLE: the last call's outcome (e.g. WRONG_NUMBER, NO_ANSWER)" })
  outcome?: string | null;

  @Field(() => Int, { nullable: true, description: 'UNREACHABLE: how many calls were made' })
  attempts?: number | null;
}

@ViewType(
  'TimelineEntry',
  'One line of the audit trail, as the caller may see it: staff see every line whole; an intake key the status changes of what it filed (times and statuses); an integrator codes, statuses and times; a crew its own work whole and the rest as codes',
)
export class TimelineEntryView {
  @Field(() => Date, { description: 'When it happened' })
  at!: Date;

  @Field(() => String, { nullable: true, description: "Who did it: a username or an API key name; null when the caller may not see it (intake keys, integrators, another crew's work)" })
  actor?: string | null;

  @Field(() => String, { description: 'What was done, e.g. CREATED, TRIAGED, ASSIGNED, ASSIGNMENT_ACCEPTED, CLOSED; STATUS_CHANGED for every line an intake key sees' })
  action!: string;

  @Field(() => ReportStatus, { nullable: true, description: 'Report status before, when it changed' })
  fromStatus?: ReportStatus | null;

  @Field(() => ReportStatus, { nullable: true, description: 'Report status after, when it changed' })
  toStatus?: ReportStatus | null;

  @Field(() => String, {
    nullable: true,
    description: "Why, in the actor's words (only ever what a person typed); null when the caller may not see it (intake keys, integrators, another crew's work)",
  })
  note?: string | null;

  @Field(() => TimelineParamsView, {
    nullable: true,
    description: 'What the line is about beyond its code (the crew, the other report, the media counted), for the client to word; null when the line has none or the caller may not see it (as note)',
  })
  params?: TimelineParamsView | null;
}

@InputType({ description: 'Where the problem is; the municipality is derived from the coordinates when not given' })
export class LocationInput {
  @Field(() => Float, { description: 'Latitude, WGS84, inside the Eastern Province' })
  lat!: number;

  @Field(() => Float, { description: 'Longitude, WGS84, inside the Eastern Province' })
  lng!: number;

  @Field(() => String, { nullable: true, description: 'Address or landmark, at most 500 characters' })
  address?: string | null;

  @Field(() => String, { nullable: true, description: 'Municipality code; derived from the coordinates when absent' })
  municipalityCode?: string | null;
}

@InputType({ description: 'Who is reporting' })
export class ReporterInput {
  @Field(() => String, { nullable: true, description: 'Name, at most 200 characters' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Phone number, 7 to 15 digits with an optional +' })
  phone?: string | null;

  @Field(() => BeneficiaryType, { nullable: true, description: 'Citizen, resident, contractor, investor or staff' })
  beneficiaryType?: BeneficiaryType | null;
}

@InputType({ description: 'A new report from a gateway, a call-taker or the web' })
export class CreateReportInput {
  @Field(() => String, {
    description: "The sender's unique key for this report (1 to 120 characters): a retry with the same key returns the first report instead of filing a second",
  })
  idempotencyKey!: string;

  @Field(() => ReportKind, { defaultValue: ReportKind.INCIDENT, description: 'Report, note or inquiry; INCIDENT by default' })
  kind!: ReportKind;

  @Field(() => Channel, { description: 'How it reached the center' })
  channel!: Channel;

  @Field(() => String, { description: 'Category code, see Query.categories' })
  categoryCode!: string;

  @Field(() => String, { description: 'What is wrong, 1 to 5,000 characters' })
  description!: string;

  @Field(() => LocationInput, { description: 'Where' })
  location!: LocationInput;

  @Field(() => ReporterInput, { nullable: true, description: 'Who; optional for anonymous reports' })
  reporter?: ReporterInput | null;

  @Field(() => [ID], { nullable: true, description: 'Photos and a voice note this sender uploaded with POST /media, attached with the report (at most 6 photos and 1 voice note)' })
  mediaIds?: string[] | null;
}

@InputType({ description: 'Correct the category and priority of a report' })
export class TriageReportInput {
  @Field(() => String, { nullable: true, description: 'New category; its target hours recompute targetAt' })
  categoryCode?: string | null;

  @Field(() => Priority, { nullable: true, description: 'New priority' })
  priority?: Priority | null;

  @Field(() => String, { nullable: true, description: 'Why, at most 2,000 characters' })
  note?: string | null;
}
