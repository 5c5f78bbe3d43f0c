import { graphql } from '../../graphql/graphql.ts';

/**
 * The crews the server ranks for a report, best first, each with what placed it there: distance and arrival from
 * a fresh location (none when it is older than 15 minutes), free or busy and with which job, jobs today, and the
 * reasons in both languages.
 */
export const SuggestCrewsQuery = graphql(`
  query SuggestCrews($reportId: ID!, $first: Int) {
    suggestCrews(reportId: $reportId, first: $first) {
      crew { id name nameAr nameEn status onDuty }
      score
      distanceMeters
      locationAgeMinutes
      locationStale
      etaMinutes
      busy
      jobsToday
      currentAssignment { id status report { id reference } }
      reasons { code textAr textEn }
    }
  }
`);
