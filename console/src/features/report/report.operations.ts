import { AssignmentFields, FollowUpFields, ReportCoreFields } from '../../graphql/fragments.ts';
import { graphql } from '../../graphql/graphql.ts';
import { MediaFields } from '../media/media.operations.ts';

/**
 * Everything the detail view shows of one report: the report, its reporter, its photos and voice notes
 * (the reporter's and the crews' after-photos, with fresh signed links), assignments and timeline, an
 * inquiry's answer and the satisfaction center's latest follow-up call (null for those who may not see it).
 */
export const ReportDetailQuery = graphql(
  `
  query ReportDetail($id: ID!) {
    report(id: $id) {
      ...ReportCore
      overdue
      rejectionReason
      referredTo
      reporter { name phone beneficiaryType }
      duplicateOf { id reference }
      allowedActions
      activeAssignment { id nextSteps { status } }
      assignments { ...AssignmentFields crew { id name nameAr nameEn } }
      timeline { at actor action fromStatus toStatus note params { crewId crewNameAr crewNameEn reference withReference photos voice satisfaction fixed outcome attempts } }
      media { ...MediaFields }
      answer
      followUp { ...FollowUpFields }
    }
  }
`,
  [ReportCoreFields, AssignmentFields, MediaFields, FollowUpFields],
);

/** The on-duty crews of a department, nearest to a point first: the choice when assigning. */
export const AssignableCrewsQuery = graphql(`
  query AssignableCrews($departmentCodes: [String!], $near: PointInput!) {
    crews(filter: { departmentCodes: $departmentCodes, onDuty: true, near: $near }) {
      id
      name
      nameAr
      nameEn
      status
      location { lat lng }
    }
  }
`);

/** The report a dispatcher names by reference when marking a duplicate. */
export const ReportByReferenceQuery = graphql(`
  query ReportByReference($reference: String!) {
    reportByReference(reference: $reference) { id reference status }
  }
`);

export const TriageReportMutation = graphql(`
  mutation TriageReport($id: ID!, $input: TriageReportInput!) {
    triageReport(id: $id, input: $input) { id version }
  }
`);

export const AssignReportMutation = graphql(`
  mutation AssignReport($input: AssignReportInput!) {
    assignReport(input: $input) { id status version }
  }
`);

export const CancelAssignmentMutation = graphql(`
  mutation CancelAssignment($id: ID!, $reason: String!) {
    cancelAssignment(id: $id, reason: $reason) { id status version }
  }
`);

export const CloseReportMutation = graphql(`
  mutation CloseReport($id: ID!, $note: String) {
    closeReport(id: $id, note: $note) { id version }
  }
`);

export const RejectReportMutation = graphql(`
  mutation RejectReport($id: ID!, $reason: String!, $referredTo: String) {
    rejectReport(id: $id, reason: $reason, referredTo: $referredTo) { id version }
  }
`);

export const MarkDuplicateMutation = graphql(`
  mutation MarkDuplicate($id: ID!, $duplicateOf: ID!) {
    markDuplicate(id: $id, duplicateOf: $duplicateOf) { id version }
  }
`);

export const ReopenReportMutation = graphql(`
  mutation ReopenReport($id: ID!, $reason: String!) {
    reopenReport(id: $id, reason: $reason) { id version }
  }
`);

/** Answers an inquiry or a note still RECEIVED (Report.allowedActions offers ANSWER): the answer is recorded and the report RESOLVED. */
export const AnswerInquiryMutation = graphql(`
  mutation AnswerInquiry($reportId: ID!, $answer: String!) {
    answerInquiry(reportId: $reportId, answer: $answer) { id status answer version }
  }
`);

/** Adds a note to a report's timeline (NOTE_ADDED), e.g. what a caller added on the phone; the status stays. */
export const AddReportNoteMutation = graphql(`
  mutation AddReportNote($reportId: ID!, $note: String!) {
    addReportNote(reportId: $reportId, note: $note) { id version }
  }
`);
