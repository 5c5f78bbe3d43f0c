import { graphql } from '../../graphql/graphql.ts';

/** Who is on a report: the fields both presence subscriptions send. */
export const ReportPresenceFields = graphql(`
  fragment ReportPresenceFields on ReportPresence {
    reportId
    viewers { userId name role since }
  }
`);

/** Says that this page has the report open, for as long as it is subscribed, and hears who else has. */
export const ViewingReportSubscription = graphql(
  `
  subscription ViewingReport($reportId: ID!) {
    viewingReport(reportId: $reportId) { ...ReportPresenceFields }
  }
`,
  [ReportPresenceFields],
);

/** Who has which report open: every report someone has open now, then each change (the queue's eye badges). */
export const ReportPresenceSubscription = graphql(
  `
  subscription ReportPresence {
    reportPresence { ...ReportPresenceFields }
  }
`,
  [ReportPresenceFields],
);
