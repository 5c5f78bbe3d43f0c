/**
 * The upload load generator of bench/media/run.mjs: a process of its own (started with `fork`, one job over IPC), so
 * the runner's RSS sampling and the servers never share its event loop. It keeps `concurrency` multipart uploads in
 * flight (HTTP/1.1 keep-alive through `node:http`, one socket per upload in flight, the body written from buffers
 * made once) for `warmupMs + durationMs`, or until `untilBytes` file bytes have been sent.
 *
 * Every upload is one part named `file`. Its bytes are the base file with a fixed-length tag written into it: in a
 * JPEG a COM segment right after SOI, in the synthetic MP3 the first frame's ancillary bytes (after its side
 * information; a frame with no coded audio ignores them). `distinct` jobs tag every upload with a new counter, so
 * each is new content (a new media row, full processing); otherwise the tag cycles through `variants` names uploaded
 * before, so our server finds the same uploader's same bytes and answers 200 after receiving them.
 *
 * Throughput counts the uploads that complete inside the measured window (warm-up excluded, the drain after it
 * too); latency is that of every upload started inside it. The answer also carries the `Server-Timing` durations
 * (receive, process, store) of those uploads, the status codes seen, every completed upload's bytes (for the RSS
 * check's total) and the process's own CPU time.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Bytes of every tag: constant, so every upload of a job has the same length. */
export const TAG_BYTES = 40;
/** Where the tag goes in the synthetic MP3: after the first frame's 4-byte header and 17 bytes of (mono) side information. */
const MP3_TAG_AT = 4 + 17;

function tagBytes(tag) {
  const bytes = Buffer.alloc(TAG_BYTES, 0x20);
  bytes.write(tag.slice(0, TAG_BYTES), 'latin1');
  return bytes;
}

/**
 * The parts of one upload's file: `[head, tail]`, the head small and made per upload, the tail shared. A JPEG gets
 * `FF D8 | FF FE <length> <tag> | the rest of the original after its SOI`.
 */
export function fileParts(kind, base, tag) {
  if (kind === 'photo') {
    const head = Buffer.alloc(2 + 4 + TAG_BYTES);
    head.set([0xff, 0xd8, 0xff, 0xfe, (TAG_BYTES + 2) >> 8, (TAG_BYTES + 2) & 0xff]);
    tagBytes(tag).copy(head, 6);
    return [head, base.subarray(2)];
  }
  const frameLength = 417;
  const head = Buffer.from(base.subarray(0, frameLength));
  tagBytes(tag).copy(head, MP3_TAG_AT);
  return [head, base.subarray(frameLength)];
}

/** The multipart framing around one file part named `file`. */
export function multipart(kind) {
  const boundary = `----balagh-bench-${randomBytes(8).toString('hex')}`;
  const [filename, type] = kind === 'photo' ? ['photo.jpg', 'image/jpeg'] : ['voice.mp3', 'audio/mpeg'];
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    preamble: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    epilogue: Buffer.from(`\r\n--${boundary}--\r\n`),
  };
}

/** `receive;dur=1.2, process;dur=3.4, store;dur=5.6` as `{ receive: 1.2, process: 3.4, store: 5.6 }`. */
export function serverTiming(header) {
  const timings = {};
  for (const match of String(header ?? '').matchAll(/([\w-]+);dur=([\d.]+)/g)) timings[match[1]] = Number(match[2]);
  return timings;
}

/**
 * POSTs one file (`parts`) to `url` as multipart/form-data; resolves with `{ status, body, timing }` whatever the
 * status, rejects only when the connection fails.
 */
export function upload({ url, token, agent, framing, parts }) {
  const length = framing.preamble.length + parts.reduce((sum, part) => sum + part.length, 0) + framing.epilogue.length;
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': framing.contentType, 'content-length': length, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: kept as text for the error message
          }
          resolve({ status: response.statusCode, body, timing: serverTiming(response.headers['server-timing']) });
        });
      },
    );
    request.on('error', reject);
    request.write(framing.preamble);
    for (const part of parts) request.write(part);
    request.end(framing.epilogue);
  });
}

async function run(job) {
  const base = readFileSync(job.file);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const framing = multipart(job.kind);
  const latencies = [];
  const timings = { receive: [], process: [], store: [], receiveStore: [] };
  const statuses = {};
  const errorSamples = [];
  let errors = 0;
  let completed = 0;
  let totalBytes = 0;
  let windowCompleted = 0;
  let windowBytes = 0;
  let n = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const measureFrom = started + job.warmupMs;
  const end = job.untilBytes ? Infinity : measureFrom + job.durationMs;
  let inFlightBytes = 0;
  const more = () => performance.now() < end && !(job.untilBytes && totalBytes + inFlightBytes >= job.untilBytes);

  async function worker() {
    while (more()) {
      const index = n++;
      const tag = job.distinct ? `${job.tagPrefix}-${index}` : `${job.tagPrefix}-${index % job.variants}`;
      const parts = fileParts(job.kind, base, tag);
      const fileBytes = parts.reduce((sum, part) => sum + part.length, 0);
      inFlightBytes += fileBytes;
      const t0 = performance.now();
      let ok = false;
      try {
        const answer = await upload({ url: job.url, token: job.token, agent, framing, parts });
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status !== job.expectStatus) throw new Error(`HTTP ${answer.status} (expected ${job.expectStatus}): ${JSON.stringify(answer.body).slice(0, 300)}`);
        ok = true;
        if (t0 >= measureFrom) {
          const { receive, process: processing, store } = answer.timing;
          if (receive !== undefined) {
            timings.receive.push(receive);
            timings.process.push(processing);
            timings.store.push(store);
            timings.receiveStore.push(receive + store);
          }
        }
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(err.message ?? err));
      }
      const t1 = performance.now();
      inFlightBytes -= fileBytes;
      completed++;
      if (!ok) continue;
      totalBytes += fileBytes;
      if (t0 >= measureFrom) latencies.push(t1 - t0);
      if (t1 >= measureFrom && t1 <= end) {
        windowCompleted++;
        windowBytes += fileBytes;
      }
    }
  }

  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const finished = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  for (const list of [latencies, ...Object.values(timings)]) list.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds: job.untilBytes ? (finished - measureFrom) / 1000 : job.durationMs / 1000,
    windowCompleted: job.untilBytes ? completed - errors : windowCompleted,
    windowBytes: job.untilBytes ? totalBytes : windowBytes,
    completed,
    totalBytes,
    errors,
    errorSamples,
    statuses,
    latencies,
    timings,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

if (process.send) {
  process.once('message', (job) => {
    run(job).then(
      (result) => process.send({ ok: true, result }, () => process.exit(0)),
      (err) => process.send({ ok: false, error: String(err.stack ?? err) }, () => process.exit(1)),
    );
  });
}
