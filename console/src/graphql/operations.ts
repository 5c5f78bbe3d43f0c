import { graphql } from './graphql.ts';

/** The report fields the queue, the map and the live events share (no nested assignment: events carry it apart). */
export const ReportCoreFields = graphql(`
  fragment ReportCore on Report {
    id
    reference
    kind
    channel
    priority
    status
    description
    receivedAt
    targetAt
    updatedAt
    version
    category { code }
    location { lat lng address municipality { code } }
  }
`);

export const AssignmentFields = graphql(`
  fragment AssignmentFields on Assignment {
    id
    status
    version
    note
    createdAt
    updatedAt
  }
`);

export const CrewFields = graphql(`
  fragment CrewFields on Crew {
    id
    name
    onDuty
    status
    version
    skills
    department { code }
    municipality { code }
    location { lat lng at }
  }
`);

export const ViewerQuery = graphql(
  `
  query Viewer {
    me { id username role crew { ...CrewFields } }
  }
`,
  [CrewFields],
);

export const ReferenceQuery = graphql(`
  query Reference {
    categories { code nameAr nameEn defaultPriority targetHours lifeSafety department { code } }
    municipalities { code nameAr nameEn lat lng }
    departments { code nameAr nameEn }
  }
`);

export const OpenReportsPageQuery = graphql(
  `
  query OpenReportsPage($first: Int!, $after: String, $withCount: Boolean!) {
    reports(first: $first, after: $after, filter: { statuses: [RECEIVED, ASSIGNED, IN_PROGRESS] }) {
      totalCount @include(if: $withCount)
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          ...ReportCore
          activeAssignment { ...AssignmentFields crew { id } }
        }
      }
    }
  }
`,
  [ReportCoreFields, AssignmentFields],
);

export const CrewsQuery = graphql(
  `
  query Crews($filter: CrewFilter) {
    crews(filter: $filter) { ...CrewFields }
  }
`,
  [CrewFields],
);

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
      activeAssignment { id }
      assignments { ...AssignmentFields crew { id name } }
      timeline { at actor action fromStatus toStatus note }
    }
  }
`,
  [ReportCoreFields, AssignmentFields],
);

export const ReportByReferenceQuery = graphql(`
  query ReportByReference($reference: String!) {
    reportByReference(reference: $reference) { id reference status }
  }
`);

/** A crew's own open work: the server scopes `reports` to the calling crew. */
export const CrewWorkQuery = graphql(
  `
  query CrewWork {
    reports(first: 50, filter: { statuses: [ASSIGNED, IN_PROGRESS] }) {
      edges {
        node {
          ...ReportCore
          activeAssignment { ...AssignmentFields crew { id } }
        }
      }
    }
  }
`,
  [ReportCoreFields, AssignmentFields],
);

export const DispatchEventsSubscription = graphql(
  `
  subscription DispatchEvents($after: String) {
    dispatchEvents(after: $after) {
      cursor
      type
      occurredAt
      report { ...ReportCore }
      assignment { ...AssignmentFields }
      crew { ...CrewFields }
    }
  }
`,
  [ReportCoreFields, AssignmentFields, CrewFields],
);

export const LoginMutation = graphql(
  `
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      expiresAt
      viewer { id username role crew { id name } }
    }
  }
`,
);

export const RenewTokenMutation = graphql(`
  mutation RenewToken {
    renewToken { token expiresAt viewer { id username role crew { id name } } }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout { logout }
`);

export const CreateReportMutation = graphql(
  `
  mutation CreateReport($input: CreateReportInput!) {
    createReport(input: $input) { ...ReportCore }
  }
`,
  [ReportCoreFields],
);

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

export const UpdateAssignmentStatusMutation = graphql(
  `
  mutation UpdateAssignmentStatus($input: UpdateAssignmentStatusInput!) {
    updateAssignmentStatus(input: $input) { ...AssignmentFields }
  }
`,
  [AssignmentFields],
);

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

export const SetCrewOnDutyMutation = graphql(
  `
  mutation SetCrewOnDuty($crewId: ID!, $onDuty: Boolean!) {
    setCrewOnDuty(crewId: $crewId, onDuty: $onDuty) { ...CrewFields }
  }
`,
  [CrewFields],
);

export const UpdateCrewLocationMutation = graphql(`
  mutation UpdateCrewLocation($lat: Float!, $lng: Float!) {
    updateCrewLocation(lat: $lat, lng: $lng) { id version location { lat lng at } }
  }
`);
