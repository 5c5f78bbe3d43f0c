import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, subscribe, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode, makeServer, type ConnectionInitMessage } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Viewer } from '../auth/viewer.js';
import type { Context } from '../common/context.js';
import type { ValidationRule } from 'graphql';
import { RAW_DATA, type Fanout, type FanoutResult } from './events.fanout.js';

/** Close codes a client acts on; 4401/4403 mean sign in again, the rest mean reconnect and resume. */
export const WS_CLOSE = {
  /** The token expired while the socket was open. */
  EXPIRED: 4401,
  /** No valid credential in connection_init, or it was revoked. */
  FORBIDDEN: CloseCode.Forbidden,
  /** The client read too slowly: resume with `after: <last cursor>` and nothing is lost. */
  SLOW_CONSUMER: 4429,
} as const;

export interface SubscriptionServerOptions {
  server: Server;
  schema: GraphQLSchema;
  fanout: Fanout;
  validationRules: ValidationRule[];
  /** Resolves `Authorization: Bearer …` from connection_init. */
  authenticate(authorization: string | undefined): Promise<Viewer | null>;
  /** Whether a credential is still good; checked for every open socket every `recheckMs`. */
  stillValid(viewer: Viewer): Promise<boolean>;
  contextFor(viewer: Viewer | null): Context;
  /** Bytes a socket may have queued before it is closed as a slow consumer (default 1 MiB). */
  maxBufferedBytes?: number;
  keepAliveMs?: number;
  recheckMs?: number;
  log: { warn(obj: object, msg: string): void };
}

interface Extra {
  socket: WebSocket;
  viewer?: Viewer;
}

/**
 * graphql-ws on a `ws` server sharing the HTTP server and the /graphql path. Authentication happens in
 * connection_init and nothing runs before it; expired and revoked credentials end their sockets;
 * dispatchEvents goes to the fan-out, which hands back results serialized once per group. One timer
 * pings every socket and one re-checks credentials, so an idle socket costs no timers of its own.
 */
export interface SubscriptionServer {
  /** Open sockets. */
  sockets(): number;
  /** Sockets closed as slow consumers since start. */
  slowConsumersClosed(): number;
  close(): Promise<void>;
}

export function attachSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: 1024 * 1024, perMessageDeflate: false });
  const rules = [...specifiedRules, ...options.validationRules];
  const viewers = new Map<WebSocket, Viewer>();
  let pendingRaw: string | undefined;
  let slowClosed = 0;

  const server = makeServer<ConnectionInitMessage['payload'], Extra>({
    schema: options.schema,
    connectionInitWaitTimeout: 10_000,
    onConnect: async (ctx) => {
      const authorization = ctx.connectionParams?.authorization;
      const viewer = await options.authenticate(typeof authorization === 'string' ? authorization : undefined);
      if (!viewer) return false;
      ctx.extra.viewer = viewer;
      viewers.set(ctx.extra.socket, viewer);
      return true;
    },
    onSubscribe: async (ctx, _id, payload) => {
      let document;
      try {
        document = parse(payload.query);
      } catch (err) {
        return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
      }
      const errors = validate(options.schema, document, rules);
      if (errors.length) return errors;
      const args: ExecutionArgs = {
        schema: options.schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: options.contextFor(ctx.extra.viewer ?? null),
      };
      if (options.fanout.serves(args)) {
        const refused = await options.fanout.check(args, ctx.extra.viewer ?? null);
        if (refused) return refused;
      }
      return args;
    },
    subscribe: (args) => {
      if (options.fanout.serves(args)) return options.fanout.join(args, (args.contextValue as Context).viewer!);
      return subscribe(args);
    },
    jsonMessageReplacer: (key, value) => {
      if (key === 'payload' && value && typeof value === 'object' && RAW_DATA in value) {
        pendingRaw = (value as FanoutResult)[RAW_DATA];
        return RAW_PLACEHOLDER;
      }
      return value;
    },
  });

  wss.on('connection', (socket, request) => {
    (socket as WebSocket & { alive?: boolean }).alive = true;
    socket.on('pong', () => {
      (socket as WebSocket & { alive?: boolean }).alive = true;
    });
    socket.once('error', () => socket.terminate());
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data: string) => {
          const raw = pendingRaw;
          pendingRaw = undefined;
          if (socket.readyState !== socket.OPEN) return;
          if (socket.bufferedAmount > maxBuffered) {
            slowClosed++;
            socket.close(WS_CLOSE.SLOW_CONSUMER, 'Too slow: reconnect and resume with your last cursor');
            return;
          }
          socket.send(raw === undefined ? data : splice(data, raw));
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handler) =>
          socket.on('message', (message) => {
            handler(String(message)).catch((err: unknown) => {
              options.log.warn({ err }, 'websocket message failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket },
    );
    socket.once('close', (code, reason) => {
      viewers.delete(socket);
      void closed(code, String(reason));
    });
    void request;
  });

  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      const tracked = socket as WebSocket & { alive?: boolean };
      if (tracked.alive === false) {
        socket.terminate();
        continue;
      }
      tracked.alive = false;
      socket.ping();
    }
  }, options.keepAliveMs ?? 12_000);
  keepAlive.unref();

  let checking = false;
  const recheck = setInterval(async () => {
    if (checking) return;
    checking = true;
    try {
      const now = Date.now();
      const verdicts = new Map<string, Promise<boolean>>();
      for (const [socket, viewer] of viewers) {
        if (viewer.expiresAt && viewer.expiresAt.getTime() <= now) {
          socket.close(WS_CLOSE.EXPIRED, 'Token expired: sign in again');
          continue;
        }
        let verdict = verdicts.get(viewer.credentialId);
        if (!verdict) {
          verdict = options.stillValid(viewer).catch(() => true);
          verdicts.set(viewer.credentialId, verdict);
        }
        if (!(await verdict)) socket.close(WS_CLOSE.FORBIDDEN, 'Credential revoked: sign in again');
      }
    } finally {
      checking = false;
    }
  }, options.recheckMs ?? 5_000);
  recheck.unref();

  return {
    sockets: () => wss.clients.size,
    slowConsumersClosed: () => slowClosed,
    async close() {
      clearInterval(keepAlive);
      clearInterval(recheck);
      options.fanout.close();
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Stands in for a group's pre-serialized result inside a message until the socket splices it in. */
const RAW_PLACEHOLDER = '__balagh_serialized_payload__';

/** Puts the serialized payload where the placeholder stands; it is the message's last value, so search from the end. */
function splice(message: string, raw: string): string {
  const quoted = `"${RAW_PLACEHOLDER}"`;
  const at = message.lastIndexOf(quoted);
  return at < 0 ? message : message.slice(0, at) + raw + message.slice(at + quoted.length);
}
