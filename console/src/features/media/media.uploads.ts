import { computed, shallowRef } from 'vue';
import { i18n } from '../../i18n/i18n.ts';
import { currentToken } from '../../session/session.ts';
import { UploadError, uploadMedia, type UploadedMedia, type UploadOptions } from './upload.ts';

/** Where one file stands: being sent (or waiting to retry), stored on the server, or refused for good. */
export type UploadState = 'uploading' | 'retrying' | 'done' | 'failed';

/** One file being attached, as the list under a picker shows it. */
export interface UploadItem {
  readonly key: number;
  readonly name: string;
  /** A local object URL of a photo for its thumbnail (revoked when the item goes); null for anything else. */
  readonly preview: string | null;
  readonly state: UploadState;
  /** The share sent, 0 to 1. */
  readonly progress: number;
  /** The attempt under way: 1, then 2, 3, … while a weak network is retried. */
  readonly attempt: number;
  /** Why it failed, in words: the server's message, or the console's for a network failure. */
  readonly error: string;
  readonly media: UploadedMedia | null;
}

/** Local previews of photos being attached (object URLs; the CSP admits `blob:` images for them). */
export interface Previews {
  create(file: Blob): string | null;
  revoke(url: string): void;
}

const BROWSER_PREVIEWS: Previews = {
  create: (file) => (file.type.startsWith('image/') && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null),
  revoke: (url) => URL.revokeObjectURL(url),
};

export interface MediaUploadsOptions {
  /** Sends one file; `uploadMedia` with the session's token by default (a fake in tests). */
  upload?: (file: File, options: Omit<UploadOptions, 'token'>) => Promise<UploadedMedia>;
  previews?: Previews;
  /** Translates the console's own messages; the console's i18n by default. */
  t?: (key: string, values?: Record<string, unknown>) => string;
}

/**
 * The files attached in one form (the call-taker's report, a crew's completion, a dispatcher's follow-up
 * photo): each starts uploading the moment it is added, with its progress, retries and failure, and may be
 * removed (which cancels it) or retried. `ready()` is what a form awaits before it sends the media ids, so
 * nothing still in flight is lost. The server keeps the rules (how many, how large, which types): a refusal
 * shows its message.
 */
export class MediaUploads {
  readonly items = shallowRef<readonly UploadItem[]>([]);
  /** Some file is still being sent or waiting to be retried. */
  readonly inFlight = computed(() => this.items.value.some((item) => item.state === 'uploading' || item.state === 'retrying'));
  /** Some file failed for good: the user removes or retries it before the form is sent. */
  readonly anyFailed = computed(() => this.items.value.some((item) => item.state === 'failed'));
  private readonly upload: NonNullable<MediaUploadsOptions['upload']>;
  private readonly previews: Previews;
  private readonly t: NonNullable<MediaUploadsOptions['t']>;
  private readonly files = new Map<number, File>();
  private readonly running = new Map<number, { promise: Promise<void>; abort: AbortController }>();
  private nextKey = 1;

  constructor(options: MediaUploadsOptions = {}) {
    this.upload = options.upload ?? ((file, uploadOptions) => uploadMedia(file, { ...uploadOptions, token: currentToken }));
    this.previews = options.previews ?? BROWSER_PREVIEWS;
    this.t = options.t ?? ((key, values) => i18n.global.t(key, values ?? {}));
  }

  /** Adds files and starts uploading each at once. */
  add(files: Iterable<File>): void {
    for (const file of files) {
      const key = this.nextKey++;
      this.files.set(key, file);
      this.items.value = [...this.items.value, { key, name: file.name, preview: this.previews.create(file), state: 'uploading', progress: 0, attempt: 1, error: '', media: null }];
      this.start(key);
    }
  }

  /** Uploads a failed file again. */
  retry(key: number): void {
    const item = this.items.value.find((i) => i.key === key);
    if (!item || item.state !== 'failed') return;
    this.patch(key, { state: 'uploading', progress: 0, attempt: 1, error: '' });
    this.start(key);
  }

  /** Drops a file, cancelling its upload if it is still being sent. */
  remove(key: number): void {
    this.running.get(key)?.abort.abort();
    this.running.delete(key);
    this.files.delete(key);
    const item = this.items.value.find((i) => i.key === key);
    if (item?.preview) this.previews.revoke(item.preview);
    this.items.value = this.items.value.filter((i) => i.key !== key);
  }

  /**
   * Waits until nothing is in flight (retries included, and files added meanwhile), then returns the ids of
   * the stored media in the order they were added; null when a file failed for good, which the user removes
   * or retries first.
   */
  async ready(): Promise<string[] | null> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.promise));
    if (this.anyFailed.value) return null;
    return this.items.value.flatMap((item) => (item.media ? [item.media.id] : []));
  }

  /** Forgets every file (after the form was sent), cancelling what is still in flight. */
  clear(): void {
    for (const item of this.items.value) this.remove(item.key);
  }

  private start(key: number): void {
    const file = this.files.get(key);
    if (!file) return;
    const abort = new AbortController();
    const promise = this.upload(file, {
      signal: abort.signal,
      onProgress: (progress) => this.patch(key, { progress }),
      onRetry: (attempt) => this.patch(key, { state: 'retrying', attempt, progress: 0 }),
    }).then(
      (media) => this.patch(key, { state: 'done', progress: 1, media }),
      (err: unknown) => {
        if (err instanceof UploadError && err.failure.code === 'ABORTED') return;
        this.patch(key, { state: 'failed', error: this.describe(err) });
      },
    );
    const entry = { promise, abort };
    this.running.set(key, entry);
    void promise.finally(() => {
      if (this.running.get(key) === entry) this.running.delete(key);
    });
  }

  private describe(err: unknown): string {
    if (!(err instanceof UploadError) || err.failure.status === 0) return this.t('media.error.network');
    return err.failure.message || this.t('media.error.refused', { status: err.failure.status });
  }

  private patch(key: number, change: Partial<UploadItem>): void {
    this.items.value = this.items.value.map((item) => (item.key === key ? { ...item, ...change } : item));
  }
}
