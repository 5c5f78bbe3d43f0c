import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';

/**
 * Servers and the CLI as real processes of their own, compiled as `npm start` runs them: the one way a test
 * starts one (test/support/server.ts starts the server inside the test's process).
 */

/** The server running as a real process of its own (`node main.js`, as `npm start` runs it). */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** What it printed so far, stdout and stderr together. */
  output(): string;
}

/**
 * Compiles the server into a new folder under `.data/` (inside the repository, so node_modules resolve) and
 * returns it: tests that kill, restart or replicate the server run what `npm start` runs. Remove it afterwards.
 */
export async function compileServer(prefix: string): Promise<string> {
  await mkdir(path.resolve('.data'), { recursive: true });
  const outDir = await mkdtemp(path.resolve('.data', `${prefix}-build-`));
  execFileSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', outDir], { stdio: 'inherit' });
  return outDir;
}

/**
 * Starts the server compiled into `outDir` with `env` over this process's environment (DATABASE_URL only when
 * `env` names it, so without it the server runs its embedded PostgreSQL) and resolves with the URL it prints.
 * Rejects with its output when it exits first or has not started within 90 s.
 */
export async function spawnServer(outDir: string, env: Record<string, string>): Promise<ServerProcess> {
  const { DATABASE_URL: _url, ...inherited } = process.env;
  const child = spawn(process.execPath, [path.join(outDir, 'main.js')], {
    env: { ...inherited, HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphQL:\s+(http:\/\/[^\s]+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${signal ?? code}) while starting:\n${output}`));
    });
  });
  return { url, child, output: () => output };
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Stops a spawned server: SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it has exited. */
export async function stopServer(server: ServerProcess, graceMs = 10_000): Promise<void> {
  server.child.kill('SIGTERM');
  await Promise.race([exited(server.child), new Promise((resolve) => setTimeout(resolve, graceMs))]);
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGKILL');
  await exited(server.child);
}

/**
 * Runs the CLI compiled into `outDir` (`node cli.js …`, as `npm run user:create` runs it) with `env` over this
 * process's environment, less the secrets the CLI would read from it (BALAGH_PASSWORD, BALAGH_API_KEY) unless
 * `env` gives them; resolves with its exit code and output.
 */
export function runCli(outDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { BALAGH_PASSWORD: _password, BALAGH_API_KEY: _key, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(outDir, 'cli.js'), ...args], { env: { ...inherited, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
