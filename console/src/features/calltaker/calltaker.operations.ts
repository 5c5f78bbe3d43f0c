import { ReportCoreFields } from '../../graphql/fragments.ts';
import { graphql } from '../../graphql/graphql.ts';

/** Files a report for a caller (the idempotency key makes a retried submit return the first report). */
export const CreateReportMutation = graphql(
  `
  mutation CreateReport($input: CreateReportInput!) {
    createReport(input: $input) { ...ReportCore }
  }
`,
  [ReportCoreFields],
);
