import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { positional } from '../server/src/common/bounded-reads.js';
import { freshDatabase } from './support/database.js';
import { staff } from './support/factories.js';
import { ok, startServer, type App } from './support/server.js';

/** Reports in the archive's database: a few years of a busy 940 center. */
const ROWS = 1_000_000;
/** Every RARE-th report carries the rare Arabic or English words the searches look for. */
const RARE = 200_000;
/** Each phone number filed this many reports. */
const PER_PHONE = 20;

const LIST = `query($filter: ReportFilter, $orderBy: ReportOrder, $after: String) {
  reports(filter: $filter, orderBy: $orderBy, first: 20, after: $after) { edges { cursor node { id description } } }
}`;
type Listed = { reports: { edges: Array<{ cursor: string; node: { id: string; description: string } }> } };

/**
 * Fills `report` with ROWS short reports in one statement: a few Arabic and English words, five categories of
 * four departments, four municipalities, every channel and status, receipts a minute apart over two years.
 * The report's secondary indexes and unique constraints are dropped first and built again after, from their own
 * definitions, and foreign keys are not checked row by row (every code is a seeded one): one bulk build is many
 * times faster than a million single inserts into a dozen indexes, and the indexes are the same. Ids ascend with
 * the rows, so the primary key grows at its end instead of at a random page per row.
 */
async function fill(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `select i.indexname as name, i.indexdef as definition from pg_indexes i
       where i.tablename = 'report' and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    );
    const { rows: uniques } = await client.query<{ name: string; definition: string }>(
      `select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = 'report'::regclass and contype = 'u'`,
    );
    for (const index of indexes) await client.query(`drop index "${index.name}"`);
    for (const unique of uniques) await client.query(`alter table report drop constraint "${unique.name}"`);
    await client.query(`set session_replication_role = replica`);
    await client.query(
      `insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, municipality_code,
         reporter_phone, reporter_phone_e164, received_at, target_at, submitted_by, idempotency_key, updated_at, version)
       select lpad(to_hex(g), 32, '0')::uuid, '940-2025-' || lpad(g::text, 7, '0'), 'INCIDENT',
         (array['BALAGHATI_APP', 'WHATSAPP', 'CALL_940', 'WEB_PORTAL', 'EMAIL', 'SOCIAL_MEDIA'])[1 + g % 6],
         (array['POTHOLE', 'WASTE_ACCUMULATION', 'FALLEN_TREE', 'STREETLIGHT_OUTAGE', 'WATER_LEAK'])[1 + g % 5], 'NORMAL', 2,
         (array['RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'REJECTED', 'RESOLVED'])[1 + g % 7],
         (array['حفرة في الطريق', 'إنارة معطلة', 'تجمع نفايات', 'pothole on the road', 'streetlight out', 'waste not collected'])[1 + g % 6]
           || ' ' || (array['قرب المدرسة', 'near the mosque', 'أمام السوق', 'by the park'])[1 + g % 4]
           || case when g % ${RARE} = 7 then ' تسرب مياه غزير' when g % ${RARE} = 11 then ' burst watermain flooding' else '' end,
         26.3, 50.1, (array['DAMMAM', 'KHOBAR', 'DHAHRAN', 'QATIF'])[1 + g % 4],
         '05' || lpad((g % ${ROWS / PER_PHONE})::text, 8, '0'), '+9665' || lpad((g % ${ROWS / PER_PHONE})::text, 8, '0'),
         timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute', timestamptz '2024-01-02 00:00:00+00' + g * interval '1 minute',
         'key:bulk', 'bulk-' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' + (g % 997) * interval '1 hour', 1
       from generate_series(1, ${ROWS}) g`,
    );
    await client.query(`set session_replication_role = origin`);
    // Two builders at once, one per core, each taking the next index to build.
    const statements = [...uniques.map((unique) => `alter table report add constraint "${unique.name}" ${unique.definition}`), ...indexes.map((index) => index.definition)];
    const second = new pg.Client({ connectionString: url });
    await second.connect();
    try {
      await Promise.all(
        [client, second].map(async (builder) => {
          await builder.query(`set maintenance_work_mem = '256MB'`);
          for (let next = statements.shift(); next; next = statements.shift()) await builder.query(next);
        }),
      );
    } finally {
      await second.end();
    }
    await client.query('analyze report');
  } finally {
    await client.end();
  }
}

describe(`the archive's reads over ${ROWS.toLocaleString('en')} reports`, () => {
  let app: App;
  let token: string;
  let explainer: pg.Client;
  const statements: Array<{ text: string; params: readonly unknown[] }> = [];

  beforeAll(async () => {
    const url = await freshDatabase('archive');
    app = await startServer({ databaseUrl: url, overdueCheckMs: 3_600_000, readStatementTimeoutMs: 120_000 }, { onQuery: (text, params) => statements.push({ text, params }) });
    await fill(url);
    token = (await staff(app)).token;
    explainer = new pg.Client({ connectionString: url });
    await explainer.connect();
  }, 600_000);
  afterAll(async () => {
    await explainer?.end();
    await app?.close();
  });

  /** The answer to the list query, and the plan PostgreSQL chooses for the page statement the server sent for it. */
  async function plan(variables: Record<string, unknown>): Promise<{ listed: Listed['reports']; plan: string }> {
    statements.length = 0;
    const listed = (await ok<Listed>(app, LIST, variables, token)).reports;
    const page = statements.find((statement) => statement.text.includes('from report r where') && / limit \d+\) r/.test(statement.text));
    if (!page) throw new Error('the list sent no page statement');
    // The statement as sent, its values bound as the server binds them (each array one parameter).
    const { rows } = await explainer.query<{ 'QUERY PLAN': string }>(`explain ${positional(page.text)}`, [...page.params]);
    return { listed, plan: rows.map((row) => row['QUERY PLAN']).join('\n') };
  }

  it('finds Arabic and English words, newest first too, through the trigram index, not by reading every report', async () => {
    for (const [text, word] of [
      ['تسرب مياه', 'تسرب مياه'],
      ['WaterMain Flooding', 'watermain flooding'],
    ]) {
      for (const orderBy of ['QUEUE', 'RECEIVED_DESC', 'UPDATED_DESC']) {
        const { listed, plan: shown } = await plan({ filter: { text }, orderBy });
        expect(listed.edges).toHaveLength(ROWS / RARE);
        for (const edge of listed.edges) expect(edge.node.description).toContain(word);
        expect(shown, `${text} ${orderBy}`).toMatch(/Bitmap Index Scan on report_description_trgm_index/);
        expect(shown, `${text} ${orderBy}`).not.toMatch(/Seq Scan on report\b/);
      }
    }
  });

  it('pages newest received first through the (received_at, id) index, read backwards, with a status and municipality filter', async () => {
    const filter = { statuses: ['RESOLVED', 'CLOSED'], municipalityCodes: ['DAMMAM'] };
    const first = await plan({ filter, orderBy: 'RECEIVED_DESC' });
    expect(first.listed.edges).toHaveLength(20);
    expect(first.plan).toMatch(/Index Scan Backward using report_received_at_id_index on report/);
    expect(first.plan).not.toMatch(/Seq Scan on report\b|Sort\b/);
    const second = await plan({ filter, orderBy: 'RECEIVED_DESC', after: first.listed.edges.at(-1)?.cursor });
    expect(second.plan).toMatch(/Index Scan Backward using report_received_at_id_index on report/);
    expect(second.plan).toMatch(/Index Cond: \(ROW\(received_at, id\) < ROW\(/);
  });

  it('pages oldest received first forwards through the same index, with a channel filter and a date range', async () => {
    const filter = { channels: ['WHATSAPP'], receivedFrom: '2025-03-01T00:00:00Z', receivedTo: '2025-04-01T00:00:00Z' };
    const first = await plan({ filter, orderBy: 'RECEIVED_ASC' });
    expect(first.listed.edges).toHaveLength(20);
    const second = await plan({ filter, orderBy: 'RECEIVED_ASC', after: first.listed.edges.at(-1)?.cursor });
    for (const shown of [first.plan, second.plan]) {
      expect(shown).toMatch(/Index Scan using report_received_at_id_index on report/);
      expect(shown).not.toMatch(/Seq Scan on report\b|Sort\b/);
    }
  });

  it('pages the most recently changed first through the (updated_at, id) index, with a department filter', async () => {
    const first = await plan({ filter: { departmentCodes: ['ROADS_LIGHTING'], open: false }, orderBy: 'UPDATED_DESC' });
    expect(first.listed.edges).toHaveLength(20);
    expect(first.plan).toMatch(/Index Scan Backward using report_updated_at_id_index on report/);
    expect(first.plan).not.toMatch(/Seq Scan on report\b/);
    const second = await plan({ filter: { departmentCodes: ['ROADS_LIGHTING'], open: false }, orderBy: 'UPDATED_DESC', after: first.listed.edges.at(-1)?.cursor });
    expect(second.plan).toMatch(/Index Scan Backward using report_updated_at_id_index on report/);
  });

  it("finds a reporter's reports, newest first, through the phone index whatever form the number is typed in", async () => {
    for (const reporterPhone of ['0500001234', '+966500001234', '966 50 000 1234']) {
      const { listed, plan: shown } = await plan({ filter: { reporterPhone }, orderBy: 'RECEIVED_DESC' });
      expect(listed.edges).toHaveLength(PER_PHONE);
      expect(shown).toMatch(/report_reporter_phone_index/);
      expect(shown).not.toMatch(/Seq Scan on report\b/);
    }
  });
});
