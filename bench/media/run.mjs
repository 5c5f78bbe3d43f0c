/**
 * Issue 11's upload benchmark: `POST /media` with 2 MB photos, 16 in flight, against a bare `node:http` server that
 * streams the same bytes to the same disk, in one run.
 *
 * One dedicated embedded PostgreSQL and our built server (dist/server/main.js, DATA_DIR in the run's temp folder,
 * so media lands on disk under DATA_DIR/media) with an INTAKE key from the CLI; the bare baseline
 * (bench/media/bare-http.mjs) writes under the same temp folder. The uploads come from bench/media/uploader.mjs, a
 * process of its own. The photo is a real 3000×2000 JPEG made once with sharp (a smooth scene with fine noise,
 * quality 88, about 2.0 MB); every upload gets a COM segment with a counter after its SOI, so every upload is new
 * content and goes the whole way. Before measuring, the server must accept one (201, 3000×2000, our sha256, display
 * and thumbnail fetchable as JPEGs of at most 1600 and 320 px), answer its re-upload with 200 and the same id, and
 * accept the voice note; the bare server must write the whole body.
 *
 * The paths, run in alternating slices (each path `--duration` s in all, `--slices` slices, `--concurrency` uploads
 * in flight):
 *   photo: ours, full path   distinct photos: receive (stream to a temp file + sha256 + sniff) + process (decode,
 *                            auto-orient, resize to the 1600 px display copy and the 320 px thumbnail with sharp) +
 *                            store (fsync + rename the original, write both copies, insert the row): 201.
 *   photo: ours, receive path (dedupe: no process/store)
 *                            the same uploader re-sends bytes it sent before (`--concurrency` photos uploaded while
 *                            verifying, cycled through): receive + sniff + hash, one lookup finds the row, 200, the
 *                            temp file removed. What receiving costs, without the original's fsync and rename.
 *   voice: ours, upload path distinct 2 MB MP3 voice notes (synthetic: 128 kbit/s frames of digital silence, 125 s,
 *                            under the 180 s limit): receive + sniff + hash + probe (music-metadata reads the length;
 *                            a few ms) + store (fsync + rename the original, insert the row): 201. The upload path
 *                            the issue's target names (receive, sniff, hash, store the original) with next to no
 *                            processing, since a photo's store cannot be had without its processing.
 *   photo: bare HTTP to disk the same photo bytes (multipart framing and all) streamed to a file, fsynced, renamed,
 *                            directory fsynced: the durability our store gives an original, nothing else: 201.
 *
 * Printed: requests/s, MB/s (file bytes, 10^6), p50/p99 latency of an upload (to a stored, processed photo on the
 * full path), CPU ms per upload of the server's process tree (treeCpuMs; sharp's threads are in it), of PostgreSQL
 * and of the load generator, each path's MB/s against the baseline's; from `Server-Timing`, receive, process, store
 * and receive + store in ms at p50/p99; and the server's RSS (VmRSS of its process tree, read every 250 ms): at boot,
 * after the verifying uploads (the start), its peak and at the end. Our server must take at least `--gigabytes` GB
 * (10^9 bytes) in all: if the slices fall short, full-path photo uploads go on (the "RSS top-up") until it has.
 *
 *   npm run bench:media                               # 20 s per path in 2 slices, 16 in flight, ≥ 1 GB to our server
 *   node bench/media/run.mjs --duration 6 --gigabytes 0.2   # a quick run (with a built dist/)
 *   flags: --duration S  --slices N  --concurrency N  --gigabytes G  --keep (keep the temp folder, its logs and files)
 */
import { fork, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import sharp from 'sharp';
import { percentile } from '../api/harness.mjs';
import { DIST, ROOT, cli, freePort, postgresCpuMs, sleep, startBenchDatabase, treeCpuMs, waitHealthy } from '../lib.mjs';
import { fileParts, multipart, upload } from './uploader.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    slices: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '16' },
    gigabytes: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const slices = Math.max(1, Number(flags.slices));
const sliceS = Number(flags.duration) / slices;
const warmupS = Math.min(2, Math.max(0.5, sliceS * 0.2));
const concurrency = Number(flags.concurrency);
const targetBytes = Number(flags.gigabytes) * 1e9;
const log = (line) => console.log(`[media] ${line}`);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const mb = (bytes) => bytes / 1e6;
const sha256 = (buffers) => buffers.reduce((hash, buffer) => hash.update(buffer), createHash('sha256')).digest('hex');

if (!existsSync(path.join(DIST, 'main.js'))) {
  console.error('dist/server/main.js is missing: npm run bench:media builds it');
  process.exit(2);
}

/** A small deterministic PRNG (mulberry32), so every run uploads the same photo. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The photo: 3000×2000, a smooth scene (a 60×40 random image enlarged with a cubic kernel) with ±22 levels of
 * per-pixel noise, as sensor noise keeps a phone's JPEG from compressing small; quality 88, 4:2:0. About 2.0 MB.
 */
async function makePhoto() {
  const [width, height] = [3000, 2000];
  const next = random(940);
  const small = Buffer.alloc(60 * 40 * 3);
  for (let i = 0; i < small.length; i++) small[i] = Math.floor(next() * 256);
  const scene = await sharp(small, { raw: { width: 60, height: 40, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  for (let i = 0; i < scene.length; i++) scene[i] = Math.min(255, Math.max(0, scene[i] + (next() - 0.5) * 44));
  return sharp(scene, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
}

/**
 * The voice note: MPEG-1 Layer III, 44.1 kHz mono, 128 kbit/s CBR, 417-byte frames of digital silence (all-zero side
 * information: no coded audio, the rest of each frame ancillary), 4,796 frames = 2.0 MB, 125.3 s. The uploader tags
 * each upload in the first frame's ancillary bytes. A long note for a 2 MB file, but what counts here is its bytes.
 */
function makeVoice() {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  const frames = 4796;
  const voice = Buffer.alloc(frame.length * frames);
  for (let i = 0; i < frames; i++) frame.copy(voice, i * frame.length);
  return voice;
}

/** Resident memory of a process and its direct children (cluster workers when WORKERS > 1), in kB. */
function treeRssKb(rootPid) {
  const rss = (pid) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    } catch {
      return 0;
    }
  };
  let total = rss(rootPid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === rootPid) total += rss(Number(entry));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

/** Runs one upload job in a fresh uploader process. */
function drive(job) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, 'uploader.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message) => (message.ok ? resolve(message.result) : reject(new Error(message.error))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`uploader exited with ${code}`)));
    child.send(job);
  });
}

function startChild(label, script, env, dir, cleanups) {
  const out = openSync(path.join(dir, `${label}.log`), 'a');
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(5000).then(() => child.kill('SIGKILL'))]);
  });
  return child;
}

/** Our built server on its own database, media on disk under `dir/data/media`, and an INTAKE key for the uploads. */
async function startOurs(adminUrl, dir, cleanups) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('create database balagh_media');
  await admin.end();
  const databaseUrl = adminUrl.replace(/\/[^/]+$/, '/balagh_media');
  const env = { DATABASE_URL: databaseUrl, DATA_DIR: path.join(dir, 'data'), MEDIA_STORAGE: 'disk' };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = startChild(
    'server',
    path.join(DIST, 'main.js'),
    { ...env, DEMO: 'false', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', CONSOLE_DIR: path.join(dir, 'no-console') },
    dir,
    cleanups,
  );
  await waitHealthy(url, server, path.join(dir, 'server.log'));
  const key = `bench-intake-${randomBytes(12).toString('hex')}`;
  await cli(['apikey:create', '--name', 'bench-media', '--role', 'INTAKE'], { ...env, BALAGH_API_KEY: key });
  return { url, server, key, databaseUrl };
}

/** One upload from this process (the uploader's own multipart and request code), for the checks before measuring. */
async function uploadOnce(url, token, kind, base, tag) {
  const parts = fileParts(kind, base, tag);
  const agent = new http.Agent({ keepAlive: false });
  const answer = await upload({ url, token, agent, framing: multipart(kind), parts });
  return { ...answer, parts, bytes: parts.reduce((sum, part) => sum + part.length, 0) };
}

function expect(condition, what, answer) {
  if (!condition) throw new Error(`check failed: ${what}${answer ? `: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}` : ''}`);
}

/** The checks before measuring; resolves with the bytes they uploaded to our server. */
async function verify({ ours, bareUrl, bareDir, photo, voice, runId }) {
  const mediaUrl = `${ours.url}/media`;
  const first = await uploadOnce(mediaUrl, ours.key, 'photo', photo, `${runId}-verify`);
  const body = first.body;
  expect(first.status === 201, 'a new photo is answered 201', first);
  expect(body.kind === 'PHOTO' && body.contentType === 'image/jpeg' && body.width === 3000 && body.height === 2000, 'PHOTO image/jpeg 3000×2000', first);
  expect(body.bytes === first.bytes && body.sha256 === sha256(first.parts), 'the stored bytes and sha256 are what was sent', first);
  expect(first.timing.receive > 0 && first.timing.process > 0 && first.timing.store > 0, 'Server-Timing has receive, process and store', first);
  for (const [variant, max] of [
    ['display', 1600],
    ['thumb', 320],
  ]) {
    const response = await fetch(`${ours.url}/media/${body.id}/${variant}`, { headers: { authorization: `Bearer ${ours.key}` } });
    expect(response.status === 200 && response.headers.get('content-type') === 'image/jpeg', `GET /media/:id/${variant} is a JPEG (HTTP ${response.status})`);
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect(meta.format === 'jpeg' && Math.max(meta.width, meta.height) === max, `the ${variant} copy is ${max} px on its longest side (got ${meta.width}×${meta.height})`);
  }
  const again = await uploadOnce(mediaUrl, ours.key, 'photo', photo, `${runId}-verify`);
  expect(again.status === 200 && again.body.id === body.id && again.timing.process === 0 && again.timing.store === 0, 'the same bytes again: 200, the same id, nothing processed or stored', again);
  log(`photo: 201 ${body.width}×${body.height}, ${body.bytes.toLocaleString('en')} bytes, sha256 matches, display and thumb served; re-upload 200 with the same id (${body.id})`);

  const note = await uploadOnce(mediaUrl, ours.key, 'voice', voice, `${runId}-verify`);
  expect(
    note.status === 201 && note.body.kind === 'VOICE' && note.body.contentType === 'audio/mpeg' && Math.abs(note.body.durationSeconds - 125.3) < 1,
    'a new voice note: 201 VOICE audio/mpeg of 125 s',
    note,
  );
  log(`voice: 201 ${note.body.contentType}, ${note.body.bytes.toLocaleString('en')} bytes, ${note.body.durationSeconds} s (Server-Timing process ${note.timing.process} ms)`);

  const bare = await uploadOnce(bareUrl, undefined, 'photo', photo, `${runId}-verify`);
  expect(bare.status === 201 && bare.body.bytes > first.bytes, 'the bare server answers 201 with the whole body written', bare);
  const files = readdirSync(path.join(bareDir, 'files'));
  expect(files.length === 1 && statSync(path.join(bareDir, 'files', files[0])).size === bare.body.bytes, 'the bare server wrote the body to one file');
  log(`bare: 201, ${bare.body.bytes.toLocaleString('en')} bytes on disk (the photo and its multipart framing)`);

  // The receive path's photos: uploaded once now, re-sent by the same key while measuring.
  // The receive path's photos: uploaded once now, one at a time, re-sent by the same key while measuring. Their
  // Server-Timing is what a photo costs with nothing else running.
  let bytes = first.bytes + again.bytes + note.bytes;
  const alone = [first.timing];
  for (let i = 0; i < concurrency; i++) {
    const seed = await uploadOnce(mediaUrl, ours.key, 'photo', photo, `${runId}-same-${i}`);
    expect(seed.status === 201, `receive-path photo ${i} is new`, seed);
    bytes += seed.bytes;
    alone.push(seed.timing);
  }
  const sorted = (key) => alone.map((t) => t[key]).sort((a, b) => a - b);
  const timing = { receive: sorted('receive'), process: sorted('process'), store: sorted('store'), receiveStore: alone.map((t) => t.receive + t.store).sort((a, b) => a - b) };
  log(`receive path: ${concurrency} photos uploaded to be re-sent; one at a time a photo took ${fmt(percentile(timing.process, 50))} ms to process (p50)`);
  return { bytes, alone: Object.fromEntries(Object.entries(timing).map(([key, list]) => [key, { p50: percentile(list, 50), p99: percentile(list, 99), n: list.length }])) };
}

const cleanups = [];
const rows = [];
const samples = [];
const machine = { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model, memGiB: (os.totalmem() / 2 ** 30).toFixed(0), node: process.version };
const loadBefore = os.loadavg();
let rss;
let oursBytes = 0;
let topUp = null;
let alone;
const trend = [];
let photo;
let voice;
let db;
try {
  db = await startBenchDatabase({ prefix: 'balagh-bench-media-', keep: flags.keep, onDir: (dir) => log(`temp folder ${dir}`) });
  cleanups.push(db.stop);
  const version = new pg.Client({ connectionString: db.url });
  await version.connect();
  machine.postgres = (await version.query('show server_version')).rows[0].server_version;
  await version.end();

  photo = await makePhoto();
  voice = makeVoice();
  await writeFile(path.join(db.dir, 'photo.jpg'), photo);
  await writeFile(path.join(db.dir, 'voice.mp3'), voice);
  log(`photo 3000×2000 JPEG ${photo.length.toLocaleString('en')} bytes; voice note MP3 ${voice.length.toLocaleString('en')} bytes`);

  const ours = await startOurs(db.url, db.dir, cleanups);
  const bootRssKb = treeRssKb(ours.server.pid);
  const bareDir = path.join(db.dir, 'bare');
  await mkdir(bareDir);
  const barePort = await freePort();
  const bare = startChild('bare', path.join(HERE, 'bare-http.mjs'), { DIR: bareDir, PORT: String(barePort) }, db.dir, cleanups);
  const bareUrl = `http://127.0.0.1:${barePort}/upload`;
  await waitHealthy(`http://127.0.0.1:${barePort}`, bare, path.join(db.dir, 'bare.log'));
  log(`our server pid ${ours.server.pid} at ${ours.url} (RSS ${fmt(bootRssKb / 1024)} MB at boot); bare pid ${bare.pid}`);

  const runId = randomBytes(4).toString('hex');
  const verified = await verify({ ours, bareUrl, bareDir, photo, voice, runId });
  oursBytes += verified.bytes;
  alone = verified.alone;

  // RSS of our server every 250 ms from here on, labelled with what is running.
  let phase = 'idle';
  const t0 = Date.now();
  const sample = () => samples.push({ t: (Date.now() - t0) / 1000, kb: treeRssKb(ours.server.pid), phase });
  await sleep(1000);
  sample();
  const startRssKb = samples[0].kb;
  const sampler = setInterval(sample, 250);
  cleanups.push(async () => clearInterval(sampler));

  const photoFile = path.join(db.dir, 'photo.jpg');
  const voiceFile = path.join(db.dir, 'voice.mp3');
  const oursMedia = `${ours.url}/media`;
  const paths = [
    { id: 'full', label: 'photo: ours, full path', ours: true, pid: ours.server.pid, job: { url: oursMedia, token: ours.key, kind: 'photo', file: photoFile, distinct: true, expectStatus: 201 } },
    {
      id: 'receive',
      label: 'photo: ours, receive path (dedupe: no process/store)',
      ours: true,
      pid: ours.server.pid,
      job: { url: oursMedia, token: ours.key, kind: 'photo', file: photoFile, distinct: false, variants: concurrency, tagPrefix: `${runId}-same`, expectStatus: 200 },
    },
    {
      id: 'voice',
      label: 'voice: ours, upload path (probe, no decode)',
      ours: true,
      pid: ours.server.pid,
      job: { url: oursMedia, token: ours.key, kind: 'voice', file: voiceFile, distinct: true, expectStatus: 201 },
    },
    { id: 'bare', label: 'photo: bare HTTP to disk', ours: false, pid: bare.pid, job: { url: bareUrl, kind: 'photo', file: photoFile, distinct: true, expectStatus: 201 } },
  ];
  const measured = paths.map((p) => ({ ...p, slices: [], peakKb: 0 }));
  for (let slice = 0; slice < slices; slice++) {
    for (const p of measured) {
      await sleep(300);
      phase = p.id;
      const serverBefore = treeCpuMs(p.pid);
      const postgresBefore = postgresCpuMs(db.postmasterPid);
      const firstSample = samples.length;
      const result = await drive({ ...p.job, tagPrefix: p.job.tagPrefix ?? `${runId}-${p.id}-${slice}`, concurrency, durationMs: sliceS * 1000, warmupMs: warmupS * 1000 });
      await sleep(300);
      phase = 'idle';
      p.peakKb = Math.max(p.peakKb, ...samples.slice(firstSample).map((s) => s.kb));
      p.slices.push({ ...result, cpu: { loadGenerator: result.cpuMs, server: treeCpuMs(p.pid) - serverBefore, postgres: postgresCpuMs(db.postmasterPid) - postgresBefore } });
      if (p.ours) oursBytes += result.totalBytes;
      trend.push({ after: p.id, slice: slice + 1, uploadedGb: oursBytes / 1e9, rssMb: samples.at(-1).kb / 1024 });
      log(
        `slice ${slice + 1}/${slices} ${p.label.padEnd(52)} ${fmt(result.windowCompleted / result.seconds)} uploads/s, ${fmt(mb(result.windowBytes) / result.seconds)} MB/s, p99 ${fmt(percentile(result.latencies, 99))} ms, ` +
          `RSS ${fmt(samples.at(-1).kb / 1024)} MB, errors ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorSamples)}` : ''}`,
      );
    }
  }

  // The RSS check: our server takes at least --gigabytes in all.
  if (oursBytes < targetBytes) {
    log(`our server has taken ${fmt(oursBytes / 1e9, 2)} GB; full-path photo uploads until ${fmt(targetBytes / 1e9, 2)} GB (RSS top-up)`);
    phase = 'top-up';
    const result = await drive({ ...paths[0].job, tagPrefix: `${runId}-topup`, concurrency, untilBytes: targetBytes - oursBytes, warmupMs: 0 });
    phase = 'idle';
    oursBytes += result.totalBytes;
    topUp = { uploads: result.windowCompleted, bytes: result.totalBytes, seconds: result.seconds, errors: result.errors, errorSamples: result.errorSamples };
    log(`RSS top-up: ${result.windowCompleted} uploads, ${fmt(mb(result.totalBytes))} MB in ${fmt(result.seconds)} s, errors ${result.errors}`);
  }
  await sleep(1000);
  clearInterval(sampler);
  sample();
  const after = samples.slice(1);
  rss = {
    bootMb: bootRssKb / 1024,
    startMb: startRssKb / 1024,
    peakMb: Math.max(...after.map((s) => s.kb)) / 1024,
    endMb: samples.at(-1).kb / 1024,
    uploadedGb: oursBytes / 1e9,
  };
  for (const p of measured) {
    const all = (key) => p.slices.reduce((sum, s) => sum + s[key], 0);
    const seconds = all('seconds');
    const completed = all('completed');
    const pool = (pick) => p.slices.flatMap(pick).sort((a, b) => a - b);
    const latencies = pool((s) => s.latencies);
    const timing = Object.fromEntries(['receive', 'process', 'store', 'receiveStore'].map((key) => [key, pool((s) => s.timings[key])]));
    rows.push({
      id: p.id,
      label: p.label,
      uploads: all('windowCompleted'),
      errors: all('errors'),
      errorSamples: p.slices.flatMap((s) => s.errorSamples).slice(0, 5),
      statuses: p.slices.reduce((acc, s) => {
        for (const [status, count] of Object.entries(s.statuses)) acc[status] = (acc[status] ?? 0) + count;
        return acc;
      }, {}),
      seconds,
      rps: all('windowCompleted') / seconds,
      mbps: mb(all('windowBytes')) / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      timing: Object.fromEntries(Object.entries(timing).map(([key, list]) => [key, { p50: percentile(list, 50), p99: percentile(list, 99) }])),
      cpuPerUploadMs: {
        loadGenerator: p.slices.reduce((sum, s) => sum + s.cpu.loadGenerator, 0) / completed,
        server: p.slices.reduce((sum, s) => sum + s.cpu.server, 0) / completed,
        postgres: p.slices.reduce((sum, s) => sum + s.cpu.postgres, 0) / completed,
      },
      peakRssMb: p.ours ? p.peakKb / 1024 : null,
    });
  }
} finally {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch((err) => console.error(err));
}

const loadAfter = os.loadavg();
const bareRow = rows.find((r) => r.id === 'bare');
const ms = (t) => `${fmt(t.p50)} / ${fmt(t.p99)}`;
console.log(
  `\nMachine: ${machine.nproc} cores (${machine.cpu}), ${machine.memGiB} GiB; Node ${machine.node}; PostgreSQL ${machine.postgres}; load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')} before, ${loadAfter.map((n) => n.toFixed(2)).join(' ')} after`,
);
console.log(
  `Photo ${photo.length.toLocaleString('en')} bytes (3000×2000 JPEG), voice ${voice.length.toLocaleString('en')} bytes (MP3); ${concurrency} uploads in flight; ${Number(flags.duration)} s per path in ${slices} alternating slices (${fmt(warmupS)} s warm-up each)\n`,
);
console.log('| path | uploads/s | MB/s | p50 ms | p99 ms | errors | CPU ms/upload: load gen, server, PostgreSQL | server peak RSS MB | MB/s vs bare |');
console.log('|---|---:|---:|---:|---:|---:|---|---:|---:|');
for (const row of rows) {
  const cpu = row.cpuPerUploadMs;
  console.log(
    `| ${row.label} | ${fmt(row.rps)} | ${fmt(row.mbps)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${row.errors} | ${fmt(cpu.loadGenerator)}, ${fmt(cpu.server)}, ${fmt(cpu.postgres)} | ${row.peakRssMb === null ? '' : fmt(row.peakRssMb)} | ${row.id === 'bare' ? '' : `${fmt((row.mbps / bareRow.mbps) * 100, 0)} %`} |`,
  );
}
console.log('\nServer-Timing of our uploads, ms p50 / p99:\n');
console.log('| path | receive | process | store | receive + store |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows.filter((r) => r.id !== 'bare')) {
  console.log(`| ${row.label} | ${ms(row.timing.receive)} | ${ms(row.timing.process)} | ${ms(row.timing.store)} | ${ms(row.timing.receiveStore)} |`);
}
console.log(`| photo: ours, one at a time (the ${alone.process.n} verifying uploads) | ${ms(alone.receive)} | ${ms(alone.process)} | ${ms(alone.store)} | ${ms(alone.receiveStore)} |`);
const growth = { end: rss.endMb - rss.startMb, peak: rss.peakMb - rss.startMb };
console.log(
  `\nServer RSS: ${fmt(rss.bootMb)} MB at boot, ${fmt(rss.startMb)} MB after the verifying uploads (start), peak ${fmt(rss.peakMb)} MB, ${fmt(rss.endMb)} MB at the end, after ${fmt(rss.uploadedGb, 2)} GB uploaded to our server` +
    `${topUp ? ` (${fmt(mb(topUp.bytes))} MB of it in the RSS top-up: ${topUp.uploads} full-path uploads in ${fmt(topUp.seconds)} s, errors ${topUp.errors})` : ''}`,
);
console.log(`RSS after each slice (GB uploaded to our server so far → MB): ${trend.map((t) => `${t.after} ${fmt(t.uploadedGb, 2)} → ${fmt(t.rssMb, 0)}`).join(', ')}`);
const voiceRow = rows.find((r) => r.id === 'voice');
const receiveRow = rows.find((r) => r.id === 'receive');
const fullRow = rows.find((r) => r.id === 'full');
const verdict = (ok) => (ok ? 'met' : 'MISSED');
console.log(`\nTargets:`);
console.log(
  `- upload path ≥ 50 % of the baseline's MB/s: voice (receive, sniff, hash, store the original, row; probe ${fmt(voiceRow.timing.process.p50)} ms) ${fmt((voiceRow.mbps / bareRow.mbps) * 100, 0)} % → ${verdict(voiceRow.mbps >= bareRow.mbps / 2)}; ` +
    `receive path (no store) ${fmt((receiveRow.mbps / bareRow.mbps) * 100, 0)} % → ${verdict(receiveRow.mbps >= bareRow.mbps / 2)}; full photo path ${fmt((fullRow.mbps / bareRow.mbps) * 100, 0)} % (processing included)`,
);
console.log(
  `- processing reported separately: ${ms(alone.process)} ms per photo (p50 / p99) one at a time (the ${alone.process.n} verifying uploads); ${ms(fullRow.timing.process)} ms with ${concurrency} in flight (waiting for one of the ${machine.nproc} decode slots included)`,
);
console.log(
  `- RSS growth under 100 MB after ≥ ${fmt(targetBytes / 1e9, 2)} GB: ${fmt(rss.uploadedGb, 2)} GB uploaded, end − start ${fmt(growth.end)} MB → ${verdict(growth.end < 100 && rss.uploadedGb * 1e9 >= targetBytes)}; peak − start ${fmt(growth.peak)} MB → ${verdict(growth.peak < 100)}`,
);

await writeFile(
  path.join(HERE, 'last-run.json'),
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine,
      loadAverage: { before: loadBefore, after: loadAfter },
      flags: { durationS: Number(flags.duration), slices, warmupS, concurrency, gigabytes: Number(flags.gigabytes) },
      files: { photoBytes: photo.length, voiceBytes: voice.length },
      results: rows,
      photoAlone: alone,
      rss: { ...rss, growthEndMb: growth.end, growthPeakMb: growth.peak, topUp, afterEachSlice: trend },
      rssSamples: samples.map((s) => [Number(s.t.toFixed(2)), Number((s.kb / 1024).toFixed(1)), s.phase]),
    },
    null,
    2,
  )}\n`,
);
log(`figures written to bench/media/last-run.json`);
