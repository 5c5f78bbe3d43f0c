import type { IncomingHttpHeaders } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { AssignmentStatus } from '../../server/src/assignments/assignments.enums.js';
import type { CrewStatus } from '../../server/src/crews/crews.enums.js';
import type { Priority, ReportStatus } from '../../server/src/reports/reports.enums.js';
import type { Wire } from './factories.js';
import type { App, GqlError } from './server.js';

export const EVENT_FIELDS =
  'cursor type occurredAt report { id reference status priority version location { municipality { code } } reporter { name phone } } assignment { id status version } crew { id name status version }';

/**
 * A graphql-transport-ws message from the server as a bare socket receives it: `next` carries a GraphQL result
 * whose data has the shape `T`, `error` the errors that refused the operation.
 */
export type RawMessage<T = unknown> =
  | { id: string; type: 'next'; payload: { data?: T | null; errors?: GqlError[] } }
  | { id: string; type: 'error'; payload: GqlError[] }
  | { id?: string; type: 'connection_ack' | 'ping' | 'pong' | 'complete'; payload?: unknown };

/** A dispatch event as EVENT_FIELDS selects it; each of report, assignment and crew is null when the event's type carries none. */
export interface DispatchEvent {
  cursor: string;
  /** A DispatchEventType value (REPORT_CREATED, ASSIGNMENT_UPDATED …). */
  type: string;
  occurredAt: string;
  report: {
    id: string;
    reference: string;
    status: Wire<ReportStatus>;
    priority: Wire<Priority>;
    version: number;
    location: { municipality: { code: string } };
    reporter: { name: string | null; phone: string | null };
  } | null;
  assignment: { id: string; status: Wire<AssignmentStatus>; version: number } | null;
  crew: { id: string; name: string; status: Wire<CrewStatus>; version: number } | null;
}

/** What a subscription received: events of the shape `E` its selection gives. */
export interface Received<E = DispatchEvent> {
  events: E[];
  errors: unknown[];
  completed: boolean;
  /** Resolves once `count` events arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<E[]>;
  stop(): void;
}

/** A WebSocket class that hands each upgrade response's headers to `onUpgrade`. */
function reportingUpgrades(onUpgrade: (headers: IncomingHttpHeaders) => void) {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.on('upgrade', (response) => onUpgrade(response.headers));
    }
  };
}

/**
 * A real graphql-ws client over a real socket, authenticated in connection_init. `onUpgrade` gets the headers of
 * each socket's upgrade response (which worker process accepted it, say).
 */
export function connect(
  app: Pick<App, 'url'>,
  token: string | null,
  options: { retryAttempts?: number; onClosed?: (code: number, reason: string) => void; onUpgrade?: (headers: IncomingHttpHeaders) => void } = {},
): Client {
  const webSocketImpl = options.onUpgrade ? reportingUpgrades(options.onUpgrade) : WebSocket;
  return createClient({
    url: `${app.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        options.onClosed?.(code, String(reason));
      },
    },
  });
}

/**
 * Subscribes to dispatchEvents and collects what arrives: events as EVENT_FIELDS selects them, or, with a
 * selection of the caller's own, of the shape `E` the caller names for it.
 */
export function subscribeEvents(client: Client, variables?: Record<string, unknown>): Received;
export function subscribeEvents<E>(client: Client, variables: Record<string, unknown>, fields: string): Received<E>;
export function subscribeEvents<E>(client: Client, variables: Record<string, unknown> = {}, fields = EVENT_FIELDS): Received<E> {
  const received: Received<E> = {
    events: [],
    errors: [],
    completed: false,
    waitFor: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (received.events.length >= count) return resolve(received.events);
          if (received.errors.length) return reject(new Error(`subscription failed: ${JSON.stringify(received.errors)}`));
          if (Date.now() - started > timeoutMs) return reject(new Error(`timed out with ${received.events.length}/${count} events`));
          setTimeout(check, 20);
        };
        check();
      }),
    stop: () => undefined,
  };
  received.stop = client.subscribe<{ dispatchEvents: E }>(
    { query: `subscription($after: String, $filter: DispatchEventFilter) { dispatchEvents(after: $after, filter: $filter) { ${fields} } }`, variables },
    {
      next: (result) => {
        if (result.errors) received.errors.push(...result.errors);
        else received.events.push(result.data!.dispatchEvents);
      },
      error: (err) => received.errors.push(...(Array.isArray(err) ? err : [err])),
      complete: () => {
        received.completed = true;
      },
    },
  );
  return received;
}

/** Waits until the server has registered `count` subscribers (a subscription is live only once joined). */
export async function untilSubscribed(app: App, count: number, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (app.fanout.subscriberCount < count) {
    if (Date.now() - started > timeoutMs) throw new Error(`only ${app.fanout.subscriberCount}/${count} subscribers joined`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits (up to `timeoutMs`) until an event matching `isSentinel` arrives. Written after a batch, a sentinel
 * proves by its arrival that everything the batch caused has been delivered (events come in outbox order), so a
 * test can then assert that nothing more came, rather than concluding "exactly once" after a fixed pause.
 */
export async function untilSentinel<E>(received: Received<E>, isSentinel: (event: E) => boolean, timeoutMs = 15_000): Promise<E[]> {
  const started = Date.now();
  while (!received.events.some(isSentinel)) {
    if (received.errors.length) throw new Error(`subscription failed: ${JSON.stringify(received.errors)}`);
    if (Date.now() - started > timeoutMs) throw new Error(`the sentinel did not arrive within ${timeoutMs} ms (${received.events.length} events)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return received.events;
}

/** An event as `cursor report { id }` selects it. */
export interface CursorEvent {
  cursor: string;
  report: { id: string } | null;
}

/** The id of the report an event carries; fails the test when it carries none. */
export function reportIdOf(event: { report?: { id: string } | null }): string {
  if (!event.report) throw new Error(`an event without a report: ${JSON.stringify(event)}`);
  return event.report.id;
}

/** A sentinel predicate for a report's event. */
export const ofReport =
  (reportId: string) =>
  (event: { report?: { id: string } | null }): boolean =>
    event.report?.id === reportId;
