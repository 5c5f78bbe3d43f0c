import { openAsBlob } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileTypeFromBuffer } from 'file-type';
import { parseBlob } from 'music-metadata';
import sharp, { type Sharp } from 'sharp';
import type { MediaConfig } from '../common/config.js';
import { MediaKind } from './media.enums.js';

/**
 * How many leading bytes `sniff` needs: file-type's own detection window, enough to see past an ID3 header's
 * size, a WebM's DocType and an ISO file's brand. An upload can decide its kind (and so its byte limit) after
 * this much.
 */
export const SNIFF_BYTES = 4100;

/** What the bytes are: the kind, the Content-Type to serve the original with, and the file extension to keep it under. */
export interface Sniffed {
  kind: MediaKind;
  contentType: string;
  extension: string;
}

/**
 * A file refused for what it is, never a server fault. `status` is the HTTP answer of the upload route (400 bad,
 * truncated or empty; 413 too large in bytes, pixels or seconds; 415 not a type we accept) and `message` is written
 * for the person who sent it, to go out as `{ code: 'BAD_USER_INPUT', field: 'file', message }`.
 */
export class MediaRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MediaRefused';
  }
}

const ACCEPTED_LIST = 'a photo (JPEG, PNG, WebP, HEIC) or a voice note (Ogg/Opus, M4A, MP3, WebM)';

interface Acceptance {
  /** file-type's answer this row matches (both must agree: `heic` is also the extension of HEIF sequences). */
  ext: string;
  mime: string;
  sniffed: Sniffed;
  /** The format's name in a refusal's message. */
  label: string;
  /** What libvips calls the format, for photos: the decoder must agree with the sniffer, or the file only starts like a photo. */
  vipsFormat?: string;
}

const photo = (label: string, contentType: string, extension: string, vipsFormat: string): Omit<Acceptance, 'ext' | 'mime'> => ({
  sniffed: { kind: MediaKind.PHOTO, contentType, extension },
  label,
  vipsFormat,
});
const voice = (label: string, contentType: string, extension: string): Omit<Acceptance, 'ext' | 'mime'> => ({ sniffed: { kind: MediaKind.VOICE, contentType, extension }, label });

/**
 * The one list of accepted types, from file-type's `{ ext, mime }` to what we serve. Voice types are the ones every
 * current browser plays, so the console needs no transcoder: WhatsApp's Opus in Ogg, an iPhone's AAC in MP4, MP3, and
 * MediaRecorder's Opus in WebM. A generic ISO MP4 (`isom`, `mp42` brands: many Android recorders) and WebM are
 * accepted as voice here and refused by `probeVoice` if they carry a video track. AVIF is accepted with HEIC since it
 * is the same container and sharp decodes it. AMR is refused: no browser plays it and we have nothing to convert it with.
 */
const ACCEPTED: readonly Acceptance[] = [
  { ext: 'jpg', mime: 'image/jpeg', ...photo('JPEG', 'image/jpeg', 'jpg', 'jpeg') },
  { ext: 'png', mime: 'image/png', ...photo('PNG', 'image/png', 'png', 'png') },
  { ext: 'webp', mime: 'image/webp', ...photo('WebP', 'image/webp', 'webp', 'webp') },
  { ext: 'heic', mime: 'image/heic', ...photo('HEIC', 'image/heic', 'heic', 'heif') },
  { ext: 'heic', mime: 'image/heif', ...photo('HEIF', 'image/heif', 'heif', 'heif') },
  { ext: 'avif', mime: 'image/avif', ...photo('AVIF', 'image/avif', 'avif', 'heif') },
  { ext: 'opus', mime: 'audio/ogg; codecs=opus', ...voice('Ogg/Opus', 'audio/ogg', 'ogg') },
  { ext: 'm4a', mime: 'audio/x-m4a', ...voice('M4A', 'audio/mp4', 'm4a') },
  { ext: 'mp4', mime: 'video/mp4', ...voice('MP4', 'audio/mp4', 'm4a') },
  { ext: 'mp3', mime: 'audio/mpeg', ...voice('MP3', 'audio/mpeg', 'mp3') },
  { ext: 'webm', mime: 'video/webm', ...voice('WebM', 'audio/webm', 'webm') },
];

/** Refusals worth their own words: what the sender can do instead. */
function refusalFor(ext: string, mime: string): MediaRefused {
  if (ext === 'amr') return new MediaRefused(415, `AMR voice notes cannot be played in a browser; send ${ACCEPTED_LIST} instead`);
  if (mime.startsWith('video/')) return new MediaRefused(415, `Videos are not accepted; send ${ACCEPTED_LIST}`);
  return new MediaRefused(415, `A ${ext.toUpperCase()} file (${mime}) is not accepted; send ${ACCEPTED_LIST}`);
}

/**
 * Decides what a file is from its first bytes alone (`SNIFF_BYTES` are enough; fewer if the file is shorter), never
 * from its name or declared type, which the sender controls. Accepts JPEG, PNG, WebP, HEIC/HEIF and AVIF photos and
 * Ogg/Opus, M4A/MP4 (served as `audio/mp4`), MP3 and WebM (served as `audio/webm`) voice notes. Throws
 * `MediaRefused(400)` for an empty file and `MediaRefused(415)` for anything else: SVG and HTML (file-type finds no
 * binary signature: script-capable text is never a photo), PDF, AMR, other videos and images.
 */
export async function sniff(head: Uint8Array): Promise<Sniffed> {
  if (head.length === 0) throw new MediaRefused(400, 'The file is empty');
  const found = await fileTypeFromBuffer(head.subarray(0, SNIFF_BYTES));
  if (!found) throw new MediaRefused(415, `The file is not ${ACCEPTED_LIST}`);
  const row = ACCEPTED.find((accepted) => accepted.ext === found.ext && accepted.mime === found.mime);
  if (!row) throw refusalFor(found.ext, found.mime);
  return { ...row.sniffed };
}

/** The accepted type a sniffed file is; being handed another kind, or a type `sniff` never answers, is a caller's bug. */
function acceptance(sniffed: Sniffed, kind: MediaKind): Acceptance {
  const row = ACCEPTED.find((accepted) => accepted.sniffed.kind === kind && accepted.sniffed.contentType === sniffed.contentType);
  if (!row || sniffed.kind !== kind) throw new TypeError(`Expected a ${kind} that sniff accepted, got ${sniffed.kind} ${sniffed.contentType}`);
  return row;
}

/** The byte limit for a kind, so the upload can stop reading the moment it is exceeded (once `sniff` has decided the kind). */
export function maxBytesFor(kind: MediaKind, limits: Pick<MediaConfig, 'photoMaxBytes' | 'voiceMaxBytes'>): number {
  return kind === MediaKind.PHOTO ? limits.photoMaxBytes : limits.voiceMaxBytes;
}

/** A photo's two served copies, both free of every byte of metadata, and the original's upright size. */
export interface ProcessedPhoto {
  /** The original's width and height as displayed, after its EXIF orientation is applied. */
  width: number;
  height: number;
  /** At most `DISPLAY_PX` on its longest side. */
  display: Buffer;
  /** At most `THUMB_PX` on its longest side. */
  thumb: Buffer;
  /** Of `display` and `thumb`: `image/jpeg`, which every client shows. */
  contentType: string;
}

/** The longest side of the display copy: sharp on a phone screen, and a few hundred kilobytes. */
export const DISPLAY_PX = 1600;
/** The longest side of the thumbnail in the console's lists. */
export const THUMB_PX = 320;
/** A decode that runs longer than this is stopped and refused: no valid photo under the pixel limit needs it. */
const DECODE_TIMEOUT_SECONDS = 60;

// One libvips thread per image, and the CPU-heavy work through `slots` (one per core): at most a core's worth of
// threads and one decoded image per core in memory, however many uploads arrive at once. libvips' operation cache
// only helps programs that process the same image again; every upload here is new, so it would only hold memory.
sharp.concurrency(1);
sharp.cache(false);

/** A counting semaphore: at most `size` tasks run, the others wait in arrival order. */
class Slots {
  readonly #waiting: (() => void)[] = [];
  #free: number;

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

const slots = new Slots(Math.max(1, os.availableParallelism()));

/**
 * Makes the served copies of a photo from the complete file at `file` (the original, which is kept as uploaded for
 * staff). Reads the header first and refuses a decompression bomb (more than `limits.photoMaxPixels`) with 413 before
 * a pixel is decoded, and refuses (400) a file the decoder does not recognise as the sniffed format or cannot decode
 * to the end: a polyglot, a truncated or damaged file. Applies the EXIF orientation, flattens transparency onto white,
 * converts to sRGB and writes copies with no metadata at all (no EXIF, GPS, XMP, ICC profile or comment): a citizen's
 * photo must not publish where their phone was. HEVC-coded HEIC (iPhones) is decoded by libheif in WebAssembly on a
 * worker thread (sharp's prebuilt libheif has no HEVC decoder), so the event loop never waits for it.
 */
export async function processPhoto(file: string, sniffed: Sniffed, limits: Pick<MediaConfig, 'photoMaxPixels'>): Promise<ProcessedPhoto> {
  const { label, vipsFormat } = acceptance(sniffed, MediaKind.PHOTO);
  return slots.run(async () => {
    const header = await sharp(file, { failOn: 'error', limitInputPixels: false })
      .metadata()
      .catch((err: unknown) => refuseUndecodable(err, label));
    if (header.format !== vipsFormat) throw new MediaRefused(400, `The file starts like a ${label} image but is not one`);
    refuseTooManyPixels(header.width, header.height, limits.photoMaxPixels);

    let source: Sharp;
    let width = header.autoOrient.width;
    let height = header.autoOrient.height;
    if (header.format === 'heif' && header.compression === 'hevc') {
      const pixels = await decodeHevc(file, limits.photoMaxPixels);
      ({ width, height } = pixels);
      source = sharp(pixels.data, { raw: { width, height, channels: 4 }, limitInputPixels: limits.photoMaxPixels });
    } else {
      source = sharp(file, { failOn: 'error', limitInputPixels: limits.photoMaxPixels }).autoOrient();
    }

    try {
      const display = await source
        .resize({ width: DISPLAY_PX, height: DISPLAY_PX, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .jpeg({ quality: 82 })
        .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
        .toBuffer();
      const thumb = await sharp(display).resize({ width: THUMB_PX, height: THUMB_PX, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
      return { width, height, display, thumb, contentType: 'image/jpeg' };
    } catch (err) {
      return refuseUndecodable(err, label);
    }
  });
}

function refuseTooManyPixels(width: number, height: number, maxPixels: number): void {
  if (width * height <= maxPixels) return;
  const megapixels = (n: number) => `${Math.round(n / 100_000) / 10} megapixels`;
  throw new MediaRefused(413, `The photo is ${width}×${height} pixels (${megapixels(width * height)}); at most ${megapixels(maxPixels)} are accepted`);
}

/** sharp's errors on input are the file's fault (400); a missing file or any system error is ours and goes on up. */
function refuseUndecodable(err: unknown, label: string): never {
  if (err instanceof MediaRefused) throw err;
  const message = err instanceof Error ? err.message : String(err);
  if ((err instanceof Error && 'code' in err) || message.startsWith('Input file is missing')) throw err;
  if (/exceeds pixel limit/.test(message)) throw new MediaRefused(413, 'The photo has more pixels than are accepted', { cause: err });
  if (/timeout/i.test(message)) throw new MediaRefused(400, `The ${label} image took too long to decode`, { cause: err });
  throw new MediaRefused(400, `The ${label} image could not be decoded: it is damaged, cut short or not really a ${label}`, { cause: err });
}

/**
 * Runs in the worker (CommonJS, eval'd, so it needs no build step of its own): decodes the first top-level image of
 * the HEIF file (an iPhone's photo; thumbnails and depth maps are not top-level) with heic-decode, checks its size
 * before allocating its pixels, and hands the RGBA bytes back without a copy. libheif applies the file's rotation and
 * mirroring (irot, imir) by default, so the pixels come out upright; HEIF's EXIF orientation is informative only.
 */
const HEVC_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const decode = require(workerData.heicDecode);
(async () => {
  const images = await decode.all({ buffer: readFileSync(workerData.file) });
  try {
    const first = images[0];
    if (!first) throw new Error('HEIF image not found');
    if (first.width * first.height > workerData.maxPixels) return parentPort.postMessage({ tooLarge: { width: first.width, height: first.height } });
    const { width, height, data } = await first.decode();
    parentPort.postMessage({ width, height, data }, [data.buffer]);
  } finally {
    images.dispose();
  }
})().catch((err) => parentPort.postMessage({ error: String((err && err.message) || err) }));
`;

type HevcAnswer = { width: number; height: number; data: Uint8ClampedArray } | { tooLarge: { width: number; height: number } } | { error: string };

const heicDecodePath = createRequire(import.meta.url).resolve('heic-decode');

async function decodeHevc(file: string, maxPixels: number): Promise<{ width: number; height: number; data: Buffer }> {
  // libheif logs its decoding errors to the console; they come back as the answer, so the worker's output is dropped.
  const worker = new Worker(HEVC_WORKER, { eval: true, workerData: { file, maxPixels, heicDecode: heicDecodePath }, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  try {
    const answer = await new Promise<HevcAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new MediaRefused(400, 'The HEIC image took too long to decode')), DECODE_TIMEOUT_SECONDS * 1000);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        fn();
      };
      worker.once('message', (message: HevcAnswer) => settle(() => resolve(message)));
      worker.once('error', (err) => settle(() => reject(new MediaRefused(400, 'The HEIC image could not be decoded', { cause: err }))));
      worker.once('exit', (code) => settle(() => reject(new MediaRefused(400, `The HEIC decoder stopped (exit ${code})`))));
    });
    if ('error' in answer) throw new MediaRefused(400, 'The HEIC image could not be decoded: it is damaged, cut short or not really a HEIC', { cause: new Error(answer.error) });
    if ('tooLarge' in answer) {
      refuseTooManyPixels(answer.tooLarge.width, answer.tooLarge.height, maxPixels);
      throw new MediaRefused(413, 'The photo has more pixels than are accepted');
    }
    return { width: answer.width, height: answer.height, data: Buffer.from(answer.data.buffer, answer.data.byteOffset, answer.data.byteLength) };
  } finally {
    await worker.terminate();
  }
}

/**
 * Reads a voice note's length and refuses one that is too long (413: over `limits.voiceMaxSeconds`), that does not
 * parse as the sniffed container or has no sound (400), or that is a video (415: an MP4 or WebM with a video track).
 * The length comes from the container when it says (Ogg's last granule, MP4's header, MP3's Xing frame or its frames);
 * a MediaRecorder WebM has no Duration element, so it is computed from the last block's timestamp. Returns seconds,
 * to the millisecond.
 */
export async function probeVoice(file: string, sniffed: Sniffed, limits: Pick<MediaConfig, 'voiceMaxSeconds'>): Promise<{ durationSeconds: number }> {
  const { label } = acceptance(sniffed, MediaKind.VOICE);
  // The Blob's type picks music-metadata's parser: the sniffed container, never a guess from the name.
  const blob = await openAsBlob(file, { type: sniffed.contentType });
  if (blob.size === 0) throw new MediaRefused(400, 'The file is empty');
  const format = await parseBlob(blob, { duration: true, skipCovers: true }).then(
    (metadata) => metadata.format,
    (err: unknown) => {
      throw new MediaRefused(400, `The ${label} voice note could not be read: it is damaged, cut short or not really a ${label}`, { cause: err });
    },
  );
  if (format.hasVideo) throw new MediaRefused(415, `This ${label} file is a video; send a voice note (Ogg/Opus, M4A, MP3, WebM) or photos`);
  if (!format.hasAudio) throw new MediaRefused(400, `The ${label} file has no sound`);
  let seconds = format.duration;
  if (seconds === undefined && sniffed.contentType === 'audio/webm') seconds = matroskaSeconds(new Uint8Array(await blob.arrayBuffer()));
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) throw new MediaRefused(400, `The length of the ${label} voice note could not be read`);
  if (seconds > limits.voiceMaxSeconds) throw new MediaRefused(413, `The voice note is ${Math.round(seconds)} seconds long; at most ${limits.voiceMaxSeconds} seconds are accepted`);
  return { durationSeconds: Math.round(seconds * 1000) / 1000 };
}

/** Matroska/WebM element IDs (with their length marker, as written) that the length computation reads. */
const EBML = {
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  cluster: 0x1f43b675,
  clusterTimestamp: 0xe7,
  blockGroup: 0xa0,
  block: 0xa1,
  blockDuration: 0x9b,
  simpleBlock: 0xa3,
} as const;
/** Master elements walked into rather than skipped; Segment and Cluster may have an unknown size (a live recording). */
const WALK_INTO: ReadonlySet<number> = new Set([EBML.segment, EBML.info, EBML.cluster, EBML.blockGroup]);

/** An EBML variable-length integer at `at`: an element ID keeps its length marker, a size drops it. */
function vint(bytes: Uint8Array, at: number, isId: boolean): { value: number; length: number; unknown: boolean } | undefined {
  const first = bytes[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if ((isId && length > 4) || at + length > bytes.length) return undefined;
  const mask = 0xff >> length;
  let value = isId ? first : first & mask;
  let unknown = !isId && value === mask;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i];
    unknown &&= bytes[at + i] === 0xff;
  }
  return { value, length, unknown };
}

function unsigned(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 256 + bytes[i];
  return value;
}

/**
 * The length of a Matroska/WebM file from its blocks: the latest block's start (cluster timestamp + the block's
 * relative one) or end where a BlockDuration says, times the timestamp scale. The last frame's own length (20–60 ms
 * of Opus) is not counted. Stops at the first malformed or cut-off element and answers from what came before it.
 */
function matroskaSeconds(bytes: Uint8Array): number | undefined {
  let scale = 1_000_000;
  let cluster = 0;
  let lastBlock: number | undefined;
  let end: number | undefined;
  let at = 0;
  while (at < bytes.length) {
    const id = vint(bytes, at, true);
    const size = id && vint(bytes, at + id.length, false);
    if (!id || !size) break;
    const start = at + id.length + size.length;
    if (WALK_INTO.has(id.value)) {
      at = start;
      continue;
    }
    const stop = start + size.value;
    if (size.unknown || stop > bytes.length) break;
    if (id.value === EBML.timestampScale) scale = unsigned(bytes, start, stop);
    else if (id.value === EBML.clusterTimestamp) cluster = unsigned(bytes, start, stop);
    else if (id.value === EBML.simpleBlock || id.value === EBML.block) {
      const track = vint(bytes, start, false);
      if (track && start + track.length + 2 <= stop) {
        const relative = ((bytes[start + track.length] << 24) | (bytes[start + track.length + 1] << 16)) >> 16;
        lastBlock = cluster + relative;
        end = Math.max(end ?? 0, lastBlock);
      }
    } else if (id.value === EBML.blockDuration && lastBlock !== undefined) end = Math.max(end ?? 0, lastBlock + unsigned(bytes, start, stop));
    at = stop;
  }
  return end === undefined ? undefined : (end * scale) / 1e9;
}
