import { graphql } from '../../graphql/graphql.ts';

/** Every indicator's code, labels, unit and rule: the cards, tables and exports take their words from here. */
export const IndicatorDefinitionsQuery = graphql(`
  query IndicatorDefinitions {
    indicatorDefinitions { code group unit labelAr labelEn rule hiddenInSmallGroups }
  }
`);

/** Every figure of an indicator row (the cards, the scorecard and the exports read them by code). */
export const IndicatorFiguresFragment = graphql(`
  fragment IndicatorFigures on IndicatorRow {
    bucketStart
    keys { dimension code labelAr labelEn }
    received resolved closed rejected referred merged backlog overdueNow
    firstAssignmentMedian firstAssignmentP90 resolutionMedian resolutionP90 targetCompliance lifeSafetyAssignedIn15
    reopenRate firstTimeFix
    followUpsDue followUpsAttempted followUpsReached followUpsUnreachable satisfactionMean satisfiedShare callsMade inquiriesAnswered answerMedian
    jobsCompleted onSiteMedian declines
  }
`);

/*
 * The server prices a list of indicator rows at its 400-row bound times the fields asked, and refuses a request
 * over 20,000, so the dashboard asks in a few requests sent together, each for only the figures it shows.
 */

/** Every figure of one period (the cards and the all-indicators table): sent for the period and for the previous one. */
export const DashboardTotalsQuery = graphql(
  `
    query DashboardTotals($period: PeriodInput!) {
      totals: indicators(period: $period) { ...IndicatorFigures }
    }
  `,
  [IndicatorFiguresFragment],
);

/** A breakdown row: its key with its names, and the figures the bars and the scorecard show. */
export const BreakdownFiguresFragment = graphql(`
  fragment BreakdownFigures on IndicatorRow {
    keys { dimension code labelAr labelEn }
    received resolved targetCompliance resolutionMedian reopenRate satisfactionMean
  }
`);

/** The trends (one row per day, week or month) and the breakdowns by municipality and by channel. */
export const DashboardTrendsQuery = graphql(
  `
    query DashboardTrends($period: PeriodInput!, $bucket: IndicatorBucket!) {
      series: indicatorSeries(period: $period, bucket: $bucket) { bucketStart received resolved targetCompliance satisfactionMean satisfiedShare }
      byMunicipality: indicators(period: $period, groupBy: [MUNICIPALITY]) { ...BreakdownFigures }
      byChannel: indicators(period: $period, groupBy: [CHANNEL]) { ...BreakdownFigures }
    }
  `,
  [BreakdownFiguresFragment],
);

/** The breakdowns by department (the scorecard) and by category. */
export const DashboardDepartmentsQuery = graphql(
  `
    query DashboardDepartments($period: PeriodInput!) {
      byDepartment: indicators(period: $period, groupBy: [DEPARTMENT]) { ...BreakdownFigures }
      byCategory: indicators(period: $period, groupBy: [CATEGORY]) { ...BreakdownFigures }
    }
  `,
  [BreakdownFiguresFragment],
);

/** The headline cards' figures, this period and the previous, refetched when live events arrive. */
export const DashboardCardsQuery = graphql(`
  query DashboardCards($period: PeriodInput!, $previous: PeriodInput!) {
    current: indicators(period: $period) {
      received resolved backlog overdueNow targetCompliance resolutionMedian lifeSafetyAssignedIn15 reopenRate firstTimeFix satisfactionMean callsMade inquiriesAnswered
    }
    previous: indicators(period: $previous) {
      received resolved backlog overdueNow targetCompliance resolutionMedian lifeSafetyAssignedIn15 reopenRate firstTimeFix satisfactionMean callsMade inquiriesAnswered
    }
  }
`);
