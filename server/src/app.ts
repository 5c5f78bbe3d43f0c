import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import fastifyStatic from '@fastify/static';
import type { MikroORM } from '@mikro-orm/postgresql';
import Fastify, { type FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Config } from './common/config.js';
import { revocationListener } from './auth/auth.revocations.js';
import { clientAddressOf, trustFunction } from './auth/client-address.js';
import type { Viewer } from './access/access.viewer.js';
import type { Context } from './access/access.context.js';
import { isDatabaseDown, serviceUnavailable, sqlState, UNSTORABLE_TEXT_STATES } from './common/errors.js';
import { boundedDocumentStore, documentPolicy, operationRequired } from './common/documents.js';
import { jitGateway } from './common/execution.js';
import { registerSecurityHeaders } from './common/security-headers.js';
import { createLoaders, createServices, type Services } from './container.js';
import { registerMediaRoutes } from './media/media.routes.js';
import { openOrm } from './db/orm.js';
import { seedDemo } from './db/seed/demo.seed.js';
import { seedReference } from './db/seed/reference.seed.js';
import { Fanout } from './events/events.fanout.js';
import { EventHub } from './events/events.hub.js';
import { Maintenance } from './events/events.maintenance.js';
import { attachSubscriptions, WS_CLOSE, type SubscriptionServer } from './events/events.socket.js';
import { buildAppSchema } from './schema.js';

const CLIENT_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'CURSOR_EXPIRED', 'TIMEOUT']);

/** Estimated bytes of parsed documents Apollo keeps (see boundedDocumentStore): a few hundred typical operations. */
const DOCUMENT_STORE_BYTES = 16 * 1024 * 1024;

export interface AppOptions {
  /** Called with every SQL statement the ORM runs (tests count queries). */
  onQuery?: (sql: string, params: readonly unknown[]) => void;
  /** Pino logger options, or false for silence (tests). */
  logger?: boolean | { level: string };
  /**
   * The cluster worker this app runs in (WORKERS>1): every HTTP answer and WebSocket upgrade says it in
   * `x-balagh-worker`, so an operator (and a test) can tell which process served a connection.
   */
  workerId?: number;
  /** The satisfaction center's clock (calling hours, retries, claim expiry); tests pass one they move. */
  clock?: () => Date;
}

/** The response header naming the worker process that served a request or accepted a socket. */
export const WORKER_HEADER = 'x-balagh-worker';

export interface App {
  /** Base URL, e.g. http://127.0.0.1:9400; GraphQL is at `${url}/graphql`. */
  url: string;
  port: number;
  orm: MikroORM;
  services: Services;
  fastify: FastifyInstance;
  /** Whether this start seeded the demo data. */
  seededDemo: boolean;
  hub: EventHub;
  fanout: Fanout;
  maintenance: Maintenance;
  subscriptions: SubscriptionServer;
  close(): Promise<void>;
}

/**
 * A database outage met before execution (authenticating the caller) answers SERVICE_UNAVAILABLE with
 * HTTP 503, as one met by a resolver does, rather than Apollo's "Context creation failed" 500.
 */
async function whenReachable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isDatabaseDown(err)) throw serviceUnavailable();
    throw err;
  }
}

/**
 * Keeps our typed errors as they are (Apollo would relabel a validation rule's error), and hides the
 * internals of anything unexpected behind a logged INTERNAL_SERVER_ERROR. The one formatter for HTTP and
 * the WebSocket (queries, mutations and subscription results alike).
 */
export function formatError(fastify: FastifyInstance) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof GraphQLError ? unwrapped.originalError : unwrapped;
    if (original instanceof GraphQLError && CLIENT_CODES.has(String(original.extensions?.code))) {
      const { http: _http, ...extensions } = { ...formatted.extensions, ...original.extensions } as Record<string, unknown>;
      return { ...formatted, message: original.message, extensions };
    }
    if (UNSTORABLE_TEXT_STATES.has(sqlState(original) ?? '')) {
      const field = String(formatted.path?.[formatted.path.length - 1] ?? 'input');
      return { message: `${field} holds text that cannot be stored (a NUL character or invalid Unicode)`, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', field } };
    }
    if (isDatabaseDown(original)) {
      return { message: serviceUnavailable().message, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
    }
    if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
      fastify.log.error({ err: original }, 'unexpected error in a GraphQL operation');
      return { message: 'Internal error; it has been logged', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    return formatted;
  };
}

/** Starts the API (and the built console, when present) on `config.port` (0 picks a free port). */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  if (!config.databaseUrl) throw new Error('createApp needs config.databaseUrl; main.ts starts an embedded PostgreSQL when it is absent');
  const orm = await openOrm(config.databaseUrl, { onQuery: options.onQuery });
  const services = createServices({
    tokenTtlHours: config.tokenTtlHours,
    login: { maxFailures: config.loginMaxFailures, maxFailuresPerAddress: config.loginMaxFailuresPerAddress, windowSeconds: config.loginWindowSeconds },
    reads: { statementTimeoutMs: config.readStatementTimeoutMs, searchConcurrency: config.searchConcurrency },
    media: config.media,
    followUp: config.followUp,
    duplicates: config.duplicates,
    clock: options.clock,
    presence: config.presence,
  });
  await seedReference(orm.em.fork());
  const seededDemo = config.demo ? await seedDemo(orm.em.fork(), services) : false;

  const trust = trustFunction(config.trustProxy);
  const fastify = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy === false ? false : trust,
  });
  fastify.setErrorHandler((err: { statusCode?: number; message: string }, _request, reply) => {
    if (err.statusCode === undefined && isDatabaseDown(err)) {
      const { message, extensions } = serviceUnavailable();
      return reply.status(503).send({ errors: [{ message, extensions: { code: extensions.code } }] });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) fastify.log.error({ err }, 'request failed');
    const code = status === 413 ? 'BAD_USER_INPUT' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    const message = status === 413 ? `Request body is larger than ${config.maxBodyBytes} bytes` : status >= 500 ? 'Internal error' : err.message;
    void reply.status(status).send({ errors: [{ message, extensions: { code, ...(status === 413 ? { field: 'body' } : {}) } }] });
  });
  registerSecurityHeaders(fastify, config);
  const { workerId } = options;
  if (workerId !== undefined) fastify.addHook('onRequest', async (_request, reply) => void reply.header(WORKER_HEADER, String(workerId)));

  const contextFor = (viewer: Viewer | null, clientAddress: string | null = null): Context => {
    const em = orm.em.fork();
    return { em, viewer, clientAddress, loaders: createLoaders(em, services), services };
  };
  const schema = await buildAppSchema();
  const hub = new EventHub({ databaseUrl: config.databaseUrl, pollMs: config.eventPollMs, log: fastify.log });
  await hub.start();
  const formatErrors = formatError(fastify);
  const fanout = new Fanout(hub, schema, contextFor, fastify.log, { maxGroupsPerAudience: config.wsMaxSubscriptionGroups, formatError: formatErrors });
  await services.media.open(orm.em.fork());
  await services.presence.start(config.databaseUrl, fastify.log);
  const maintenance = new Maintenance({ orm, reports: services.reports, media: services.media, retentionDays: config.eventRetentionDays, overdueEveryMs: config.overdueCheckMs, log: fastify.log });
  maintenance.start();
  const policy = documentPolicy(config);
  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(schema, { hideSuggestions: policy.hideSuggestions }),
    csrfPrevention: true,
    // INTROSPECTION is enforced by policy.rules, the same rule the WebSocket applies.
    introspection: true,
    hideSchemaDetailsFromClientErrors: policy.hideSuggestions,
    includeStacktraceInErrorResponses: false,
    parseOptions: policy.parseOptions,
    validationRules: policy.rules,
    validationOptions: { hideSuggestions: policy.hideSuggestions },
    documentStore: boundedDocumentStore(DOCUMENT_STORE_BYTES),
    formatError: formatErrors,
    // No type or field declares a cache policy, and the default cache-control plugin wraps every field
    // resolver in hooks to compute one: about a millisecond of CPU on a 50-report queue page.
    plugins: [
      fastifyApolloDrainPlugin(fastify) as ApolloServerPlugin<Context>,
      ApolloServerPluginCacheControlDisabled(),
      operationRequired<Context>(),
      config.demo ? ApolloServerPluginLandingPageLocalDefault() : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  await fastify.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request) => contextFor(await whenReachable(services.auth.authenticate(orm.em.fork(), request.headers.authorization)), request.ip),
  });

  await registerMediaRoutes(fastify, { orm, media: services.media, authenticate: (header) => whenReachable(services.auth.authenticate(orm.em.fork(), header)) });

  fastify.get('/healthz', async (_request, reply) => {
    const ok = await orm.isConnected();
    return reply.status(ok ? 200 : 503).send({ ok });
  });

  fastify.get('/console-config.json', async () => ({ tileUrl: config.mapTileUrl }));

  // Unknown paths answer the API's error shape, with or without a console build; with one, a GET of any other
  // path is a console route and gets its index.html.
  const hasConsole = existsSync(config.consoleDir);
  if (hasConsole) await fastify.register(fastifyStatic, { root: config.consoleDir, prefix: '/', wildcard: false });
  fastify.setNotFoundHandler((request, reply) => {
    if (hasConsole && request.method === 'GET' && !request.url.startsWith('/graphql')) return reply.sendFile('index.html');
    return reply.status(404).send({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
  });

  const subscriptions = attachSubscriptions({
    server: fastify.server,
    upgradeHeaders: workerId === undefined ? [] : [`${WORKER_HEADER}: ${workerId}`],
    schema,
    fanout,
    documentPolicy: policy,
    authenticate: (authorization) => services.auth.authenticate(orm.em.fork(), authorization),
    stillValid: (viewer) => services.auth.stillValid(orm.em.fork(), viewer),
    clientAddress: (request) => clientAddressOf(request, trust),
    contextFor,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    maxSubscriptions: config.wsMaxSubscriptions,
    formatError: formatErrors,
    recheckMs: config.wsRecheckMs,
    log: fastify.log,
  });

  services.auth.onRevoked((credentialId) => subscriptions.closeCredential(credentialId, WS_CLOSE.FORBIDDEN, 'Credential revoked: sign in again'));
  const revocations = revocationListener({
    databaseUrl: config.databaseUrl,
    onRevoked: (credentialId) => services.auth.revoked(credentialId),
    onListening: () => services.auth.forgetCached(),
    log: fastify.log,
  });
  await revocations.start();

  await fastify.listen({ port: config.port, host: config.host });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;

  let closed = false;
  return {
    url: `http://${host}:${port}`,
    port,
    orm,
    services,
    fastify,
    seededDemo,
    hub,
    fanout,
    maintenance,
    subscriptions,
    async close() {
      if (closed) return;
      closed = true;
      await subscriptions.close();
      await services.presence.stop();
      await revocations.stop();
      await maintenance.stop();
      await hub.stop();
      await fastify.close();
      await apollo.stop().catch(() => undefined);
      await orm.close(true);
    },
  };
}
