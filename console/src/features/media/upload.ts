/** What `POST /media` answers for a stored upload (201 new, 200 the same bytes this user uploaded before). */
export interface UploadedMedia {
  id: string;
  kind: 'PHOTO' | 'VOICE';
  contentType: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
}

/**
 * Why an upload failed, as the UI shows it: the server's refusal (its code, the field and its message), or
 * NETWORK when no answer came back after every retry, or ABORTED when the caller gave up on it. `message` is
 * empty when the server said nothing readable (a proxy's HTML 502, a dropped connection): the UI words it.
 */
export interface UploadFailure {
  code: string;
  message: string;
  /** The HTTP status; 0 when no answer arrived. */
  status: number;
  field?: string;
}

/** Thrown by `uploadMedia` with what went wrong. */
export class UploadError extends Error {
  constructor(readonly failure: UploadFailure) {
    super(failure.message || failure.code);
  }
}

export interface UploadOptions {
  /** The session's bearer token, read before each attempt (a renewal during the retries is picked up). */
  token: () => string | null;
  /** The share of the file sent, 0 to 1, as it goes; back to 0 when an attempt is retried. */
  onProgress?: (fraction: number) => void;
  /** Called before each retry with the attempt about to start (2, 3, …) and how long it waits first. */
  onRetry?: (attempt: number, delayMs: number) => void;
  /** Cancels the upload, in flight or between retries: it then fails with ABORTED. */
  signal?: AbortSignal;
  /**
   * The waits before each retry: one retry per entry. By default four, growing from 1 s to 20 s, so a phone
   * that loses the network for half a minute still gets its photo through.
   */
  retryDelaysMs?: readonly number[];
  /** An attempt that sends nothing for this long is given up and retried (a stalled weak connection). */
  stallMs?: number;
  /** The endpoint; `/media` on this origin by default. */
  url?: string;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 3_000, 8_000, 20_000];
const DEFAULT_STALL_MS = 45_000;

/**
 * Uploads one photo or voice note to `POST /media` (multipart, one part named `file`) and returns the stored
 * media, reporting progress as it goes. A failure without an answer (network error, stalled connection) or
 * with a 5xx is retried after each of `retryDelaysMs`; a 4xx (too large, not a photo, signed out, not
 * allowed) is the server's final word and is not. Retrying is safe: the server answers the same stored
 * media for the same bytes from the same user. Uses XMLHttpRequest, the only browser API that reports
 * upload progress.
 */
export async function uploadMedia(file: Blob, options: UploadOptions): Promise<UploadedMedia> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sendOnce(file, options);
    } catch (err) {
      const failure = err instanceof UploadError ? err.failure : null;
      const delay = delays[attempt - 1];
      if (!failure || !isRetryable(failure) || delay === undefined) throw err;
      options.onRetry?.(attempt + 1, delay);
      options.onProgress?.(0);
      await wait(delay, options.signal);
    }
  }
}

/** No answer at all, or a server-side failure (restarting, overloaded, a balancer without a replica). */
function isRetryable(failure: UploadFailure): boolean {
  if (failure.code === 'ABORTED') return false;
  return failure.status === 0 || failure.status >= 500;
}

function aborted(): UploadError {
  return new UploadError({ code: 'ABORTED', message: '', status: 0 });
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One attempt: resolves the stored media, or rejects with an UploadError (NETWORK with status 0 when nothing came back). */
function sendOnce(file: Blob, options: UploadOptions): Promise<UploadedMedia> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) return reject(aborted());
    const request = new XMLHttpRequest();
    const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    let stall: ReturnType<typeof setTimeout> | null = null;
    let stalled = false;
    const watch = () => {
      if (stall) clearTimeout(stall);
      stall = setTimeout(() => {
        stalled = true;
        request.abort();
      }, stallMs);
    };
    const onAbort = () => request.abort();
    const finish = (outcome: () => void) => {
      if (stall) clearTimeout(stall);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };

    request.open('POST', options.url ?? '/media');
    const token = options.token();
    if (token) request.setRequestHeader('authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      watch();
      if (event.lengthComputable && event.total > 0) options.onProgress?.(Math.min(1, event.loaded / event.total));
    };
    request.onload = () => finish(() => (request.status >= 200 && request.status < 300 ? settleStored(request, resolve, reject) : reject(new UploadError(refusal(request)))));
    request.onerror = () => finish(() => reject(new UploadError({ code: 'NETWORK', message: '', status: 0 })));
    request.ontimeout = request.onerror;
    request.onabort = () => finish(() => reject(stalled ? new UploadError({ code: 'NETWORK', message: '', status: 0 }) : aborted()));
    signal?.addEventListener('abort', onAbort, { once: true });

    const body = new FormData();
    body.append('file', file, file instanceof File ? file.name : 'upload');
    watch();
    request.send(body);
  });
}

function settleStored(request: XMLHttpRequest, resolve: (media: UploadedMedia) => void, reject: (err: UploadError) => void): void {
  const body = parse(request.responseText);
  if (body && typeof body.id === 'string' && (body.kind === 'PHOTO' || body.kind === 'VOICE')) resolve(body as unknown as UploadedMedia);
  else reject(new UploadError({ code: 'BAD_RESPONSE', message: '', status: request.status }));
}

/** The server's `{ code, message, field }`, or what the status alone says when the body is not that. */
function refusal(request: XMLHttpRequest): UploadFailure {
  const body = parse(request.responseText);
  const code = typeof body?.code === 'string' ? body.code : `HTTP_${request.status}`;
  const message = typeof body?.message === 'string' ? body.message : '';
  const field = typeof body?.field === 'string' ? body.field : undefined;
  return { code, message, status: request.status, ...(field ? { field } : {}) };
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
