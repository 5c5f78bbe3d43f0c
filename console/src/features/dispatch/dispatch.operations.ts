import { AssignmentFields, CrewFields, ReportCoreFields } from '../../graphql/fragments.ts';
import { graphql } from '../../graphql/graphql.ts';

/** One page of the open queue (the reports the server calls open: Report.open), each with the assignment a crew holds it by. */
export const OpenReportsPageQuery = graphql(
  `
  query OpenReportsPage($first: Int!, $after: String, $withCount: Boolean!) {
    reports(first: $first, after: $after, filter: { open: true }) {
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
