import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import fastifyStatic from '@fastify/static';
import type { MikroORM } from '@mikro-orm/postgresql';
import Fastify, { type FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Config } from './config.js';
import type { Context } from './common/context.js';
import { createLoaders } from './common/loaders.js';
import { queryLimits } from './common/limits.js';
import { createServices, type Services } from './common/services.js';
import { openOrm } from './db/orm.js';
import { seedDemo } from './db/seed/demo.seed.js';
import { seedReference } from './db/seed/reference.seed.js';
import { buildAppSchema } from './schema.js';

const CLIENT_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'CURSOR_EXPIRED']);

export interface AppOptions {
  /** Called with every SQL statement the ORM runs (tests count queries). */
  onQuery?: (sql: string) => void;
  /** Pino logger options, or false for silence (tests). */
  logger?: boolean | { level: string };
}

export interface App {
  /** Base URL, e.g. http://127.0.0.1:9400; GraphQL is at `${url}/graphql`. */
  url: string;
  port: number;
  orm: MikroORM;
  services: Services;
  fastify: FastifyInstance;
  /** Whether this start seeded the demo data. */
  seededDemo: boolean;
  close(): Promise<void>;
}

/**
 * Keeps our typed errors as they are (Apollo would relabel a validation rule's error), and hides the
 * internals of anything unexpected behind a logged INTERNAL_SERVER_ERROR.
 */
function formatError(fastify: FastifyInstance) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof GraphQLError ? unwrapped.originalError : unwrapped;
    if (original instanceof GraphQLError && CLIENT_CODES.has(String(original.extensions?.code))) {
      const { http: _http, ...extensions } = { ...formatted.extensions, ...original.extensions } as Record<string, unknown>;
      return { ...formatted, message: original.message, extensions };
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
  const services = createServices({ tokenTtlHours: config.tokenTtlHours });
  await seedReference(orm.em.fork());
  const seededDemo = config.demo ? await seedDemo(orm.em.fork(), services) : false;

  const fastify = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.maxBodyBytes,
  });
  fastify.setErrorHandler((err: { statusCode?: number; message: string }, _request, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) fastify.log.error({ err }, 'request failed');
    const code = status === 413 ? 'BAD_USER_INPUT' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    const message = status === 413 ? `Request body is larger than ${config.maxBodyBytes} bytes` : status >= 500 ? 'Internal error' : err.message;
    void reply.status(status).send({ errors: [{ message, extensions: { code, ...(status === 413 ? { field: 'body' } : {}) } }] });
  });

  const schema = await buildAppSchema();
  const apollo = new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [queryLimits(config.maxQueryDepth, config.maxQueryCost)],
    formatError: formatError(fastify),
    plugins: [fastifyApolloDrainPlugin(fastify) as ApolloServerPlugin<Context>],
  });
  await apollo.start();
  await fastify.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request) => {
      const em = orm.em.fork();
      const viewer = await services.auth.authenticate(em, request.headers.authorization);
      return { em, viewer, loaders: createLoaders(em), services };
    },
  });

  fastify.get('/healthz', async (_request, reply) => {
    const ok = await orm.isConnected();
    return reply.status(ok ? 200 : 503).send({ ok });
  });

  fastify.get('/console-config.json', async () => ({ tileUrl: config.mapTileUrl }));

  if (existsSync(config.consoleDir)) {
    await fastify.register(fastifyStatic, { root: config.consoleDir, prefix: '/', wildcard: false });
    fastify.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !request.url.startsWith('/graphql')) return reply.sendFile('index.html');
      return reply.status(404).send({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
    });
  }

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
    async close() {
      if (closed) return;
      closed = true;
      await fastify.close();
      await apollo.stop().catch(() => undefined);
      await orm.close(true);
    },
  };
}
