import { FollowUpFields, ReportCoreFields } from '../../graphql/fragments.ts';
import { graphql } from '../../graphql/graphql.ts';
import { MediaFields } from '../media/media.operations.ts';

/** The satisfaction center's counters: follow-ups due now, scheduled later, unreachable, and done today. */
export const FollowUpCountsQuery = graphql(`
  query FollowUpCounts {
    followUpCounts { dueNow scheduledLater unreachable doneToday }
  }
`);

/**
 * What an agent needs on the phone about the report being followed up: the report (category, location,
 * status), who to call, what happened to it (the timeline, the crew's note among it) and its photos.
 */
export const CallReportFields = graphql(
  `
  fragment CallReport on Report {
    ...ReportCore
    reporter { name phone beneficiaryType }
    timeline { at actor action fromStatus toStatus note params { crewId crewNameAr crewNameEn reference withReference photos voice satisfaction fixed outcome attempts } }
    media { ...MediaFields }
  }
`,
  [ReportCoreFields, MediaFields],
);

/** Takes the next follow-up due for a call and holds it for this agent (Config.followUp.claimMinutes); null when none is due now. */
export const ClaimNextFollowUpMutation = graphql(
  `
  mutation ClaimNextFollowUp {
    claimNextFollowUp {
      ...FollowUpFields
      report { ...CallReport }
    }
  }
`,
  [FollowUpFields, CallReportFields],
);

/** Gives a held follow-up back untouched, for another agent to call. */
export const ReleaseFollowUpMutation = graphql(`
  mutation ReleaseFollowUp($id: ID!) {
    releaseFollowUp(id: $id) { id status claimedBy version }
  }
`);

/**
 * Records one call: its outcome, and when reached the citizen's rating (1–5), whether it was fixed and their
 * comment (not fixed reopens the report); a call back later needs when. CONFLICT when another agent holds it
 * or it is finished; BAD_USER_INPUT names the field at fault.
 */
export const RecordFollowUpAttemptMutation = graphql(
  `
  mutation RecordFollowUpAttempt($input: RecordFollowUpInput!) {
    recordFollowUpAttempt(input: $input) { ...FollowUpFields }
  }
`,
  [FollowUpFields],
);

/** The inquiry inbox: inquiries and notes still RECEIVED, in the server's order, with what they ask and who asked. */
export const InquiryInboxQuery = graphql(
  `
  query InquiryInbox($first: Int!) {
    reports(first: $first, filter: { kinds: [INQUIRY, NOTE], statuses: [RECEIVED] }) {
      totalCount
      edges {
        node {
          ...ReportCore
          reporter { name phone beneficiaryType }
          allowedActions
        }
      }
    }
  }
`,
  [ReportCoreFields],
);

/** A caller's reports, newest first, by their phone number in any usual form (the server normalises it; BAD_USER_INPUT on `phone` when it is not one). */
export const ReporterHistoryQuery = graphql(
  `
  query ReporterHistory($phone: String!) {
    reporterHistory(phone: $phone) {
      ...ReportCore
      reporter { name phone beneficiaryType }
      answer
      followUp { id status satisfaction fixed }
    }
  }
`,
  [ReportCoreFields],
);
