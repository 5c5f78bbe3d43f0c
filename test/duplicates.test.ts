import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { freshDatabase } from './support/database.js';
import { apiKey, assign, crew, fileReport, sql, staff, unique, type ReportInput } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';
import { connect, ofReport, subscribeEvents, untilSentinel, untilSubscribed } from './support/ws.js';

/** Metres per degree of latitude on the sphere geo.ts measures on (6371 km). */
const METRES_PER_DEGREE = (6371_000 * Math.PI) / 180;

interface Spot {
  lat: number;
  lng: number;
}

/** A random place in Dammam and Khobar, so reports of other tests sharing the database are never within reach. */
function spot(): Spot {
  return { lat: 26.25 + Math.random() * 0.15, lng: 50.0 + Math.random() * 0.15 };
}

/** The place `metres` north of `from`. */
function north(from: Spot, metres: number): Spot {
  return { lat: from.lat + metres / METRES_PER_DEGREE, lng: from.lng };
}

const DUPLICATES = 'possibleDuplicates { reference status open distanceMeters minutesApart earlier report { id reference } }';

interface Suggestion {
  reference: string;
  status: string;
  open: boolean;
  distanceMeters: number;
  minutesApart: number;
  earlier: boolean;
  report: { id: string; reference: string } | null;
}

describe('possible duplicates', () => {
  let app: App;
  let dispatcher: { token: string };

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  function file(at: Spot, overrides: ReportInput = {}, token = dispatcher.token) {
    return fileReport(app, token, { categoryCode: 'POTHOLE', description: unique('duplicate-test'), location: { ...at }, ...overrides });
  }

  async function suggestions(id: string, token = dispatcher.token): Promise<Suggestion[]> {
    return (await ok<{ report: { possibleDuplicates: Suggestion[] } }>(app, `query($id: ID!) { report(id: $id) { ${DUPLICATES} } }`, { id }, token)).report.possibleDuplicates;
  }

  /** Moves a report's receipt `minutes` into the past. */
  async function receivedEarlier(id: string, minutes: number): Promise<void> {
    await sql(app, `update report set received_at = received_at - make_interval(mins => ?) where id = ?`, [minutes, id]);
  }

  it('suggests a report of the same category within the radius and window, with its distance and how much earlier it came', async () => {
    const here = spot();
    const first = await file(here);
    await receivedEarlier(first.id, 20);
    const second = await file(north(here, 80));
    const [hint, ...rest] = await suggestions(second.id);
    expect(rest).toEqual([]);
    expect(hint).toEqual({ reference: first.reference, status: 'RECEIVED', open: true, distanceMeters: 80, minutesApart: 20, earlier: true, report: { id: first.id, reference: first.reference } });
    // and the other way round: the earlier report learns of the later one
    const back = await suggestions(first.id);
    expect(back.map((s) => [s.reference, s.distanceMeters, s.minutesApart, s.earlier])).toEqual([[second.reference, 80, 20, false]]);
  });

  it('lists them nearest first', async () => {
    const here = spot();
    const far = await file(north(here, 140));
    const near = await file(north(here, 30));
    const subject = await file(here);
    expect((await suggestions(subject.id)).map((s) => [s.reference, s.distanceMeters])).toEqual([
      [near.reference, 30],
      [far.reference, 140],
    ]);
  });

  it('does not suggest a report just outside the radius (155 m of 150)', async () => {
    const here = spot();
    await file(north(here, 155));
    const inside = await file(north(here, -145));
    const subject = await file(here);
    expect((await suggestions(subject.id)).map((s) => s.reference)).toEqual([inside.reference]);
  });

  it('does not suggest a report just outside the window (73 hours of 72, before or after)', async () => {
    const here = spot();
    const old = await file(north(here, 10));
    await receivedEarlier(old.id, 73 * 60);
    const recent = await file(north(here, 20));
    await receivedEarlier(recent.id, 71 * 60);
    const subject = await file(here);
    expect((await suggestions(subject.id)).map((s) => [s.reference, s.minutesApart])).toEqual([[recent.reference, 71 * 60]]);
    // seen from the old report, the new one is 73 hours later: outside too
    expect((await suggestions(old.id)).map((s) => s.reference)).toEqual([recent.reference]);
  });

  it('does not suggest a report of another category at the same place', async () => {
    const here = spot();
    await file(here, { categoryCode: 'STREETLIGHT_OUTAGE' });
    const subject = await file(here);
    expect(await suggestions(subject.id)).toEqual([]);
  });

  it('suggests the original for a nearby merged report, never the merged one itself; a merged report gets none', async () => {
    const here = spot();
    const original = await file(here);
    const merged = await file(north(here, 100));
    await ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id status } }', { id: merged.id, of: original.id }, dispatcher.token);
    // 200 m from the original, 100 m from the report merged into it
    const subject = await file(north(here, 200));
    expect((await suggestions(subject.id)).map((s) => [s.reference, s.distanceMeters])).toEqual([[original.reference, 200]]);
    expect(await suggestions(merged.id)).toEqual([]);
    // the original does not see its own merged copy as a duplicate
    expect((await suggestions(original.id)).map((s) => s.reference)).toEqual([]);
  });

  it('suggests a recently resolved report, not a rejected one', async () => {
    const here = spot();
    const rejected = await file(north(here, 10));
    await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "not ours") { id } }', { id: rejected.id }, dispatcher.token);
    const resolved = await file(north(here, 20));
    await sql(app, `update report set status = 'RESOLVED' where id = ?`, [resolved.id]);
    const subject = await file(here);
    expect((await suggestions(subject.id)).map((s) => [s.reference, s.status, s.open])).toEqual([[resolved.reference, 'RESOLVED', false]]);
  });

  it('"not a duplicate" removes the pair both ways, once: audited on both timelines, published, idempotent', async () => {
    const here = spot();
    const first = await file(here);
    const second = await file(north(here, 40));
    const third = await file(north(here, 60));
    const DISMISS = 'mutation($r: ID!, $o: ID!) { dismissDuplicate(reportId: $r, duplicateOfId: $o) { id version timeline { action actor params { reference } } } }';
    type Dismissed = { dismissDuplicate: { id: string; version: number; timeline: { action: string; actor: string; params: { reference: string | null } | null }[] } };
    const once = (await ok<Dismissed>(app, DISMISS, { r: second.id, o: first.id }, dispatcher.token)).dismissDuplicate;
    expect(once.version).toBe(second.version + 1);
    expect(once.timeline.at(-1)).toMatchObject({ action: 'DUPLICATE_DISMISSED', params: { reference: first.reference } });
    expect((await suggestions(second.id)).map((s) => s.reference)).toEqual([third.reference]);
    expect((await suggestions(first.id)).map((s) => s.reference)).toEqual([third.reference]);
    const again = (await ok<Dismissed>(app, DISMISS, { r: first.id, o: second.id }, dispatcher.token)).dismissDuplicate;
    expect(again.version).toBe(first.version + 1); // the first call's line and version, nothing more
    expect(again.timeline.filter((line) => line.action === 'DUPLICATE_DISMISSED')).toHaveLength(1);
    const events = await sql<{ report_id: string }>(app, `select report_id from dispatch_event where type = 'REPORT_UPDATED' and payload->>'action' = 'DISMISS_DUPLICATE' and report_id in (?, ?)`, [
      first.id,
      second.id,
    ]);
    expect(events.map((row) => row.report_id).sort()).toEqual([first.id, second.id].sort());
  });

  it('refuses bad input for "not a duplicate" by field', async () => {
    const report = await file(spot());
    const DISMISS = 'mutation($r: ID!, $o: ID!) { dismissDuplicate(reportId: $r, duplicateOfId: $o) { id } }';
    const self = await gql(app, DISMISS, { r: report.id, o: report.id }, dispatcher.token);
    expect(codeOf(self)).toBe('BAD_USER_INPUT');
    expect(self.errors?.[0].extensions?.field).toBe('duplicateOfId');
    const missing = await gql(app, DISMISS, { r: report.id, o: randomUUID() }, dispatcher.token);
    expect(codeOf(missing)).toBe('NOT_FOUND');
    expect(missing.errors?.[0].extensions?.field).toBe('duplicateOfId');
  });

  it("follows the category's own radius and window when it has them", async () => {
    await sql(app, `update category set duplicate_radius_m = 500, duplicate_window_hours = 2 where code = 'ABANDONED_VEHICLE'`);
    try {
      const here = spot();
      const wide = await file(north(here, 400), { categoryCode: 'ABANDONED_VEHICLE' });
      const late = await file(north(here, 10), { categoryCode: 'ABANDONED_VEHICLE' });
      await receivedEarlier(late.id, 3 * 60);
      const subject = await file(here, { categoryCode: 'ABANDONED_VEHICLE' });
      expect((await suggestions(subject.id)).map((s) => [s.reference, s.distanceMeters])).toEqual([[wide.reference, 400]]);
      const categories = await ok<{ categories: { code: string; duplicateRadiusMeters: number | null; duplicateWindowHours: number | null }[] }>(
        app,
        'query { categories { code duplicateRadiusMeters duplicateWindowHours } }',
        {},
        dispatcher.token,
      );
      expect(categories.categories.find((c) => c.code === 'POTHOLE')).toMatchObject({ duplicateRadiusMeters: null, duplicateWindowHours: null });
    } finally {
      await sql(app, `update category set duplicate_radius_m = null, duplicate_window_hours = null where code = 'ABANDONED_VEHICLE'`);
    }
  });

  it("tells a crew nothing of duplicates, even on a report it holds: merging is the dispatcher's", async () => {
    const here = spot();
    await file(here);
    const held = await file(north(here, 30));
    const worker = await crew(app);
    await assign(app, dispatcher.token, held.id, worker.id);
    expect(await suggestions(held.id, worker.token)).toEqual([]);
    expect(await suggestions(held.id)).toHaveLength(1);
  });

  it("createReport by an INTAKE key returns the duplicate's reference, but not another filer's report", async () => {
    const gateway = await apiKey(app, Role.INTAKE);
    const here = spot();
    const earlier = await file(here, { reporter: { name: 'Nora Al-Qahtani', phone: '+966500000001' } });
    const created = await ok<{ createReport: { id: string; possibleDuplicates: Suggestion[] } }>(
      app,
      `mutation($input: CreateReportInput!) { createReport(input: $input) { id ${DUPLICATES} } }`,
      {
        input: {
          idempotencyKey: randomUUID(),
          channel: 'WHATSAPP',
          categoryCode: 'POTHOLE',
          description: unique('citizen-duplicate'),
          location: north(here, 50),
        },
      },
      gateway,
    );
    expect(created.createReport.possibleDuplicates).toEqual([{ reference: earlier.reference, status: 'RECEIVED', open: true, distanceMeters: 50, minutesApart: 0, earlier: true, report: null }]);
    // and the same when it reads its own report again later
    expect((await suggestions(created.createReport.id, gateway)).map((s) => [s.reference, s.report])).toEqual([[earlier.reference, null]]);
  });
});

describe('acknowledging a CRITICAL report', () => {
  let app: App;

  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('is a server fact: a second dispatcher sees it acknowledged live, by whom, once', async () => {
    const first = await staff(app);
    const second = await staff(app);
    const report = await fileReport(app, first.token, { categoryCode: 'HAZARDOUS_BILLBOARD', description: unique('billboard'), location: spot() });
    expect(report.priority).toBe('CRITICAL');
    const client = connect(app, second.token);
    const received = subscribeEvents<{ type: string; report: { id: string; version: number; acknowledgedAt: string | null; acknowledgedBy: string | null } | null }>(
      client,
      {},
      'type report { id version acknowledgedAt acknowledgedBy }',
    );
    try {
      await untilSubscribed(app, 1);
      const ACK = 'mutation($id: ID!) { acknowledgeReport(id: $id) { id version acknowledgedAt acknowledgedBy timeline { action actor } } }';
      type Ack = { acknowledgeReport: { id: string; version: number; acknowledgedAt: string | null; acknowledgedBy: string | null; timeline: { action: string; actor: string }[] } };
      const acked = (await ok<Ack>(app, ACK, { id: report.id }, first.token)).acknowledgeReport;
      expect(acked.acknowledgedAt).not.toBeNull();
      expect(acked.acknowledgedBy).toBe(first.username);
      expect(acked.timeline.at(-1)).toEqual({ action: 'ACKNOWLEDGED', actor: first.username });
      const events = await untilSentinel(received, (event) => ofReport(report.id)(event) && !!event.report?.acknowledgedAt);
      const live = events.find((event) => event.report?.id === report.id && event.report.acknowledgedAt);
      expect(live).toMatchObject({ type: 'REPORT_UPDATED', report: { version: acked.version, acknowledgedAt: acked.acknowledgedAt, acknowledgedBy: first.username } });
      // a second acknowledgement (the other dispatcher, a moment later) keeps the first
      const again = (await ok<Ack>(app, ACK, { id: report.id }, second.token)).acknowledgeReport;
      expect(again).toMatchObject({ version: acked.version, acknowledgedAt: acked.acknowledgedAt, acknowledgedBy: first.username });
    } finally {
      received.stop();
      await client.dispose();
    }
  });

  it('is refused on a report that is no longer open', async () => {
    const dispatcher = await staff(app);
    const report = await fileReport(app, dispatcher.token, { description: unique('rejected'), location: spot() });
    await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "not ours") { id } }', { id: report.id }, dispatcher.token);
    expect(codeOf(await gql(app, 'mutation($id: ID!) { acknowledgeReport(id: $id) { id } }', { id: report.id }, dispatcher.token))).toBe('CONFLICT');
  });
});

/** Reports in the scale database: the million. */
const ROWS = 1_000_000;

describe('finding duplicates at 1,000,000 reports', () => {
  let app: App;
  const statements: string[] = [];

  beforeAll(async () => {
    const url = await freshDatabase('duplicates');
    app = await startServer({ databaseUrl: url, overdueCheckMs: 3_600_000 }, { onQuery: (text, params) => statements.push(app ? app.orm.em.getPlatform().formatQuery(text, params) : text) });
    // The report's indexes (but its keys) are dropped for the fill and built again afterwards, exactly as the
    // migrations define them: building an index once is much faster than growing it a row at a time.
    const indexes = await sql<{ indexname: string; indexdef: string }>(
      app,
      `select indexname, indexdef from pg_indexes where tablename = 'report' and indexname not in (select conname from pg_constraint where conrelid = 'report'::regclass)`,
    );
    for (const { indexname } of indexes) await sql(app, `drop index "${indexname}"`);
    // Two years of reports, one a minute, over six categories and a 20 × 20 km square of Dammam and Khobar.
    await sql(
      app,
      `insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, municipality_code,
         received_at, target_at, submitted_by, idempotency_key, updated_at, version)
       select gen_random_uuid(), '940-2025-' || lpad(g::text, 7, '0'), 'INCIDENT', 'WEB_PORTAL',
         (array['POTHOLE', 'STREETLIGHT_OUTAGE', 'WASTE_ACCUMULATION', 'DAMAGED_SIDEWALK', 'HAZARDOUS_BILLBOARD', 'WATER_LEAK'])[1 + g % 6], 'NORMAL', 2,
         (array['RECEIVED', 'RESOLVED', 'CLOSED', 'CLOSED', 'CLOSED'])[1 + g % 5], 'x',
         26.25 + (g::bigint * 7919 % 1000) * 0.00018, 50.0 + (g::bigint * 104729 % 1000) * 0.0002, 'KHOBAR',
         now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '48 hours', 'key:bulk', 'bulk-' || g, now() - g * interval '1 minute', 1
       from generate_series(1, ${ROWS}) g`,
    );
    for (const { indexdef } of indexes) await sql(app, indexdef);
    await sql(app, 'analyze report');
  }, 240_000);
  afterAll(() => app?.close());

  it("answers a report's possible duplicates from report_duplicate_index, never reading the table", async () => {
    const dispatcher = await staff(app);
    const subject = await fileReport(app, dispatcher.token, { categoryCode: 'POTHOLE', description: unique('scale'), location: { lat: 26.3, lng: 50.1 } });
    statements.length = 0;
    const found = await ok<{ report: { possibleDuplicates: Suggestion[] } }>(app, `query($id: ID!) { report(id: $id) { ${DUPLICATES} } }`, { id: subject.id }, dispatcher.token);
    for (const hint of found.report.possibleDuplicates) expect(hint.distanceMeters).toBeLessThanOrEqual(150);
    const statement = statements.find((text) => text.includes('duplicate_dismissal'));
    expect(statement).toBeDefined();
    const plan = (await sql<{ 'QUERY PLAN': string }>(app, `explain ${statement}`)).map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('report_duplicate_index');
    expect(plan).not.toMatch(/Seq Scan on report/);
  });
});
