import { describe, expect, it } from 'vitest';
import { fakeUploads, photoFile, stored } from '../../test/fake-uploads.ts';
import type { MediaUploads } from './media.uploads.ts';
import { UploadError } from './upload.ts';

const states = (uploads: MediaUploads) => uploads.items.value.map((i) => [i.name, i.state]);
const tick = () => new Promise((resolve) => setTimeout(resolve));

describe('files attached to a form', () => {
  it('starts uploading each file as it is added, with a preview of photos and its progress', async () => {
    const { uploads, sent } = fakeUploads();
    uploads.add([photoFile('a.jpg'), photoFile('note.ogg', 'audio/ogg')]);
    expect(sent.map((s) => s.file.name)).toEqual(['a.jpg', 'note.ogg']);
    expect(uploads.items.value.map((i) => i.preview)).toEqual(['blob:a.jpg', null]);
    expect(uploads.inFlight.value).toBe(true);
    sent[0]!.options.onProgress?.(0.5);
    expect(uploads.items.value[0]!.progress).toBe(0.5);
    sent[0]!.answer.resolve(stored('m-a'));
    await tick();
    expect(states(uploads)).toEqual([
      ['a.jpg', 'done'],
      ['note.ogg', 'uploading'],
    ]);
    expect(uploads.items.value[0]!.progress).toBe(1);
  });

  it('makes the form wait for uploads in flight, files added meanwhile included, then gives the ids in the order added', async () => {
    const { uploads, sent } = fakeUploads();
    uploads.add([photoFile('a.jpg'), photoFile('b.jpg')]);
    let ids: string[] | null | undefined;
    void uploads.ready().then((result) => (ids = result));
    sent[1]!.answer.resolve(stored('m-b'));
    await tick();
    expect(ids).toBeUndefined();
    uploads.add([photoFile('c.jpg')]);
    sent[0]!.answer.resolve(stored('m-a'));
    await tick();
    expect(ids).toBeUndefined();
    sent[2]!.answer.resolve(stored('m-c'));
    await tick();
    expect(ids).toEqual(['m-a', 'm-b', 'm-c']);
  });

  it('shows a weak network being retried, and completes when a retry gets through', async () => {
    const { uploads, sent } = fakeUploads();
    uploads.add([photoFile('a.jpg')]);
    sent[0]!.options.onRetry?.(2, 1000);
    expect(uploads.items.value[0]).toMatchObject({ state: 'retrying', attempt: 2, progress: 0 });
    expect(uploads.inFlight.value).toBe(true);
    sent[0]!.answer.resolve(stored('m-a'));
    expect(await uploads.ready()).toEqual(['m-a']);
  });

  it("shows the server's refusal in its words, a lost network in the console's, and holds the form until the file is removed or retried", async () => {
    const { uploads, sent } = fakeUploads();
    uploads.add([photoFile('huge.jpg'), photoFile('far.jpg'), photoFile('ok.jpg')]);
    sent[0]!.fail(new UploadError({ code: 'BAD_USER_INPUT', field: 'file', message: 'A photo may be at most 10 MB', status: 413 }));
    sent[1]!.fail(new UploadError({ code: 'NETWORK', message: '', status: 0 }));
    sent[2]!.answer.resolve(stored('m-ok'));
    expect(await uploads.ready()).toBeNull();
    expect(uploads.items.value.map((i) => [i.state, i.error])).toEqual([
      ['failed', 'A photo may be at most 10 MB'],
      ['failed', 'media.error.network'],
      ['done', ''],
    ]);
    expect(uploads.anyFailed.value).toBe(true);

    uploads.remove(uploads.items.value[0]!.key);
    uploads.retry(uploads.items.value[0]!.key);
    expect(sent.map((s) => s.file.name)).toEqual(['huge.jpg', 'far.jpg', 'ok.jpg', 'far.jpg']);
    expect(states(uploads)).toEqual([
      ['far.jpg', 'uploading'],
      ['ok.jpg', 'done'],
    ]);
    sent[3]!.answer.resolve(stored('m-far'));
    expect(await uploads.ready()).toEqual(['m-far', 'm-ok']);
  });

  it('words a refusal without a message by its status', async () => {
    const { uploads, sent } = fakeUploads();
    uploads.add([photoFile('a.jpg')]);
    sent[0]!.fail(new UploadError({ code: 'HTTP_413', message: '', status: 413 }));
    await uploads.ready();
    expect(uploads.items.value[0]!.error).toBe('media.error.refused {"status":413}');
  });

  it('cancels an upload in flight when its file is removed, frees its preview, and the form does not wait for it', async () => {
    const { uploads, sent, revoked } = fakeUploads();
    uploads.add([photoFile('a.jpg'), photoFile('b.jpg')]);
    const removed = uploads.items.value[0]!;
    uploads.remove(removed.key);
    expect(sent[0]!.options.signal?.aborted).toBe(true);
    expect(revoked).toEqual(['blob:a.jpg']);
    sent[1]!.answer.resolve(stored('m-b'));
    expect(await uploads.ready()).toEqual(['m-b']);
    expect(states(uploads)).toEqual([['b.jpg', 'done']]);

    uploads.clear();
    expect(uploads.items.value).toEqual([]);
    expect(revoked).toEqual(['blob:a.jpg', 'blob:b.jpg']);
    expect(await uploads.ready()).toEqual([]);
  });
});
