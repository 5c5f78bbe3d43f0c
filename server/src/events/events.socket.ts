import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, parse, specifiedRules, subscribe, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { CloseCode, makeServer, type ConnectionInitMessage } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Viewer } from '../access/access.viewer.js';
import type { Context } from '../access/access.context.js';
import { isDatabaseDown, limitReached, unauthenticated } from '../common/errors.js';
import { documentBytes, documentCache } from '../common/document-cache.js';
import { unresolvedOperation, type DocumentPolicy } from '../common/documents.js';
import { WS_CLOSE } from './events.close-codes.js';
import { documentErrorCode, formatErrors, INTERNAL, USER_INPUT, withCode, type FormatError } from './events.errors.js';
import type { Deliver, Fanout } from './events.fanout.js';

export { WS_CLOSE };

export interface SubscriptionServerOptions {
  server: Server;
  /** Extra header lines for the upgrade response (`name: value`), e.g. the worker that accepted the socket. */
  upgradeHeaders?: readonly string[];
  schema: GraphQLSchema;
  fanout: Fanout;
  /** The limits, introspection rule and suggestions HTTP applies; documents are parsed and validated by them. */
  documentPolicy: DocumentPolicy;
  /** Resolves `Authorization: Bearer …` from connection_init. */
  authenticate(authorization: string | undefined): Promise<Viewer | null>;
  /** Whether a credential is still good; checked for every operation a socket sends, and for every open socket every `recheckMs`. */
  stillValid(viewer: Viewer): Promise<boolean>;
  contextFor(viewer: Viewer | null, clientAddress?: string | null): Context;
  /** The client's address from the upgrade request (TRUST_PROXY applies as over HTTP): sign-ins over a socket are throttled by it. */
  clientAddress?(request: IncomingMessage): string;
  /** How often open sockets are checked, in memory, for a token past its expiry (closed with 4401); default 1000 ms. */
  expirySweepMs?: number;
  /** Bytes a socket may have queued before it is closed as a slow consumer (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Operations one socket may have open at once (default 50); the next is refused with RATE_LIMITED. */
  maxSubscriptions?: number;
  /** The HTTP error formatter: every error sent over a socket goes through it too. */
  formatError: FormatError;
  keepAliveMs?: number;
  recheckMs?: number;
  log: { warn(obj: object, msg: string): void };
}

interface Extra {
  socket: WebSocket;
  viewer?: Viewer;
  clientAddress: string | null;
}

/**
 * The context of a subscription the fan-out serves: admitted (checked and joined) in onSubscribe, so
 * graphql-ws's subscribe only hands over its iterator. Each event runs with a fresh context of its own.
 */
interface FanoutContext {
  subscription: AsyncIterableIterator<ExecutionResult>;
}

/**
 * The TCP stream under a `ws` socket, so several messages can leave in one write (one system call
 * instead of one each). `_socket` is not public API in ws 8: without it messages are written one by one.
 */
function streamOf(socket: WebSocket): Pick<Duplex, 'cork' | 'uncork'> | undefined {
  const stream = (socket as unknown as { _socket?: Duplex })._socket;
  return typeof stream?.cork === 'function' ? stream : undefined;
}

/** The reason sent with WS_CLOSE.DATABASE_UNAVAILABLE. */
const DATABASE_LOST = 'Database unavailable: reconnect and resume with your last cursor';

/**
 * Estimated bytes of distinct valid documents kept parsed (see documentCache); identical subscriptions
 * share one AST and skip validation. The console's documents take about 60 KB each by this estimate.
 */
const DOCUMENT_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * graphql-ws on a `ws` server sharing the HTTP server and the /graphql path. Authentication happens in
 * connection_init and nothing runs before it; expired and revoked credentials end their sockets;
 * dispatchEvents goes to the fan-out, which writes each group's once-serialized result straight into
 * every member's `next` message. One timer pings every socket and one re-checks credentials, so an idle
 * socket costs no timers of its own.
 */
export interface SubscriptionServer {
  /** Open sockets. */
  sockets(): number;
  /** Sockets closed as slow consumers since start. */
  slowConsumersClosed(): number;
  /** Closes every socket signed in with this session or key (revoked here or announced by another replica); returns how many. */
  closeCredential(credentialId: string, code: number, reason: string): number;
  close(): Promise<void>;
}

export function attachSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: 1024 * 1024, perMessageDeflate: false });
  const upgradeHeaders = options.upgradeHeaders ?? [];
  if (upgradeHeaders.length) wss.on('headers', (headers) => headers.push(...upgradeHeaders));
  const rules = [...specifiedRules, ...options.documentPolicy.rules];
  const viewers = new Map<WebSocket, Viewer>();
  const documents = documentCache<DocumentNode>(DOCUMENT_CACHE_BYTES);
  const maxSubscriptions = options.maxSubscriptions ?? 50;
  let slowClosed = 0;

  /** Writes a message unless the socket is gone; closes it as a slow consumer past `maxBuffered`. */
  const transmit = (socket: WebSocket, message: string): void => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > maxBuffered) {
      slowClosed++;
      socket.close(WS_CLOSE.SLOW_CONSUMER, 'Too slow: reconnect and resume with your last cursor');
      return;
    }
    socket.send(message);
  };

  /** The parsed document, or the errors that refuse it; valid documents are cached by their text. */
  const documentFor = (query: string): DocumentNode | readonly GraphQLError[] => {
    const cached = documents.get(query);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, options.documentPolicy.parseOptions);
    } catch (err) {
      return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
    }
    const errors = validate(options.schema, document, rules, { hideSuggestions: options.documentPolicy.hideSuggestions });
    if (errors.length) return errors;
    documents.set(query, document, { size: documentBytes(query.length) });
    return document;
  };

  /** Closes a socket whose credential ended: 4401 when its token expired, 4403 when it was revoked. */
  const endSocket = (socket: WebSocket, viewer: Viewer): void => {
    viewers.delete(socket);
    if (viewer.expiresAt && viewer.expiresAt.getTime() <= Date.now()) socket.close(WS_CLOSE.EXPIRED, 'Token expired: sign in again');
    else socket.close(WS_CLOSE.FORBIDDEN, 'Credential revoked: sign in again');
  };

  /**
   * Each operation re-checks its socket's credential in the database, so one sent after a sign-out
   * returned is refused (and the socket closed) even on a replica the announcement has not reached yet.
   */
  /** Per credential, the database check that operations arriving now will be answered by, until it is sent. */
  const checks = new Map<string, { sent: boolean; valid: Promise<boolean> }>();
  /**
   * Whether the credential is still valid, read from the database by a check sent after this call: a sign-out
   * that returned before an operation arrived is always seen. Operations of one credential that arrive
   * before its next check is sent share it, and at most one check per credential is in flight, so a burst of
   * 2,000 subscriptions on one token costs a few queries, not 2,000 (each held pooled-connection waits and
   * entity loads, which doubled an idle socket's resident memory in the fan-out benchmark).
   */
  const freshlyValid = (viewer: Viewer): Promise<boolean> => {
    const id = viewer.credentialId;
    const waiting = checks.get(id);
    if (waiting && !waiting.sent) return waiting.valid;
    const entry = { sent: false, valid: Promise.resolve(true) };
    entry.valid = (waiting?.valid ?? Promise.resolve(true))
      .catch(() => true)
      .then(() => {
        entry.sent = true;
        return options.stillValid(viewer);
      })
      .finally(() => {
        if (checks.get(id) === entry) checks.delete(id);
      });
    checks.set(id, entry);
    return entry.valid;
  };

  const credentialEnded = async (extra: Extra): Promise<GraphQLError[] | null> => {
    const viewer = extra.viewer;
    if (!viewer) return null;
    const valid = await freshlyValid(viewer).catch(() => true);
    if (valid && viewers.get(extra.socket) === viewer) return null;
    endSocket(extra.socket, viewer);
    return [unauthenticated('This sign-in was revoked or has expired: sign in again')];
  };

  const server = makeServer<ConnectionInitMessage['payload'], Extra>({
    schema: options.schema,
    connectionInitWaitTimeout: 10_000,
    onConnect: async (ctx) => {
      const authorization = ctx.connectionParams?.authorization;
      let viewer: Viewer | null;
      try {
        viewer = await options.authenticate(typeof authorization === 'string' ? authorization : undefined);
      } catch (err) {
        if (!isDatabaseDown(err)) throw err;
        ctx.extra.socket.close(WS_CLOSE.DATABASE_UNAVAILABLE, 'The database is unavailable: reconnect after a backoff');
        return false;
      }
      if (!viewer) return false;
      ctx.extra.viewer = viewer;
      viewers.set(ctx.extra.socket, viewer);
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      if (Object.keys(ctx.subscriptions).length > maxSubscriptions) {
        return [limitReached(`A socket may have at most ${maxSubscriptions} operations open at once: complete one first`, maxSubscriptions)];
      }
      const ended = await credentialEnded(ctx.extra);
      if (ended) return ended;
      const document = documentFor(payload.query);
      if (!('kind' in document)) return document.map((error) => withCode(error, documentErrorCode(error)));
      const unresolved = unresolvedOperation(document, payload.operationName);
      if (unresolved) return [unresolved];
      const viewer = ctx.extra.viewer ?? null;
      const args: ExecutionArgs = {
        schema: options.schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        hideSuggestions: options.documentPolicy.hideSuggestions,
      };
      if (!options.fanout.serves(args)) return { ...args, contextValue: options.contextFor(viewer, ctx.extra.clientAddress) };
      const { socket } = ctx.extra;
      const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
      const deliver: Deliver = (payloads) => {
        if (!(id in ctx.subscriptions)) return;
        if (payloads.length === 1) return transmit(socket, head + payloads[0] + '}');
        const stream = streamOf(socket);
        stream?.cork();
        for (const payload of payloads) transmit(socket, head + payload + '}');
        stream?.uncork();
      };
      const admitted = await options.fanout.admit(args, viewer, deliver);
      if (Array.isArray(admitted)) return admitted;
      return { ...args, contextValue: { subscription: admitted } satisfies FanoutContext };
    },
    subscribe: (args) => {
      if (!options.fanout.serves(args)) return subscribe(args);
      return (args.contextValue as FanoutContext).subscription;
    },
    onNext: (_ctx, _id, _payload, _args, result) => {
      if (!result.errors?.length) return undefined;
      return { ...result, errors: formatErrors(options.formatError, result.errors, 'data' in result ? INTERNAL : USER_INPUT) };
    },
    onError: (_ctx, _id, _payload, errors) => formatErrors(options.formatError, errors, INTERNAL),
  });

  /** Sockets pinged and not answered yet: one still here at the next ping is dead. */
  const unanswered = new Set<WebSocket>();
  function answered(this: WebSocket): void {
    unanswered.delete(this);
  }
  function failed(this: WebSocket): void {
    this.terminate();
  }

  wss.on('connection', (socket, request) => {
    socket.on('pong', answered);
    socket.on('error', failed);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data: string) => transmit(socket, data),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handler) =>
          socket.on('message', (message) => {
            handler(String(message)).catch(async (err: unknown) => {
              if (!(await options.fanout.databaseReachable())) return socket.close(WS_CLOSE.DATABASE_UNAVAILABLE, DATABASE_LOST);
              options.log.warn({ err }, 'websocket message failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, clientAddress: options.clientAddress?.(request) ?? null },
    );
    socket.once('close', (code, reason) => {
      viewers.delete(socket);
      unanswered.delete(socket);
      void closed(code, String(reason));
    });
  });

  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (unanswered.has(socket)) {
        socket.terminate();
        continue;
      }
      unanswered.add(socket);
      socket.ping();
    }
  }, options.keepAliveMs ?? 12_000);
  keepAlive.unref();

  const stopTellingOutages = options.fanout.onDatabaseLost(() => {
    for (const socket of wss.clients) socket.close(WS_CLOSE.DATABASE_UNAVAILABLE, DATABASE_LOST);
  });

  const expiry = setInterval(() => {
    const now = Date.now();
    for (const [socket, viewer] of viewers) if (viewer.expiresAt && viewer.expiresAt.getTime() <= now) endSocket(socket, viewer);
  }, options.expirySweepMs ?? 1_000);
  expiry.unref();

  let checking = false;
  const recheck = setInterval(async () => {
    if (checking) return;
    checking = true;
    try {
      const verdicts = new Map<string, Promise<boolean>>();
      for (const [socket, viewer] of viewers) {
        let verdict = verdicts.get(viewer.credentialId);
        if (!verdict) {
          verdict = options.stillValid(viewer).catch(() => true);
          verdicts.set(viewer.credentialId, verdict);
        }
        if (!(await verdict)) endSocket(socket, viewer);
      }
    } finally {
      checking = false;
    }
  }, options.recheckMs ?? 5_000);
  recheck.unref();

  return {
    sockets: () => wss.clients.size,
    slowConsumersClosed: () => slowClosed,
    closeCredential(credentialId, code, reason) {
      let count = 0;
      for (const [socket, viewer] of viewers) {
        if (viewer.credentialId !== credentialId) continue;
        viewers.delete(socket);
        socket.close(code, reason);
        count++;
      }
      return count;
    },
    async close() {
      stopTellingOutages();
      clearInterval(keepAlive);
      clearInterval(expiry);
      clearInterval(recheck);
      options.fanout.close();
      for (const socket of wss.clients) socket.close(WS_CLOSE.GOING_AWAY, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
