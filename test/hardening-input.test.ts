import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, count, fileReport, reportInput, sql, staff } from './support/factories.js';
import { gql, startServer, type App, type GqlResponse } from './support/server.js';
import { connect } from './support/ws.js';

const CREATE = 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }';
const LIST = 'query($after: String, $filter: ReportFilter) { reports(first: 5, after: $after, filter: $filter) { totalCount edges { cursor } } }';

function expectBadInput(result: Pick<GqlResponse, 'status' | 'errors'>, field: string): void {
  expect(result.status).toBeLessThan(500);
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
}

/** Runs one query or mutation over a graphql-ws socket; resolves with its result or its errors. */
function overSocket(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<Pick<GqlResponse, 'status' | 'errors'> & { data?: unknown }> {
  return new Promise((resolve) => {
    let result: { data?: unknown; errors?: GqlResponse['errors'] } = {};
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          result = value as typeof result;
        },
        error: (err) => resolve({ status: 200, errors: (Array.isArray(err) ? err : [err]) as GqlResponse['errors'] }),
        complete: () => resolve({ status: 200, ...result }),
      },
    );
  });
}

function listCursor(rank: unknown, targetAt: unknown, id: unknown = randomUUID()): string {
  return Buffer.from(JSON.stringify([rank, targetAt, id])).toString('base64url');
}

describe('bad bytes are bad input, never an outage or an internal error', () => {
  let app: App;
  let dispatcher: { token: string };
  let intake: string;
  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
    intake = await apiKey(app, Role.INTAKE);
  });
  afterAll(() => app.close());

  const unstorable = [
    { name: 'a NUL character', text: (base: string) => `${base}\u0000tail` },
    { name: 'a lone surrogate', text: (base: string) => `${base}\ud800tail` },
  ];

  it.each(unstorable)('createReport with $name in the description or the reporter name → BAD_USER_INPUT naming it, nothing written', async ({ text }) => {
    const viaDescription = reportInput({ description: text('pothole') });
    expectBadInput(await gql(app, CREATE, { input: viaDescription }, intake), 'input.description');
    const base = reportInput();
    const viaName = { ...base, reporter: { ...base.reporter, name: text('Sara') } };
    expectBadInput(await gql(app, CREATE, { input: viaName }, intake), 'input.reporter.name');
    const keys = [viaDescription.idempotencyKey, viaName.idempotencyKey];
    expect(await count(app, 'select count(*) as n from report where idempotency_key in (?, ?)', keys)).toBe(0);
  });

  it.each(unstorable)('$name in a filter, a reference, a cursor, an id, a note or a user name (variables) → BAD_USER_INPUT naming the argument', async ({ text }) => {
    expectBadInput(await gql(app, LIST, { filter: { text: text('حفرة') } }, dispatcher.token), 'filter.text');
    expectBadInput(await gql(app, LIST, { filter: { categoryCodes: ['POTHOLE', text('X')] } }, dispatcher.token), 'filter.categoryCodes.1');
    expectBadInput(await gql(app, LIST, { after: text('abc') }, dispatcher.token), 'after');
    expectBadInput(await gql(app, 'query($r: String!) { reportByReference(reference: $r) { id } }', { r: text('940-2026-') }, dispatcher.token), 'reference');
    const report = await fileReport(app, intake);
    expectBadInput(await gql(app, 'mutation($id: ID!, $note: String) { closeReport(id: $id, note: $note) { id } }', { id: report.id, note: text('done') }, dispatcher.token), 'note');
    expectBadInput(await gql(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id: report.id, of: text(randomUUID()) }, dispatcher.token), 'duplicateOf');
    expectBadInput(await gql(app, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: text('dispatcher'), p: 'x' }), 'username');
    const [row] = await sql<{ status: string; version: number }>(app, 'select status, version from report where id = ?', [report.id]);
    expect(row).toMatchObject({ status: 'RECEIVED', version: report.version });
  });

  it('a NUL written as a \\u0000 escape in a literal of the document → BAD_USER_INPUT naming the argument', async () => {
    expectBadInput(await gql(app, 'mutation { login(username: "dispatcher\\u0000", password: "x") { token } }'), 'username');
    expectBadInput(await gql(app, '{ reports(first: 5, filter: { text: "a\\u0000b" }) { totalCount } }', {}, dispatcher.token), 'filter.text');
    const input = reportInput();
    const literal = `mutation { createReport(input: { idempotencyKey: "${input.idempotencyKey}", kind: INCIDENT, channel: BALAGHATI_APP, categoryCode: "POTHOLE", description: "hole\\u0000", location: { lat: 26.2794, lng: 50.2083 } }) { id } }`;
    expectBadInput(await gql(app, literal, {}, intake), 'input.description');
    expect(await count(app, 'select count(*) as n from report where idempotency_key = ?', [input.idempotencyKey])).toBe(0);
  });

  it('over the WebSocket too: variables and literals with a NUL, in mutations and subscriptions → BAD_USER_INPUT naming the argument, nothing written', async () => {
    const client = connect(app, intake);
    try {
      const input = reportInput({ description: 'hole\u0000' });
      expectBadInput(await overSocket(client, CREATE, { input }), 'input.description');
      const literal = `mutation { createReport(input: { idempotencyKey: "${randomUUID()}", kind: INCIDENT, channel: WHATSAPP, categoryCode: "POTHOLE", description: "a hole", location: { lat: 26.2794, lng: 50.2083, address: "King\\u0000Khalid St" } }) { id } }`;
      expectBadInput(await overSocket(client, literal), 'input.location.address');
      expect(await count(app, 'select count(*) as n from report where idempotency_key = ?', [input.idempotencyKey])).toBe(0);
    } finally {
      await client.dispose();
    }
    const watcher = connect(app, dispatcher.token);
    try {
      const subscription = 'subscription($filter: DispatchEventFilter) { dispatchEvents(filter: $filter) { cursor } }';
      expectBadInput(await overSocket(watcher, subscription, { filter: { categoryCodes: ['POTHOLE\u0000'] } }), 'filter.categoryCodes.0');
    } finally {
      await watcher.dispose();
    }
  });
});

describe('a forged report list cursor is BAD_USER_INPUT naming `after`, never an internal error', () => {
  let app: App;
  let dispatcher: { token: string };
  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  const nextYear = new Date().getUTCFullYear() + 1;
  const forged = [
    { case: '31 February', after: listCursor(2, '2026-02-31 10:00:00+00') },
    { case: '30 February in ISO form', after: listCursor(2, '2026-02-30T10:00:00Z') },
    { case: 'year 0', after: listCursor(2, '0000-01-01 10:00:00+00') },
    { case: 'hour 25', after: listCursor(2, '2026-01-01 25:00:00+00') },
    { case: 'minute 61', after: listCursor(2, '2026-01-01 10:61:00+00') },
    { case: 'month 13', after: listCursor(2, '2026-13-01 10:00:00+00') },
    { case: 'a 99-hour offset', after: listCursor(2, '2026-01-01 10:00:00+99') },
    { case: 'a 75-minute offset', after: listCursor(2, '2026-01-01 10:00:00+03:75') },
    { case: 'the far future (year 9999)', after: listCursor(2, '9999-12-31 23:59:59-14') },
    { case: 'more than ten years ahead', after: listCursor(2, `${nextYear + 10}-06-01 10:00:00+00`) },
    { case: 'the far past (year 1900)', after: listCursor(2, '1900-01-01 00:00:00+00') },
    { case: 'a rank no priority has', after: listCursor(99, '2026-01-01 10:00:00+00') },
    { case: 'a fractional rank', after: listCursor(1.5, '2026-01-01 10:00:00+00') },
    { case: 'an id that is not one', after: listCursor(2, '2026-01-01 10:00:00+00', "'; drop table report; --") },
    { case: 'not JSON', after: Buffer.from('[2, 2026').toString('base64url') },
    { case: 'an object instead of a list', after: Buffer.from('{"rank":2}').toString('base64url') },
  ];

  it(`impossible dates, the far future or past, unknown ranks and malformed shapes are refused (${forged.length} cursors), while the list's own cursors page on`, async () => {
    for (const { case: name, after } of forged) {
      const result = await gql(app, LIST, { after }, dispatcher.token);
      expect(result.status, name).toBeLessThan(500);
      expect(result.errors?.[0]?.extensions, name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const key = await apiKey(app, Role.INTAKE);
    await fileReport(app, key);
    await fileReport(app, key);
    const first = await gql<{ reports: { edges: Array<{ cursor: string }> } }>(app, LIST, {}, dispatcher.token);
    expect(first.errors).toBeUndefined();
    const next = await gql(app, LIST, { after: first.data!.reports.edges[0].cursor }, dispatcher.token);
    expect(next.errors).toBeUndefined();
  });
});

describe('two dispatchers marking two reports duplicates of each other at once', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('one succeeds, the other gets a typed error, never a deadlock or a cycle (10 rounds)', async () => {
    const [first, second] = [await staff(app), await staff(app)];
    const key = await apiKey(app, Role.INTAKE);
    const MARK = 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id status } }';
    for (let round = 0; round < 10; round++) {
      const [a, b] = [await fileReport(app, key), await fileReport(app, key)];
      const results = await Promise.all([gql(app, MARK, { id: a.id, of: b.id }, first.token), gql(app, MARK, { id: b.id, of: a.id }, second.token)]);
      const succeeded = results.filter((result) => !result.errors);
      const refused = results.filter((result) => result.errors);
      expect(succeeded, `round ${round}: ${JSON.stringify(results)}`).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0].status).toBeLessThan(500);
      expect(['CONFLICT', 'BAD_USER_INPUT']).toContain(refused[0].errors![0].extensions?.code);
      const rows = await sql<{ id: string; status: string; duplicate_of: string | null }>(app, 'select id, status, duplicate_of_id as duplicate_of from report where id in (?, ?)', [a.id, b.id]);
      expect(rows.filter((row) => row.duplicate_of !== null)).toHaveLength(1);
      expect(rows.filter((row) => row.status === 'DUPLICATE')).toHaveLength(1);
    }
  });
});
