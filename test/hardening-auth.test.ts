import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiKey } from '../server/src/auth/auth.entity.js';
import { Role } from '../server/src/access/access.roles.js';
import { sha256 } from '../server/src/auth/password.js';
import { apiKey, staff, unique } from './support/factories.js';
import { loginFrom } from './support/from-address.js';
import { codeOf, gql, ok, startServer, type App, type GqlResponse } from './support/server.js';
import type { RawMessage } from './support/ws.js';

const PASSWORD = 'test-password-1';
const ME = 'query { me { username } }';
const RENEW = 'mutation { renewToken { token } }';
const SUBSCRIPTION = 'subscription { dispatchEvents { cursor } }';

/** What `me { username }` answers. */
interface Me {
  me: { username: string };
}

/** The first answer to an operation. */
type RawResult<T = unknown> = Extract<RawMessage<T>, { type: 'next' | 'error' }>;

/** A raw graphql-transport-ws socket, so a test knows exactly which socket an operation travels on. */
interface RawSocket {
  messages: RawMessage[];
  /** Resolves with the close code and when (performance.now()) the close arrived. */
  closed: Promise<{ code: number; at: number }>;
  send(id: string, query: string, variables?: Record<string, unknown>): void;
  /** Resolves with the first `next` or `error` for `id`. */
  result<T = unknown>(id: string, timeoutMs?: number): Promise<RawResult<T>>;
  close(): void;
}

async function openSocket(app: Pick<App, 'url'>, token: string, localAddress?: string): Promise<RawSocket> {
  const ws = new WebSocket(`${app.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', localAddress ? { localAddress } : {});
  const messages: RawSocket['messages'] = [];
  const closed = new Promise<{ code: number; at: number }>((resolve) => ws.once('close', (code) => resolve({ code, at: performance.now() })));
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as RawMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await until(() => messages.some((m) => m.type === 'connection_ack'), 5_000, 'connection_ack');
  return {
    messages,
    closed,
    send: (id, query, variables = {}) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    },
    result: async <T>(id: string, timeoutMs = 5_000) => {
      const isResult = (m: RawMessage): m is RawResult => m.id === id && (m.type === 'next' || m.type === 'error');
      await until(() => messages.some(isResult), timeoutMs, `a result for ${id}`);
      return messages.find(isResult) as RawResult<T>;
    },
    close: () => ws.close(),
  };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function codes(results: GqlResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const code = codeOf(result) ?? 'OK';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('sign-in throttling', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer();
  });
  afterAll(() => app.close());

  it('checks at most ten of 20 concurrent wrong guesses; the rest, and then the right password, are RATE_LIMITED', async () => {
    const victim = await staff(app);
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => loginFrom(app, '127.0.0.4', victim.username, `guess-${i}`)));
    expect(codes(guesses)).toEqual({ UNAUTHENTICATED: 10, RATE_LIMITED: 10 });
    const right = await loginFrom(app, '127.0.0.4', victim.username, PASSWORD);
    expect(codeOf(right)).toBe('RATE_LIMITED');
    expect(right.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(right.errors![0].extensions!.retryAfterSeconds).toBeLessThanOrEqual(300);
  });

  it('cannot lock the real user out from another client address', async () => {
    const victim = await staff(app);
    for (let i = 0; i < 12; i++) await loginFrom(app, '127.0.0.2', victim.username, `guess-${i}`);
    expect(codeOf(await loginFrom(app, '127.0.0.2', victim.username, PASSWORD))).toBe('RATE_LIMITED');
    const signedIn = await loginFrom(app, '127.0.0.3', victim.username, PASSWORD);
    expect(signedIn.errors).toBeUndefined();
    expect((await ok<Me>(app, ME, {}, signedIn.data!.login.token)).me.username).toBe(victim.username);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 9; i++) expect(codeOf(await loginFrom(app, '127.0.0.3', victim.username, `typo-${i}`))).toBe('UNAUTHENTICATED');
      expect((await loginFrom(app, '127.0.0.3', victim.username, PASSWORD)).errors).toBeUndefined();
    }
  });

  it('throttles logins sent over a WebSocket by the socket address', async () => {
    const victim = await staff(app);
    const socket = await openSocket(app, victim.token, '127.0.0.8');
    for (let i = 0; i < 14; i++) socket.send(`login-${i}`, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: victim.username, p: `guess-${i}` });
    const answers = await Promise.all(Array.from({ length: 14 }, (_, i) => socket.result(`login-${i}`)));
    const answerCodes = answers.map((answer) => (answer.type === 'next' ? answer.payload.errors?.[0]?.extensions?.code : answer.payload?.[0]?.extensions?.code) ?? 'OK');
    expect(answerCodes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(answerCodes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(4);
    expect(codeOf(await loginFrom(app, '127.0.0.8', victim.username, PASSWORD))).toBe('RATE_LIMITED');
    expect((await loginFrom(app, '127.0.0.9', victim.username, PASSWORD)).errors).toBeUndefined();
    socket.close();
  });

  it('runs the slow hash for unknown user names as for known ones', async () => {
    const known = await staff(app);
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [username, times] of [
        [known.username, knownTimes],
        [unique('nobody'), unknownTimes],
      ] as const) {
        const started = performance.now();
        expect(codeOf(await loginFrom(app, '127.0.0.7', username, `guess-${i}`))).toBe('UNAUTHENTICATED');
        times.push(performance.now() - started);
      }
    }
    // A wrong password for a known name runs the hash (tens of milliseconds); a refusal that skipped it would take a few.
    expect(median(unknownTimes) / median(knownTimes)).toBeGreaterThan(0.5);
    expect(Math.min(...unknownTimes)).toBeGreaterThan(Math.min(...knownTimes) * 0.3);
  });
});

describe('per-address sign-in limit', () => {
  let app: App;
  beforeAll(async () => {
    app = await startServer({ loginMaxFailures: 10, loginMaxFailuresPerAddress: 12 });
  });
  afterAll(() => app.close());

  it('limits failures per client address across user names; successes do not use it up', async () => {
    const real = await staff(app);
    for (let i = 0; i < 5; i++) expect((await loginFrom(app, '127.0.0.5', real.username, PASSWORD)).errors).toBeUndefined();
    for (let i = 0; i < 12; i++) expect(codeOf(await loginFrom(app, '127.0.0.5', unique('sprayed'), 'guess'))).toBe('UNAUTHENTICATED');
    const limited = await loginFrom(app, '127.0.0.5', real.username, PASSWORD);
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect((await loginFrom(app, '127.0.0.6', real.username, PASSWORD)).errors).toBeUndefined();
  });
});

describe('client address behind a proxy (TRUST_PROXY)', () => {
  let direct: App;
  let proxied: App;
  beforeAll(async () => {
    [direct, proxied] = await Promise.all([startServer(), startServer({ trustProxy: ['127.0.0.12'] })]);
  });
  afterAll(async () => {
    await Promise.all([direct.close(), proxied.close()]);
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy, so forging it does not escape the limit', async () => {
    const victim = await staff(direct);
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await loginFrom(direct, '127.0.0.11', victim.username, `guess-${i}`, `198.51.100.${i}`));
    expect(codes(answers)).toEqual({ UNAUTHENTICATED: 10, RATE_LIMITED: 2 });
    expect((await loginFrom(direct, '127.0.0.13', victim.username, PASSWORD)).errors).toBeUndefined();
  });

  it('counts by the address a trusted proxy forwards: one client behind it limited, another behind it signs in', async () => {
    const victim = await staff(proxied);
    for (let i = 0; i < 10; i++) expect(codeOf(await loginFrom(proxied, '127.0.0.12', victim.username, `guess-${i}`, `203.0.113.7`))).toBe('UNAUTHENTICATED');
    expect(codeOf(await loginFrom(proxied, '127.0.0.12', victim.username, PASSWORD, '203.0.113.7'))).toBe('RATE_LIMITED');
    expect((await loginFrom(proxied, '127.0.0.12', victim.username, PASSWORD, '203.0.113.8')).errors).toBeUndefined();
    expect((await loginFrom(proxied, '127.0.0.12', victim.username, PASSWORD, 'forged-by-client, 203.0.113.9')).errors).toBeUndefined();
  });
});

describe('sessions and sockets', () => {
  let a: App;
  let b: App;
  beforeAll(async () => {
    // The database re-check runs once a minute here: what ends a socket within a second must be the announcement.
    [a, b] = await Promise.all([startServer({ wsRecheckMs: 60_000 }), startServer({ wsRecheckMs: 60_000 })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('renewToken is single use: 20 concurrent renewals give exactly one new session', async () => {
    const user = await staff(a);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gql<{ renewToken: { token: string } }>(i % 2 ? a : b, RENEW, {}, user.token)));
    expect(codes(results)).toEqual({ OK: 1, UNAUTHENTICATED: 19 });
    const fresh = results.find((result) => !result.errors)!.data!.renewToken.token;
    expect((await ok<Me>(a, ME, {}, fresh)).me.username).toBe(user.username);
    expect(codeOf(await gql(b, ME, {}, user.token))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(b, RENEW, {}, user.token))).toBe('UNAUTHENTICATED');
  });

  for (const where of ['the same replica', 'another replica'] as const) {
    it(`sign-out through ${where} closes an open socket within a second, and nothing sent on it afterwards succeeds`, async () => {
      const user = await staff(a);
      const socket = await openSocket(a, user.token);
      socket.send('live', SUBSCRIPTION);
      socket.send('before', ME);
      const before = await socket.result<Me>('before');
      expect(before.type === 'next' ? before.payload.data?.me.username : before.payload).toBe(user.username);

      expect((await ok<{ logout: boolean }>(where === 'the same replica' ? a : b, 'mutation { logout }', {}, user.token)).logout).toBe(true);
      const returned = performance.now();
      socket.send('after', ME);
      const { code, at } = await socket.closed;
      expect(code).toBe(4403);
      expect(at - returned).toBeLessThan(1_000);
      expect(socket.messages.filter((m) => m.id === 'after' && m.type === 'next' && m.payload?.data)).toEqual([]);
    });
  }

  it('a socket whose token expires is closed with 4401 within a second of the expiry', async () => {
    const short = await startServer({ tokenTtlHours: 2 / 3600, wsRecheckMs: 60_000 });
    try {
      const user = await staff(short);
      const signedIn = await ok<{ login: { token: string; expiresAt: string } }>(short, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt } }', {
        u: user.username,
        p: PASSWORD,
      });
      const socket = await openSocket(short, signedIn.login.token);
      socket.send('live', SUBSCRIPTION);
      const { code } = await socket.closed;
      const late = Date.now() - new Date(signedIn.login.expiresAt).getTime();
      expect(code).toBe(4401);
      expect(late).toBeLessThan(1_500);
    } finally {
      await short.close();
    }
  });

  it('revoking an API key in the database closes its sockets on every replica within a second', async () => {
    const key = await apiKey(a, Role.INTEGRATOR);
    const [onA, onB] = await Promise.all([openSocket(a, key), openSocket(b, key)]);
    onA.send('live', SUBSCRIPTION);
    onB.send('live', SUBSCRIPTION);
    const revoked = await b.orm.em.fork().nativeUpdate(ApiKey, { keyHash: sha256(key) }, { revokedAt: new Date() });
    expect(revoked).toBe(1);
    const committed = performance.now();
    const closes = await Promise.all([onA.closed, onB.closed]);
    for (const { code, at } of closes) {
      expect(code).toBe(4403);
      expect(at - committed).toBeLessThan(1_000);
    }
    expect(codeOf(await gql(a, ME, {}, key))).toBe('UNAUTHENTICATED');
  });
});
