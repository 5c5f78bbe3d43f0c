import 'reflect-metadata';
import path from 'node:path';
import { createApp } from './app.js';
import { loadConfig } from './common/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { DEMO_KEYS, DEMO_PASSWORD } from './db/seed/demo.seed.js';

/** config → database → app → listen; prints the URL (and demo logins in demo mode). */
async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    const dir = path.join(config.dataDir, 'postgres');
    console.log(`Starting embedded PostgreSQL in ${dir} …`);
    embedded = await startEmbeddedPostgres(dir, { persistent: true, port: Number(process.env.EMBEDDED_PG_PORT) || undefined, warn: (message) => console.warn(message) });
    config.databaseUrl = embedded.url;
  }
  const app = await createApp(config).catch(async (err: unknown) => {
    await embedded?.stop().catch(() => undefined);
    throw err;
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = ['', `Balagh 940 is up in ${seconds}s`, `  Console:  ${app.url}/`, `  GraphQL:  ${app.url}/graphql   (WebSocket: ${app.url.replace('http', 'ws')}/graphql)`];
  if (config.demo) {
    lines.push(
      `  Demo mode${app.seededDemo ? ' (demo data seeded now)' : ''}: data in ${config.dataDir}`,
      `  Sign in:  dispatcher / ${DEMO_PASSWORD}, supervisor / ${DEMO_PASSWORD}, crew01 … crew12 / ${DEMO_PASSWORD}`,
      `  API keys: ${DEMO_KEYS.intake} (INTAKE), ${DEMO_KEYS.integrator} (INTEGRATOR)`,
    );
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    await app.close().catch((err) => console.error(err));
    await embedded?.stop().catch((err) => console.error(err));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
