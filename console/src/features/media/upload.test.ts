import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UploadError, uploadMedia, type UploadedMedia, type UploadFailure } from './upload.ts';

/** The part of XMLHttpRequest the upload uses, played by the test: each request waits until the test answers it. */
class FakeXhr {
  static sent: FakeXhr[] = [];
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | null = null;
  status = 0;
  responseText = '';
  aborted = false;
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }

  send(body: FormData): void {
    this.body = body;
    FakeXhr.sent.push(this);
  }

  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }

  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true });
  }

  answer(status: number, body: unknown): void {
    this.status = status;
    this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
    this.onload?.();
  }

  dropConnection(): void {
    this.onerror?.();
  }
}

const STORED: UploadedMedia = { id: 'm-1', kind: 'PHOTO', contentType: 'image/jpeg', bytes: 1234, sha256: 'ab'.repeat(32), width: 800, height: 600, durationSeconds: null };
const photo = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], 'pothole.jpg', { type: 'image/jpeg' });

/** Lets the upload reach its next request (or its next wait). */
const settle = () => vi.advanceTimersByTimeAsync(0);

async function failureOf(promise: Promise<unknown>): Promise<UploadFailure> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UploadError);
  return (err as UploadError).failure;
}

describe('uploading a photo or voice note', () => {
  beforeEach(() => {
    FakeXhr.sent = [];
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('posts the file as the multipart part "file" with the bearer token, reports progress and returns the stored media', async () => {
    const progress: number[] = [];
    const upload = uploadMedia(photo(), { token: () => 'tok-1', onProgress: (f) => progress.push(f) });
    await settle();
    const [request] = FakeXhr.sent;
    expect(request).toMatchObject({ method: 'POST', url: '/media', headers: { authorization: 'Bearer tok-1' } });
    const part = request!.body!.get('file') as File;
    expect(part.name).toBe('pothole.jpg');
    expect(part.size).toBe(4);
    request!.progress(50, 200);
    request!.progress(200, 200);
    request!.answer(201, STORED);
    expect(await upload).toEqual(STORED);
    expect(progress).toEqual([0.25, 1]);
  });

  it('retries after a dropped connection, with back-off, starting the progress over and reading the token afresh', async () => {
    const tokens = ['old', 'renewed'];
    const progress: number[] = [];
    const retries: Array<[number, number]> = [];
    const upload = uploadMedia(photo(), {
      token: () => tokens.shift() ?? null,
      onProgress: (f) => progress.push(f),
      onRetry: (attempt, delay) => retries.push([attempt, delay]),
      retryDelaysMs: [1000, 5000],
    });
    await settle();
    FakeXhr.sent[0]!.progress(60, 100);
    FakeXhr.sent[0]!.dropConnection();
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeXhr.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeXhr.sent).toHaveLength(2);
    FakeXhr.sent[1]!.dropConnection();
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeXhr.sent.map((r) => r.headers.authorization)).toEqual(['Bearer old', 'Bearer renewed', undefined]);
    FakeXhr.sent[2]!.answer(200, STORED);
    expect(await upload).toEqual(STORED);
    expect(retries).toEqual([
      [2, 1000],
      [3, 5000],
    ]);
    expect(progress).toEqual([0.6, 0, 0]);
  });

  it('retries a server-side failure (503) but takes a 4xx as final, with the message the server wrote', async () => {
    const unavailable = uploadMedia(photo(), { token: () => 't', retryDelaysMs: [10] });
    await settle();
    FakeXhr.sent[0]!.answer(503, { code: 'SERVICE_UNAVAILABLE', message: 'The database is not reachable' });
    await vi.advanceTimersByTimeAsync(10);
    FakeXhr.sent[1]!.answer(201, STORED);
    expect(await unavailable).toEqual(STORED);

    FakeXhr.sent = [];
    const tooLarge = uploadMedia(photo(), { token: () => 't', retryDelaysMs: [10, 10] });
    await settle();
    FakeXhr.sent[0]!.answer(413, { code: 'BAD_USER_INPUT', field: 'file', message: 'A photo may be at most 10 MB' });
    expect(await failureOf(tooLarge)).toEqual({ code: 'BAD_USER_INPUT', field: 'file', message: 'A photo may be at most 10 MB', status: 413 });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeXhr.sent).toHaveLength(1);
  });

  it.each([
    [415, { code: 'BAD_USER_INPUT', field: 'file', message: 'Only photos (JPEG, PNG, WebP, HEIC) and voice notes are accepted' }],
    [401, { code: 'UNAUTHENTICATED', message: 'Sign in again' }],
    [403, { code: 'FORBIDDEN', message: 'This role may not upload media' }],
  ])('does not retry a %i', async (status, body) => {
    const upload = uploadMedia(photo(), { token: () => 't', retryDelaysMs: [10] });
    await settle();
    FakeXhr.sent[0]!.answer(status, body);
    expect(await failureOf(upload)).toEqual({ ...body, status });
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeXhr.sent).toHaveLength(1);
  });

  it('words nothing itself when the answer is not the server’s JSON (a proxy’s page), and gives up after the last retry', async () => {
    const upload = uploadMedia(photo(), { token: () => 't', retryDelaysMs: [10] });
    await settle();
    FakeXhr.sent[0]!.answer(502, '<html>Bad Gateway</html>');
    await vi.advanceTimersByTimeAsync(10);
    FakeXhr.sent[1]!.dropConnection();
    expect(await failureOf(upload)).toEqual({ code: 'NETWORK', message: '', status: 0 });
    expect(FakeXhr.sent).toHaveLength(2);
  });

  it('gives up a stalled attempt and retries it', async () => {
    const upload = uploadMedia(photo(), { token: () => 't', stallMs: 1000, retryDelaysMs: [10] });
    await settle();
    FakeXhr.sent[0]!.progress(10, 100);
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeXhr.sent[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeXhr.sent[0]!.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    FakeXhr.sent[1]!.answer(201, STORED);
    expect(await upload).toEqual(STORED);
  });

  it('stops when aborted, in flight or while waiting to retry, and sends nothing more', async () => {
    const inFlight = new AbortController();
    const first = uploadMedia(photo(), { token: () => 't', signal: inFlight.signal });
    await settle();
    inFlight.abort();
    expect(FakeXhr.sent[0]!.aborted).toBe(true);
    expect((await failureOf(first)).code).toBe('ABORTED');

    FakeXhr.sent = [];
    const waiting = new AbortController();
    const second = uploadMedia(photo(), { token: () => 't', signal: waiting.signal, retryDelaysMs: [1000] });
    await settle();
    FakeXhr.sent[0]!.dropConnection();
    await vi.advanceTimersByTimeAsync(500);
    waiting.abort();
    expect((await failureOf(second)).code).toBe('ABORTED');
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeXhr.sent).toHaveLength(1);
  });
});
