import { AssignmentFields, CrewFields, ReportCoreFields } from '../../graphql/fragments.ts';
import { graphql } from '../../graphql/graphql.ts';
import { MediaFields } from '../media/media.operations.ts';

/** The signed-in crew member and their crew. */
export const CrewViewerQuery = graphql(
  `
  query CrewViewer {
    me { id username role crew { ...CrewFields } }
  }
`,
  [CrewFields],
);

/**
 * A crew's open work, with the steps it may report and which need a note, and the report's photos and
 * voice notes. The server scopes `reports` to the calling crew and shows a crew only its own active
 * assignment, so the crew's work is the open reports whose activeAssignment is not null (a report it
 * declined or was taken off has none).
 */
export const CrewWorkQuery = graphql(
  `
  query CrewWork {
    reports(first: 50, filter: { open: true }) {
      edges {
        node {
          ...ReportCore
          activeAssignment { ...AssignmentFields nextSteps { status noteRequired } }
          media { ...MediaFields }
        }
      }
    }
  }
`,
  [ReportCoreFields, AssignmentFields, MediaFields],
);

/** A crew reports a step of its assignment (accepted, declined, en route, on site, completed). */
export const UpdateAssignmentStatusMutation = graphql(
  `
  mutation UpdateAssignmentStatus($input: UpdateAssignmentStatusInput!) {
    updateAssignmentStatus(input: $input) { ...AssignmentFields }
  }
`,
  [AssignmentFields],
);

/** The crew starts or ends its shift. */
export const SetOwnShiftMutation = graphql(`
  mutation SetOwnShift($crewId: ID!, $onDuty: Boolean!) {
    setCrewOnDuty(crewId: $crewId, onDuty: $onDuty) { id onDuty status version }
  }
`);

/** The crew's position, shared from the phone while the crew switches sharing on. */
export const UpdateCrewLocationMutation = graphql(`
  mutation UpdateCrewLocation($lat: Float!, $lng: Float!) {
    updateCrewLocation(lat: $lat, lng: $lng) { id version location { lat lng at } }
  }
`);
