import { stringifyDocument } from '@urql/core';
import { createClient, type Client as WsClient, type ClientOptions, type ExecutionResult, type Sink } from 'graphql-ws';
import { shallowRef } from 'vue';
import type { DispatchEvent } from '../domain/event.ts';
import { DispatchEventsSubscription } from './live.operations.ts';
import { WS_SIGN_IN_AGAIN } from '../../../server/src/events/events.close-codes.ts';

/** What the connection indicator shows. `connecting` is the first attempt; `offline` means the browser has no network. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

type SocketFactory = (options: Pick<ClientOptions, 'connectionParams' | 'on'>) => Pick<WsClient, 'subscribe' | 'terminate' | 'dispose'>;

export interface LiveFeedOptions {
  /** The bearer token to present in `connection_init`; read at every (re)connect so a renewed token is used. */
  token: () => string | null;
  /** Each event, in cursor order. */
  onEvent: (event: DispatchEvent) => void;
  /**
   * The feed is live again without a cursor to resume from (first start, cursor expired, or no event
   * seen before a drop): the caller must reload its snapshot, since changes before now were not replayed.
   */
  onResync: () => void;
  /** The server refused the token (a sign-in-again close, 4401/4403, or UNAUTHENTICATED): sign in again. */
  onAuthFailed: () => void;
  /** The subscription is not allowed for this role (FORBIDDEN): fall back to polling. */
  onForbidden?: () => void;
  /** Opens the WebSocket client; tests pass a fake. */
  socket?: SocketFactory;
  /** Backoff delay before attempt n (1-based). */
  backoff?: (attempt: number) => number;
}

const RESYNC_DELAY_MS = 200;

/**
 * Close codes after which reconnecting with the same token is pointless, as the server defines them; every
 * other close (slow consumer, database unavailable, a restart, a dropped network) resumes from the cursor.
 */
const AUTH_CLOSE_CODES = new Set(WS_SIGN_IN_AGAIN);

function defaultSocket(options: Pick<ClientOptions, 'connectionParams' | 'on'>) {
  return createClient({
    url: () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    lazy: true,
    retryAttempts: 0,
    keepAlive: 10_000,
    connectionAckWaitTimeout: 10_000,
    ...options,
  });
}

/** Exponential backoff from 0.5 s to 15 s with jitter, so a restarted server is not hit by every console at once. */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(15_000, 500 * 2 ** (attempt - 1));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number';
}

function codesOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string[] {
  return (errors ?? []).map((e) => String(e.extensions?.code ?? ''));
}

/**
 * The live dispatch events over graphql-ws, with the resume logic the console's promise ("nothing that
 * happened while it was away is missing") rests on: it remembers the cursor of the last event it
 * processed and, after any drop, resubscribes with `after: <cursor>` so the server replays the gap.
 * graphql-ws's own retry is off because it would resend the original variables (the stale cursor).
 */
export class LiveFeed {
  readonly state = shallowRef<ConnectionState>('connecting');
  /** Cursor of the last event handed to onEvent. */
  cursor: string | null = null;
  private readonly ws: ReturnType<SocketFactory>;
  private readonly options: LiveFeedOptions;
  private unsubscribe: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private running = false;
  private tokenInUse: string | null = null;
  private socketOpen = false;
  private needsResync = false;
  private readonly online = () => this.reconnectNow();
  private readonly offline = () => this.goOffline();

  constructor(options: LiveFeedOptions) {
    this.options = options;
    const factory = options.socket ?? defaultSocket;
    this.ws = factory({
      connectionParams: () => {
        this.tokenInUse = options.token();
        return { authorization: `Bearer ${this.tokenInUse ?? ''}` };
      },
      on: {
        connected: () => {
          this.socketOpen = true;
          this.connected();
        },
        closed: () => {
          this.socketOpen = false;
        },
      },
    });
  }

  /** Subscribes and stays subscribed until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.online);
    window.addEventListener('offline', this.offline);
    this.subscribe();
  }

  stop(): void {
    this.running = false;
    window.removeEventListener('online', this.online);
    window.removeEventListener('offline', this.offline);
    this.clearTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.ws.dispose();
  }

  /** Drops the socket and resubscribes at once from the last cursor (new token, network back). */
  reconnectNow(): void {
    if (!this.running) return;
    this.clearTimer();
    this.attempt = 0;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.ws.terminate();
    this.subscribe();
  }

  private goOffline(): void {
    if (!this.running) return;
    this.clearTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.ws.terminate();
    this.state.value = 'offline';
  }

  private subscribe(): void {
    if (!this.running) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.state.value = 'offline';
      return;
    }
    if (this.state.value === 'live') this.state.value = 'reconnecting';
    this.needsResync = this.cursor === null;
    let done = false;
    const sink: Sink<ExecutionResult<Record<string, unknown>>> = {
      next: (result) => {
        if (done) return;
        if (result.errors?.length) {
          done = true;
          this.failed(result.errors);
          return;
        }
        const event = (result.data as { dispatchEvents?: DispatchEvent } | undefined)?.dispatchEvents;
        if (!event) return;
        this.cursor = event.cursor;
        this.options.onEvent(event);
      },
      error: (error) => {
        if (done) return;
        done = true;
        this.failed(error);
      },
      complete: () => {
        if (done) return;
        done = true;
        this.retryLater();
      },
    };
    const dispose = this.ws.subscribe({ query: stringifyDocument(DispatchEventsSubscription), variables: { after: this.cursor } }, sink);
    this.unsubscribe = () => {
      done = true;
      dispose();
    };
    if (this.socketOpen) queueMicrotask(() => this.connected());
  }

  /**
   * The subscribe message goes out right after the acknowledgement; a resync waits a moment longer so
   * the server has registered the subscription before the snapshot is read, leaving no gap between them.
   */
  private connected(): void {
    this.attempt = 0;
    this.state.value = 'live';
    if (!this.needsResync) return;
    this.needsResync = false;
    setTimeout(() => this.running && this.options.onResync(), RESYNC_DELAY_MS);
  }

  private failed(error: unknown): void {
    this.unsubscribe = null;
    if (!this.running) return;
    if (Array.isArray(error)) {
      const codes = codesOf(error);
      if (codes.includes('CURSOR_EXPIRED')) {
        this.cursor = null;
        this.subscribe();
        return;
      }
      if (codes.includes('UNAUTHENTICATED')) return this.authFailed();
      if (codes.includes('FORBIDDEN')) {
        this.running = false;
        this.state.value = 'offline';
        this.options.onForbidden?.();
        return;
      }
    }
    if (isCloseEvent(error) && AUTH_CLOSE_CODES.has(error.code) && this.tokenInUse === this.options.token()) return this.authFailed();
    this.retryLater();
  }

  private authFailed(): void {
    this.stop();
    this.options.onAuthFailed();
  }

  private retryLater(): void {
    if (!this.running) return;
    this.clearTimer();
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.state.value = 'offline';
      return;
    }
    this.state.value = this.state.value === 'connecting' ? 'connecting' : 'reconnecting';
    this.attempt += 1;
    const backoff = this.options.backoff ?? defaultBackoff;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.subscribe();
    }, backoff(this.attempt));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
