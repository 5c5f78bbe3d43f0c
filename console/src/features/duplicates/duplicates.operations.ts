import { graphql } from '../../graphql/graphql.ts';

/** Two reports are different problems: neither is suggested as the other's duplicate again (merging is markDuplicate). */
export const DismissDuplicateMutation = graphql(`
  mutation DismissDuplicate($reportId: ID!, $duplicateOfId: ID!) {
    dismissDuplicate(reportId: $reportId, duplicateOfId: $duplicateOfId) { id version }
  }
`);
