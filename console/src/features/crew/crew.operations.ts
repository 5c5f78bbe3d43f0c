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
 * One of the crew's jobs as its phone shows it: the assignment with the steps the crew may report now (and
 * which need a note), and its report with photos and voice notes. The reporter's phone is there only while
 * the server lets this crew call (its job on its way or on site); null otherwise.
 */
export const CrewJobFields = graphql(
  `
  fragment CrewJob on Assignment {
    ...AssignmentFields
    nextSteps { status noteRequired }
    report {
      ...ReportCore
      reporter { phone }
      media { ...MediaFields }
    }
  }
`,
  [AssignmentFields, ReportCoreFields, MediaFields],
);

/**
 * The crew's day, in the server's order (`myJobs`): the job it works on now, the jobs waiting (accepted
 * ones, then offers), and what it finished today (Asia/Riyadh). The app keeps no order or status rule of
 * its own: current, queue and finished are the server's.
 */
export const CrewJobsQuery = graphql(
  `
  query CrewJobs {
    myJobs {
      current { ...CrewJob }
      queue { ...CrewJob }
      finishedToday { id updatedAt note report { id reference category { code } location { municipality { code } } } }
    }
  }
`,
  [CrewJobFields],
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
