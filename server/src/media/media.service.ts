import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { mediaVariants, type MediaFacts } from '../access/access.policy.js';
import { principalOf, type Viewer } from '../access/access.viewer.js';
import type { Assignment } from '../assignments/assignments.entity.js';
import { ACTIVE_ASSIGNMENT_STATUSES } from '../assignments/assignments.enums.js';
import type { MediaConfig } from '../common/config.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import * as check from '../common/validate.js';
import { Report } from '../reports/reports.entity.js';
import { maxBytesFor, MediaRefused, probeVoice, processPhoto, sniff, SNIFF_BYTES, type Sniffed } from './media.content.js';
import { Media } from './media.entity.js';
import { MediaKind, MediaPurpose, MediaVariant } from './media.enums.js';
import { MediaLinks } from './media.links.js';
import type { MediaStore } from './media.storage.js';
import type { MediaView, UploadedMedia } from './media.types.js';

/** Media ids one attach may name: a report's photos and voice note, with room for nothing else. */
const MAX_IDS_PER_ATTACH = 7;

/** The store key of one copy: content addressed, so the same bytes are stored once whoever uploads them. */
export function mediaKey(sha256: string, variant: MediaVariant): string {
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}-${variant}`;
}

/** A multipart file stream as @fastify/multipart gives it: `truncated` once its size limit cut it short. */
export type UploadStream = Readable & { truncated?: boolean };

/**
 * Where an upload's time went, for the `Server-Timing` header (bench/media reads it): receiving (streaming to
 * the temp file while hashing and sniffing), processing (decoding and resizing a photo, probing a voice
 * note) and storing (the original, the copies and the row).
 */
export interface UploadTimings {
  receiveMs: number;
  processMs: number;
  storeMs: number;
}

/** Where attached media goes: the report's evidence, or the crew's after-photos of an assignment. */
export type AttachTarget = { purpose: MediaPurpose.REPORT } | { purpose: MediaPurpose.AFTER_WORK; assignment: Assignment };

/**
 * Photos and voice notes: the upload pipeline (stream to a temp file while hashing and counting, sniff the
 * first bytes, refuse before storing, process, store, one row per uploader and content), attaching to reports
 * and assignments with the per-report limits, the copies a viewer may fetch with their signed links, and the
 * pruning of uploads never attached.
 */
export class MediaService {
  private signer: MediaLinks | null = null;

  constructor(
    readonly store: MediaStore,
    readonly limits: MediaConfig,
  ) {}

  /** Opens the store and loads the link-signing key; the app calls it once before serving. */
  async open(em: EntityManager): Promise<void> {
    await this.store.open();
    this.signer = new MediaLinks(await MediaLinks.secret(em, this.limits.urlSecret), this.limits.urlTtlSeconds);
  }

  get links(): MediaLinks {
    if (!this.signer) throw new Error('MediaService.open was not called');
    return this.signer;
  }

  /**
   * Takes one uploaded file. The bytes stream to a temp file (never held whole in memory) while being hashed
   * and counted; the first SNIFF_BYTES decide the kind, and a wrong type (415) or a file over its kind's
   * limit (413) stops the upload at once. Complete photos are decoded (bombs refused before decoding) and get
   * their stripped display copy and thumbnail; voice notes their duration. Only then are the copies stored and
   * the row written, so a refusal or a client gone mid-upload leaves no file and no row. The same bytes from
   * the same uploader give the same media (`created` false).
   */
  async upload(em: EntityManager, viewer: Viewer, file: UploadStream): Promise<{ media: Media; created: boolean; timings: UploadTimings }> {
    const timings: UploadTimings = { receiveMs: 0, processMs: 0, storeMs: 0 };
    let mark = performance.now();
    const lap = (key: keyof UploadTimings) => {
      const now = performance.now();
      timings[key] += now - mark;
      mark = now;
    };
    const uploadedBy = principalOf(viewer);
    const temp = this.store.tempPath();
    const out = createWriteStream(temp, { flags: 'wx' });
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let bytes = 0;
    let sniffed: Sniffed | null = null;
    let max = Math.max(this.limits.photoMaxBytes, this.limits.voiceMaxBytes);
    let stored = false;
    try {
      for await (const chunk of file as AsyncIterable<Buffer>) {
        if (!sniffed) {
          head.push(chunk);
          headBytes += chunk.length;
          if (headBytes >= SNIFF_BYTES) {
            sniffed = await sniff(Buffer.concat(head));
            max = maxBytesFor(sniffed.kind, this.limits);
          }
        }
        bytes += chunk.length;
        if (bytes > max) throw tooLarge(sniffed, max);
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      if (file.truncated) throw tooLarge(sniffed, max);
      sniffed ??= await sniff(Buffer.concat(head));
      max = maxBytesFor(sniffed.kind, this.limits);
      if (bytes > max) throw tooLarge(sniffed, max);
      out.end();
      await finished(out);
      const sha256 = hash.digest('hex');
      lap('receiveMs');

      const existing = await em.fork().findOne(Media, { uploadedBy, sha256 });
      if (existing) return { media: existing, created: false, timings };

      const media = new Media();
      media.kind = sniffed.kind;
      media.contentType = sniffed.contentType;
      media.bytes = bytes;
      media.sha256 = sha256;
      media.uploadedBy = uploadedBy;
      let copies: { display: Buffer; thumb: Buffer } | null = null;
      if (sniffed.kind === MediaKind.PHOTO) {
        const photo = await processPhoto(temp, sniffed, this.limits);
        media.width = photo.width;
        media.height = photo.height;
        media.displayType = photo.contentType;
        copies = { display: photo.display, thumb: photo.thumb };
      } else {
        media.durationSeconds = (await probeVoice(temp, sniffed, this.limits)).durationSeconds;
      }
      lap('processMs');
      // Storing and the row happen under the content's lock, which pruning takes too: pruning never deletes
      // the files of bytes an upload is storing again at that moment.
      const created = await em.fork().transactional(async (tx) => {
        await lockContent(tx, sha256);
        await this.store.put(mediaKey(sha256, MediaVariant.ORIGINAL), temp, media.contentType);
        stored = true;
        if (copies && media.displayType) {
          await this.store.putBuffer(mediaKey(sha256, MediaVariant.DISPLAY), copies.display, media.displayType);
          await this.store.putBuffer(mediaKey(sha256, MediaVariant.THUMB), copies.thumb, media.displayType);
        }
        const rows = await tx.execute<{ id: string }[]>(
          `insert into media (id, kind, content_type, display_type, bytes, sha256, width, height, duration_seconds, uploaded_by, uploaded_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (uploaded_by, sha256) do nothing returning id`,
          [
            media.id,
            media.kind,
            media.contentType,
            media.displayType ?? null,
            media.bytes,
            sha256,
            media.width ?? null,
            media.height ?? null,
            media.durationSeconds ?? null,
            uploadedBy,
            media.uploadedAt,
          ],
        );
        return rows.length === 1;
      });
      lap('storeMs');
      if (created) return { media, created: true, timings };
      // The same uploader sent the same bytes twice at once: the first row wins and both get it.
      return { media: await em.fork().findOneOrFail(Media, { uploadedBy, sha256 }), created: false, timings };
    } finally {
      out.destroy();
      if (!stored) await rm(temp, { force: true });
    }
  }

  /**
   * Attaches the caller's own uploads to report `reportId` (locked by the caller's transaction, or new in it): for REPORT at most
   * MEDIA_MAX_PHOTOS_PER_REPORT photos and MEDIA_MAX_VOICE_PER_REPORT voice notes on the report, for
   * AFTER_WORK photos only, at most as many per assignment. Media another principal uploaded is NOT_FOUND
   * (its existence is not told); media already on this report is left as it is, media on another report is
   * a CONFLICT. Returns what was newly attached, for the timeline line and the event.
   */
  async attach(tx: EntityManager, viewer: Viewer, reportId: string, mediaIds: readonly string[], target: AttachTarget, field = 'mediaIds'): Promise<Media[]> {
    const ids = [...new Set(mediaIds.map((id) => check.id(field, id)))];
    if (ids.length === 0) return [];
    if (ids.length > MAX_IDS_PER_ATTACH) throw badInput(field, `at most ${MAX_IDS_PER_ATTACH} media at once`);
    const uploadedBy = principalOf(viewer);
    const rows = await tx.find(Media, { id: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
    const found = new Map(rows.map((row) => [row.id, row]));
    const fresh: Media[] = [];
    for (const id of ids) {
      const media = found.get(id);
      if (!media || media.uploadedBy !== uploadedBy) throw notFound('Media', id, field);
      const onReport = media.report?.id ?? null;
      if (onReport === reportId) continue;
      if (onReport) throw conflict(`Media ${id} is already attached to another report`, { field });
      if (target.purpose === MediaPurpose.AFTER_WORK && media.kind !== MediaKind.PHOTO) throw badInput(field, 'after-work media must be photos');
      fresh.push(media);
    }
    if (fresh.length === 0) return [];
    const scope = target.purpose === MediaPurpose.AFTER_WORK ? { assignment: target.assignment.id, purpose: target.purpose } : { report: reportId, purpose: target.purpose };
    for (const [kind, limit, label] of [
      [MediaKind.PHOTO, this.limits.maxPhotosPerReport, 'photos'],
      [MediaKind.VOICE, this.limits.maxVoicePerReport, 'voice notes'],
    ] as const) {
      const adding = fresh.filter((media) => media.kind === kind).length;
      if (adding === 0) continue;
      const has = await tx.count(Media, { ...scope, kind });
      if (has + adding > limit) throw badInput(field, `at most ${limit} ${label} per ${target.purpose === MediaPurpose.AFTER_WORK ? 'job' : 'report'} (it has ${has})`);
    }
    const now = new Date();
    const report = tx.getReference(Report, reportId);
    for (const media of fresh) {
      media.report = report;
      media.assignment = target.purpose === MediaPurpose.AFTER_WORK ? target.assignment : null;
      media.purpose = target.purpose;
      media.attachedAt = now;
    }
    return fresh;
  }

  /** The copies of `media` the viewer may fetch, as the access policy decides from its facts. */
  variants(viewer: Viewer, media: Pick<Media, 'kind' | 'uploadedBy'>, report: { submittedBy: string } | null, activeCrewId: string | null): readonly MediaVariant[] {
    const facts: MediaFacts = {
      kind: media.kind,
      uploadedBy: media.uploadedBy,
      reportSubmittedBy: report?.submittedBy ?? null,
      heldNowByViewerCrew: !!viewer.crewId && viewer.crewId === activeCrewId,
    };
    return mediaVariants(viewer, facts);
  }

  /** The views of a report's (or job's) media the viewer may see, each with links to the copies it may fetch. */
  visible(viewer: Viewer, media: readonly Media[], report: { submittedBy: string }, activeCrewId: string | null): MediaView[] {
    const views: MediaView[] = [];
    for (const item of media) {
      const variants = this.variants(viewer, item, report, activeCrewId);
      if (variants.length) views.push(this.view(item, variants));
    }
    return views;
  }

  /** The GraphQL view of `media` with signed links to exactly the copies in `variants`. */
  view(media: Media, variants: readonly MediaVariant[]): MediaView {
    const link = (variant: MediaVariant) => (variants.includes(variant) ? this.links.url(media.id, variant) : null);
    const photo = media.kind === MediaKind.PHOTO;
    return {
      id: media.id,
      kind: media.kind,
      purpose: media.purpose ?? null,
      contentType: media.contentType,
      bytes: Number(media.bytes),
      width: media.width ?? null,
      height: media.height ?? null,
      durationSeconds: media.durationSeconds ?? null,
      uploadedAt: media.uploadedAt,
      url: link(photo ? MediaVariant.DISPLAY : MediaVariant.ORIGINAL),
      thumbnailUrl: photo ? link(MediaVariant.THUMB) : null,
      originalUrl: photo ? link(MediaVariant.ORIGINAL) : null,
    };
  }

  /** The answer of `POST /media`. */
  uploaded(media: Media): UploadedMedia {
    return {
      id: media.id,
      kind: media.kind,
      contentType: media.contentType,
      bytes: Number(media.bytes),
      sha256: media.sha256,
      width: media.width ?? null,
      height: media.height ?? null,
      durationSeconds: media.durationSeconds ?? null,
    };
  }

  /** One media row with what decides who may fetch it: its report's filer and the crew assigned to that report now. */
  async withFacts(em: EntityManager, id: string): Promise<{ media: Media; submittedBy: string | null; activeCrewId: string | null } | null> {
    const [row] = await em.execute<{ submitted_by: string | null; crew_id: string | null }[]>(
      `select r.submitted_by, a.crew_id from media m
       left join report r on r.id = m.report_id
       left join assignment a on a.report_id = m.report_id and a.status in (?)
       where m.id = ?`,
      [[...ACTIVE_ASSIGNMENT_STATUSES], id],
    );
    if (!row) return null;
    const media = await em.findOne(Media, { id });
    return media ? { media, submittedBy: row.submitted_by, activeCrewId: row.crew_id } : null;
  }

  /**
   * Deletes uploads never attached within MEDIA_UNATTACHED_HOURS, and the stored copies of bytes no row
   * uses any more (under the content's lock, as uploads store them). Returns how many rows went.
   */
  async pruneUnattached(em: EntityManager, now = new Date(), batch = 200): Promise<number> {
    const cutoff = new Date(now.getTime() - this.limits.unattachedHours * 3_600_000);
    return em.fork().transactional(async (tx) => {
      const gone = await tx.execute<{ sha256: string }[]>(
        `delete from media where id in (select id from media where report_id is null and uploaded_at < ? order by uploaded_at limit ? for update skip locked) returning sha256`,
        [cutoff, batch],
      );
      for (const sha256 of new Set(gone.map((row) => row.sha256))) {
        await lockContent(tx, sha256);
        const [{ used }] = await tx.execute<{ used: boolean }[]>('select exists (select 1 from media where sha256 = ?) as used', [sha256]);
        if (used) continue;
        for (const variant of Object.values(MediaVariant)) await this.store.delete(mediaKey(sha256, variant));
      }
      return gone.length;
    });
  }
}

/** Serialises storing and pruning the same content for the rest of the transaction. */
async function lockContent(tx: EntityManager, sha256: string): Promise<void> {
  await tx.execute(`select pg_advisory_xact_lock(hashtextextended(?, 940))`, [sha256]);
}

function tooLarge(sniffed: Sniffed | null, max: number): MediaRefused {
  const what = sniffed ? (sniffed.kind === MediaKind.PHOTO ? 'A photo' : 'A voice note') : 'A file';
  return new MediaRefused(413, `${what} may be at most ${max} bytes`);
}

declare module '../access/access.context.js' {
  interface Services {
    media: MediaService;
  }
}
