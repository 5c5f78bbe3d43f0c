import { graphql } from './graphql.ts';

/**
 * The report fields the queue, the map and the live events share (no nested assignment: events carry it
 * apart). `open` and `queueKey` are the server's word on whether the report is in the queue and where.
 * `media` is only what the queue row's icons need (the detail view asks for the links);
 * `reopenedAfterFollowUp` marks a report the citizen said was not fixed (the queue row's marker).
 * `acknowledgedAt` (a dispatcher saw it: an unacknowledged CRITICAL report is pinned and alarms) and
 * `possibleDuplicates` (the row's and the detail's duplicate hint, and a quieter alarm) are the server's too.
 */
export const ReportCoreFields = graphql(`
  fragment ReportCore on Report {
    id
    reference
    kind
    channel
    priority
    status
    open
    queueKey
    description
    receivedAt
    targetAt
    updatedAt
    version
    category { code }
    location { lat lng address municipality { code } }
    media { id kind }
    reopenedAfterFollowUp
    acknowledgedAt
    possibleDuplicates { reference distanceMeters minutesApart earlier open report { id } }
  }
`);

/**
 * An assignment's own fields, without its report or crew (whoever reads it knows them already), and the
 * statuses the viewer may move it to now (none once it is finished). Whether a move needs a note is asked
 * only where a move is made (the crew app).
 */
export const AssignmentFields = graphql(`
  fragment AssignmentFields on Assignment {
    id
    status
    version
    note
    createdAt
    updatedAt
    nextSteps { status }
  }
`);

/** A crew as the floor and the crew app show it, with the assignment it is furthest along on (the server's choice). */
export const CrewFields = graphql(`
  fragment CrewFields on Crew {
    id
    name
    nameAr
    nameEn
    onDuty
    status
    version
    skills
    department { code }
    municipality { code }
    location { lat lng at }
    activeAssignment { id }
  }
`);

/**
 * The satisfaction center's follow-up call on a resolved report: where it stands, each attempt, and the
 * citizen's answers once reached. `claimedBy` names the agent holding it now (until `claimedUntil`).
 */
export const FollowUpFields = graphql(`
  fragment FollowUpFields on FollowUp {
    id
    status
    dueAt
    nextAttemptAt
    attempts
    claimedBy
    claimedUntil
    satisfaction
    fixed
    comment
    closedReason
    beneficiaryType
    createdAt
    completedAt
    version
    attemptLog { at agent outcome note callBackAt }
  }
`);

/**
 * One live dispatch event: what changed, with each entity it touched at its new version. A follow-up
 * event names its follow-up's version and report only: the views that show one load it themselves.
 */
export const DispatchEventFields = graphql(
  `
  fragment DispatchEventFields on DispatchEvent {
    cursor
    type
    occurredAt
    report { ...ReportCore }
    assignment { ...AssignmentFields }
    crew { ...CrewFields }
    followUp { id status version report { id } }
  }
`,
  [ReportCoreFields, AssignmentFields, CrewFields],
);
