import type { Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { decodeCursor, encodeCursor } from '../server/src/events/events.cursor.js';
import { WS_CLOSE } from '../server/src/events/events.socket.js';
import { freshDatabase } from './support/database.js';
import { apiKey, crew, fileReport, reportInput, staff } from './support/factories.js';
import { outboxOrder } from './support/outbox.js';
import { gql, startServer, type App, type GqlError } from './support/server.js';
import { connect, reportIdOf, subscribeEvents, untilSubscribed, type CursorEvent, type RawMessage } from './support/ws.js';

/** What arrives on a raw socket: events as `cursor report { id }` selects them, or refusals. */
type Message = RawMessage<{ dispatchEvents: CursorEvent }>;

interface RawSocket {
  socket: WebSocket;
  messages: Message[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A bare graphql-transport-ws socket, acknowledged, so a test sees every message the server sends. */
async function rawSocket(app: App, token: string): Promise<RawSocket> {
  const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: Message[] = [];
  const closed = new Promise<{ code: number; reason: string }>((done) => socket.once('close', (code, reason) => done({ code, reason: String(reason) })));
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Message));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await expect.poll(() => messages.some((m) => m.type === 'connection_ack')).toBe(true);
  return { socket, messages, closed };
}

function send(raw: RawSocket, id: string, query: string, variables: Record<string, unknown> = {}): void {
  raw.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
}

/** The `error` message for `id`, or undefined while none came. */
function refusal(raw: RawSocket, id: string): GqlError[] | undefined {
  return raw.messages.find((m): m is Extract<Message, { type: 'error' }> => m.id === id && m.type === 'error')?.payload;
}

/** The results that came for `id`. */
function nexts(raw: RawSocket, id: string): Array<Extract<Message, { type: 'next' }>['payload']> {
  return raw.messages.filter((m): m is Extract<Message, { type: 'next' }> => m.id === id && m.type === 'next').map((m) => m.payload);
}

/** Runs one query or mutation over graphql-ws and returns what came back, as a client library sees it. */
function overSocket(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: unknown; errors: GqlError[] }> {
  return new Promise((resolve) => {
    let result: { data?: unknown; errors: GqlError[] } = { errors: [] };
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          result = { data: value.data, errors: [...((value.errors as GqlError[] | undefined) ?? [])] };
        },
        error: (err) => resolve({ errors: Array.isArray(err) ? (err as GqlError[]) : [{ message: String(err) }] }),
        complete: () => resolve(result),
      },
    );
  });
}

const BASIC = 'subscription { dispatchEvents(filter: { types: [REPORT_CREATED] }) { cursor report { id } } }';
/** A subscription document of its own: each alias makes a distinct document, hence a distinct group. */
const distinct = (n: number) => `subscription { dispatchEvents(filter: { types: [REPORT_CREATED] }) { cursor variant${n}: type } }`;

describe('subscription caps', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer({ eventPollMs: 100, wsMaxSubscriptions: 3, wsMaxSubscriptionGroups: 4 });
  });
  afterAll(() => app.close());

  it('refuses a subscription past WS_MAX_SUBSCRIPTIONS on one socket with RATE_LIMITED; the socket and its other subscriptions carry on', async () => {
    const dispatcher = await staff(app);
    const key = await apiKey(app, Role.INTAKE);
    const raw = await rawSocket(app, dispatcher.token);
    for (const id of ['a', 'b', 'c']) send(raw, id, BASIC);
    await untilSubscribed(app, 3);
    send(raw, 'd', BASIC);
    await expect.poll(() => refusal(raw, 'd')).toBeDefined();
    expect(refusal(raw, 'd')![0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 3 });
    expect(app.fanout.subscriberCount).toBe(3);

    const report = await fileReport(app, key);
    await expect.poll(() => ['a', 'b', 'c'].every((id) => nexts(raw, id).length === 1)).toBe(true);
    expect(nexts(raw, 'a')[0].data?.dispatchEvents.report?.id).toBe(report.id);

    raw.socket.send(JSON.stringify({ id: 'a', type: 'complete' }));
    await expect.poll(() => app.fanout.subscriberCount).toBe(2);
    send(raw, 'e', BASIC);
    await untilSubscribed(app, 3);
    expect(refusal(raw, 'e')).toBeUndefined();
    raw.socket.close();
    await expect.poll(() => app.fanout.subscriberCount).toBe(0);
  });

  it('bounds distinct subscriptions: past WS_MAX_SUBSCRIPTION_GROUPS new documents are refused, existing subscribers still get the next event, and it runs at most the cap times', async () => {
    const dispatcher = await staff(app);
    const attacker = await staff(app);
    const key = await apiKey(app, Role.INTAKE);
    const victim = await rawSocket(app, dispatcher.token);
    send(victim, 'v', BASIC);
    await untilSubscribed(app, 1);

    const sockets = await Promise.all(Array.from({ length: 4 }, () => rawSocket(app, attacker.token)));
    for (let n = 0; n < 12; n++) send(sockets[n % 4], `x${n}`, distinct(n));
    await expect.poll(() => sockets.reduce((sum, raw) => sum + raw.messages.filter((m) => m.type === 'error').length, 0)).toBe(9);
    expect(app.fanout.subscriberCount).toBe(4);
    for (const raw of sockets) for (const m of raw.messages.filter((m) => m.type === 'error')) expect(m.payload[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 4 });

    const same = await rawSocket(app, attacker.token);
    send(same, 's', BASIC);
    await untilSubscribed(app, 5);
    expect(refusal(same, 's')).toBeUndefined();

    const executionsBefore = app.fanout.executions;
    const report = await fileReport(app, key);
    await expect.poll(() => nexts(victim, 'v').length).toBe(1);
    expect(nexts(victim, 'v')[0].data?.dispatchEvents.report?.id).toBe(report.id);
    await expect.poll(() => nexts(same, 's').length).toBe(1);
    expect(app.fanout.executions - executionsBefore).toBeLessThanOrEqual(4);

    for (const raw of [victim, same, ...sockets]) raw.socket.close();
    await expect.poll(() => app.fanout.subscriberCount).toBe(0);
    const again = await rawSocket(app, attacker.token);
    for (let n = 0; n < 3; n++) send(again, `y${n}`, distinct(100 + n));
    await untilSubscribed(app, 3);
    expect(again.messages.filter((m) => m.type === 'error')).toEqual([]);
    again.socket.close();
    await expect.poll(() => app.fanout.subscriberCount).toBe(0);
  });

  it('counts the cap per audience, so integrators filling theirs lock out neither staff nor crews', async () => {
    const integrator = await apiKey(app, Role.INTEGRATOR);
    const dispatcher = await staff(app);
    const member = await crew(app);
    const flood = await Promise.all(Array.from({ length: 2 }, () => rawSocket(app, integrator)));
    for (let n = 0; n < 6; n++) send(flood[n % 2], `i${n}`, distinct(200 + n));
    await expect.poll(() => flood.reduce((sum, raw) => sum + raw.messages.filter((m) => m.type === 'error').length, 0)).toBe(2);

    const desk = await rawSocket(app, dispatcher.token);
    const field = await rawSocket(app, member.token);
    send(desk, 'd', distinct(300));
    send(field, 'f', distinct(301));
    await untilSubscribed(app, 6);
    expect(refusal(desk, 'd')).toBeUndefined();
    expect(refusal(field, 'f')).toBeUndefined();
    for (const raw of [desk, field, ...flood]) raw.socket.close();
    await expect.poll(() => app.fanout.subscriberCount).toBe(0);
  });
});

describe('queries and mutations over the WebSocket', () => {
  let app: App;
  let client: Client;
  let token: string;
  beforeAll(async () => {
    app = await startServer({ eventPollMs: 100 });
    token = (await staff(app)).token;
    client = connect(app, token);
  });
  afterAll(async () => {
    await client.dispose();
    await app.close();
  });

  it('queries and mutations get the typed error HTTP gives: bad ids, wrong variables, a driver error inside a resolver', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const intake = connect(app, key);
    const create = 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }';
    const cases: Array<[string, string, () => Record<string, unknown>, string]> = [
      ['a mutation with an id that is not one', 'mutation { closeReport(id: "not-a-uuid") { id } }', () => ({}), token],
      ['a report that does not exist', 'mutation { closeReport(id: "00000000-0000-4000-8000-000000000000") { id } }', () => ({}), token],
      ['a variable of the wrong type', 'query($first: Int) { reports(first: $first) { totalCount } }', () => ({ first: 'many' }), token],
      ['a required variable left out', 'query($id: ID!) { report(id: $id) { id } }', () => ({}), token],
      ['a NUL byte the database cannot store', create, () => ({ input: reportInput({ description: 'nul \u0000 byte' }) }), key],
    ];
    try {
      for (const [name, query, variables, credential] of cases) {
        const http = await gql(app, query, variables(), credential);
        const ws = await overSocket(credential === key ? intake : client, query, variables());
        expect(http.errors?.length, name).toBeGreaterThan(0);
        expect(
          ws.errors.map((e) => [e.extensions?.code, e.message]),
          name,
        ).toEqual(http.errors!.map((e) => [e.extensions?.code, e.message]));
        expect(
          ws.errors.every((e) => typeof e.extensions?.code === 'string'),
          name,
        ).toBe(true);
        expect(JSON.stringify(ws.errors), name).not.toMatch(/0x00|byte sequence|UTF8|stack/i);
      }
    } finally {
      await intake.dispose();
    }
  });

  it.each([
    ['a syntax error', '{ reports(', 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', '{ zzqqxx }', 'GRAPHQL_VALIDATION_FAILED'],
    ['an undeclared variable', '{ reports(first: $n) { totalCount } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['several operations and no operationName', 'query A { categories { code } } query B { categories { code } }', 'BAD_USER_INPUT'],
  ])('%s carries %s', async (_name, query, code) => {
    const ws = await overSocket(client, query);
    expect(ws.errors.length).toBeGreaterThan(0);
    for (const error of ws.errors) expect(error.extensions?.code).toBe(code);
  });
});

describe('event cursors that point nowhere', () => {
  let app: App;
  let client: Client;
  let token: string;
  let key: string;
  beforeAll(async () => {
    app = await startServer({ databaseUrl: await freshDatabase('cursors'), eventPollMs: 100 });
    token = (await staff(app)).token;
    key = await apiKey(app, Role.INTAKE);
    client = connect(app, token);
  });
  afterAll(async () => {
    await client.dispose();
    await app.close();
  });

  async function newestCursor(): Promise<string> {
    const received = subscribeEvents(client, { filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(app, 1);
    await fileReport(app, key);
    const [event] = await received.waitFor(1);
    received.stop();
    await expect.poll(() => app.fanout.subscriberCount).toBe(0);
    return event.cursor;
  }

  const base64 = (text: string) => Buffer.from(text).toString('base64url');

  it.each([
    ['a transaction id beyond 64 bits', () => base64('99999999999999999999.1')],
    ['a row id beyond bigint', () => base64('1.9223372036854775808')],
  ])('%s is BAD_USER_INPUT naming after', async (_name, cursor) => {
    const received = subscribeEvents(client, { after: cursor() });
    await expect.poll(() => received.errors.length).toBe(1);
    expect((received.errors[0] as { extensions?: Record<string, unknown> }).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('variables that do not fit their types are BAD_USER_INPUT and admit nothing, never an absent filter that widens to every event', async () => {
    const received = subscribeEvents(client, { filter: { types: ['REPORT_CREATE'] } });
    await expect.poll(() => received.errors.length).toBe(1);
    expect((received.errors[0] as { extensions?: Record<string, unknown> }).extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(app.fanout.subscriberCount).toBe(0);
    await fileReport(app, key);
    await app.hub.wake();
    expect(received.events).toEqual([]);
  });

  it('a cursor past the newest event is BAD_USER_INPUT naming after, rather than skipping the live events before it', async () => {
    const newest = decodeCursor(await newestCursor());
    for (const future of [
      { txId: newest.txId + 1000n, id: newest.id },
      { txId: newest.txId, id: newest.id + 1n },
      { txId: newest.txId, id: (1n << 63n) - 1n },
    ]) {
      const received = subscribeEvents(client, { after: encodeCursor(future) });
      await expect.poll(() => received.errors.length).toBe(1);
      expect((received.errors[0] as { extensions?: Record<string, unknown> }).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }

    const resumed = subscribeEvents(client, { after: encodeCursor(newest), filter: { types: ['REPORT_CREATED'] } });
    await untilSubscribed(app, 1);
    const report = await fileReport(app, key);
    const [event] = await resumed.waitFor(1);
    expect(event.report?.id).toBe(report.id);
    expect(resumed.errors).toEqual([]);
    resumed.stop();
  });
});

describe('a database outage', () => {
  it('closes open subscriptions with the resumable outage code; the last cursor resumes every event written before and after exactly once', { timeout: 120_000 }, async () => {
    const url = await freshDatabase('outage');
    const database = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    const app = await startServer({ databaseUrl: url, eventPollMs: 100 });
    try {
      const dispatcher = await staff(app);
      const key = await apiKey(app, Role.INTAKE);
      const closes: number[] = [];
      const first = connect(app, dispatcher.token, { onClosed: (code) => closes.push(code) });
      const live = subscribeEvents<CursorEvent>(first, { filter: { types: ['REPORT_CREATED'] } }, 'cursor report { id }');
      await untilSubscribed(app, 1);

      const before: string[] = [];
      for (let i = 0; i < 5; i++) before.push((await fileReport(app, key)).id);
      await live.waitFor(2);
      for (let i = 0; i < 5; i++) before.push((await fileReport(app, key)).id);

      await admin.query(`alter database ${database} with allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
      await expect.poll(() => closes, { timeout: 15_000 }).toContain(WS_CLOSE.DATABASE_UNAVAILABLE);
      await expect.poll(() => app.fanout.subscriberCount).toBe(0);
      const seen = live.events.map(reportIdOf);
      const lastCursor = live.events.at(-1)!.cursor;
      await admin.query(`alter database ${database} with allow_connections true`);

      const after: string[] = [];
      const deadline = Date.now() + 30_000;
      while (after.length < 5 && Date.now() < deadline) {
        const attempt = await gql<{ createReport: { id: string } }>(app, 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }', { input: reportInput() }, key);
        if (attempt.data?.createReport) after.push(attempt.data.createReport.id);
        else await new Promise((resolve) => setTimeout(resolve, 200));
      }

      const second = connect(app, dispatcher.token);
      const resumed = subscribeEvents<CursorEvent>(second, { after: lastCursor, filter: { types: ['REPORT_CREATED'] } }, 'cursor report { id }');
      const expected = [...before, ...after].filter((id) => !seen.includes(id));
      await resumed.waitFor(expected.length, 30_000);
      const sentinel = await fileReport(app, key, { description: 'sentinel' });
      await resumed.waitFor(expected.length + 1, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(resumed.errors).toEqual([]);
      expect(resumed.events.map(reportIdOf)).toEqual([...expected, sentinel.id]);
      expect([...seen, ...resumed.events.map(reportIdOf)]).toEqual([...before, ...after, sentinel.id]);
      const delivered = resumed.events.map(reportIdOf);
      expect(delivered).toEqual(await outboxOrder(app, 'REPORT_CREATED', delivered));
      await Promise.all([first.dispose(), second.dispose()]);
    } finally {
      await admin.query(`alter database ${database} with allow_connections true`).catch(() => undefined);
      await admin.end();
      await app.close();
    }
  });
});
