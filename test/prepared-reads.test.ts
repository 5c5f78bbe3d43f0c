import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedReads, positional, PreparedStatements, sqlLiteral } from '../server/src/common/bounded-reads.js';
import { freshDatabase } from './support/database.js';
import { fileReport, staff } from './support/factories.js';
import { ok, startServer, type App } from './support/server.js';

const QUEUE = `query { reports(first: 5, filter: { statuses: [RECEIVED, ASSIGNED] }) { edges { node { reference status } } } }`;
type Queue = { reports: { edges: Array<{ node: { reference: string; status: string } }> } };

/** Every idle connection of the ORM's pool, held at once, so a test can act on each. */
async function eachIdleConnection(app: App, act: (client: PoolClient) => Promise<unknown>): Promise<number> {
  const pool = await app.orm.em.getConnection().getNativeClient();
  const held: PoolClient[] = [];
  for (let i = pool.idleCount; i > 0; i--) held.push(await pool.connect());
  try {
    for (const client of held) await act(client);
  } finally {
    for (const client of held) client.release();
  }
  return held.length;
}

describe('reads prepared once per connection', () => {
  let app: App;
  let em: EntityManager;
  let token: string;

  beforeAll(async () => {
    app = await startServer({ databaseUrl: await freshDatabase('prepared'), overdueCheckMs: 3_600_000 });
    em = app.orm.em.fork();
    token = (await staff(app)).token;
    for (let i = 0; i < 3; i++) await fileReport(app, token, { description: `prepared read ${i} — بلاغ` });
  }, 120_000);
  afterAll(() => app?.close());

  it('writes placeholders as $n outside quoted text, and values as literals PostgreSQL reads back exactly', async () => {
    expect(positional(`select ?, '?', "a?b", ? from t where x = 'it''s ?' and y = any(?)`)).toBe(`select $1, '?', "a?b", $2 from t where x = 'it''s ?' and y = any($3)`);
    const values = ['plain', `it's`, 'back\\slash', 'quote"d', 'comma,brace}{', 'عربي', ''];
    const pool = await em.getConnection().getNativeClient();
    const client = await pool.connect();
    try {
      const text = `select ${sqlLiteral(client, values)}::text[] as a, ${sqlLiteral(client, `o'neil \\ "x"`)}::text as s, ${sqlLiteral(client, null)}::text as n, ${sqlLiteral(client, new Date('2026-12-02T01:02:03.456Z'))}::timestamptz = timestamptz '2026-12-02 04:02:03.456+03' as d`;
      const { rows } = await client.query(text);
      expect(rows[0]).toEqual({ a: values, s: `o'neil \\ "x"`, n: null, d: true });
    } finally {
      client.release();
    }
  });

  it('answers the queue page the same before and after every connection lost its prepared statements', async () => {
    const first = await ok<Queue>(app, QUEUE, {}, token);
    expect(first.reports.edges).toHaveLength(3);
    for (let i = 0; i < 6; i++) expect(await ok<Queue>(app, QUEUE, {}, token)).toEqual(first);
    const named: string[] = [];
    const connections = await eachIdleConnection(app, async (client) => {
      const { rows } = await client.query<{ name: string }>(`select name from pg_prepared_statements where name like 'balagh_read_%'`);
      named.push(...rows.map((row) => row.name));
      await client.query('deallocate all');
    });
    expect(connections).toBeGreaterThan(0);
    expect(named.length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) expect(await ok<Queue>(app, QUEUE, {}, token)).toEqual(first);
  });

  it('keeps at most its limit of statements on a connection, dropping the least recently used', async () => {
    const statements = new PreparedStatements(2);
    const pool = await em.getConnection().getNativeClient();
    const client = await pool.connect();
    try {
      await client.query('deallocate all');
      const names: Record<number, string | null> = {};
      for (const n of [1, 2, 1, 3]) names[n] = await statements.ensure(client, `select ${n} as n, $1::int as p`);
      const { rows } = await client.query<{ name: string }>(`select name from pg_prepared_statements`);
      expect(rows.map((row) => row.name).sort()).toEqual([names[1], names[3]].sort());
      expect(names[2]).toMatch(/^balagh_read_/);
      expect((await client.query(`execute ${names[3]}(7)`)).rows).toEqual([{ n: 3, p: 7 }]);
    } finally {
      await client.query('deallocate all');
      client.release();
    }
  });

  it('runs a statement PostgreSQL cannot prepare as written unprepared, with the same answer', async () => {
    const reads = new BoundedReads({ statementTimeoutMs: 5_000, searchConcurrency: 1 });
    for (let i = 0; i < 2; i++) expect(await reads.select<{ missing: boolean }>(em, 'select ? is null as missing', [null], { search: false })).toEqual([{ missing: true }]);
    expect(
      await reads.select<{ n: number }>(
        em,
        'select count(*)::int as n from unnest(?::text[]) v where v = any(?)',
        [
          ['a', 'b', 'c'],
          ['b', 'c'],
        ],
        { search: false },
      ),
    ).toEqual([{ n: 2 }]);
  });

  it('still cancels a prepared read that outlives the read budget, and the connection serves the next read', async () => {
    const reads = new BoundedReads({ statementTimeoutMs: 300, searchConcurrency: 1 });
    for (let i = 0; i < 2; i++) await expect(reads.select(em, 'select pg_sleep(?)', [5], { search: false })).rejects.toMatchObject({ extensions: { code: 'TIMEOUT' } });
    expect(await reads.select<{ one: number }>(em, 'select ?::int as one', [1], { search: false })).toEqual([{ one: 1 }]);
  });
});
