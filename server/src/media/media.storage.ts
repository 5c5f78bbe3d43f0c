import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { MediaConfig } from '../common/config.js';

/** An inclusive byte range of a stored object, as an HTTP `Range: bytes=start-end` names it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where photos and voice notes live, outside the database. Keys are content-addressed (`ab/cd/<sha256>-original`), so
 * one key always names the same bytes: a retried or concurrent put of a key is harmless, and a replica never needs to
 * know which one wrote it. Uploads stream to a local temp file first (where their limits and content are checked) and
 * the store then takes that file over, so nothing half-received is ever visible under a key.
 */
export interface MediaStore {
  /**
   * A fresh temp file path on local disk, not yet created: for disk inside `<root>/tmp` (the store's own filesystem,
   * so `put` is a rename), for S3 in its `tempDir`. The caller writes the upload there and deletes it if the upload
   * fails; `open()` sweeps temp files a crash left behind.
   */
  tempPath(): string;
  /**
   * Takes the complete temp file `file` into the store under `key`: fsync and rename on disk, a PutObject with its
   * length and type for S3. On success the temp file is gone; on failure it is left for the caller to delete, and
   * nothing is stored under `key`. Putting a key that exists (the same content, by construction) is fine.
   */
  put(key: string, file: string, contentType: string): Promise<void>;
  /** Stores a small buffer (a photo's display copy or thumbnail) under `key`, atomically: all of it or nothing. */
  putBuffer(key: string, data: Buffer, contentType: string): Promise<void>;
  /** Size in bytes, or null when the key is absent: what a Range answer needs before it reads. */
  size(key: string): Promise<number | null>;
  /**
   * A readable stream of the object, or of bytes [start, end] inclusive (audio seeking). Throws
   * {@link MediaNotFoundError} when the key is absent and a `RangeError` when the range is not within the object
   * (`0 <= start <= end < size`), so the caller answers 416 rather than sending fewer bytes than it promised.
   */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes the key; an absent key is fine, so a retried clean-up never fails. */
  delete(key: string): Promise<void>;
  /**
   * Checks at start that the store is usable, so a misconfiguration stops the server rather than the first upload:
   * creates the directories and proves they are writable; for S3 checks the bucket (HeadBucket) and creates it only
   * when told to. Also deletes temp files older than a day (uploads a crash interrupted).
   */
  open(): Promise<void>;
}

/** A read of a key that is not in the store (never stored, or deleted since). */
export class MediaNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`media object ${key} not found`);
    this.name = 'MediaNotFoundError';
  }
}

/** Temp files older than this are an upload a crash interrupted; nothing in flight lives that long. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
/** The disk store's folder for uploads in flight; no key may start with it. */
const TEMP_DIR = 'tmp';
const KEY_PATTERN = /^[a-z0-9-]+(?:\/[a-z0-9-]+)*$/;
const MAX_KEY_LENGTH = 512;

/**
 * Refuses anything but lowercase letters, digits, `-` and single `/` between segments (hence no `.`, no leading `/`, no
 * empty segment), and the reserved `tmp/` prefix: a key can never name a path outside the store's root or its temp files.
 */
function assertKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key) || key.split('/')[0] === TEMP_DIR) throw new TypeError(`invalid media key ${JSON.stringify(key)}`);
}

function assertRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) throw new RangeError(`invalid byte range ${start}-${end}`);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function freshTempPath(dir: string): string {
  return path.join(dir, `${Date.now()}-${randomUUID()}.part`);
}

/** Makes `dir` and its parents and proves it writable (a probe file is created and removed), so a read-only mount fails at start. */
async function writableDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const probe = freshTempPath(dir);
  const handle = await open(probe, 'wx');
  await handle.close();
  await rm(probe, { force: true });
}

/** Deletes the files in `dir` last modified more than a day ago; one vanishing meanwhile (another process's sweep) is fine. */
async function sweepStaleTemps(dir: string): Promise<void> {
  const cutoff = Date.now() - STALE_TEMP_MS;
  for (const name of await readdir(dir)) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info !== null && info.isFile() && info.mtimeMs < cutoff) await rm(file, { force: true });
  }
}

/** Flushes a directory's entries, so a rename or unlink in it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The embedded default: files under `root` (DATA_DIR/media), at `<root>/<key>`. Every write goes to `<root>/tmp`, is
 * fsynced, renamed under its key and the directory fsynced, so after a crash a key holds its whole file or nothing.
 * `put` takes a file from `tempPath()`: a rename only works within one filesystem (EXDEV otherwise, and nothing is stored).
 * The content type is not kept: the media row in the database carries it.
 */
export class DiskMediaStore implements MediaStore {
  private readonly tempDir: string;

  constructor(private readonly root: string) {
    this.tempDir = path.join(root, TEMP_DIR);
  }

  tempPath(): string {
    return freshTempPath(this.tempDir);
  }

  async put(key: string, file: string, _contentType: string): Promise<void> {
    assertKey(key);
    await syncFile(file);
    await this.install(file, key);
  }

  async putBuffer(key: string, data: Buffer, _contentType: string): Promise<void> {
    assertKey(key);
    const temp = this.tempPath();
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.install(temp, key);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    assertKey(key);
    try {
      const info = await stat(this.file(key));
      return info.isFile() ? info.size : null;
    } catch (error) {
      if (isAbsent(error)) return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertKey(key);
    if (range) assertRange(range);
    const handle = await open(this.file(key), 'r').catch((error: unknown) => {
      throw isAbsent(error) ? new MediaNotFoundError(key) : error;
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new MediaNotFoundError(key);
      if (range && range.end >= info.size) throw new RangeError(`byte range ${range.start}-${range.end} is outside ${key} (${info.size} bytes)`);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    const file = this.file(key);
    await rm(file, { force: true });
    await syncDir(path.dirname(file)).catch((error: unknown) => {
      if (!isAbsent(error)) throw error;
    });
  }

  async open(): Promise<void> {
    await writableDir(this.tempDir);
    await sweepStaleTemps(this.tempDir);
  }

  private file(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** Renames the fsynced `source` to the key's path and makes the new entry, and any directory made for it, durable. */
  private async install(source: string, key: string): Promise<void> {
    const target = this.file(key);
    const dir = path.dirname(target);
    const firstMade = await mkdir(dir, { recursive: true });
    await rename(source, target);
    await syncDir(dir);
    if (firstMade === undefined) return;
    for (let made = dir; made !== path.dirname(firstMade); made = path.dirname(made)) await syncDir(path.dirname(made));
  }
}

function isAbsent(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The S3 driver's settings: MEDIA_S3_* and where uploads wait before they are sent (DATA_DIR/media/tmp). */
export type S3MediaStoreOptions = MediaConfig['s3'] & {
  /** Local folder for uploads in flight. */
  tempDir: string;
  /** Whether `open()` creates a missing bucket (tests); by default a missing bucket is a configuration error. */
  createBucket?: boolean;
};

/** The S3 settings a store cannot work without, named by their environment variables. */
const REQUIRED_S3_SETTINGS = [
  ['endpoint', 'MEDIA_S3_ENDPOINT'],
  ['bucket', 'MEDIA_S3_BUCKET'],
  ['accessKeyId', 'MEDIA_S3_ACCESS_KEY_ID'],
  ['secretAccessKey', 'MEDIA_S3_SECRET_ACCESS_KEY'],
] as const;

function httpStatus(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** `bytes start-end/total` of a ranged answer. */
function contentRange(header: string | undefined): { start: number; end: number; total: number } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '');
  return match ? { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) } : null;
}

/** Skips `skip` bytes of `source`, then yields exactly `count` bytes (fails if it ends sooner) and lets go of the rest. */
async function* slice(source: Readable, skip: number, count: number): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let left = count;
  for await (const chunk of source) {
    let part = chunk as Buffer;
    if (toSkip > 0) {
      const skipped = Math.min(toSkip, part.length);
      part = part.subarray(skipped);
      toSkip -= skipped;
    }
    if (part.length === 0) continue;
    if (part.length >= left) {
      yield part.subarray(0, left);
      return;
    }
    left -= part.length;
    yield part;
  }
  if (left > 0) throw new Error(`media object ended ${left} bytes short of the requested range`);
}

/**
 * S3-compatible object storage (MinIO, AWS S3, others), for several replicas sharing one bucket. Uploads wait in a local
 * temp file and go up in one PutObject with their length, so an object appears whole or not at all. Request checksums
 * are only sent where the API requires them: the SDK's default streaming checksums (aws-chunked with trailers) are not
 * understood by every S3-compatible server.
 */
export class S3MediaStore implements MediaStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly tempDir: string;
  private readonly createBucket: boolean;

  constructor(options: S3MediaStoreOptions) {
    const { endpoint, bucket, accessKeyId, secretAccessKey } = options;
    if (!endpoint || !bucket || !accessKeyId || !secretAccessKey) {
      const missing = REQUIRED_S3_SETTINGS.filter(([setting]) => !options[setting]).map(([, variable]) => variable);
      throw new Error(`MEDIA_STORAGE=s3 needs ${missing.join(', ')}: the S3-compatible store's endpoint, bucket and keys`);
    }
    this.bucket = bucket;
    this.tempDir = options.tempDir;
    this.createBucket = options.createBucket ?? false;
    this.client = new S3Client({
      endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId, secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  tempPath(): string {
    return freshTempPath(this.tempDir);
  }

  async put(key: string, file: string, contentType: string): Promise<void> {
    assertKey(key);
    const { size } = await stat(file);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: createReadStream(file), ContentLength: size, ContentType: contentType }));
    await rm(file, { force: true });
  }

  async putBuffer(key: string, data: Buffer, contentType: string): Promise<void> {
    assertKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentLength: data.length, ContentType: contentType }));
  }

  async size(key: string): Promise<number | null> {
    assertKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? null;
    } catch (error) {
      if (httpStatus(error) === 404) return null;
      throw error;
    }
  }

  /**
   * A ranged GetObject. The answer is checked against the request rather than trusted: a server that sends more than
   * was asked (s3rver answers `bytes=0-0` with the whole object) is cut to the range, and one that ends before the
   * range's end, which S3 allows by clamping, is a `RangeError` like on disk.
   */
  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertKey(key);
    if (range) assertRange(range);
    const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined })).catch((error: unknown) => {
      const status = httpStatus(error);
      if (status === 404) throw new MediaNotFoundError(key);
      if (status === 416 && range) throw new RangeError(`byte range ${range.start}-${range.end} is outside ${key}`);
      throw error;
    });
    const body = answer.Body;
    if (!(body instanceof Readable)) throw new Error(`GetObject of ${key} gave no Node.js stream`);
    if (!range) return body;
    const sent = contentRange(answer.ContentRange) ?? { start: 0, end: (answer.ContentLength ?? 0) - 1, total: answer.ContentLength ?? 0 };
    if (range.end >= sent.total || sent.start > range.start || sent.end < range.end) {
      body.destroy();
      throw new RangeError(`byte range ${range.start}-${range.end} is outside ${key} (${sent.total} bytes)`);
    }
    if (sent.start === range.start && sent.end === range.end) return body;
    return Readable.from(slice(body, range.start - sent.start, range.end - range.start + 1), { objectMode: false });
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async open(): Promise<void> {
    await writableDir(this.tempDir);
    await sweepStaleTemps(this.tempDir);
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
      if (!this.createBucket) throw new Error(`MEDIA_S3_BUCKET ${this.bucket} does not exist at MEDIA_S3_ENDPOINT; create it first`, { cause: error });
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }
}

/**
 * The configured store: DATA_DIR/media on disk by default, S3 when MEDIA_STORAGE=s3 (then its temp files stay in
 * DATA_DIR/media/tmp). Throws a configuration error naming the missing MEDIA_S3_* settings, so a replica never starts
 * writing media where the others cannot read it.
 */
export function createMediaStore(config: MediaConfig): MediaStore {
  if (config.storage === 'disk') return new DiskMediaStore(config.dir);
  return new S3MediaStore({ ...config.s3, tempDir: path.join(config.dir, TEMP_DIR) });
}
