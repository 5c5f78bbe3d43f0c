import { inject } from 'vitest';
import { createApp, type App, type AppOptions } from '../../server/src/app.js';
import { loadConfig, type Config } from '../../server/src/config.js';

export type { App };

/** Starts the real app (Fastify, Apollo, ORM) on a free port against the test run's PostgreSQL. */
export async function startServer(overrides: Partial<Config> = {}, options: AppOptions = {}): Promise<App> {
  const config: Config = { ...loadConfig({}), port: 0, host: '127.0.0.1', databaseUrl: inject('databaseUrl'), demo: false, ...overrides };
  return createApp(config, { logger: false, ...options });
}

/** One GraphQL error as the server sends it. */
export interface GqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** A GraphQL answer and its HTTP status; `T` is the shape of `data` the operation selects. */
export interface GqlResponse<T = unknown> {
  status: number;
  data?: T | null;
  errors?: GqlError[];
}

/** POSTs one GraphQL operation the way any client would. */
export async function gql<T = unknown>(app: Pick<App, 'url'>, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse<T>> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GqlResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/** The data of a successful operation (of the shape `T` the caller names); fails the test with the errors otherwise. */
export async function ok<T>(app: Pick<App, 'url'>, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await gql<T>(app, query, variables, token);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** The first error's code, for asserting typed failures. */
export function codeOf(result: Pick<GqlResponse, 'errors'>): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}
