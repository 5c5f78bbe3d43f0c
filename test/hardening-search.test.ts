import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { freshDatabase } from './support/database.js';
import { apiKey, fileReport, sql, staff } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';

/** Reports in the search database: enough that reading them all is a visible cost next to an index lookup. */
const ROWS = 100_000;
/** Every RARE-th report carries the rare Arabic and English words the tests look for. */
const RARE = 25_000;

const SEARCH = `query($text: String!, $first: Int! = 20) {
  reports(filter: { text: $text }, first: $first) { totalCount edges { node { id reference description } } }
}`;
type Found = { reports: { totalCount: number; edges: Array<{ node: { id: string; reference: string; description: string } }> } };
type Page = { reports: { edges: Array<{ node: { id: string } }> } };

/** Fills `report` with ROWS reports in one statement: common Arabic and English words, and a few rare ones. */
async function fill(app: App): Promise<void> {
  await sql(
    app,
    `insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, municipality_code,
       received_at, target_at, submitted_by, idempotency_key, updated_at, version)
     select gen_random_uuid(), '940-2025-' || lpad(g::text, 7, '0'), 'INCIDENT', 'WEB_PORTAL', 'POTHOLE', 'NORMAL', 2,
       (array['RECEIVED', 'ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'])[1 + g % 5],
       (array['حفرة في الطريق', 'إنارة معطلة', 'تجمع نفايات', 'pothole on the road', 'streetlight out', 'waste not collected'])[1 + g % 6]
         || ' ' || (array['قرب المدرسة', 'near the mosque', 'أمام السوق', 'by the park'])[1 + g % 4] || ' ' || md5(g::text)
         || case when g % ${RARE} = 7 then ' تسرب مياه غزير' when g % ${RARE} = 11 then ' burst watermain flooding' else '' end,
       26.28, 50.2, 'KHOBAR', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '48 hours', 'key:bulk', 'bulk-' || g, now(), 1
     from generate_series(1, ${ROWS}) g`,
  );
  await sql(app, 'analyze report');
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('text search over many reports', () => {
  let url: string;
  let app: App;
  let token: string;
  const statements: string[] = [];

  beforeAll(async () => {
    url = await freshDatabase('search');
    // A generous read budget here: the load test below must see searches queue, not time out.
    app = await startServer(
      { databaseUrl: url, overdueCheckMs: 3_600_000, readStatementTimeoutMs: 120_000, searchConcurrency: 3 },
      { onQuery: (text, params) => statements.push(app ? app.orm.em.getPlatform().formatQuery(text, params) : text) },
    );
    await fill(app);
    token = (await staff(app)).token;
  }, 300_000);
  afterAll(() => app?.close());

  /** The plan PostgreSQL chooses for the page statement the server sends for this search. */
  async function plan(text: string): Promise<string> {
    statements.length = 0;
    await ok<Page>(app, 'query($text: String!) { reports(filter: { text: $text }) { edges { node { id } } } }', { text }, token);
    const page = statements.find((statement) => statement.includes('ilike'));
    expect(page).toBeDefined();
    const rows = await sql<{ 'QUERY PLAN': string }>(app, `explain ${page}`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  it('finds Arabic and English words and references, case-insensitively, through the trigram indexes (Arabic letters make trigrams), not by reading every report', async () => {
    const arabic = await ok<Found>(app, SEARCH, { text: 'تسرب مياه' }, token);
    expect(arabic.reports.totalCount).toBe(ROWS / RARE);
    for (const edge of arabic.reports.edges) expect(edge.node.description).toContain('تسرب مياه');
    const english = await ok<Found>(app, SEARCH, { text: 'WaterMain' }, token);
    expect(english.reports.totalCount).toBe(ROWS / RARE);
    for (const edge of english.reports.edges) expect(edge.node.description).toContain('watermain');
    const reference = await ok<Found>(app, SEARCH, { text: '2025-0012345' }, token);
    expect(reference.reports.edges.map((edge) => edge.node.reference)).toEqual(['940-2025-0012345']);

    const [{ trigrams }] = await sql<{ trigrams: string[] }>(app, "select show_trgm('تسرب') as trigrams");
    expect(trigrams.length).toBeGreaterThan(0);
    for (const text of ['تسرب مياه', 'watermain', '2025-0012345']) {
      const shown = await plan(text);
      expect(shown).toMatch(/Bitmap Index Scan on report_description_trgm_index/);
      expect(shown).toMatch(/Bitmap Index Scan on report_reference_trgm_index/);
      expect(shown).not.toMatch(/Seq Scan on report|Index Scan using report_order_index/);
    }
  });

  it('refuses a text too short to have a trigram, which only a full read could answer; blank text is no condition', async () => {
    const short = await gql(app, SEARCH, { text: ' zq ' }, token);
    expect(codeOf(short)).toBe('BAD_USER_INPUT');
    expect(short.errors?.[0].extensions?.field).toBe('filter.text');
    const blank = await ok<Page>(app, 'query { reports(filter: { text: "  " }, first: 1) { edges { node { id } } } }', {}, token);
    expect(blank.reports.edges).toHaveLength(1);
  });

  it('lets a life-safety createReport through while 40 slow searches hold at most SEARCH_CONCURRENCY connections', async () => {
    const intake = await apiKey(app, Role.INTAKE);
    // Counting a word in a sixth of the reports reads every one of them: each search takes a while.
    const searches = Array.from({ length: 40 }, () => gql<Found>(app, SEARCH, { text: 'حفرة' }, token));
    let finished = 0;
    for (const search of searches) void search.then(() => finished++);
    await until(() => app.services.queue.reads.searchesQueued >= 30, 'the searches to queue');
    expect(app.services.queue.reads.searchesRunning).toBe(3);

    const created = await fileReport(app, intake, { categoryCode: 'HAZARDOUS_BILLBOARD', description: 'لوحة إعلانية آيلة للسقوط على الطريق' });
    expect(created.priority).toBe('CRITICAL');
    const stillSearching = 40 - finished;

    const results = await Promise.all(searches);
    for (const result of results) expect(result.errors).toBeUndefined();
    for (const result of results) expect(result.data?.reports.totalCount).toBe(Math.floor(ROWS / 6));
    // Filed while at least half the searches were still waiting or running: it did not queue behind them.
    expect(stillSearching).toBeGreaterThanOrEqual(20);
  });

  it('cancels a read that exceeds READ_STATEMENT_TIMEOUT_MS in PostgreSQL and answers TIMEOUT, and the connection serves the next read', async () => {
    const strict = await startServer({ databaseUrl: url, overdueCheckMs: 3_600_000, readStatementTimeoutMs: 20 });
    try {
      const strictToken = (await staff(strict)).token;
      const slow = await gql(strict, SEARCH, { text: 'حفرة' }, strictToken);
      expect(slow.status).toBe(200);
      expect(codeOf(slow)).toBe('TIMEOUT');
      expect(slow.errors?.[0].message).not.toMatch(/statement|cancel.*request|57014/i);
      const [{ active }] = await sql<{ active: string }>(strict, "select count(*) as active from pg_stat_activity where state = 'active' and query ilike '%حفرة%' and pid <> pg_backend_pid()");
      expect(Number(active)).toBe(0);
      const quick = await ok<Page>(strict, 'query { reports(first: 1) { edges { node { id } } } }', {}, strictToken);
      expect(quick.reports.edges).toHaveLength(1);
      const timeouts = await sql<{ t: string }>(strict, 'show statement_timeout');
      expect(timeouts[0].t ?? Object.values(timeouts[0])[0]).toBe('0');
    } finally {
      await strict.close();
    }
  });
});
