import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/src/common/config.js';
import { createMediaStore, DiskMediaStore, MediaNotFoundError, S3MediaStore, type MediaStore } from '../server/src/media/media.storage.js';

/** The part of s3rver (an S3-protocol server on the local disk, untyped CommonJS) these tests drive. */
interface S3rverInstance {
  /** Resolves with the listening address (its README says the server). */
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string; configs: string[] }[] }) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

const BUCKET = 'balagh-media';
/** s3rver's one account. */
const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A started store and how to stop whatever it runs on. */
interface Running {
  store: MediaStore;
  stop(): Promise<void>;
}

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

async function startDisk(): Promise<Running & { root: string }> {
  const root = path.join(await tempDir('balagh-media-disk-'), 'media');
  const store = new DiskMediaStore(root);
  await store.open();
  return { store, root, stop: () => rm(path.dirname(root), { recursive: true, force: true }) };
}

async function startS3(): Promise<Running & { endpoint: string; tempDir: string }> {
  const dir = await tempDir('balagh-media-s3-');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 's3rver'), configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const uploads = path.join(dir, 'tmp');
  const store = new S3MediaStore({ endpoint, region: 'us-east-1', bucket: BUCKET, ...S3RVER_KEYS, forcePathStyle: true, tempDir: uploads });
  await store.open();
  return {
    store,
    endpoint,
    tempDir: uploads,
    stop: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  return Buffer.concat((await stream.toArray()) as Buffer[]);
}

/** Writes `data` where the store wants an upload to wait, as the upload route does. */
async function upload(store: MediaStore, data: Buffer): Promise<string> {
  const file = store.tempPath();
  await writeFile(file, data);
  return file;
}

let serial = 0;
/** A fresh content-addressed-looking key per test, so tests never see each other's objects. */
function freshKey(variant = 'original'): string {
  serial += 1;
  const hash = randomBytes(32).toString('hex');
  return `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}-${serial}-${variant}`;
}

/** A few MB of incompressible bytes, of an odd length so no range lines up with a chunk by chance. */
const VOICE = randomBytes(3 * 1024 * 1024 + 17);

const BAD_KEYS = ['../x', 'ab/../../x', '/etc/passwd', '/abs/key', 'AB/cd/Upper-original', 'ab//cd', 'ab/cd/', 'a.b', 'ab\\cd', '', 'tmp/x', 'ab/cd/x y', 'ab/cd/é'];

describe.each([
  { driver: 'disk', start: startDisk },
  { driver: 's3 (s3rver)', start: startS3 },
])('MediaStore contract: $driver', ({ start }) => {
  let running: Running;
  let store: MediaStore;

  beforeAll(async () => {
    running = await start();
    store = running.store;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('puts a temp file of a few MB under a key, takes the temp file over, and reads back the same bytes and size', async () => {
    const key = freshKey();
    const file = await upload(store, VOICE);
    await store.put(key, file, 'audio/ogg');
    expect(existsSync(file)).toBe(false);
    expect(await store.size(key)).toBe(VOICE.length);
    const read = await bytesOf(await store.read(key));
    expect(read.length).toBe(VOICE.length);
    expect(read.equals(VOICE)).toBe(true);
  });

  it('reads byte ranges, inclusive of both ends: the first byte, a middle stretch, the last byte and the whole', async () => {
    const key = freshKey();
    await store.put(key, await upload(store, VOICE), 'audio/ogg');
    const last = VOICE.length - 1;
    for (const [start, end] of [
      [0, 0],
      [0, 9],
      [1_048_570, 1_148_580],
      [last, last],
      [last - 99, last],
      [0, last],
    ]) {
      const read = await bytesOf(await store.read(key, { start, end }));
      expect(read.length, `bytes ${start}-${end}`).toBe(end - start + 1);
      expect(read.equals(VOICE.subarray(start, end + 1)), `bytes ${start}-${end}`).toBe(true);
    }
  });

  it('refuses a range that is not within the object rather than sending fewer bytes', async () => {
    const key = freshKey();
    await store.putBuffer(key, Buffer.from('0123456789'), 'image/webp');
    await expect(store.read(key, { start: 5, end: 10 })).rejects.toThrow(RangeError);
    await expect(store.read(key, { start: 10, end: 12 })).rejects.toThrow(RangeError);
    await expect(store.read(key, { start: 6, end: 5 })).rejects.toThrow(RangeError);
    await expect(store.read(key, { start: -1, end: 3 })).rejects.toThrow(RangeError);
    await expect(store.read(key, { start: 0.5, end: 3 })).rejects.toThrow(RangeError);
    expect((await bytesOf(await store.read(key, { start: 9, end: 9 }))).toString()).toBe('9');
  });

  it('stores a buffer (a display copy or thumbnail) under a key', async () => {
    const key = freshKey('thumb');
    const thumb = randomBytes(40_000);
    await store.putBuffer(key, thumb, 'image/webp');
    expect(await store.size(key)).toBe(thumb.length);
    expect((await bytesOf(await store.read(key))).equals(thumb)).toBe(true);
    expect((await bytesOf(await store.read(key, { start: 100, end: 199 }))).equals(thumb.subarray(100, 200))).toBe(true);
  });

  it('stores an empty buffer as a zero-byte object', async () => {
    const key = freshKey();
    await store.putBuffer(key, Buffer.alloc(0), 'image/webp');
    expect(await store.size(key)).toBe(0);
    expect(await bytesOf(await store.read(key))).toHaveLength(0);
  });

  it('deletes a key: its size is then null and reading it is MediaNotFoundError; deleting it again is fine', async () => {
    const key = freshKey();
    await store.putBuffer(key, Buffer.from('evidence'), 'image/jpeg');
    expect(await store.size(key)).toBe(8);
    await store.delete(key);
    expect(await store.size(key)).toBeNull();
    await expect(store.read(key)).rejects.toThrow(MediaNotFoundError);
    await store.delete(key);
    expect(await store.size(key)).toBeNull();
  });

  it('answers null and MediaNotFoundError for a key never stored, and for a prefix of a stored key', async () => {
    const key = freshKey();
    expect(await store.size(key)).toBeNull();
    await expect(store.read(key)).rejects.toThrow(MediaNotFoundError);
    await expect(store.read(key, { start: 0, end: 0 })).rejects.toThrow(MediaNotFoundError);
    await store.putBuffer(key, Buffer.from('x'), 'image/jpeg');
    const prefix = key.split('/').slice(0, 2).join('/');
    expect(await store.size(prefix)).toBeNull();
    await expect(store.read(prefix)).rejects.toThrow(MediaNotFoundError);
    expect(await store.size(`${key}/below`)).toBeNull();
  });

  it('accepts a put of a key that already holds the same content (a retry, or two reports with the same photo)', async () => {
    const key = freshKey();
    await store.put(key, await upload(store, VOICE), 'audio/ogg');
    const again = await upload(store, VOICE);
    await store.put(key, again, 'audio/ogg');
    expect(existsSync(again)).toBe(false);
    await store.putBuffer(key, VOICE, 'audio/ogg');
    expect(await store.size(key)).toBe(VOICE.length);
    expect((await bytesOf(await store.read(key))).equals(VOICE)).toBe(true);
  });

  it.each(BAD_KEYS)('refuses the key %j in every operation, before touching storage', async (key) => {
    const file = await upload(store, Buffer.from('payload'));
    await expect(store.put(key, file, 'image/jpeg')).rejects.toThrow(TypeError);
    expect(existsSync(file), 'the refused temp file is left for the caller').toBe(true);
    await rm(file);
    await expect(store.putBuffer(key, Buffer.from('payload'), 'image/jpeg')).rejects.toThrow(TypeError);
    await expect(store.size(key)).rejects.toThrow(TypeError);
    await expect(store.read(key)).rejects.toThrow(TypeError);
    await expect(store.read(key, { start: 0, end: 1 })).rejects.toThrow(TypeError);
    await expect(store.delete(key)).rejects.toThrow(TypeError);
  });

  it('gives a fresh temp path each time, on local disk, next to the others', async () => {
    const paths = new Set(Array.from({ length: 50 }, () => store.tempPath()));
    expect(paths.size).toBe(50);
    const [first] = paths;
    expect(path.isAbsolute(first)).toBe(true);
    expect(existsSync(first)).toBe(false);
    expect(new Set([...paths].map((file) => path.dirname(file))).size).toBe(1);
    expect((await stat(path.dirname(first))).isDirectory()).toBe(true);
  });

  it('rejects a put whose temp file is gone, and stores nothing under the key', async () => {
    const key = freshKey();
    const file = await upload(store, VOICE);
    await rm(file);
    await expect(store.put(key, file, 'audio/ogg')).rejects.toThrow(/ENOENT/);
    expect(await store.size(key)).toBeNull();
  });
});

describe('DiskMediaStore on DATA_DIR/media', () => {
  let running: Awaited<ReturnType<typeof startDisk>>;
  let store: DiskMediaStore;
  let root: string;

  beforeAll(async () => {
    running = await startDisk();
    store = running.store as DiskMediaStore;
    root = running.root;
  });
  afterAll(async () => {
    await running?.stop();
  });

  /** Every file under the root, relative to it, temp files included. */
  async function filesUnder(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
  }

  it('lays a key out as <root>/<key>, with uploads waiting in <root>/tmp on the same filesystem', async () => {
    const key = freshKey();
    const file = await upload(store, VOICE);
    expect(path.dirname(file)).toBe(path.join(root, 'tmp'));
    expect((await stat(file)).dev).toBe((await stat(root)).dev);
    await store.put(key, file, 'audio/ogg');
    expect((await stat(path.join(root, key))).size).toBe(VOICE.length);
  });

  it('leaves nothing under the final key when an upload fails mid-way: the partial bytes sit in tmp/ until the caller deletes them', async () => {
    const key = freshKey();
    const file = store.tempPath();
    async function* halfThenFail() {
      yield VOICE.subarray(0, 1024 * 1024);
      throw new Error('client went away');
    }
    await expect(pipeline(Readable.from(halfThenFail()), createWriteStream(file))).rejects.toThrow('client went away');
    expect((await filesUnder(root)).filter((name) => name.includes(key.split('/')[2]))).toEqual([]);
    expect(await store.size(key)).toBeNull();
    expect(path.relative(root, file).startsWith(`tmp${path.sep}`)).toBe(true);
    await rm(file, { force: true });
  });

  it('leaves nothing under the key, and the temp file where it was, when a put fails after the upload completed', async () => {
    const blocker = freshKey();
    await store.putBuffer(blocker, Buffer.from('a file where a directory must go'), 'image/jpeg');
    const key = `${blocker}/child`;
    const file = await upload(store, VOICE);
    await expect(store.put(key, file, 'audio/ogg')).rejects.toThrow();
    expect(existsSync(file)).toBe(true);
    expect(await store.size(key)).toBeNull();
    expect((await bytesOf(await store.read(blocker))).toString()).toBe('a file where a directory must go');
    await rm(file);
  });

  it('writes a buffer through tmp/ and leaves no temp file behind', async () => {
    const before = await readdir(path.join(root, 'tmp'));
    await store.putBuffer(freshKey('display'), randomBytes(200_000), 'image/webp');
    expect(await readdir(path.join(root, 'tmp'))).toEqual(before);
  });

  it('removes temp files older than a day on open(), and keeps fresh ones and stored media', async () => {
    const kept = freshKey();
    await store.putBuffer(kept, Buffer.from('kept'), 'image/jpeg');
    const stale = store.tempPath();
    const fresh = store.tempPath();
    await writeFile(stale, 'interrupted upload');
    await writeFile(fresh, 'upload in flight');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    const oldMedia = path.join(root, kept);
    await utimes(oldMedia, twoDaysAgo, twoDaysAgo);

    await store.open();

    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(await store.size(kept)).toBe(4);
    await rm(fresh);
  });

  it('creates its root and tmp/ on open()', async () => {
    const parent = await tempDir('balagh-media-open-');
    const fresh = new DiskMediaStore(path.join(parent, 'data', 'media'));
    await fresh.open();
    expect((await stat(path.join(parent, 'data', 'media', 'tmp'))).isDirectory()).toBe(true);
    await rm(parent, { recursive: true, force: true });
  });

  it('fails open() when the root cannot be a directory', async () => {
    const parent = await tempDir('balagh-media-open-');
    await writeFile(path.join(parent, 'media'), 'not a directory');
    await expect(new DiskMediaStore(path.join(parent, 'media')).open()).rejects.toThrow(/EEXIST|ENOTDIR/);
    await rm(parent, { recursive: true, force: true });
  });
});

describe('S3MediaStore against s3rver', () => {
  let running: Awaited<ReturnType<typeof startS3>>;

  beforeAll(async () => {
    running = await startS3();
  });
  afterAll(async () => {
    await running?.stop();
  });

  function storeOn(bucket: string, createBucket?: boolean): S3MediaStore {
    return new S3MediaStore({ endpoint: running.endpoint, region: 'us-east-1', bucket, ...S3RVER_KEYS, forcePathStyle: true, tempDir: running.tempDir, createBucket });
  }

  it('refuses to open on a missing bucket unless told to create it', async () => {
    await expect(storeOn('balagh-missing').open()).rejects.toThrow(/MEDIA_S3_BUCKET balagh-missing does not exist/);
    const creating = storeOn('balagh-created', true);
    await creating.open();
    await storeOn('balagh-created').open();
    const key = freshKey();
    await creating.putBuffer(key, Buffer.from('in the new bucket'), 'image/jpeg');
    expect(await storeOn('balagh-created').size(key)).toBe(17);
    expect(await running.store.size(key)).toBeNull();
  });

  it('lets a second store on the same bucket (another replica) read what the first wrote', async () => {
    const key = freshKey();
    await running.store.put(key, await upload(running.store, VOICE), 'audio/ogg');
    const replica = storeOn(BUCKET);
    expect(await replica.size(key)).toBe(VOICE.length);
    expect((await bytesOf(await replica.read(key, { start: 0, end: 0 }))).equals(VOICE.subarray(0, 1))).toBe(true);
  });

  it('sweeps stale temp files from its temp folder on open()', async () => {
    const stale = running.store.tempPath();
    await writeFile(stale, 'interrupted upload');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    await running.store.open();
    expect(existsSync(stale)).toBe(false);
  });

  it('surfaces a refusal (an unknown access key) as the server’s error, never as a missing key or bucket', async () => {
    // s3rver does not check SigV4 signatures, so a wrong secret would pass; an unknown access key id is refused (403).
    const refused = new S3MediaStore({
      endpoint: running.endpoint,
      region: 'us-east-1',
      bucket: BUCKET,
      accessKeyId: 'UNKNOWN',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      tempDir: running.tempDir,
    });
    await expect(refused.size(freshKey())).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(refused.read(freshKey())).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(refused.open()).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });
});

describe('createMediaStore', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDir('balagh-media-config-');
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores on disk under DATA_DIR/media by default', () => {
    const store = createMediaStore(loadConfig({ DATA_DIR: dataDir }).media);
    expect(store).toBeInstanceOf(DiskMediaStore);
    expect(path.dirname(store.tempPath())).toBe(path.join(dataDir, 'media', 'tmp'));
  });

  it('uses S3 when MEDIA_STORAGE=s3, with uploads waiting in DATA_DIR/media/tmp', () => {
    const store = createMediaStore(
      loadConfig({
        DATA_DIR: dataDir,
        MEDIA_STORAGE: 's3',
        MEDIA_S3_ENDPOINT: 'http://minio:9000',
        MEDIA_S3_BUCKET: 'balagh-media',
        MEDIA_S3_ACCESS_KEY_ID: 'id',
        MEDIA_S3_SECRET_ACCESS_KEY: 'secret',
      }).media,
    );
    expect(store).toBeInstanceOf(S3MediaStore);
    expect(path.dirname(store.tempPath())).toBe(path.join(dataDir, 'media', 'tmp'));
  });

  it('refuses MEDIA_STORAGE=s3 without endpoint, bucket or keys, naming what is missing', () => {
    expect(() => createMediaStore(loadConfig({ DATA_DIR: dataDir, MEDIA_STORAGE: 's3' }).media)).toThrow(
      'MEDIA_STORAGE=s3 needs MEDIA_S3_ENDPOINT, MEDIA_S3_BUCKET, MEDIA_S3_ACCESS_KEY_ID, MEDIA_S3_SECRET_ACCESS_KEY',
    );
    expect(() => createMediaStore(loadConfig({ DATA_DIR: dataDir, MEDIA_STORAGE: 's3', MEDIA_S3_ENDPOINT: 'http://minio:9000', MEDIA_S3_BUCKET: 'b', MEDIA_S3_ACCESS_KEY_ID: 'id' }).media)).toThrow(
      /needs MEDIA_S3_SECRET_ACCESS_KEY:/,
    );
  });
});
