import { graphql } from './graphql.ts';

/** The report fields the queue, the map and the live events share (no nested assignment: events carry it apart). */
export const ReportCoreFields = graphql(`
  fragment ReportCore on Report {
    id
    reference
    kind
    channel
    priority
    status
    description
    receivedAt
    targetAt
    updatedAt
    version
    category { code }
    location { lat lng address municipality { code } }
  }
`);

/** An assignment's own fields, without its report or crew (whoever reads it knows them already). */
export const AssignmentFields = graphql(`
  fragment AssignmentFields on Assignment {
    id
    status
    version
    note
    createdAt
    updatedAt
  }
`);

/** A crew as the floor and the crew app show it. */
export const CrewFields = graphql(`
  fragment CrewFields on Crew {
    id
    name
    onDuty
    status
    version
    skills
    department { code }
    municipality { code }
    location { lat lng at }
  }
`);

/** One live dispatch event: what changed, with each entity it touched at its new version. */
export const DispatchEventFields = graphql(
  `
  fragment DispatchEventFields on DispatchEvent {
    cursor
    type
    occurredAt
    report { ...ReportCore }
    assignment { ...AssignmentFields }
    crew { ...CrewFields }
  }
`,
  [ReportCoreFields, AssignmentFields, CrewFields],
);
