import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import type { OutboxEvent } from './events.hub.js';
import { toDispatchEventView } from './events.mapper.js';
import { DispatchEventFilter, DispatchEventView } from './events.types.js';

@Resolver(() => DispatchEventView)
export class EventsResolver {
  /**
   * The subscription itself is served by the fan-out (events.fanout.ts), which graphql-ws calls instead
   * of graphql's subscribe; this resolver maps each outbox event for execution.
   */
  @Subscription(() => DispatchEventView, {
    description:
      'Live dispatch events in cursor order. With `after`, first replays every event after that cursor, then continues live with no gap or duplicate; without it, starts from now. CURSOR_EXPIRED when `after` is older than retention: refetch, then subscribe without it; BAD_USER_INPUT (field after) when `after` is not a cursor or is past the newest event. At most WS_MAX_SUBSCRIPTIONS operations per socket and WS_MAX_SUBSCRIPTION_GROUPS distinct subscriptions per audience (RATE_LIMITED past either). Staff and integrators see everything (integrators with masked reporters); a crew sees only its own work; INTAKE keys cannot subscribe',
    subscribe: () => {
      throw new Error('dispatchEvents is served over graphql-ws at /graphql');
    },
  })
  dispatchEvents(
    @Root() event: OutboxEvent,
    @Arg('after', () => String, { nullable: true, description: 'Resume after this cursor (from DispatchEvent.cursor)' }) _after: string | null,
    @Arg('filter', () => DispatchEventFilter, { nullable: true, description: 'Which events to receive; none: all the caller may see' }) _filter: DispatchEventFilter | null,
  ): DispatchEventView {
    return toDispatchEventView(event);
  }
}
