import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { provinceData } from '../server/src/reference/reference.data.js';
import { freshDatabase } from './support/database.js';
import { apiKey, crewRow, fileReport, login, sql, staff } from './support/factories.js';
import { uploaded } from './support/media.js';
import { ok, startServer, type App } from './support/server.js';

interface Params {
  crewId: string | null;
  crewNameAr: string | null;
  crewNameEn: string | null;
  reference: string | null;
  withReference: string | null;
  photos: number | null;
  voice: number | null;
}
interface Line {
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
  params: Params | null;
}
const TIMELINE = `query($id: ID!) { report(id: $id) { reference timeline { action fromStatus toStatus note params { crewId crewNameAr crewNameEn reference withReference photos voice } } } }`;
const NONE: Params = { crewId: null, crewNameAr: null, crewNameEn: null, reference: null, withReference: null, photos: null, voice: null };

async function timeline(app: App, token: string, id: string): Promise<Line[]> {
  const data = await ok<{ report: { timeline: Line[] } }>(app, TIMELINE, { id }, token);
  return data.report.timeline;
}

describe('timeline lines are codes with parameters, never a sentence the server wrote (issue 13)', () => {
  let app: App;
  let dispatcher: string;
  let integrator: string;
  let crew: { id: string };

  beforeAll(async () => {
    app = await startServer({ overdueCheckMs: 3_600_000 });
    dispatcher = (await staff(app)).token;
    integrator = await apiKey(app, Role.INTEGRATOR);
    crew = await crewRow(app, { department: 'BUILDING_CONTROL' });
    await sql(app, `update crew set name = ?, name_en = ? where id = ?`, ['فريق اللوحات - الخبر 7', 'Billboards crew – Khobar 7', crew.id]);
  }, 120_000);
  afterAll(() => app?.close());

  it('records an assignment as ASSIGNED with the crew in both languages, and no note unless the dispatcher wrote one', async () => {
    const report = await fileReport(app, dispatcher);
    await ok(app, 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }', { input: { reportId: report.id, crewId: crew.id } }, dispatcher);

    const lines = await timeline(app, dispatcher, report.id);
    expect(lines.map((line) => line.action)).toEqual(['CREATED', 'ASSIGNED']);
    expect(lines[1]).toEqual({
      action: 'ASSIGNED',
      fromStatus: 'RECEIVED',
      toStatus: 'ASSIGNED',
      note: null,
      params: { ...NONE, crewId: crew.id, crewNameAr: 'فريق اللوحات - الخبر 7', crewNameEn: 'Billboards crew – Khobar 7' },
    });

    const crews = await ok<{ crews: Array<{ id: string; name: string; nameAr: string; nameEn: string }> }>(app, '{ crews { id name nameAr nameEn } }', {}, dispatcher);
    expect(crews.crews.find((c) => c.id === crew.id)).toEqual({ id: crew.id, name: 'فريق اللوحات - الخبر 7', nameAr: 'فريق اللوحات - الخبر 7', nameEn: 'Billboards crew – Khobar 7' });
  });

  it('counts attached media as parameters, at intake and later', async () => {
    const [photo, voice] = await Promise.all([uploaded(app, dispatcher, 'photo.png'), uploaded(app, dispatcher, 'voice.ogg')]);
    const filed = await ok<{ createReport: { id: string } }>(
      app,
      'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }',
      { input: { idempotencyKey: `arabic-${Date.now()}`, channel: 'CALL_940', categoryCode: 'POTHOLE', description: 'حفرة في الطريق', location: { lat: 26.28, lng: 50.2 }, mediaIds: [photo, voice] } },
      dispatcher,
    );
    const more = await Promise.all([uploaded(app, dispatcher, 'photo-gps.jpg'), uploaded(app, dispatcher, 'photo.webp')]);
    await ok(app, 'mutation($r: ID!, $m: [ID!]!) { attachMedia(reportId: $r, mediaIds: $m) { id } }', { r: filed.createReport.id, m: more }, dispatcher);

    const attached = (await timeline(app, dispatcher, filed.createReport.id)).filter((line) => line.action === 'MEDIA_ATTACHED');
    expect(attached).toEqual([
      { action: 'MEDIA_ATTACHED', fromStatus: null, toStatus: null, note: null, params: { ...NONE, photos: 1, voice: 1 } },
      { action: 'MEDIA_ATTACHED', fromStatus: null, toStatus: null, note: null, params: { ...NONE, photos: 2, voice: 0 } },
    ]);
  });

  it('records a merge with the original’s reference, and a report that follows its original with both references', async () => {
    const [original, middle, follower] = [await fileReport(app, dispatcher), await fileReport(app, dispatcher), await fileReport(app, dispatcher)];
    const merge = 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }';
    await ok(app, merge, { id: follower.id, of: middle.id }, dispatcher);
    await ok(app, merge, { id: middle.id, of: original.id }, dispatcher);

    expect((await timeline(app, dispatcher, middle.id)).at(-1)).toEqual({
      action: 'MARKED_DUPLICATE',
      fromStatus: 'RECEIVED',
      toStatus: 'DUPLICATE',
      note: null,
      params: { ...NONE, reference: original.reference },
    });
    const followed = await timeline(app, dispatcher, follower.id);
    expect(followed.slice(1).map((line) => [line.action, line.note, line.params?.reference, line.params?.withReference])).toEqual([
      ['MARKED_DUPLICATE', null, middle.reference, null],
      ['MERGED_WITH_ORIGINAL', null, original.reference, middle.reference],
    ]);
  });

  it('keeps parameters from integrators, as it keeps notes', async () => {
    const report = await fileReport(app, dispatcher);
    await ok(app, 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }', { input: { reportId: report.id, crewId: crew.id } }, dispatcher);
    const lines = await timeline(app, integrator, report.id);
    expect(lines.map((line) => [line.action, line.note, line.params])).toEqual([
      ['CREATED', null, null],
      ['ASSIGNED', null, null],
    ]);
  });
});

describe('the demo data reads as one consistent Arabic center (issue 13)', () => {
  let app: App;
  let dispatcher: string;

  beforeAll(async () => {
    app = await startServer({ databaseUrl: await freshDatabase('arabic_demo'), demo: true, overdueCheckMs: 3_600_000 });
    dispatcher = await login(app, 'dispatcher', 'balagh940');
  }, 300_000);
  afterAll(() => app?.close());

  it('gives every crew an Arabic and an English name and only its own department’s categories', async () => {
    const crews = await sql<{ name: string; name_en: string; department_code: string; skills: string[] }>(app, 'select name, name_en, department_code, skills from crew');
    expect(crews.length).toBeGreaterThanOrEqual(12);
    for (const crew of crews) {
      expect(crew.name).toMatch(/^فريق [\u0600-\u06FF ]+ - [\u0600-\u06FF ]+ \d$/);
      expect(crew.name_en).toMatch(/^[A-Za-z ]+ crew – [A-Za-z ]+ \d$/);
      const own = provinceData.categories.filter((c) => c.department === crew.department_code).map((c) => c.code);
      expect(crew.skills.length).toBeGreaterThan(0);
      expect(own).toEqual(expect.arrayContaining(crew.skills));
    }
  });

  it('sends each report to a crew of its department in its own municipality', async () => {
    const misplaced = await sql(
      app,
      `select r.reference, c.name from assignment a join report r on r.id = a.report_id join crew c on c.id = a.crew_id
       where c.municipality_code <> r.municipality_code or not (r.category_code = any(c.skills))`,
    );
    expect(misplaced).toEqual([]);
  });

  it('writes reporters’ names, notes, reasons and answers in Arabic', async () => {
    const names = await sql<{ reporter_name: string }>(app, `select reporter_name from report where reporter_name ~ '[A-Za-z]{2,}'`);
    expect(names).toEqual([]);
    const notes = await sql<{ action: string; note: string }>(app, `select action, note from timeline_entry where note ~ '[A-Za-z]{2,}'`);
    expect(notes).toEqual([]);
    const reasons = await sql(app, `select rejection_reason, referred_to from report where rejection_reason ~ '[A-Za-z]{2,}' or referred_to ~ '[A-Za-z]{2,}'`);
    expect(reasons).toEqual([]);
  });

  it('starts each timeline at its report’s received time, and every later line after it, in order', async () => {
    const starts = await sql(
      app,
      `select r.reference from report r join lateral (select at, action from timeline_entry t where t.report_id = r.id order by at, id limit 1) first on true
       where first.at <> r.received_at or first.action <> 'CREATED'`,
    );
    expect(starts).toEqual([]);
    const early = await sql(app, `select r.reference from timeline_entry t join report r on r.id = t.report_id where t.at < r.received_at or t.at > now()`);
    expect(early).toEqual([]);

    const shown = await ok<{ reports: { edges: Array<{ node: { receivedAt: string; timeline: Array<{ at: string }> } }> } }>(
      app,
      '{ reports(first: 20) { edges { node { receivedAt timeline { at } } } } }',
      {},
      dispatcher,
    );
    expect(shown.reports.edges.length).toBe(20);
    for (const { node } of shown.reports.edges) expect(node.timeline[0]!.at).toBe(node.receivedAt);
  });
});
