import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { loadConfig } from '../server/src/common/config.js';
import { mediaKey } from '../server/src/media/media.service.js';
import { MediaVariant } from '../server/src/media/media.enums.js';
import { apiKey, assign, count, crew, fileReport, progress, sql, staff } from './support/factories.js';
import { fixture, upload, uploaded } from './support/media.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';
import { connect, subscribeEvents } from './support/ws.js';

const MEDIA_FIELDS = 'id kind purpose contentType bytes width height durationSeconds uploadedAt url thumbnailUrl originalUrl';
interface MediaNode {
  id: string;
  kind: string;
  purpose: string | null;
  contentType: string;
  bytes: number;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
  url: string | null;
  thumbnailUrl: string | null;
  originalUrl: string | null;
}
type WithMedia = { report: { id: string; media: MediaNode[] } | null };
const REPORT_MEDIA = `query($id: ID!) { report(id: $id) { id media { ${MEDIA_FIELDS} } } }`;

const CREATE = `mutation($input: CreateReportInput!) { createReport(input: $input) { id reference media { ${MEDIA_FIELDS} } } }`;
type Created = { createReport: { id: string; reference: string; media: MediaNode[] } };

function reportWith(mediaIds: string[], key = `media-${Math.random()}`) {
  return {
    idempotencyKey: key,
    channel: 'WHATSAPP',
    categoryCode: 'HAZARDOUS_BILLBOARD',
    description: 'لوحة إعلانية على وشك السقوط — billboard about to fall',
    location: { lat: 26.2794, lng: 50.2083 },
    reporter: { name: 'مواطن', phone: '+966500000001' },
    mediaIds,
  };
}

async function get(app: App, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer; json: () => { code?: string } }> {
  const response = await fetch(`${app.url}${url}`, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, json: () => JSON.parse(body.toString('utf8')) as { code?: string } };
}

describe('photo and voice on reports', () => {
  let app: App;
  let mediaDir: string;
  let gateway: string;
  let otherGateway: string;
  let integrator: string;
  let dispatcher: string;

  beforeAll(async () => {
    mediaDir = path.join((await import('node:os')).tmpdir(), `balagh-media-test-${process.pid}-${Date.now()}`);
    app = await startServer({ overdueCheckMs: 3_600_000, media: { ...loadConfig({}).media, dir: mediaDir, voiceMaxBytes: 400_000 } });
    [gateway, otherGateway, integrator] = await Promise.all([apiKey(app, Role.INTAKE), apiKey(app, Role.INTAKE), apiKey(app, Role.INTEGRATOR)]);
    dispatcher = (await staff(app)).token;
  }, 120_000);
  afterAll(() => app?.close());

  it('files a report with a photo and a voice note through the gateway, and a subscribed dispatcher sees both within a second', async () => {
    const client = connect(app, dispatcher);
    const live = subscribeEvents<{ type: string; report: { id: string; media: MediaNode[] } }>(client, {}, `type report { id media { ${MEDIA_FIELDS} } }`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const photo = await upload(app, gateway, await fixture('photo-gps.jpg'), 'IMG_0001.jpg', 'image/jpeg');
    expect(photo.status).toBe(201);
    expect(photo.body).toMatchObject({ kind: 'PHOTO', contentType: 'image/jpeg', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Orientation 6: stored landscape, shown portrait.
    expect(photo.body.height).toBeGreaterThan(photo.body.width as number);
    const voice = await upload(app, gateway, await fixture('voice.ogg'), 'PTT-20261202.opus', 'audio/ogg');
    expect(voice.status).toBe(201);
    expect(voice.body).toMatchObject({ kind: 'VOICE', contentType: 'audio/ogg' });
    expect(voice.body.durationSeconds).toBeGreaterThan(1);

    const started = Date.now();
    const { createReport } = await ok<Created>(app, CREATE, { input: reportWith([photo.body.id as string, voice.body.id as string]) }, gateway);
    expect(createReport.media.map((m) => [m.kind, m.purpose])).toEqual([
      ['PHOTO', 'REPORT'],
      ['VOICE', 'REPORT'],
    ]);
    const [event] = await live.waitFor(1, 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(event.type).toBe('REPORT_CREATED');
    expect(event.report.media.map((m) => m.kind).sort()).toEqual(['PHOTO', 'VOICE']);
    live.stop();
    await client.dispose();

    const timeline = await ok<{ report: { timeline: { action: string; note: string | null; params: { photos: number; voice: number } | null }[] } }>(
      app,
      `query($id: ID!) { report(id: $id) { timeline { action note params { photos voice } } } }`,
      { id: createReport.id },
      dispatcher,
    );
    expect(timeline.report.timeline).toContainEqual({ action: 'MEDIA_ATTACHED', note: null, params: { photos: 1, voice: 1 } });
  });

  it('serves the display copy and thumbnail without EXIF or GPS, the original to staff only, with the headers a browser needs', async () => {
    const sender = await apiKey(app, Role.INTAKE);
    const id = await uploaded(app, sender, 'photo-gps.jpg');
    const { createReport } = await ok<Created>(app, CREATE, { input: reportWith([id]) }, sender);
    const { report } = await ok<WithMedia>(app, REPORT_MEDIA, { id: createReport.id }, dispatcher);
    const [photo] = report!.media;
    const display = await get(app, photo.url!);
    expect(display.status).toBe(200);
    expect(display.headers.get('content-type')).toMatch(/^image\/(jpeg|webp)/);
    expect(display.headers.get('x-content-type-options')).toBe('nosniff');
    expect(display.headers.get('content-disposition')).toBe('inline');
    expect(display.headers.get('cache-control')).toMatch(/^private/);
    expect(display.headers.get('etag')).toBeTruthy();
    const shown = await sharp(display.body).metadata();
    expect(shown.exif).toBeUndefined();
    expect(Math.max(shown.width, shown.height)).toBeLessThanOrEqual(1600);
    expect(shown.height).toBeGreaterThan(shown.width);
    expect(display.body.includes(Buffer.from('GPS'))).toBe(false);
    const thumb = await get(app, photo.thumbnailUrl!);
    const small = await sharp(thumb.body).metadata();
    expect(Math.max(small.width, small.height)).toBeLessThanOrEqual(320);
    expect(small.exif).toBeUndefined();
    // Staff get the original as received, GPS included.
    const original = await get(app, photo.originalUrl!);
    expect(original.body.equals(await fixture('photo-gps.jpg'))).toBe(true);
    const again = await get(app, photo.url!, { 'if-none-match': display.headers.get('etag')! });
    expect(again.status).toBe(304);

    // An integrator sees the photo's stripped copies, never the original and never a voice note.
    const voiceId = await uploaded(app, sender, 'voice.ogg');
    const both = await ok<Created>(app, CREATE, { input: reportWith([await uploaded(app, sender, 'photo.png'), voiceId]) }, sender);
    const seen = await ok<WithMedia>(app, REPORT_MEDIA, { id: both.createReport.id }, integrator);
    expect(seen.report!.media.map((m) => m.kind)).toEqual(['PHOTO']);
    expect(seen.report!.media[0].originalUrl).toBeNull();
    expect(seen.report!.media[0].url).toMatch(/\/display\?/);
    const forStaff = await ok<WithMedia>(app, REPORT_MEDIA, { id: both.createReport.id }, dispatcher);
    const voiceNode = forStaff.report!.media.find((m) => m.kind === 'VOICE')!;
    const voicePath = voiceNode.url!.split('?')[0];
    expect((await get(app, voicePath, { authorization: `Bearer ${integrator}` })).status).toBe(404);
    const photoNode = forStaff.report!.media.find((m) => m.kind === 'PHOTO')!;
    expect((await get(app, photoNode.originalUrl!.split('?')[0], { authorization: `Bearer ${integrator}` })).status).toBe(404);
    expect((await get(app, photoNode.url!.split('?')[0], { authorization: `Bearer ${integrator}` })).status).toBe(200);
    expect((await get(app, photoNode.originalUrl!.split('?')[0], { authorization: `Bearer ${dispatcher}` })).status).toBe(200);
  });

  it('plays a voice note with HTTP ranges (seeking), as uploaded', async () => {
    const bytes = await fixture('voice.m4a');
    const id = await uploaded(app, gateway, 'voice.m4a');
    const { createReport } = await ok<Created>(app, CREATE, { input: reportWith([id]) }, gateway);
    const [voice] = createReport.media;
    expect(voice).toMatchObject({ kind: 'VOICE', contentType: 'audio/mp4', thumbnailUrl: null });
    const whole = await get(app, voice.url!);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.body.equals(bytes)).toBe(true);
    const middle = await get(app, voice.url!, { range: 'bytes=100-199' });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(middle.body.equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await get(app, voice.url!, { range: 'bytes=-10' });
    expect(tail.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);
    expect((await get(app, voice.url!, { range: `bytes=${bytes.length}-` })).status).toBe(416);
  });

  it('answers the same media for the same bytes from the same uploader, and separate media for another uploader', async () => {
    const bytes = await fixture('photo.webp');
    const first = await upload(app, gateway, bytes, 'a.webp');
    const second = await upload(app, gateway, bytes, 'b.webp');
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const other = await upload(app, otherGateway, bytes, 'a.webp');
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
  });

  it.each([
    ['drawing.svg', 415],
    ['document.pdf.jpg', 415],
    ['page.html', 415],
    ['polyglot.jpg', 400],
    ['truncated.jpg', 400],
    ['empty.jpg', 400],
    ['bomb.png', 400],
  ])('refuses %s with HTTP %i and stores nothing', async (name, status) => {
    const before = await count(app, 'select count(*) as n from media');
    const answer = await upload(app, gateway, await fixture(name), name, 'image/jpeg');
    expect(answer.status === status || (name === 'bomb.png' && answer.status === 413)).toBe(true);
    expect(answer.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', message: expect.any(String) });
    expect(await count(app, 'select count(*) as n from media')).toBe(before);
    expect(await readdir(path.join(mediaDir, 'tmp')).catch(() => [])).toEqual([]);
  });

  it('refuses a voice note over its size limit with 413 as soon as it passes it, and one over three minutes', async () => {
    const big = Buffer.concat([await fixture('voice.ogg'), Buffer.alloc(500_000, 1)]);
    const answer = await upload(app, gateway, big, 'long.ogg');
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
    const long = await upload(app, gateway, await fixture('voice-long.ogg'), 'long.ogg');
    expect(long.status).toBe(413);
  });

  it('leaves no file and no row when the client disconnects mid-upload', async () => {
    const before = await count(app, 'select count(*) as n from media');
    const bytes = await fixture('photo-gps.jpg');
    const boundary = '----balagh-test';
    await new Promise<void>((resolve) => {
      const req = request(`${app.url}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(bytes.length + 500) },
      });
      req.on('error', () => resolve());
      req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="x.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`);
      req.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => setTimeout(() => (req.destroy(), resolve()), 200));
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count(app, 'select count(*) as n from media')).toBe(before);
    expect(await readdir(path.join(mediaDir, 'tmp')).catch(() => [])).toEqual([]);
  });

  it('refuses uploads without credentials or from a role that may not upload, before reading the body', async () => {
    const bytes = await fixture('photo.png');
    expect((await upload(app, null, bytes)).body).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await upload(app, integrator, bytes)).status).toBe(403);
  });

  it('attaches at most six photos and one voice note to a report, and never another uploader’s media', async () => {
    const photos = ['photo-gps.jpg', 'photo.png', 'photo.webp', 'photo.heic'];
    const ids: string[] = [];
    for (const name of photos) ids.push(await uploaded(app, otherGateway, name));
    const { createReport } = await ok<Created>(app, CREATE, { input: reportWith(ids) }, otherGateway);
    // Three more distinct photos: the same pictures, resized, so they are new bytes.
    const extra: string[] = [];
    for (const size of [200, 201, 202]) {
      const bytes = await sharp(await fixture('photo.png'))
        .resize(size)
        .png()
        .toBuffer();
      const answer = await upload(app, otherGateway, bytes, `x${size}.png`);
      extra.push(answer.body.id as string);
    }
    const tooMany = await gql(app, `mutation($r: ID!, $m: [ID!]!) { attachMedia(reportId: $r, mediaIds: $m) { id } }`, { r: createReport.id, m: extra }, otherGateway);
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0].extensions?.field).toBe('mediaIds');
    expect(await count(app, 'select count(*) as n from media where report_id = ?', [createReport.id])).toBe(4);

    const twoVoices = [await uploaded(app, otherGateway, 'voice.ogg'), await uploaded(app, otherGateway, 'voice.mp3')];
    const refused = await gql(app, CREATE, { input: reportWith(twoVoices) }, otherGateway);
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(
      await count(
        app,
        "select count(*) as n from report where description like 'لوحة%' and id not in (select report_id from media where report_id is not null) and submitted_by like 'key:%' and received_at > now() - interval '5 seconds'",
      ),
    ).toBe(0);

    // Another sender's upload is not found (its existence is not told), and nothing is filed.
    const foreign = await uploaded(app, gateway, 'photo.png');
    const stolen = await gql(app, CREATE, { input: reportWith([foreign]) }, otherGateway);
    expect(codeOf(stolen)).toBe('NOT_FOUND');
  });

  it('adds a citizen’s follow-up photo live, and refuses a sender that did not file the report', async () => {
    const filed = await fileReport(app, gateway);
    const client = connect(app, dispatcher);
    const live = subscribeEvents<{ type: string; report: { id: string; media: { kind: string }[] } }>(client, {}, 'type report { id media { kind } }');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const id = await uploaded(app, gateway, 'photo.webp');
    const attach = `mutation($r: ID!, $m: [ID!]!) { attachMedia(reportId: $r, mediaIds: $m) { id media { kind } } }`;
    const done = await ok<{ attachMedia: { media: { kind: string }[] } }>(app, attach, { r: filed.id, m: [id] }, gateway);
    expect(done.attachMedia.media).toEqual([{ kind: 'PHOTO' }]);
    const [event] = await live.waitFor(1, 5_000);
    expect(event).toMatchObject({ type: 'REPORT_UPDATED', report: { id: filed.id, media: [{ kind: 'PHOTO' }] } });
    live.stop();
    await client.dispose();
    const otherId = await uploaded(app, otherGateway, 'photo.webp');
    expect(codeOf(await gql(app, attach, { r: filed.id, m: [otherId] }, otherGateway))).toMatch(/NOT_FOUND|FORBIDDEN/);
  });

  it('lets a crew complete its job with an after-photo, seen beside the citizen’s', async () => {
    const team = await crew(app);
    const filed = await fileReport(app, gateway);
    const job = await assign(app, dispatcher, filed.id, team.id);
    for (const step of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE'] as const) await progress(app, team.token, job.id, step);
    const after = await uploaded(app, team.token, 'photo.png');
    const done = await ok<{ updateAssignmentStatus: { status: string; media: MediaNode[] } }>(
      app,
      `mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { status media { ${MEDIA_FIELDS} } } }`,
      { input: { assignmentId: job.id, status: 'COMPLETED', note: 'اللوحة أزيلت', mediaIds: [after] } },
      team.token,
    );
    expect(done.updateAssignmentStatus.status).toBe('COMPLETED');
    expect(done.updateAssignmentStatus.media.map((m) => m.purpose)).toEqual(['AFTER_WORK']);
    const { report } = await ok<WithMedia>(app, REPORT_MEDIA, { id: filed.id }, dispatcher);
    expect(report!.media.map((m) => m.purpose)).toEqual(['AFTER_WORK']);
    // A voice note is not an after-photo, and media goes only with COMPLETED.
    expect(
      codeOf(
        await gql(
          app,
          `mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { id } }`,
          { input: { assignmentId: job.id, status: 'ON_SITE', mediaIds: [after] } },
          team.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('refuses unsigned, tampered and expired links', async () => {
    const id = await uploaded(app, gateway, 'photo.png');
    const { createReport } = await ok<Created>(app, CREATE, { input: reportWith([id]) }, gateway);
    const url = createReport.media[0].url!;
    expect((await get(app, url.split('?')[0])).status).toBe(401);
    expect((await get(app, url.replace('/display?', '/original?'))).status).toBe(403);
    expect((await get(app, url.replace(/sig=[^&]+/, 'sig=' + 'A'.repeat(43)))).status).toBe(403);
    const [{ value }] = await sql<{ value: string }>(app, `select value from server_secret where name = 'media-url'`);
    const exp = String(Math.floor(Date.now() / 1000) - 5);
    const sig = createHmac('sha256', Buffer.from(value, 'base64url')).update(`${id}\ndisplay\n${exp}`).digest('base64url');
    const expired = await get(app, `/media/${id}/display?exp=${exp}&sig=${sig}`);
    expect(expired.status).toBe(403);
    expect(expired.json().code).toBe('FORBIDDEN');
  });

  it('deletes uploads never attached after MEDIA_UNATTACHED_HOURS, with their files', async () => {
    const bytes = await sharp(await fixture('photo.png'))
      .resize(99)
      .png()
      .toBuffer();
    const answer = await upload(app, gateway, bytes, 'never.png');
    const sha = answer.body.sha256 as string;
    expect(await app.services.media.store.size(mediaKey(sha, MediaVariant.ORIGINAL))).toBe(bytes.length);
    await sql(app, `update media set uploaded_at = now() - interval '25 hours' where id = ?`, [answer.body.id]);
    expect(await app.services.media.pruneUnattached(app.orm.em.fork())).toBeGreaterThanOrEqual(1);
    expect(await count(app, 'select count(*) as n from media where id = ?', [answer.body.id])).toBe(0);
    expect(await app.services.media.store.size(mediaKey(sha, MediaVariant.ORIGINAL))).toBeNull();
    expect(await app.services.media.store.size(mediaKey(sha, MediaVariant.THUMB))).toBeNull();
  });
});
