import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';

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
