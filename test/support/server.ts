import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createApp, type App, type AppOptions } from '../../server/src/app.js';
import { loadConfig, type Config } from '../../server/src/common/config.js';

export type { App };

export interface StartOptions extends AppOptions {
  /**
   * The console build the server serves: a string is the page written as its `index.html`, in a temporary
   * folder that goes when the app closes; `false` is none at all (an API-only deployment). Without it the
   * server serves `consoleDir` from the overrides, else the configured one (console/dist when built).
   */
  console?: string | false;
}

/**
 * Starts the real app (Fastify, Apollo, ORM) on a free port against the test run's PostgreSQL: the one way a
 * test starts the server in its own process (test/support/process.ts runs it as a process of its own).
 */
export async function startServer(overrides: Partial<Config> = {}, options: StartOptions = {}): Promise<App> {
  const { console: page, ...appOptions } = options;
  let consoleFolder: string | undefined;
  if (page === false) {
    overrides = { ...overrides, consoleDir: path.join(os.tmpdir(), `balagh-no-console-${randomUUID()}`) }; // a folder that does not exist
  } else if (page !== undefined) {
    consoleFolder = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-page-'));
    await writeFile(path.join(consoleFolder, 'index.html'), page);
    overrides = { ...overrides, consoleDir: consoleFolder };
  }
  // Each server stores media in a folder of its own, removed when it closes (unless the test chose one).
  const defaults = loadConfig({});
  const mediaFolder = overrides.media ? undefined : await mkdtemp(path.join(os.tmpdir(), 'balagh-media-'));
  const media = overrides.media ?? { ...defaults.media, dir: mediaFolder as string };
  const config: Config = { ...defaults, port: 0, host: '127.0.0.1', databaseUrl: inject('databaseUrl'), demo: false, ...overrides, media };
  let app: App;
  try {
    app = await createApp(config, { logger: false, ...appOptions });
  } catch (err) {
    for (const folder of [consoleFolder, mediaFolder]) if (folder) await rm(folder, { recursive: true, force: true });
    throw err;
  }
  const folders = [consoleFolder, mediaFolder].filter((folder): folder is string => !!folder);
  if (folders.length) {
    const close = app.close.bind(app);
    app.close = async () => {
      try {
        await close();
      } finally {
        for (const folder of folders) await rm(folder, { recursive: true, force: true });
      }
    };
  }
  return app;
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

/**
 * One POST /graphql on a connection of its own (no keep-alive), so a cluster or a load balancer may hand it to any
 * process: the response's headers (which worker or replica answered) and its body.
 */
export function postOnNewConnection<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ headers: IncomingHttpHeaders; body: { data?: T | null; errors?: GqlError[] } }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/graphql`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ headers: response.headers, body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ query, variables }));
  });
}
