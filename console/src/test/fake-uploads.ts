import { MediaUploads } from '../features/media/media.uploads.ts';
import { UploadError, type UploadedMedia, type UploadOptions } from '../features/media/upload.ts';
import { deferred } from './fake-run.ts';

/** One file handed to the fake sender: the test answers it with `answer.resolve(stored(id))` or `fail(error)`. */
export interface FakeSending {
  file: File;
  options: Omit<UploadOptions, 'token'>;
  answer: ReturnType<typeof deferred<UploadedMedia>>;
  fail: (err: unknown) => void;
}

/**
 * Uploads over a fake sender the test answers file by file (a removed file's upload is aborted, as the real
 * one is), with previews named after the files; translations are the keys, with their values.
 */
export function fakeUploads() {
  const sent: FakeSending[] = [];
  const revoked: string[] = [];
  const uploads = new MediaUploads({
    upload: (file, options) => {
      const answer = deferred<UploadedMedia>();
      let fail!: (err: unknown) => void;
      const failed = new Promise<never>((_resolve, reject) => {
        fail = reject;
      });
      options.signal?.addEventListener('abort', () => fail(new UploadError({ code: 'ABORTED', message: '', status: 0 })));
      sent.push({ file, options, answer, fail });
      return Promise.race([answer.promise, failed]);
    },
    previews: { create: (file) => (file.type.startsWith('image/') ? `blob:${(file as File).name}` : null), revoke: (url) => revoked.push(url) },
    t: (key, values) => (values ? `${key} ${JSON.stringify(values)}` : key),
  });
  return { uploads, sent, revoked };
}

/** A photo file as a picker or the camera gives it. */
export function photoFile(name: string, type = 'image/jpeg'): File {
  return new File([new Uint8Array([1, 2, 3])], name, { type });
}

/** What POST /media answers for a stored photo. */
export function stored(id: string): UploadedMedia {
  return { id, kind: 'PHOTO', contentType: 'image/jpeg', bytes: 3, sha256: id, width: 1, height: 1, durationSeconds: null };
}
