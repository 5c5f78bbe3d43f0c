import { graphql } from '../../graphql/graphql.ts';

/**
 * A page of the archive: every report the viewer may see that matches the filter, in the order asked for,
 * after the previous page's cursor (the server refuses a cursor of another order). Only what a row shows.
 */
export const ArchivePageQuery = graphql(`
  query ArchivePage($filter: ReportFilter, $orderBy: ReportOrder!, $first: Int!, $after: String) {
    reports(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          reference
          kind
          channel
          priority
          status
          overdue
          description
          receivedAt
          updatedAt
          category { code }
          location { municipality { code } }
        }
      }
    }
  }
`);

/** The report a reference names, whole (940-2026-000123) or by its number alone (123): the shell's jump. */
export const JumpToReferenceQuery = graphql(`
  query JumpToReference($reference: String!) {
    reportByReference(reference: $reference) { id reference }
  }
`);
