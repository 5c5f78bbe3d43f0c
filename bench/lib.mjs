// What every benchmark runner shares: where the built server lives, a dedicated embedded PostgreSQL, /proc CPU
// sampling, the server's CLI and waiting for a spawned server to answer /healthz.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist/server');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The built server's embedded PostgreSQL, loaded when first used so a runner can check that dist/ exists first. */
const embedded = () => import(path.join(DIST, 'db/embedded.js'));

/** A free TCP port on loopback (the built server's own helper). */
export async function freePort() {
  return (await embedded()).freePort();
}

/**
 * A dedicated embedded PostgreSQL for one run (the built server's, from dist/): a new folder `<tmpdir>/<prefix>XXXXXX`
 * with the cluster in its `pg/`. `onDir(dir)` hears of the folder before PostgreSQL starts (the runners print it).
 * `settings` are written with ALTER SYSTEM on a first start and take effect at a restart (track_commit_timestamp
 * needs one), so the cluster is kept across it. `stop()` stops PostgreSQL and removes the folder, unless `keep`
 * (then the cluster stays too). Resolves with `{ dir, url, postmasterPid, stop }`.
 */
export async function startBenchDatabase({ prefix, keep = false, settings = {}, onDir = () => undefined }) {
  const { startEmbeddedPostgres } = await embedded();
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach its data directory
  onDir(dir);
  const dataDir = path.join(dir, 'pg');
  const restart = Object.keys(settings).length > 0;
  if (restart) {
    const first = await startEmbeddedPostgres(dataDir, { persistent: true });
    const setup = new pg.Client({ connectionString: first.url });
    await setup.connect();
    for (const [name, value] of Object.entries(settings)) await setup.query(`alter system set ${name} = ${setup.escapeLiteral(String(value))}`);
    await setup.end();
    await first.stop();
  }
  const db = await startEmbeddedPostgres(dataDir, { persistent: keep || restart });
  return {
    dir,
    url: db.url,
    postmasterPid: Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop: async () => {
      await db.stop();
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** CPU time of a process in ms from /proc (Linux, 100 ticks a second); with `reaped`, also of its waited-for children. */
export function processCpuMs(pid, reaped = false) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0)) * 10;
  } catch {
    return NaN;
  }
}

/**
 * CPU time of a process and its children, in ms: the process, its live children and the ones that have exited.
 * For a PostgreSQL cluster (the postmaster and its backends) and for a server with WORKERS > 1 (the primary and
 * its cluster workers) alike.
 */
export function treeCpuMs(rootPid) {
  let total = processCpuMs(rootPid, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(fields[1]) === rootPid) total += processCpuMs(Number(entry));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

/** CPU time of the whole PostgreSQL cluster: the postmaster, its live backends and the ones that have exited. */
export const postgresCpuMs = treeCpuMs;

/** Runs the built server's CLI (user:create, apikey:create …) with extra environment; resolves with its output. */
export function cli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(DIST, 'cli.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`cli ${args[0]} failed (${code}): ${out}`))));
  });
}

/** Waits until a spawned server answers /healthz; fails with the tail of its log if it exits or takes over 120 s. */
export async function waitHealthy(url, server, logFile) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}):\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(250);
  }
  throw new Error('server did not become healthy within 120 s');
}
