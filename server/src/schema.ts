import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './access/access.policy.js';
import { AssignmentsResolver, CrewAssignmentResolver, ReportAssignmentsResolver } from './assignments/assignments.resolver.js';
import { CrewSuggestionsResolver } from './assignments/assignments.suggestions.resolver.js';
import { AuthResolver } from './auth/auth.resolver.js';
import { storableArguments } from './common/validate.js';
import { CrewsResolver } from './crews/crews.resolver.js';
import { EventsResolver } from './events/events.resolver.js';
import { ReferenceResolver } from './reference/reference.resolver.js';
import { PresenceResolver, ReportViewersResolver } from './presence/presence.resolver.js';
import { QueueResolver } from './queue/queue.resolver.js';
import { ReportLocationResolver, ReportsResolver } from './reports/reports.resolver.js';
import { FollowUpsResolver, ReportFollowUpResolver } from './followups/followups.resolver.js';
import { PossibleDuplicateResolver, ReportDuplicatesResolver } from './reports/duplicates.resolver.js';
import { IndicatorsResolver } from './indicators/indicators.resolver.js';

export const resolvers = [
  AuthResolver,
  ReportsResolver,
  ReportLocationResolver,
  QueueResolver,
  AssignmentsResolver,
  ReportAssignmentsResolver,
  CrewAssignmentResolver,
  CrewSuggestionsResolver,
  CrewsResolver,
  ReferenceResolver,
  EventsResolver,
  PresenceResolver,
  ReportViewersResolver,
  FollowUpsResolver,
  ReportFollowUpResolver,
  ReportDuplicatesResolver,
  PossibleDuplicateResolver,
  IndicatorsResolver,
] as const;

/**
 * type-graphql insists on a PubSub once a subscription exists; ours never publishes through it: the
 * outbox, the EventHub and the fan-out carry every event (see events/).
 */
const outboxOnly = {
  publish: () => {
    throw new Error('Events are written to the outbox in the same transaction, never published in memory');
  },
  subscribe: () => {
    throw new Error('dispatchEvents is served by the fan-out over graphql-ws');
  },
};

/**
 * Builds the code-first schema. Validation is the services' job (typed errors naming the field), except the
 * one rule every argument shares: its text must be storable, checked before any resolver runs.
 */
export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [...resolvers], validate: false, validateFn: (_value, _type, { args }) => storableArguments(args), pubSub: outboxOnly, authChecker, authMode: 'error' });
}

/** The SDL committed as schema/schema.graphql; a test compares it with what the code builds. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(await buildAppSchema())}\n`;
}
