import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { App } from './server.js';

/** The committed media fixtures (test/fixtures/media/make.sh writes them). */
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/media');

export function fixture(name: string): Promise<Buffer> {
  return readFile(path.join(FIXTURES, name));
}

/** What POST /media answers: the stored media, or the refusal. */
export interface UploadAnswer {
  status: number;
  body: {
    id?: string;
    kind?: string;
    contentType?: string;
    bytes?: number;
    sha256?: string;
    width?: number | null;
    height?: number | null;
    durationSeconds?: number | null;
    code?: string;
    field?: string;
    message?: string;
  };
}

/** Uploads `bytes` as one multipart file named `name` (its declared type `type`, which the server ignores). */
export async function upload(app: Pick<App, 'url'>, token: string | null, bytes: Buffer, name = 'file.bin', type = 'application/octet-stream'): Promise<UploadAnswer> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${app.url}/media`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

/** Uploads `bytes` and returns the media id, failing the test unless it was stored. */
export async function uploadedBytes(app: Pick<App, 'url'>, token: string, bytes: Buffer, name = 'file.bin'): Promise<string> {
  const answer = await upload(app, token, bytes, name);
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`upload of ${name} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
}

/** Uploads a fixture and returns its media id, failing the test unless it was stored. */
export async function uploaded(app: Pick<App, 'url'>, token: string, name: string): Promise<string> {
  return uploadedBytes(app, token, await fixture(name), name);
}
