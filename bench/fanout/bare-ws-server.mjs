/**
 * The baseline: a bare `ws` broadcast server with no GraphQL, no database and no protocol. A writer POSTs
 * `{ id, version, at }` to /publish at the benchmark's rate; the server builds one message of the same
 * shape and size as the real server's `next` message, with `at` (when the writer sent it) as `occurredAt`,
 * and sends that string to every open socket with `socket.send(string)`, closing a socket with 4600 (the
 * server's WS_CLOSE.SLOW_CONSUMER) when it has more than 1 MiB unsent, as the real server does. Latency therefore includes any time the
 * request waited behind earlier broadcasts, as the real server's includes its commit and outbox read.
 *
 *   PORT=0 node bench/fanout/bare-ws-server.mjs   # prints `listening <port>` on stdout
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';

const MAX_BUFFERED = 1024 * 1024;
/** server/src/events/events.close-codes.ts WS_CLOSE.SLOW_CONSUMER (this program runs without building the server). */
const SLOW_CONSUMER = 4600;
/** As long as the UUIDs graphql-ws clients use as subscription ids, so messages are the same size. */
const SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000000';
let slowClosed = 0;
let sequence = 0;

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    response.end(JSON.stringify({ sockets: wss.clients.size, slowClosed }));
    return;
  }
  if (request.method !== 'POST' || request.url !== '/publish') {
    response.statusCode = 404;
    response.end();
    return;
  }
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const { id, version, at } = JSON.parse(body);
    const cursor = Buffer.from(`1.${++sequence}`).toString('base64url');
    const event = { cursor, type: 'REPORT_UPDATED', occurredAt: at, report: { id, version, status: 'RECEIVED', priority: version % 2 ? 'HIGH' : 'NORMAL' } };
    const message = JSON.stringify({ id: SUBSCRIPTION_ID, type: 'next', payload: { data: { dispatchEvents: event } } });
    for (const socket of wss.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED) {
        slowClosed++;
        socket.close(SLOW_CONSUMER, 'Too slow');
        continue;
      }
      socket.send(message);
    }
    response.end('{"ok":true}');
  });
});

server.keepAliveTimeout = 120_000;
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1024 * 1024 });
wss.on('connection', (socket) => {
  socket.once('error', () => socket.terminate());
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => {
  for (const socket of wss.clients) socket.terminate();
  server.close(() => process.exit(0));
});
