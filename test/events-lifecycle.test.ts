import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { pruneEvents } from '../server/src/events/events.maintenance.js';
import { WS_CLOSE } from '../server/src/events/events.socket.js';
import { Report } from '../server/src/reports/reports.entity.js';
import { freshDatabase } from './support/database.js';
import { apiKey, fileReport, staff } from './support/factories.js';
import { outboxOrder } from './support/outbox.js';
import { gql, startServer, type App } from './support/server.js';
import { connect, ofReport, reportIdOf, subscribeEvents, untilSentinel, untilSubscribed, type CursorEvent, type RawMessage } from './support/ws.js';

/** A bare socket speaking graphql-transport-ws, for what a well-behaved client library would never do. */
function rawSocket(app: App): Promise<{ socket: WebSocket; messages: Array<RawMessage<{ dispatchEvents: CursorEvent }>>; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: Array<RawMessage<{ dispatchEvents: CursorEvent }>> = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => socket.once('close', (code, reason) => done({ code, reason: String(reason) })));
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as RawMessage<{ dispatchEvents: CursorEvent }>));
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('error', reject);
  });
}

describe('socket authentication and lifetime', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer({ eventPollMs: 100, wsRecheckMs: 200 });
  });
  afterAll(() => app.close());

  it('closes a socket whose connection_init carries no valid credential (4403)', async () => {
    const { socket, closed } = await rawSocket(app);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer nonsense' } }));
    expect((await closed).code).toBe(4403);
  });

  it('closes a socket that subscribes before connection_init (4401), running nothing', async () => {
    const { socket, messages, closed } = await rawSocket(app);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { dispatchEvents { cursor } }' } }));
    expect((await closed).code).toBe(4401);
    expect(messages).toEqual([]);
  });

  it('ends the socket of a signed-out session', async () => {
    const dispatcher = await staff(app);
    let closedWith = 0;
    const client = connect(app, dispatcher.token, { onClosed: (code) => (closedWith = code) });
    const received = subscribeEvents(client);
    await untilSubscribed(app, 1);
    await gql(app, 'mutation { logout }', {}, dispatcher.token);
    await expect.poll(() => closedWith, { timeout: 5_000 }).toBe(4403);
    expect(received.errors.length).toBe(1);
    await client.dispose();
  });

  it('closes a consumer that stops reading (WS_CLOSE.SLOW_CONSUMER, which graphql-ws clients retry), and its last cursor resumes with nothing lost', async () => {
    const slowApp = await startServer({ eventPollMs: 50, wsMaxBufferedBytes: 16 * 1024 });
    try {
      const dispatcher = await staff(slowApp);
      const key = await apiKey(slowApp, Role.INTAKE);
      const { socket, messages, closed } = await rawSocket(slowApp);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${dispatcher.token}` } }));
      await expect.poll(() => messages.some((m) => m.type === 'connection_ack')).toBe(true);
      const query = 'subscription { dispatchEvents(filter: { types: [REPORT_CREATED] }) { cursor report { id description } } }';
      socket.send(JSON.stringify({ id: 'a', type: 'subscribe', payload: { query } }));
      await untilSubscribed(slowApp, 1);
      const anchor = await fileReport(slowApp, key);
      await expect.poll(() => messages.filter((m) => m.type === 'next').length).toBe(1);
      const lastCursor = messages.find((m) => m.type === 'next')!.payload.data!.dispatchEvents.cursor;
      expect(messages.find((m) => m.type === 'next')!.payload.data!.dispatchEvents.report?.id).toBe(anchor.id);
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();

      const filed: string[] = [];
      const long = 'x'.repeat(4_900);
      while (slowApp.subscriptions.slowConsumersClosed() === 0 && filed.length < 4_000) {
        const batch = await Promise.all(Array.from({ length: 20 }, (_, i) => fileReport(slowApp, key, { description: `${long} ${filed.length + i}` })));
        filed.push(...batch.map((r) => r.id));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(slowApp.subscriptions.slowConsumersClosed()).toBe(1);
      (socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect((await closed).code).toBe(WS_CLOSE.SLOW_CONSUMER);
      expect(Object.values(CloseCode)).not.toContain(WS_CLOSE.SLOW_CONSUMER);
      await expect.poll(() => slowApp.fanout.subscriberCount).toBe(0);

      const client = connect(slowApp, dispatcher.token);
      const resumed = subscribeEvents<CursorEvent>(client, { after: lastCursor, filter: { types: ['REPORT_CREATED'] } }, 'cursor report { id }');
      await resumed.waitFor(filed.length, 30_000);
      const sentinel = await fileReport(slowApp, key, { description: 'sentinel' });
      await untilSentinel(resumed, ofReport(sentinel.id), 30_000);
      expect(resumed.events).toHaveLength(filed.length + 1);
      expect(new Set(resumed.events.slice(0, -1).map(reportIdOf))).toEqual(new Set(filed));
      expect(resumed.events.at(-1)!.report?.id).toBe(sentinel.id);
      const delivered = resumed.events.map(reportIdOf);
      expect(delivered).toEqual(await outboxOrder(slowApp, 'REPORT_CREATED', delivered));
      await client.dispose();
    } finally {
      await slowApp.close();
    }
  });
});

describe('overdue and retention', () => {
  it('writes exactly one REPORT_OVERDUE per overdue report, however many replicas check at once', async () => {
    const url = await freshDatabase('overdue');
    const [a, b] = await Promise.all([startServer({ databaseUrl: url, overdueCheckMs: 3_600_000 }), startServer({ databaseUrl: url, overdueCheckMs: 3_600_000 })]);
    try {
      const dispatcher = await staff(a);
      const key = await apiKey(a, Role.INTAKE);
      const client = connect(b, dispatcher.token);
      const received = subscribeEvents(client, { filter: { types: ['REPORT_OVERDUE'] } });
      await untilSubscribed(b, 1);
      const reports = await Promise.all(Array.from({ length: 30 }, () => fileReport(a, key)));
      await a.orm.em.fork().nativeUpdate(Report, { id: { $in: reports.map((r) => r.id) } }, { targetAt: new Date(Date.now() - 60_000) });
      const counts = await Promise.all([a, b, a, b, a, b].map((app) => app.maintenance.overdueNow()));
      expect(counts.reduce((sum, n) => sum + n, 0)).toBe(30);
      const rows = await a.orm.em.getConnection().execute<Array<{ n: number }>>(`select report_id, count(*)::int as n from dispatch_event where type = 'REPORT_OVERDUE' group by report_id`);
      expect(rows).toHaveLength(30);
      expect(rows.every((row) => row.n === 1)).toBe(true);
      await received.waitFor(30);
      // The sentinel: one more report made overdue after the checks above, its REPORT_OVERDUE written last.
      const sentinel = await fileReport(a, key);
      await a.orm.em.fork().nativeUpdate(Report, { id: sentinel.id }, { targetAt: new Date(Date.now() - 60_000) });
      expect(await b.maintenance.overdueNow()).toBe(1);
      await untilSentinel(received, ofReport(sentinel.id));
      expect(new Set(received.events.slice(0, 30).map(reportIdOf))).toEqual(new Set(reports.map((r) => r.id)));
      expect(received.events).toHaveLength(31);
      expect(received.events[30].report?.id).toBe(sentinel.id);
      const overdue = await gql<{ reports: { totalCount: number } }>(a, '{ reports(first: 100, filter: { overdue: true }) { totalCount } }', {}, dispatcher.token);
      expect(overdue.data?.reports.totalCount).toBe(31);
      await client.dispose();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('prunes events past retention and answers an older cursor with CURSOR_EXPIRED', async () => {
    const url = await freshDatabase('retention');
    const app = await startServer({ databaseUrl: url });
    try {
      const dispatcher = await staff(app);
      const key = await apiKey(app, Role.INTAKE);
      const client = connect(app, dispatcher.token);
      const first = subscribeEvents(client);
      await untilSubscribed(app, 1);
      await fileReport(app, key);
      const [old] = await first.waitFor(1);
      first.stop();
      await app.orm.em.getConnection().execute(`update dispatch_event set occurred_at = now() - interval '8 days'`);
      expect(await pruneEvents(app.orm, 7)).toBeGreaterThan(0);
      const expired = subscribeEvents(client, { after: old.cursor });
      await expect.poll(() => expired.errors.length).toBe(1);
      expect((expired.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('CURSOR_EXPIRED');

      const fresh = subscribeEvents(client);
      await untilSubscribed(app, 1);
      const report = await fileReport(app, key);
      const [event] = await fresh.waitFor(1);
      expect(event.report?.id).toBe(report.id);
      await client.dispose();
    } finally {
      await app.close();
    }
  });
});
