import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, assign, crew, fileReport, progress, sql, staff, unique, type FiledReport } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';

const LIST = `query($filter: ReportFilter, $first: Int! = 100, $after: String, $orderBy: ReportOrder) {
  reports(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id reference status receivedAt updatedAt } }
  }
}`;

interface Node {
  id: string;
  reference: string;
  status: string;
  receivedAt: string;
  updatedAt: string;
}
type Listed = { reports: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: Node }> } };

const PLACES = { KHOBAR: { lat: 26.2794, lng: 50.2083 }, DAMMAM: { lat: 26.4207, lng: 50.0888 } };
const ARABIC_LETTERS = 'ابتثجحخدذرزسشصضطظعغفقكلمنهوي';

/** A word of Arabic letters no other test writes. */
function arabicWord(length = 7): string {
  return Array.from({ length }, () => ARABIC_LETTERS[randomInt(ARABIC_LETTERS.length)]).join('');
}

/** A Saudi mobile number no other test uses, in E.164. */
function mobile(): string {
  return `+9665${String(randomInt(10_000_000, 99_999_999))}`;
}

/** The number of a reference, without the zeros it is padded with: what staff type to jump to it. */
function shortNumber(reference: string): string {
  return String(Number(reference.split('-')[2]));
}

describe('the archive: every report, found by any filter, sorted by time', () => {
  let app: App;
  let token: string;

  beforeAll(async () => {
    app = await startServer({ overdueCheckMs: 3_600_000 });
    token = (await staff(app)).token;
  });
  afterAll(() => app?.close());

  async function list(filter: Record<string, unknown>, options: { orderBy?: string; first?: number; after?: string; as?: string } = {}): Promise<Listed['reports']> {
    const { as = token, ...variables } = options;
    return (await ok<Listed>(app, LIST, { filter, ...variables }, as)).reports;
  }

  async function references(filter: Record<string, unknown>, as = token): Promise<string[]> {
    return (await list(filter, { as })).edges.map((edge) => edge.node.reference).sort();
  }

  /** Takes a report through a crew to RESOLVED, as the crew's completion does. */
  async function resolve(report: FiledReport): Promise<void> {
    const job = await assign(app, token, report.id, (await crew(app)).id);
    await progress(app, token, job.id, 'ACCEPTED');
    await progress(app, token, job.id, 'ON_SITE');
    await progress(app, token, job.id, 'COMPLETED', 'fixed');
  }

  describe('with reports of different departments, channels, reporters, dates and states', () => {
    const marker = unique('arch').replace('-', '');
    const arabic = arabicWord();
    const english = `kerbside${unique('x').slice(2)}`;
    const phone = mobile();
    const r: Record<string, FiledReport> = {};

    beforeAll(async () => {
      r.pothole = await fileReport(app, token, {
        categoryCode: 'POTHOLE',
        channel: 'BALAGHATI_APP',
        location: PLACES.KHOBAR,
        description: `${marker} حفرة ${arabic} أمام المدرسة`,
        reporter: { name: 'Huda', phone, beneficiaryType: 'CITIZEN' },
      });
      r.waste = await fileReport(app, token, {
        categoryCode: 'WASTE_ACCUMULATION',
        channel: 'WHATSAPP',
        location: PLACES.DAMMAM,
        description: `${marker} overflowing ${english} waste bins`,
        reporter: { name: 'Omar', phone: mobile(), beneficiaryType: 'RESIDENT' },
      });
      r.tree = await fileReport(app, token, { categoryCode: 'FALLEN_TREE', channel: 'CALL_940', location: PLACES.KHOBAR, description: `${marker} شجرة ساقطة`, reporter: { phone } });
      r.billboard = await fileReport(app, token, { categoryCode: 'HAZARDOUS_BILLBOARD', channel: 'WEB_PORTAL', location: PLACES.DAMMAM, description: `${marker} billboard leaning`, reporter: null });
      await resolve(r.pothole);
      await sql(app, 'update report set received_at = ? where id = ?', [new Date('2026-01-15T08:00:00Z'), r.pothole.id]);
      await sql(app, 'update report set received_at = ? where id = ?', [new Date('2026-03-10T08:00:00Z'), r.waste.id]);
      await sql(app, 'update report set target_at = ? where id = ?', [new Date(Date.now() - 3_600_000), r.billboard.id]);
    });

    it('filters by department (through the category), channel, status, kind, municipality and priority', async () => {
      expect(await references({ text: marker, departmentCodes: ['ROADS_LIGHTING'] })).toEqual([r.pothole.reference]);
      expect(await references({ text: marker, departmentCodes: ['PARKS', 'CLEANLINESS'] })).toEqual([r.tree.reference, r.waste.reference].sort());
      expect(await references({ text: marker, channels: ['WHATSAPP', 'CALL_940'] })).toEqual([r.tree.reference, r.waste.reference].sort());
      expect(await references({ text: marker, statuses: ['RESOLVED'] })).toEqual([r.pothole.reference]);
      expect(await references({ text: marker, open: false })).toEqual([r.pothole.reference]);
      expect(await references({ text: marker, municipalityCodes: ['DAMMAM'], priorities: ['CRITICAL'] })).toEqual([r.billboard.reference]);
      expect(await references({ text: marker, kinds: ['INQUIRY'] })).toEqual([]);
    });

    it('finds a reporter by phone in any usual form, and refuses a string that is no phone number', async () => {
      const national = `0${phone.slice(4)}`;
      for (const form of [phone, national, phone.slice(1), `00${phone.slice(1)}`, `${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`]) {
        expect(await references({ text: marker, reporterPhone: form }), form).toEqual([r.pothole.reference, r.tree.reference].sort());
      }
      expect(await references({ reporterPhone: phone })).toEqual([r.pothole.reference, r.tree.reference].sort());
      expect(await references({ text: marker, reporterPhone: '   ' })).toHaveLength(4);
      const bad = await gql(app, LIST, { filter: { reporterPhone: 'call me' } }, token);
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect(bad.errors?.[0].extensions?.field).toBe('filter.reporterPhone');
    });

    it('filters by the received date range (from inclusive, to exclusive) and by overdue', async () => {
      expect(await references({ text: marker, receivedFrom: '2026-01-01T00:00:00Z', receivedTo: '2026-02-01T00:00:00Z' })).toEqual([r.pothole.reference]);
      expect(await references({ text: marker, receivedFrom: '2026-01-15T08:00:00Z', receivedTo: '2026-03-10T08:00:00Z' })).toEqual([r.pothole.reference]);
      expect(await references({ text: marker, receivedFrom: '2026-01-15T08:00:01Z', receivedTo: '2026-03-10T08:00:01Z' })).toEqual([r.waste.reference]);
      expect(await references({ text: marker, overdue: true })).toEqual([r.billboard.reference]);
      expect(await references({ text: marker, overdue: false })).toEqual([r.pothole.reference, r.tree.reference, r.waste.reference].sort());
    });

    it('finds words in Arabic and in English, case-insensitively, and a reference', async () => {
      expect(await references({ text: arabic })).toEqual([r.pothole.reference]);
      expect(await references({ text: `حفرة ${arabic}` })).toEqual([r.pothole.reference]);
      expect(await references({ text: english.toUpperCase() })).toEqual([r.waste.reference]);
      expect(await references({ text: `Overflowing ${english} WASTE` })).toEqual([r.waste.reference]);
      expect(await references({ text: r.tree.reference })).toEqual([r.tree.reference]);
    });

    it('offers a resolved, closed, rejected or merged report exactly the actions its status allows', async () => {
      const ACTIONS = 'query($id: ID!) { report(id: $id) { status allowedActions } }';
      type Actions = { report: { status: string; allowedActions: string[] } };
      expect((await ok<Actions>(app, ACTIONS, { id: r.pothole.id }, token)).report).toEqual({ status: 'RESOLVED', allowedActions: ['CLOSE', 'REOPEN', 'ATTACH_MEDIA'] });
      const marker = unique('acts').replace('-', '');
      const closed = await fileReport(app, token, { description: `${marker} closed later` });
      await resolve(closed);
      await ok(app, 'mutation($id: ID!) { closeReport(id: $id, note: "confirmed") { id } }', { id: closed.id }, token);
      expect((await ok<Actions>(app, ACTIONS, { id: closed.id }, token)).report).toEqual({ status: 'CLOSED', allowedActions: ['REOPEN'] });
      const rejected = await fileReport(app, token, { description: `${marker} private land` });
      await ok(app, 'mutation($id: ID!) { rejectReport(id: $id, reason: "private land") { id } }', { id: rejected.id }, token);
      expect((await ok<Actions>(app, ACTIONS, { id: rejected.id }, token)).report).toEqual({ status: 'REJECTED', allowedActions: ['REOPEN'] });
      const repeat = await fileReport(app, token, { description: `${marker} the same pothole again` });
      await ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id: repeat.id, of: closed.id }, token);
      expect((await ok<Actions>(app, ACTIONS, { id: repeat.id }, token)).report).toEqual({ status: 'DUPLICATE', allowedActions: ['REOPEN'] });
      await ok(app, 'mutation($id: ID!) { reopenReport(id: $id, reason: "not fixed") { id } }', { id: closed.id }, token);
      expect(await references({ text: marker, open: true, statuses: ['RECEIVED'] })).toContain(closed.reference);
    });
  });

  describe('sorted by received or updated time, paged with a cursor of that order', () => {
    const marker = unique('sort').replace('-', '');
    let filed: FiledReport[] = [];
    /** Plain code-unit comparison: ISO times of one format, and ids as PostgreSQL orders a uuid. */
    const cmp = (a: string, b: string) => Number(a > b) - Number(a < b);
    const ORDERS: Record<string, (a: Node, b: Node) => number> = {
      RECEIVED_DESC: (a, b) => cmp(b.receivedAt, a.receivedAt) || cmp(b.id, a.id),
      RECEIVED_ASC: (a, b) => cmp(a.receivedAt, b.receivedAt) || cmp(a.id, b.id),
      UPDATED_DESC: (a, b) => cmp(b.updatedAt, a.updatedAt) || cmp(b.id, a.id),
    };

    beforeAll(async () => {
      filed = [];
      for (let i = 0; i < 7; i++) filed.push(await fileReport(app, token, { description: `${marker} report ${i}` }));
      // Three share one receipt time and two one update time: the id breaks the ties, so paging still loses none.
      const received = ['2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z', '2026-02-02T10:00:00Z', '2026-01-20T10:00:00Z', '2026-02-03T10:00:00Z', '2026-01-05T10:00:00Z'];
      const updated = ['2026-03-01T10:00:00Z', '2026-02-25T10:00:00Z', '2026-03-01T10:00:00Z', '2026-02-20T10:00:00Z', '2026-03-05T10:00:00Z', '2026-02-28T10:00:00Z', '2026-02-10T10:00:00Z'];
      for (const [i, report] of filed.entries()) await sql(app, 'update report set received_at = ?, updated_at = ? where id = ?', [new Date(received[i]), new Date(updated[i]), report.id]);
    });

    for (const orderBy of Object.keys(ORDERS)) {
      it(`pages ${orderBy} two at a time with no report twice and none lost, in that order`, async () => {
        const seen: Node[] = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const page = await list({ text: marker }, { orderBy, first: 2, after });
          seen.push(...page.edges.map((edge) => edge.node));
          after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
          pages++;
        } while (after);
        expect(pages).toBe(4);
        expect(new Set(seen.map((node) => node.id)).size).toBe(7);
        expect(seen.map((node) => node.id)).toEqual([...seen].sort(ORDERS[orderBy]).map((node) => node.id));
        expect(seen.map((node) => node.id).sort()).toEqual(filed.map((report) => report.id).sort());
      });
    }

    it('newest first means the latest received report leads, and the queue stays the default order', async () => {
      const newest = await list({ text: marker }, { orderBy: 'RECEIVED_DESC', first: 1 });
      expect(newest.edges[0].node.id).toBe(filed[5].id);
      expect(newest.totalCount).toBe(7);
      const oldest = await list({ text: marker }, { orderBy: 'RECEIVED_ASC', first: 1 });
      expect(oldest.edges[0].node.id).toBe(filed[6].id);
      const changed = await list({ text: marker }, { orderBy: 'UPDATED_DESC', first: 1 });
      expect(changed.edges[0].node.id).toBe(filed[4].id);
    });

    it('refuses a cursor written for another order', async () => {
      const cursors: Record<string, string> = {};
      for (const orderBy of ['QUEUE', ...Object.keys(ORDERS)]) cursors[orderBy] = (await list({ text: marker }, { orderBy, first: 1 })).edges[0].cursor;
      for (const [writtenFor, cursor] of Object.entries(cursors)) {
        for (const orderBy of ['QUEUE', ...Object.keys(ORDERS)]) {
          if (orderBy === writtenFor) continue;
          const refused = await gql(app, LIST, { filter: { text: marker }, orderBy, after: cursor }, token);
          expect(codeOf(refused), `${writtenFor} cursor in ${orderBy}`).toBe('BAD_USER_INPUT');
          expect(refused.errors?.[0].extensions?.field).toBe('after');
        }
      }
    });
  });

  describe('each viewer finds only what it may see', () => {
    const marker = unique('aud').replace('-', '');

    it("refuses a crew and an integrator a look-up by the reporter's phone, which would tell them which reports a number filed", async () => {
      const team = await crew(app);
      const integrator = await apiKey(app, Role.INTEGRATOR);
      for (const as of [team.token, integrator]) {
        const refused = await gql<{ reports: unknown }>(app, 'query($f: ReportFilter) { reports(filter: $f) { edges { node { id } } } }', { f: { reporterPhone: '0501234567' } }, as);
        expect(codeOf(refused)).toBe('FORBIDDEN');
        expect(refused.data?.reports ?? null).toBeNull();
      }
    });

    it('a crew finds only the reports it holds, an intake key only what it filed, in every order', async () => {
      const intake = await apiKey(app, Role.INTAKE);
      const byGateway = await fileReport(app, intake, { description: `${marker} from the app` });
      const byCall = await fileReport(app, token, { description: `${marker} from a call` });
      const team = await crew(app);
      await assign(app, token, byCall.id, team.id);
      for (const orderBy of ['QUEUE', 'RECEIVED_DESC', 'UPDATED_DESC']) {
        expect((await list({ text: marker }, { orderBy, as: team.token })).edges.map((edge) => edge.node.id)).toEqual([byCall.id]);
        expect((await list({ text: marker }, { orderBy, as: intake })).edges.map((edge) => edge.node.id)).toEqual([byGateway.id]);
      }
      expect(await references({ text: marker })).toEqual([byCall.reference, byGateway.reference].sort());
    });
  });

  describe('jumping to a report by reference and to a caller by phone', () => {
    const BY_REFERENCE = 'query($reference: String!) { reportByReference(reference: $reference) { id reference } }';
    type Found = { reportByReference: { id: string; reference: string } | null };

    it('resolves a whole reference, its number alone and its number with the zeros, for staff', async () => {
      const report = await fileReport(app, token, { description: 'jump to me' });
      const number = shortNumber(report.reference);
      for (const reference of [report.reference, report.reference.toLowerCase(), number, number.padStart(6, '0'), `0${number.padStart(6, '0')}`]) {
        expect((await ok<Found>(app, BY_REFERENCE, { reference }, token)).reportByReference, reference).toEqual({ id: report.id, reference: report.reference });
      }
      expect((await ok<Found>(app, BY_REFERENCE, { reference: '99999999' }, token)).reportByReference).toBeNull();
    });

    it('reads a number alone as this year’s first, then as another year’s, and within the viewer’s audience', async () => {
      const older = await fileReport(app, token, { description: 'filed last year' });
      const lastYear = older.reference.replace(/^940-(\d{4})-/, (_, year: string) => `940-${Number(year) - 1}-`);
      await sql(app, 'update report set reference = ? where id = ?', [lastYear, older.id]);
      expect((await ok<Found>(app, BY_REFERENCE, { reference: shortNumber(lastYear) }, token)).reportByReference?.id).toBe(older.id);

      const intake = await apiKey(app, Role.INTAKE);
      const notTheirs = await fileReport(app, token, { description: 'not the gateway’s' });
      const theirs = await fileReport(app, intake, { description: 'the gateway’s' });
      expect((await ok<Found>(app, BY_REFERENCE, { reference: shortNumber(notTheirs.reference) }, intake)).reportByReference).toBeNull();
      expect((await ok<Found>(app, BY_REFERENCE, { reference: shortNumber(theirs.reference) }, intake)).reportByReference?.id).toBe(theirs.id);
      const team = await crew(app);
      expect((await ok<Found>(app, BY_REFERENCE, { reference: notTheirs.reference }, team.token)).reportByReference).toBeNull();
    });

    it('a dispatcher and a supervisor open a caller’s history by phone in any form', async () => {
      const phone = mobile();
      const first = await fileReport(app, token, { description: 'first call', reporter: { phone } });
      const second = await fileReport(app, token, { description: 'second call', reporter: { phone: `0${phone.slice(4)}` } });
      const supervisor = await staff(app, Role.SUPERVISOR);
      for (const viewer of [token, supervisor.token]) {
        const history = await ok<{ reporterHistory: Array<{ id: string }> }>(app, 'query($phone: String!) { reporterHistory(phone: $phone) { id } }', { phone: phone.slice(1) }, viewer);
        expect(history.reporterHistory.map((report) => report.id)).toEqual([second.id, first.id]);
      }
    });
  });
});
