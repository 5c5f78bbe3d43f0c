// What every benchmark runner shares: where the built server lives, /proc CPU sampling, the server's CLI and
// waiting for a spawned server to answer /healthz.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist/server');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time of a process in ms from /proc (Linux, 100 ticks a second); with `reaped`, also of its waited-for children. */
export function processCpuMs(pid, reaped = false) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0)) * 10;
  } catch {
    return NaN;
  }
}

/** CPU time of the whole PostgreSQL cluster: the postmaster, its live backends and the ones that have exited. */
export function postgresCpuMs(postmasterPid) {
  let total = processCpuMs(postmasterPid, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(fields[1]) === postmasterPid) total += processCpuMs(Number(entry));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

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
