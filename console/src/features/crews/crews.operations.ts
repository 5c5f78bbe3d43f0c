import { CrewFields } from '../../graphql/fragments.ts';
import { graphql } from '../../graphql/graphql.ts';

/** Starts or ends a crew's shift from the board; the new crew goes straight into the store. */
export const SetCrewOnDutyMutation = graphql(
  `
  mutation SetCrewOnDuty($crewId: ID!, $onDuty: Boolean!) {
    setCrewOnDuty(crewId: $crewId, onDuty: $onDuty) { ...CrewFields }
  }
`,
  [CrewFields],
);
