import { AssignmentFields, CrewFields, ReportCoreFields } from '../../graphql/fragments.ts';
import { graphql } from '../../graphql/graphql.ts';

/** One page of the open queue, each report with the assignment a crew holds it by. */
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

/** Every crew, for the crews board and the map. */
export const CrewsQuery = graphql(
  `
  query Crews {
    crews { ...CrewFields }
  }
`,
  [CrewFields],
);
