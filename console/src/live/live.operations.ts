import { DispatchEventFields } from '../graphql/fragments.ts';
import { graphql } from '../graphql/graphql.ts';

/** The live dispatch events from `after` on (replayed, then live), or from now without a cursor. */
export const DispatchEventsSubscription = graphql(
  `
  subscription DispatchEvents($after: String) {
    dispatchEvents(after: $after) { ...DispatchEventFields }
  }
`,
  [DispatchEventFields],
);
