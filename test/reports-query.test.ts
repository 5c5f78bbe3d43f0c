import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, crew, crewRow, fileReport, progress, sql, staff, unique, type FiledReport } from './support/factories.js';
import { gql, ok, startServer, type App } from './support/server.js';

const LIST = `query($filter: ReportFilter, $first: Int! = 100, $after: String) {
  reports(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
    edges { cursor node { id reference status priority targetAt receivedAt overdue category { code } location { municipality { code } } } }
  }
}`;

const PLACES = {
  KHOBAR: { lat: 26.2794, lng: 50.2083 },
  DAMMAM: { lat: 26.4207, lng: 50.0888 },
  QATIF: { lat: 26.556, lng: 50.005 },
};

interface Node {
  id: string;
  reference: string;
  status: string;
  priority: string;
  targetAt: string;
  receivedAt: string;
  overdue: boolean;
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
  hasPreviousPage: boolean;
  startCursor: string | null;
}

describe('the report list: filters, order and paging', () => {
  let app: App;
  let token: string;

  beforeAll(async () => {
    app = await startServer();
    token = (await staff(app)).token;
  });
  afterAll(() => app.close());

  async function list(filter: Record<string, unknown>, first = 100, after?: string): Promise<{ totalCount: number; pageInfo: PageInfo; nodes: Node[]; cursors: string[] }> {
    const data = await ok<{ reports: { totalCount: number; pageInfo: PageInfo; edges: Array<{ cursor: string; node: Node }> } }>(app, LIST, { filter, first, after }, token);
    const edges = data.reports.edges;
    return { totalCount: data.reports.totalCount, pageInfo: data.reports.pageInfo, nodes: edges.map((e) => e.node), cursors: edges.map((e) => e.cursor) };
  }

  async function ids(filter: Record<string, unknown>): Promise<string[]> {
    return (await list(filter)).nodes.map((node) => node.id);
  }

  /** Moves a report's receipt and target into the past, as if it had waited in the queue for days. */
  async function age(id: string, days: number, targetHours: number): Promise<void> {
    const receivedAt = new Date(Date.now() - days * 86_400_000);
    await sql(app, 'update report set received_at = ?, target_at = ? where id = ?', [receivedAt, new Date(receivedAt.getTime() + targetHours * 3_600_000), id]);
  }

  describe('with five reports of different categories, places and states', () => {
    const marker = unique('queue').replace('-', '');
    const r: Record<string, FiledReport> = {};

    beforeAll(async () => {
      const file = (name: string, categoryCode: string, place: keyof typeof PLACES) =>
        fileReport(app, token, { categoryCode, location: PLACES[place], description: `${marker} ${name} near the corniche` });
      r.billboard = await file('billboard', 'HAZARDOUS_BILLBOARD', 'KHOBAR');
      r.leak = await file('leak', 'WATER_LEAK', 'DAMMAM');
      r.pothole = await file('pothole', 'POTHOLE', 'QATIF');
      r.light = await file('light', 'STREETLIGHT_OUTAGE', 'KHOBAR');
      r.sidewalk = await file('sidewalk', 'DAMAGED_SIDEWALK', 'DAMMAM');
      await assign(app, token, r.light.id, (await crewRow(app)).id);
      await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "private land") { id } }', { id: r.sidewalk.id }, token);
    });

    it('orders by priority, then by target time', async () => {
      expect(await ids({ text: marker })).toEqual([r.billboard.id, r.leak.id, r.pothole.id, r.light.id, r.sidewalk.id]);
      const nodes = (await list({ text: marker })).nodes;
      expect(nodes.map((n) => n.priority)).toEqual(['CRITICAL', 'HIGH', 'HIGH', 'NORMAL', 'LOW']);
      expect(new Date(nodes[1].targetAt).getTime()).toBeLessThan(new Date(nodes[2].targetAt).getTime());
    });

    it.each([
      { filter: { statuses: ['RECEIVED'] }, expected: ['billboard', 'leak', 'pothole'] },
      { filter: { statuses: ['ASSIGNED', 'REJECTED'] }, expected: ['light', 'sidewalk'] },
      { filter: { statuses: ['CLOSED'] }, expected: [] },
      { filter: { priorities: ['HIGH'] }, expected: ['leak', 'pothole'] },
      { filter: { priorities: ['CRITICAL', 'LOW'] }, expected: ['billboard', 'sidewalk'] },
      { filter: { categoryCodes: ['POTHOLE', 'WATER_LEAK'] }, expected: ['leak', 'pothole'] },
      { filter: { municipalityCodes: ['DAMMAM'] }, expected: ['leak', 'sidewalk'] },
      { filter: { municipalityCodes: ['KHOBAR', 'QATIF'], statuses: ['RECEIVED'] }, expected: ['billboard', 'pothole'] },
      { filter: { priorities: ['HIGH'], municipalityCodes: ['KHOBAR'] }, expected: [] },
      { filter: { statuses: [], priorities: [] }, expected: ['billboard', 'leak', 'pothole', 'light', 'sidewalk'] },
    ])('filters by $filter', async ({ filter, expected }) => {
      const page = await list({ ...filter, text: marker });
      expect(page.nodes.map((n) => n.id)).toEqual(expected.map((name) => r[name].id));
      expect(page.totalCount).toBe(expected.length);
    });

    it('finds words of the description in any case, and a reference or part of one', async () => {
      expect(await ids({ text: `${marker} LEAK` })).toEqual([r.leak.id]);
      expect(await ids({ text: r.pothole.reference })).toEqual([r.pothole.id]);
      const tail = r.pothole.reference.slice(-6);
      expect(await ids({ text: tail })).toContain(r.pothole.id);
      expect(await ids({ text: `${marker}%` })).toEqual([]);
      expect(await ids({ text: `${marker}_` })).toEqual([]);
      expect(await ids({ text: `${marker}\\' or 1=1 --` })).toEqual([]);
    });

    it('finds text with question marks, backslashes and quotes as written (placeholders and escapes stay in the SQL)', async () => {
      const odd = await fileReport(app, token, { description: `${marker} هل? نعم\\لا 'x' ?? $1` });
      expect(await ids({ text: `${marker} هل? نعم\\لا 'x' ?? $1` })).toEqual([odd.id]);
      expect(await ids({ text: `${marker} هل?? نعم` })).toEqual([]);
    });

    it('finds a report by the reference quoted to the reporter', async () => {
      const data = await ok<{ reportByReference: { id: string; reference: string } | null }>(
        app,
        'query($r: String!) { reportByReference(reference: $r) { id reference } }',
        { r: r.leak.reference },
        token,
      );
      expect(data.reportByReference).toEqual({ id: r.leak.id, reference: r.leak.reference });
      const missing = await ok<{ reportByReference: { id: string } | null }>(app, 'query { reportByReference(reference: "940-1999-999999") { id } }', {}, token);
      expect(missing.reportByReference).toBeNull();
    });
  });

  it('filters by receipt time: receivedFrom is inclusive, receivedTo exclusive', async () => {
    const marker = unique('received').replace('-', '');
    const first = await fileReport(app, token, { description: `${marker} first` });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await fileReport(app, token, { description: `${marker} second` });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const third = await fileReport(app, token, { description: `${marker} third` });
    expect(await ids({ text: marker, receivedFrom: second.receivedAt })).toEqual([second.id, third.id]);
    expect(await ids({ text: marker, receivedTo: second.receivedAt })).toEqual([first.id]);
    expect(await ids({ text: marker, receivedFrom: second.receivedAt, receivedTo: third.receivedAt })).toEqual([second.id]);
    expect(await ids({ text: marker, receivedFrom: third.receivedAt, receivedTo: first.receivedAt })).toEqual([]);
  });

  it('tells overdue open reports from the rest', async () => {
    const marker = unique('overdue').replace('-', '');
    const late = await fileReport(app, token, { description: `${marker} late` });
    const lateButRejected = await fileReport(app, token, { description: `${marker} rejected` });
    const onTime = await fileReport(app, token, { description: `${marker} on time` });
    await age(late.id, 3, 24);
    await age(lateButRejected.id, 3, 24);
    await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "duplicate call") { id } }', { id: lateButRejected.id }, token);

    const overdue = await list({ text: marker, overdue: true });
    expect(overdue.nodes.map((n) => n.id)).toEqual([late.id]);
    expect(overdue.nodes[0].overdue).toBe(true);
    expect(overdue.totalCount).toBe(1);
    const rest = await list({ text: marker, overdue: false });
    expect(new Set(rest.nodes.map((n) => n.id))).toEqual(new Set([lateButRejected.id, onTime.id]));
    expect(rest.nodes.every((n) => !n.overdue)).toBe(true);
  });

  describe('paging', () => {
    async function walk(filter: Record<string, unknown>, size: number): Promise<{ pages: Node[][]; totals: number[] }> {
      const pages: Node[][] = [];
      const totals: number[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 50; guard++) {
        const page = await list(filter, size, after);
        pages.push(page.nodes);
        totals.push(page.totalCount);
        expect(page.pageInfo.endCursor).toBe(page.cursors.at(-1) ?? null);
        expect(page.pageInfo.startCursor).toBe(page.cursors[0] ?? null);
        expect(page.pageInfo.hasPreviousPage, 'Relay: only a page asked for after a cursor has reports before it').toBe(after !== undefined);
        if (!page.pageInfo.hasNextPage) return { pages, totals };
        after = page.pageInfo.endCursor!;
      }
      throw new Error('paging did not end');
    }

    async function fileMany(marker: string, n: number): Promise<string[]> {
      const categories = ['HAZARDOUS_BILLBOARD', 'POTHOLE', 'WATER_LEAK', 'STREETLIGHT_OUTAGE', 'DAMAGED_SIDEWALK', 'FALLEN_TREE'];
      const filed = await Promise.all(Array.from({ length: n }, (_, i) => fileReport(app, token, { description: `${marker} item ${i}`, categoryCode: categories[i % categories.length] })));
      return filed.map((report) => report.id);
    }

    it.each([1, 7, 25, 100])('walks 25 reports in pages of %i with no duplicate and no gap, in queue order', async (size) => {
      const marker = unique('paging').replace('-', '');
      const filed = await fileMany(marker, 25);
      const everything = (await list({ text: marker })).nodes.map((n) => n.id);
      expect(new Set(everything)).toEqual(new Set(filed));

      const { pages, totals } = await walk({ text: marker }, size);
      const walked = pages.flat().map((n) => n.id);
      expect(walked).toEqual(everything);
      expect(new Set(walked).size).toBe(25);
      expect(pages).toHaveLength(Math.ceil(25 / size));
      expect(totals.every((total) => total === 25)).toBe(true);
    });

    it('keeps paging exact when many reports share priority and target time (ties broken by id)', async () => {
      const marker = unique('ties').replace('-', '');
      const filed = await Promise.all(Array.from({ length: 12 }, (_, i) => fileReport(app, token, { description: `${marker} tie ${i}` })));
      const target = new Date(Date.now() + 3_600_000);
      for (const report of filed) await sql(app, 'update report set target_at = ? where id = ?', [target, report.id]);

      const { pages } = await walk({ text: marker }, 5);
      const walked = pages.flat().map((n) => n.id);
      expect(walked).toEqual([...walked].sort());
      expect(new Set(walked)).toEqual(new Set(filed.map((report) => report.id)));
      expect(walked).toHaveLength(12);
    });

    it('keeps paging exact when target times differ only in microseconds (as rows written by SQL have them)', async () => {
      const marker = unique('micro').replace('-', '');
      const filed = await Promise.all(Array.from({ length: 6 }, (_, i) => fileReport(app, token, { description: `${marker} micro ${i}` })));
      // The same millisecond, six microseconds apart, in the reverse of id order: only the microseconds order them.
      const byId = [...filed].sort((a, b) => (a.id < b.id ? -1 : 1));
      for (const [i, report] of byId.entries()) {
        await sql(app, `update report set target_at = timestamptz '2031-01-01 10:00:00.123000+00' + make_interval(secs => ? / 1000000.0) where id = ?`, [6 - i, report.id]);
      }
      const { pages } = await walk({ text: marker }, 1);
      expect(pages.flat().map((n) => n.id)).toEqual([...byId].reverse().map((report) => report.id));
    });

    it('gives an empty last page when the list ends exactly on a page boundary', async () => {
      const marker = unique('boundary').replace('-', '');
      await fileMany(marker, 6);
      const first = await list({ text: marker }, 3);
      const second = await list({ text: marker }, 3, first.pageInfo.endCursor!);
      expect(first.pageInfo.hasNextPage).toBe(true);
      expect(second.nodes).toHaveLength(3);
      expect(second.pageInfo.hasNextPage).toBe(false);
      const beyond = await list({ text: marker }, 3, second.pageInfo.endCursor!);
      expect(beyond.nodes).toEqual([]);
      expect(beyond.pageInfo).toEqual({ hasNextPage: false, endCursor: null, hasPreviousPage: true, startCursor: null });
    });

    it('pages 20 at a time by default', async () => {
      const marker = unique('default').replace('-', '');
      await fileMany(marker, 21);
      const result = await gql<{ reports: { pageInfo: { hasNextPage: boolean }; edges: Array<{ node: { id: string } }> } }>(
        app,
        'query($text: String!) { reports(filter: { text: $text }) { pageInfo { hasNextPage } edges { node { id } } } }',
        { text: marker },
        token,
      );
      expect(result.data!.reports.edges).toHaveLength(20);
      expect(result.data!.reports.pageInfo.hasNextPage).toBe(true);
    });
  });

  it('shows each report in a list exactly as it shows it alone, assignment and crew included', async () => {
    // The list builds its views from one joined statement; `report(id)` and `crew(id)` map entities.
    const marker = unique('same').replace('-', '');
    const file = (extra: Record<string, unknown> = {}) => fileReport(app, token, { description: `${marker} حفرة`, ...extra });
    const waiting = await file({ reporter: null, location: { ...PLACES.DAMMAM } });
    const onSite = await file();
    const queued = await file();
    const rejected = await file();
    const duplicate = await file();
    const busy = await crew(app);
    const accepted = await assign(app, token, onSite.id, busy.id);
    await assign(app, token, queued.id, busy.id);
    for (const status of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE'] as const) await progress(app, busy.token, accepted.id, status);
    await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "ليس من اختصاص البلدية", referredTo: "شركة المياه الوطنية") { id } }', { id: rejected.id }, token);
    await ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id: duplicate.id, of: waiting.id }, token);

    const REPORT = `id reference kind channel priority status description receivedAt targetAt updatedAt version rejectionReason referredTo overdue
      category { code } location { lat lng address municipality { code } } reporter { name phone beneficiaryType } duplicateOf { id }
      activeAssignment { id status note createdAt updatedAt version report { id } crew { id } }`;
    const CREW = 'id name onDuty status skills version department { code } municipality { code } location { lat lng at } activeAssignment { id }';
    /** A report and its crew as REPORT and CREW select them: compared whole, so only the fields the test reads are named. */
    type Listed = {
      id: string;
      referredTo: string | null;
      duplicateOf: { id: string } | null;
      reporter: unknown;
      activeAssignment: { crew: { id: string; [field: string]: unknown }; [field: string]: unknown } | null;
      [field: string]: unknown;
    };
    const listed = await ok<{ reports: { edges: Array<{ node: Listed }> } }>(
      app,
      `query($text: String!) { reports(filter: { text: $text }) { edges { node { ${REPORT} activeAssignment { crew { ${CREW} } } } } } }`,
      { text: marker },
      token,
    );
    const nodes = listed.reports.edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.id).sort()).toEqual([waiting, onSite, queued, rejected, duplicate].map((report) => report.id).sort());

    for (const node of nodes) {
      const alone = await ok<{ report: { activeAssignment: unknown; [field: string]: unknown } | null }>(app, `query($id: ID!) { report(id: $id) { ${REPORT} } }`, { id: node.id }, token);
      const { activeAssignment, ...rest } = node;
      // A listed report the same caller cannot read alone fails here.
      const { activeAssignment: aloneAssignment, ...aloneRest } = alone.report!;
      expect(rest).toEqual(aloneRest);
      if (!activeAssignment) {
        expect(aloneAssignment).toBeNull();
        continue;
      }
      const { crew: listedCrew, ...assignment } = activeAssignment;
      expect({ ...assignment, crew: { id: listedCrew.id } }).toEqual(aloneAssignment);
      const crewAlone = await ok<{ crew: unknown }>(app, `query($id: ID!) { crew(id: $id) { ${CREW} } }`, { id: listedCrew.id }, token);
      expect(listedCrew).toEqual(crewAlone.crew);
    }
    const byId = new Map(nodes.map((node) => [node.id, node]));
    expect(byId.get(onSite.id)!.activeAssignment?.crew).toMatchObject({ status: 'ON_SITE', activeAssignment: { id: accepted.id } });
    expect(byId.get(duplicate.id)!.duplicateOf).toEqual({ id: waiting.id });
    expect(byId.get(rejected.id)!.referredTo).toBe('شركة المياه الوطنية');
    expect(byId.get(waiting.id)!.reporter).toEqual({ name: null, phone: null, beneficiaryType: null });
    // The crew as its own user sees it: status and leading assignment derived on request.
    const me = await ok<{ me: { crew: unknown } }>(app, '{ me { crew { id status activeAssignment { id status } } } }', {}, busy.token);
    expect(me.me.crew).toEqual({ id: busy.id, status: 'ON_SITE', activeAssignment: { id: accepted.id, status: 'ON_SITE' } });

    // A list reads only the columns its selection needs: each field asked for alone must still be whole.
    const SUBSELECTIONS: Record<string, string> = {
      category: '{ code nameEn }',
      location: '{ lat lng address municipality { code } }',
      reporter: '{ name phone beneficiaryType }',
      activeAssignment: '{ id status crew { id name status } }',
      assignments: '{ id status }',
      timeline: '{ action toStatus }',
      duplicateOf: '{ id reference }',
      // Links are signed with an expiry, so two reads a minute apart may differ; what a list shows is the same media.
      media: '{ id kind purpose contentType }',
      followUp: '{ id status }',
      // Nobody has these reports open: both reads answer the same empty list.
      viewers: '{ userId name }',
      possibleDuplicates: '{ distanceMeters minutesApart report { id reference } }',
    };
    const type = await ok<{ __type: { fields: Array<{ name: string; type: { kind: string; ofType: { kind: string; ofType: { kind: string } | null } | null } }> } }>(
      app,
      '{ __type(name: "Report") { fields { name type { kind ofType { kind ofType { kind ofType { kind } } } } } } }',
      {},
      token,
    );
    const leaf = (t: { kind: string; ofType: unknown }): boolean => {
      let current = t as { kind: string; ofType: { kind: string; ofType: unknown } | null } | null;
      while (current && (current.kind === 'NON_NULL' || current.kind === 'LIST')) current = current.ofType as typeof current;
      return current?.kind === 'SCALAR' || current?.kind === 'ENUM';
    };
    for (const field of [...type.__type.fields.map((f) => f), { name: '__typename', type: { kind: 'SCALAR', ofType: null } }]) {
      const selection = leaf(field.type) ? field.name : `${field.name} ${SUBSELECTIONS[field.name] ?? ''}`;
      expect(leaf(field.type) || SUBSELECTIONS[field.name], `a sub-selection for Report.${field.name} in this test`).toBeTruthy();
      // id is read for every list anyway, so asking for it too changes nothing in what the list reads.
      const page = await ok<{ reports: { edges: Array<{ node: { id: string; [field: string]: unknown } }> } }>(
        app,
        `query($text: String!) { reports(filter: { text: $text }) { edges { node { id ${selection} } } } }`,
        { text: marker },
        token,
      );
      for (const { node } of page.reports.edges) {
        const alone = await ok<{ report: unknown }>(app, `query($id: ID!) { report(id: $id) { id ${selection} } }`, { id: node.id }, token);
        expect(node, `Report.${field.name} listed alone`).toEqual(alone.report);
      }
    }
  });
});
