import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from './server.js';

export const EVENT_FIELDS =
  'cursor type occurredAt report { id reference status priority version location { municipality { code } } reporter { name phone } } assignment { id status version } crew { id name status version }';

export interface Received {
  events: Array<Record<string, any>>;
  errors: unknown[];
  completed: boolean;
  /** Resolves once `count` events arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Array<Record<string, any>>>;
  stop(): void;
}

/** A real graphql-ws client over a real socket, authenticated in connection_init. */
export function connect(app: Pick<App, 'url'>, token: string | null, options: { retryAttempts?: number; onClosed?: (code: number, reason: string) => void } = {}): Client {
  return createClient({
    url: `${app.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
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

/** Subscribes to dispatchEvents and collects what arrives. */
export function subscribeEvents(client: Client, variables: Record<string, unknown> = {}, fields = EVENT_FIELDS): Received {
  const received: Received = {
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
  received.stop = client.subscribe<Record<string, any>>(
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
export async function untilSentinel(received: Received, isSentinel: (event: Record<string, any>) => boolean, timeoutMs = 15_000): Promise<Array<Record<string, any>>> {
  const started = Date.now();
  while (!received.events.some(isSentinel)) {
    if (received.errors.length) throw new Error(`subscription failed: ${JSON.stringify(received.errors)}`);
    if (Date.now() - started > timeoutMs) throw new Error(`the sentinel did not arrive within ${timeoutMs} ms (${received.events.length} events)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return received.events;
}

/** A sentinel predicate for a report's event. */
export const ofReport = (reportId: string) => (event: Record<string, any>) => event.report?.id === reportId;
