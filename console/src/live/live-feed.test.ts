// @vitest-environment happy-dom
import { CloseCode, type ClientOptions, type Sink } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, report } from '../test/builders.ts';
import type { DispatchEvent } from '../domain/event.ts';
import { LiveFeed } from './live-feed.ts';
import { WS_CLOSE, WS_SIGN_IN_AGAIN } from '../../../server/src/events/events.close-codes.ts';

/**
 * The closes the fake socket plays, taken from the server's own constants rather than written here, so a code
 * the server adds, renames or drops changes these tests with it: every WS_CLOSE code that is not a
 * sign-in-again one must resume from the last cursor; the sign-in-again ones must send the user to sign in.
 */
const RESUMING_SERVER_CLOSES = Object.entries(WS_CLOSE)
  .filter(([, code]) => !WS_SIGN_IN_AGAIN.includes(code))
  .map(([name, code]) => [`the server's ${name} close`, code] as const);
/**
 * Closes that are not the server's constants: 1006 is what a browser reports for a dropped connection (never sent
 * on the wire); the server's unexpected-failure close is graphql-ws's CloseCode.InternalServerError.
 */
const OTHER_CLOSES = [
  ['a dropped connection', 1006],
  ['an internal server error close', CloseCode.InternalServerError],
] as const;

interface FakeSubscription {
  variables: { after: string | null };
  sink: Sink;
  disposed: boolean;
}

/** A stand-in for the graphql-ws client: records subscriptions and lets the test play the server. */
class FakeSocket {
  subscriptions: FakeSubscription[] = [];
  terminated = 0;
  options!: Pick<ClientOptions, 'connectionParams' | 'on'>;

  factory = (options: Pick<ClientOptions, 'connectionParams' | 'on'>) => {
    this.options = options;
    return {
      subscribe: (payload: { variables?: Record<string, unknown> | null }, sink: Sink) => {
        const subscription: FakeSubscription = { variables: payload.variables as { after: string | null }, sink, disposed: false };
        this.subscriptions.push(subscription);
        return () => {
          subscription.disposed = true;
        };
      },
      terminate: () => {
        this.terminated += 1;
        this.close();
      },
      dispose: () => undefined,
    };
  };

  get last(): FakeSubscription {
    return this.subscriptions.at(-1)!;
  }

  async connect(): Promise<Record<string, unknown>> {
    const params = typeof this.options.connectionParams === 'function' ? await this.options.connectionParams() : this.options.connectionParams;
    (this.options.on?.connected as (() => void) | undefined)?.();
    return params as Record<string, unknown>;
  }

  close(): void {
    (this.options.on?.closed as (() => void) | undefined)?.();
  }

  send(e: DispatchEvent): void {
    this.last.sink.next({ data: { dispatchEvents: e } });
  }

  drop(code: number, reason = ''): void {
    this.close();
    this.last.sink.error({ code, reason });
  }
}

function setup(token = { value: 'token-1' }) {
  const socket = new FakeSocket();
  const events: string[] = [];
  const onResync = vi.fn();
  const onAuthFailed = vi.fn();
  const feed = new LiveFeed({
    token: () => token.value,
    onEvent: (e) => events.push(e.cursor),
    onResync,
    onAuthFailed,
    socket: socket.factory,
    backoff: () => 100,
  });
  return { socket, events, onResync, onAuthFailed, feed, token };
}

describe('the live feed', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts live without a cursor, asks for a snapshot, and hands events over in order', async () => {
    const { socket, events, onResync, feed } = setup();
    feed.start();
    expect(feed.state.value).toBe('connecting');
    expect(socket.last.variables.after).toBeNull();
    const params = await socket.connect();
    expect(params).toEqual({ authorization: 'Bearer token-1' });
    expect(feed.state.value).toBe('live');
    await vi.advanceTimersByTimeAsync(300);
    expect(onResync).toHaveBeenCalledTimes(1);
    socket.send(event('REPORT_CREATED', { report: report() }, 'c1'));
    socket.send(event('REPORT_UPDATED', { report: report() }, 'c2'));
    expect(events).toEqual(['c1', 'c2']);
    expect(feed.cursor).toBe('c2');
    feed.stop();
  });

  it('plays every close code the server defines', () => {
    expect(new Set([...RESUMING_SERVER_CLOSES.map(([, code]) => code), ...WS_SIGN_IN_AGAIN])).toEqual(new Set(Object.values(WS_CLOSE)));
    expect(RESUMING_SERVER_CLOSES.map(([, code]) => code)).toEqual(expect.arrayContaining([WS_CLOSE.SLOW_CONSUMER, WS_CLOSE.DATABASE_UNAVAILABLE]));
  });

  it.each([...RESUMING_SERVER_CLOSES, ...OTHER_CLOSES])('after %s it resubscribes from the last cursor, so the server replays the gap', async (_name, code) => {
    const { socket, onResync, feed } = setup();
    feed.start();
    await socket.connect();
    await vi.advanceTimersByTimeAsync(300);
    socket.send(event('REPORT_CREATED', { report: report() }, 'c7'));
    socket.drop(code);
    expect(feed.state.value).toBe('reconnecting');
    expect(socket.subscriptions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(socket.subscriptions).toHaveLength(2);
    expect(socket.last.variables.after).toBe('c7');
    await socket.connect();
    await vi.advanceTimersByTimeAsync(300);
    expect(feed.state.value).toBe('live');
    expect(onResync).toHaveBeenCalledTimes(1);
    feed.stop();
  });

  it('on CURSOR_EXPIRED subscribes from now and asks for a fresh snapshot', async () => {
    const { socket, onResync, feed } = setup();
    feed.start();
    await socket.connect();
    await vi.advanceTimersByTimeAsync(300);
    socket.send(event('REPORT_CREATED', { report: report() }, 'old'));
    socket.drop(1006);
    await vi.advanceTimersByTimeAsync(100);
    await socket.connect();
    socket.last.sink.error([{ message: 'Cursor expired', extensions: { code: 'CURSOR_EXPIRED' } }]);
    expect(socket.last.variables.after).toBeNull();
    await vi.advanceTimersByTimeAsync(300);
    expect(onResync).toHaveBeenCalledTimes(2);
    feed.stop();
  });

  it.each([...WS_SIGN_IN_AGAIN])("on the server's sign-in-again close %i for the token it presented, it stops and sends the user to sign-in", async (code) => {
    const { socket, onAuthFailed, feed } = setup();
    feed.start();
    await socket.connect();
    socket.drop(code);
    await vi.advanceTimersByTimeAsync(1000);
    expect(onAuthFailed).toHaveBeenCalledTimes(1);
    expect(socket.subscriptions).toHaveLength(1);
  });

  it('when the old token is closed after a renewal, it reconnects with the new one instead of signing out', async () => {
    const { socket, onAuthFailed, feed, token } = setup();
    feed.start();
    await socket.connect();
    socket.send(event('REPORT_CREATED', { report: report() }, 'c3'));
    token.value = 'token-2';
    socket.drop(WS_CLOSE.FORBIDDEN);
    await vi.advanceTimersByTimeAsync(100);
    expect(onAuthFailed).not.toHaveBeenCalled();
    expect(socket.last.variables.after).toBe('c3');
    expect(await socket.connect()).toEqual({ authorization: 'Bearer token-2' });
    feed.stop();
  });

  it('shows offline when the browser loses the network, and resumes at once when it is back', async () => {
    const { socket, feed } = setup();
    feed.start();
    await socket.connect();
    socket.send(event('REPORT_CREATED', { report: report() }, 'c9'));
    window.dispatchEvent(new Event('offline'));
    expect(feed.state.value).toBe('offline');
    expect(socket.terminated).toBe(1);
    expect(socket.subscriptions[0]!.disposed).toBe(true);
    window.dispatchEvent(new Event('online'));
    expect(socket.subscriptions).toHaveLength(2);
    expect(socket.last.variables.after).toBe('c9');
    feed.stop();
  });
});
