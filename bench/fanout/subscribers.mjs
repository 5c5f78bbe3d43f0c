/**
 * A subscriber process: started by run.mjs with `fork`, it holds thousands of WebSockets and answers
 * commands over IPC. Each socket speaks graphql-transport-ws directly on `ws` (connection_init with the
 * bearer token, then one `subscribe` with its own id, as graphql-ws clients do), or, for the baseline, simply listens to the bare broadcast server.
 * Both kinds receive `next` messages of the same shape and are measured identically:
 *
 * - latency: each delivery's receive time is kept per event; at `drain` run.mjs supplies each event's
 *   origin (the server's commit timestamp from PostgreSQL, or the moment the writer sent a bare event)
 *   and the receive times minus the origin go into a 0.1 ms histogram (same machine, same clock);
 * - loss: every event key (`report.id:version`) the writer committed must reach every socket that was
 *   open when the window started;
 * - order: each socket checks that cursors strictly increase.
 *
 * A process can hold sockets to both servers at once (so run.mjs can alternate their windows); only the
 * server being measured sends anything. Commands: connect, reset, waitEach, drain, count, close, exit
 * (see `handlers`); all but exit name their `target` ('graphql' or 'bare').
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const BUCKET_MS = 0.1;
const BUCKETS = 100_000;

/** @type {Record<string, Set<Socket>>} */
const sockets = { graphql: new Set(), bare: new Set() };
/** Per event key, the receive times of its deliveries here. */
let receipts = new Map();
let counts = new Map();
/** Per event key, the earliest latency of any socket here: the pipeline's share, before the fan-out's. */
let firsts = new Map();
let outOfOrder = 0;
let protocolErrors = [];
let closedSince = new Map();
let expected = 0;
let firstReceive = Infinity;
let lastReceive = 0;
let cpuAtReset = process.cpuUsage();

const now = () => performance.timeOrigin + performance.now();

/**
 * @typedef {{ ws: WebSocket, n: number, lastTx: number, lastId: number, subscribed: boolean }} Socket
 */

function record(socket, text) {
  const message = JSON.parse(text);
  if (message.type !== 'next') {
    if (message.type === 'ping') socket.ws.send('{"type":"pong"}');
    else if (message.type === 'error' && protocolErrors.length < 5) protocolErrors.push(message.payload);
    return;
  }
  const received = now();
  const event = message.payload?.data?.dispatchEvents;
  if (!event) {
    if (protocolErrors.length < 5) protocolErrors.push(message.payload);
    return;
  }
  const [tx, id] = Buffer.from(event.cursor, 'base64url').toString('latin1').split('.').map(Number);
  if (tx < socket.lastTx || (tx === socket.lastTx && id <= socket.lastId)) outOfOrder++;
  socket.lastTx = tx;
  socket.lastId = id;
  socket.n++;
  if (received < firstReceive) firstReceive = received;
  if (received > lastReceive) lastReceive = received;
  const key = `${event.report.id}:${event.report.version}`;
  const times = receipts.get(key);
  if (times) times.push(received);
  else receipts.set(key, [received]);
  const count = counts.get(key);
  counts.set(key, (count ?? 0) + 1);
  if (count === undefined) firsts.set(key, [received - Date.parse(event.occurredAt), received]);
}

/** Opens one socket; resolves when it is subscribed (graphql: after connection_ack) or failed. */
function open(job, index) {
  return new Promise((resolve) => {
    const graphql = job.target === 'graphql';
    const ws = new WebSocket(job.url, graphql ? 'graphql-transport-ws' : undefined, { perMessageDeflate: false, localAddress: job.localAddress, handshakeTimeout: 60_000 });
    /** @type {Socket} */
    const socket = { ws, n: 0, lastTx: 0, lastId: 0, subscribed: false };
    let settled = false;
    const settle = (ok, why) => {
      if (settled) return;
      settled = true;
      resolve(ok ? null : why);
    };
    ws.on('open', () => {
      sockets[job.target].add(socket);
      if (!graphql) {
        socket.subscribed = true;
        settle(true);
        return;
      }
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${job.token}` } }));
    });
    ws.on('message', (data) => {
      if (socket.subscribed) return record(socket, data.toString());
      const message = JSON.parse(data.toString());
      if (message.type !== 'connection_ack') return settle(false, `unexpected ${message.type}`);
      const query = job.queries[index % job.queries.length];
      ws.send(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query, variables: job.variables ?? {} } }));
      socket.subscribed = true;
      settle(true);
    });
    ws.on('error', (err) => settle(false, err.message));
    ws.on('close', (code) => {
      if (sockets[job.target].delete(socket)) closedSince.set(code, (closedSince.get(code) ?? 0) + 1);
      settle(false, `closed ${code}`);
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const handlers = {
  async connect(job) {
    let next = 0;
    let connected = 0;
    const failures = [];
    const worker = async () => {
      while (next < job.count) {
        const index = job.offset + next++;
        const failure = await open(job, index);
        if (failure === null) connected++;
        else if (failures.length < 5) failures.push(failure);
      }
    };
    await Promise.all(Array.from({ length: job.concurrency ?? 50 }, worker));
    return { connected, failed: job.count - connected, failures };
  },

  reset({ target }) {
    receipts = new Map();
    counts = new Map();
    firsts = new Map();
    outOfOrder = 0;
    protocolErrors = [];
    closedSince = new Map();
    firstReceive = Infinity;
    lastReceive = 0;
    for (const socket of sockets[target]) socket.n = 0;
    expected = sockets[target].size;
    cpuAtReset = process.cpuUsage();
    return { open: expected };
  },

  /** Waits until every open socket has received something since the last reset (it is live). */
  async waitEach({ target, timeoutMs }) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let missing = 0;
      for (const socket of sockets[target]) if (socket.n === 0) missing++;
      if (missing === 0 || Date.now() > deadline) return { open: sockets[target].size, missing };
      await sleep(20);
    }
  },

  /**
   * Waits until every key reached every socket open at the reset (or the timeout), then reports; the
   * latency histogram counts each delivery from its event's entry in `origins` (ms, same clock).
   */
  async drain({ target, keys, origins, timeoutMs }) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const goal = Math.min(expected, sockets[target].size);
      if (keys.every((key) => (counts.get(key) ?? 0) >= goal) || Date.now() > deadline) break;
      await sleep(20);
    }
    let deliveries = 0;
    let lost = 0;
    let duplicates = 0;
    const wanted = new Set(keys);
    for (const key of keys) {
      const count = counts.get(key) ?? 0;
      deliveries += Math.min(count, expected);
      lost += Math.max(0, expected - count);
      duplicates += Math.max(0, count - expected);
    }
    let unknown = 0;
    for (const [key, count] of counts) if (!wanted.has(key)) unknown += count;
    const hist = new Uint32Array(BUCKETS + 1);
    let maxLatency = 0;
    keys.forEach((key, i) => {
      for (const received of receipts.get(key) ?? []) {
        const latency = received - origins[i];
        hist[Math.max(0, Math.min(BUCKETS, Math.floor(latency / BUCKET_MS)))]++;
        if (latency > maxLatency) maxLatency = latency;
      }
    });
    const sparse = [];
    for (let i = 0; i < hist.length; i++) if (hist[i]) sparse.push([i, hist[i]]);
    const cpu = process.cpuUsage(cpuAtReset);
    return {
      expected,
      open: sockets[target].size,
      closed: Object.fromEntries(closedSince),
      deliveries,
      lost,
      duplicates,
      unknown,
      outOfOrder,
      protocolErrors,
      hist: sparse,
      firsts: keys.map((key) => firsts.get(key) ?? null),

      bucketMs: BUCKET_MS,
      maxLatency,
      firstReceive,
      lastReceive,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  },

  count({ target }) {
    return { open: sockets[target].size };
  },

  async close({ target }) {
    const closing = [...sockets[target]].map(
      (socket) =>
        new Promise((resolve) => {
          socket.ws.once('close', resolve);
          socket.ws.terminate();
        }),
    );
    await Promise.all(closing);
    sockets[target].clear();
    return { open: 0 };
  },

  exit() {
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await handlers[cmd](args ?? {});
    process.send({ id, ok: true, result });
  } catch (err) {
    process.send({ id, ok: false, error: err instanceof Error ? err.stack : String(err) });
  }
});
