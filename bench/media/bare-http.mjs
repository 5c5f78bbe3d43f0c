/**
 * The bare baseline of bench/media/run.mjs: what receiving an upload onto this disk costs at the least. A `node:http`
 * server that streams every POST body, as it arrives (multipart framing and all: nothing is parsed, checked, hashed
 * or sniffed), into a new file under `DIR/tmp`, then makes it as durable as our disk store makes an original: fsync
 * the file, rename it to its own name under `DIR/files`, fsync that directory. Answers 201 with `{ bytes }` (and 200 to `GET /healthz`).
 * No authentication, no database, no processing. Environment: DIR (on the same filesystem as our server's
 * DATA_DIR), PORT.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const tempDir = path.join(process.env.DIR, 'tmp');
const filesDir = path.join(process.env.DIR, 'files');
await mkdir(tempDir, { recursive: true });
await mkdir(filesDir, { recursive: true });

async function fsync(file) {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function receive(request) {
  const name = `${Date.now()}-${randomUUID()}`;
  const temp = path.join(tempDir, `${name}.part`);
  let bytes = 0;
  request.on('data', (chunk) => (bytes += chunk.length));
  try {
    await pipeline(request, createWriteStream(temp, { flags: 'wx' }));
    await fsync(temp);
    await rename(temp, path.join(filesDir, name));
    await fsync(filesDir);
    return bytes;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

const server = createServer((request, response) => {
  if (request.method !== 'POST') return void response.writeHead(request.url === '/healthz' ? 200 : 404).end();
  receive(request).then(
    (bytes) => {
      const body = JSON.stringify({ bytes });
      response.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    },
    (err) => response.writeHead(500, { connection: 'close' }).end(String(err)),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`bare upload server listening on ${process.env.PORT}, writing to ${process.env.DIR}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
