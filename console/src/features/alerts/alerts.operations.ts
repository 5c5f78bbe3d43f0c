import { graphql } from '../../graphql/graphql.ts';

/** A dispatcher has seen a report: the server records it once for every console (the first acknowledgement stands). */
export const AcknowledgeReportMutation = graphql(`
  mutation AcknowledgeReport($id: ID!) {
    acknowledgeReport(id: $id) { id version acknowledgedAt }
  }
`);
