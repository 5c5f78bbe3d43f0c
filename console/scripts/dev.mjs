// npm run dev: the API (TypeScript watch + node --watch) and the console (Vite, hot reload) side by side.
// Vite proxies /graphql (HTTP and WebSocket) and /console-config.json to the API. Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = process.execPath;
const tsc = `${root}node_modules/typescript/bin/tsc`;
const vite = `${root}node_modules/vite/bin/vite.js`;
const apiPort = process.env.PORT ?? '9400';
const env = { ...process.env, BALAGH_API: process.env.BALAGH_API ?? `http://127.0.0.1:${apiPort}` };

const first = spawnSync(node, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (first.status !== 0) process.exit(first.status ?? 1);

const children = [
  spawn(node, [tsc, '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit', env }),
  spawn(node, ['--watch', 'dist/server/main.js'], { cwd: root, stdio: 'inherit', env }),
  spawn(node, [vite, '--config', 'console/vite.config.ts', '--host', '127.0.0.1'], { cwd: root, stdio: 'inherit', env }),
];

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}

for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
