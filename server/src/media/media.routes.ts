import type { MikroORM } from '@mikro-orm/postgresql';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { authorize } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import { isDatabaseDown, serviceUnavailable } from '../common/errors.js';
import { MediaRefused } from './media.content.js';
import { MediaKind, MediaVariant } from './media.enums.js';
import { mediaKey, type MediaService } from './media.service.js';

/** Multipart framing around one file: boundaries and part headers, allowed on top of the largest file. */
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VARIANTS = new Set<string>(Object.values(MediaVariant));

export interface MediaRouteOptions {
  orm: MikroORM;
  media: MediaService;
  authenticate: (header: string | undefined) => Promise<Viewer | null>;
}

/** The JSON error body of the media endpoints: the API's error codes, and the field at fault. */
function fail(reply: FastifyReply, status: number, code: string, message: string, field?: string): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .send({ code, message, ...(field ? { field } : {}) });
}

/** A GraphQL-style error (UNAUTHENTICATED, FORBIDDEN, …) as the media endpoints answer it. */
function sendError(reply: FastifyReply, err: GraphQLError): FastifyReply {
  const code = String(err.extensions.code ?? 'INTERNAL_SERVER_ERROR');
  const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, SERVICE_UNAVAILABLE: 503, BAD_USER_INPUT: 400 }[code] ?? 500;
  return fail(reply, status, code, err.message, typeof err.extensions.field === 'string' ? err.extensions.field : undefined);
}

/**
 * `POST /media` and `GET /media/:id/:variant`. Uploads are outside GraphQL, as Apollo advises against
 * multipart GraphQL requests (CSRF and the cost of buffering uploads in a resolver): one file per request,
 * streamed, answered with the stored media's id for `createReport`, `attachMedia` or a crew's completion.
 * Reads take either a signed link (what GraphQL hands out, for `<img>` and `<audio>`) or the Bearer header,
 * and the access policy's `mediaVariants` decides both; they answer HTTP ranges for seeking.
 */
export async function registerMediaRoutes(fastify: FastifyInstance, options: MediaRouteOptions): Promise<void> {
  const { orm, media } = options;
  const maxFile = Math.max(media.limits.photoMaxBytes, media.limits.voiceMaxBytes);

  await fastify.register(async (scope) => {
    await scope.register(multipart, { limits: { files: 1, fields: 0, parts: 1, fileSize: maxFile + 1, headerPairs: 20 }, throwFileSizeLimit: false });

    scope.post('/media', { bodyLimit: maxFile + MULTIPART_OVERHEAD_BYTES }, async (request, reply) => {
      // Credentials and role first, and the declared size: nothing is read before they pass.
      let viewer: Viewer;
      try {
        viewer = authorize(await options.authenticate(request.headers.authorization), 'uploadMedia');
      } catch (err) {
        reply.header('connection', 'close');
        if (isDatabaseDown(err)) return sendError(reply, serviceUnavailable());
        if (err instanceof GraphQLError) return sendError(reply, err);
        throw err;
      }
      const declared = Number(request.headers['content-length'] ?? NaN);
      if (declared > maxFile + MULTIPART_OVERHEAD_BYTES) return fail(reply.header('connection', 'close'), 413, 'BAD_USER_INPUT', `A file may be at most ${maxFile} bytes`, 'file');
      if (!request.isMultipart()) return fail(reply.header('connection', 'close'), 415, 'BAD_USER_INPUT', 'Send the file as multipart/form-data, one part named "file"', 'file');
      try {
        const part = await request.file();
        if (!part) return fail(reply, 400, 'BAD_USER_INPUT', 'The request has no file', 'file');
        const { media: stored, created, timings } = await media.upload(orm.em.fork(), viewer, part.file);
        return reply
          .status(created ? 201 : 200)
          .header('cache-control', 'no-store')
          .header('server-timing', `receive;dur=${timings.receiveMs.toFixed(1)}, process;dur=${timings.processMs.toFixed(1)}, store;dur=${timings.storeMs.toFixed(1)}`)
          .send(media.uploaded(stored));
      } catch (err) {
        if (err instanceof MediaRefused) return fail(reply.header('connection', 'close'), err.status, 'BAD_USER_INPUT', err.message, 'file');
        if (isDatabaseDown(err)) return sendError(reply, serviceUnavailable());
        if (isMultipartError(err))
          return fail(reply.header('connection', 'close'), 400, 'BAD_USER_INPUT', `The upload is not one complete multipart file: ${err instanceof Error ? err.message : String(err)}`, 'file');
        throw err;
      }
    });
  });

  fastify.get<{ Params: { id: string; variant: string }; Querystring: { exp?: string; sig?: string } }>('/media/:id/:variant', async (request, reply) => {
    const { id, variant } = request.params;
    if (!UUID.test(id) || !VARIANTS.has(variant)) return fail(reply, 404, 'NOT_FOUND', 'No such media');
    const copy = variant as MediaVariant;
    const signed = request.query.exp !== undefined || request.query.sig !== undefined;
    if (signed) {
      const check = media.links.check(id, copy, request.query.exp, request.query.sig);
      if (check !== 'valid') return fail(reply, 403, 'FORBIDDEN', check === 'expired' ? 'This media link has expired; ask the API for a fresh one' : 'This media link is not valid');
    }
    const viewer = signed ? null : await options.authenticate(request.headers.authorization);
    if (!signed && !viewer) return fail(reply, 401, 'UNAUTHENTICATED', 'Send a signed media link, or Authorization: Bearer <token or key>');
    const row = await media.withFacts(orm.em.fork(), id);
    // Without a link, media the caller may not fetch is as absent as media that does not exist.
    if (!row || (viewer && !media.variants(viewer, row.media, row.submittedBy === null ? null : { submittedBy: row.submittedBy }, row.activeCrewId).includes(copy))) {
      return fail(reply, 404, 'NOT_FOUND', 'No such media');
    }
    const found = row.media;
    if (found.kind === MediaKind.VOICE && copy !== MediaVariant.ORIGINAL) return fail(reply, 404, 'NOT_FOUND', 'A voice note has no such copy');
    return serveCopy(request, reply, media, found.sha256, copy, copy === MediaVariant.ORIGINAL ? found.contentType : (found.displayType ?? 'application/octet-stream'));
  });
}

/** Sends one stored copy with the headers a browser needs to show or play it safely, honouring one byte range. */
async function serveCopy(request: FastifyRequest, reply: FastifyReply, media: MediaService, sha256: string, copy: MediaVariant, contentType: string): Promise<FastifyReply> {
  const key = mediaKey(sha256, copy);
  const size = await media.store.size(key);
  if (size === null) return fail(reply, 404, 'NOT_FOUND', 'This media is no longer stored');
  const etag = `"${sha256.slice(0, 32)}-${copy}"`;
  reply
    .header('content-type', contentType)
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', 'inline')
    .header('cache-control', 'private, max-age=300')
    .header('etag', etag)
    .header('accept-ranges', 'bytes');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  const range = parseRange(request.headers.range, size);
  if (range === 'unsatisfiable') return reply.status(416).header('content-range', `bytes */${size}`).send();
  if (range) {
    reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1);
    return reply.send(await media.store.read(key, range));
  }
  reply.header('content-length', size);
  return reply.send(await media.store.read(key));
}

/** One `bytes=` range (the first, as browsers send for media), clamped to the file; null for none or one we ignore. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.split(',')[0].trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function isMultipartError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('FST_');
}
