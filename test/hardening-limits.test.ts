import v8 from 'node:v8';
import vm from 'node:vm';
import { getIntrospectionQuery, getNamedType, getNullableType, isCompositeType, isListType, isObjectType } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/src/common/config.js';
import { buildAppSchema } from '../server/src/schema.js';
import { staff } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App, type GqlResponse } from './support/server.js';
import { connect } from './support/ws.js';

const DEFAULTS = loadConfig({ DATABASE_URL: 'postgres://db.example/balagh' });

/** F1 spreads F0 twice, F2 spreads F1 twice, …: a naive cost rule walks F0 2^levels times. */
function nestedFragments(levels: number): string {
  const fragments = ['fragment F0 on Viewer { id }'];
  for (let level = 1; level <= levels; level++) fragments.push(`fragment F${level} on Viewer { ...F${level - 1} ...F${level - 1} }`);
  return `query Nested { me { ...F${levels} } }\n${fragments.join('\n')}`;
}

function repeat(count: number, item: (index: number) => string): string {
  return Array.from({ length: count }, (_, index) => item(index)).join(' ');
}

/** One query or mutation over a graphql-ws socket: its result, or the errors that refused it. */
function overSocket(client: Client, query: string, variables: Record<string, unknown> = {}, operationName?: string): Promise<Omit<GqlResponse, 'status'>> {
  return new Promise((resolve) => {
    let result: Omit<GqlResponse, 'status'> = {};
    client.subscribe(
      { query, variables, operationName },
      {
        next: (value) => {
          result = value as Omit<GqlResponse, 'status'>;
        },
        error: (err) => resolve({ errors: (Array.isArray(err) ? err : [err]) as GqlResponse['errors'] }),
        complete: () => resolve(result),
      },
    );
  });
}

/** Milliseconds until /healthz answers 200, counted from `since`. */
async function healthzAnsweredAfter(app: App, since: number): Promise<number> {
  const response = await fetch(`${app.url}/healthz`);
  expect(response.status).toBe(200);
  return performance.now() - since;
}

/** Heap in use after full collections; the server runs in this process, so its caches count. */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const MiB = 1024 * 1024;

describe('query limits: refused before anything runs, in time linear in the document', () => {
  let app: App;
  let dispatcher: { token: string };
  let socket: Client;

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
    socket = connect(app, dispatcher.token);
  });
  afterAll(async () => {
    await socket.dispose();
    await app.close();
  });

  it('answers a 1.4 KB document of doubly nested fragments within a second, anonymous, while /healthz keeps answering', async () => {
    const document = nestedFragments(30);
    expect(document.length).toBeLessThan(1400);
    const started = performance.now();
    const [result, healthz] = await Promise.all([gql(app, document), healthzAnsweredAfter(app, started)]);
    const answered = performance.now() - started;
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxCost: DEFAULTS.maxQueryCost });
    expect(result.errors![0].extensions!.cost).toBeGreaterThan(2 ** 30);
    expect(answered).toBeLessThan(1000);
    expect(healthz).toBeLessThan(1000);

    // Measured once, a fragment still counts at the depth where each spread puts it.
    let selection = '...Deep';
    for (let level = 0; level < 6; level++) selection = `activeAssignment { report { ${selection} } }`;
    const fragment = 'fragment Deep on Report { activeAssignment { crew { id } } }';
    const shallow = await gql(app, `query { report(id: "00000000-0000-4000-8000-000000000000") { ...Deep } } ${fragment}`, {}, dispatcher.token);
    expect(shallow.errors).toBeUndefined();
    const deep = await gql(app, `query { report(id: "00000000-0000-4000-8000-000000000000") { ...Deep ${selection} } } ${fragment}`, {}, dispatcher.token);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxDepth: DEFAULTS.maxQueryDepth });
    expect(deep.errors![0].extensions!.field).toMatch(/^report(\.activeAssignment\.report){6}$/);
  });

  it('answers the same document over the WebSocket within a second while /healthz keeps answering', async () => {
    const started = performance.now();
    const [result, healthz] = await Promise.all([overSocket(socket, nestedFragments(30)), healthzAnsweredAfter(app, started)]);
    const answered = performance.now() - started;
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxCost: DEFAULTS.maxQueryCost });
    expect(answered).toBeLessThan(1000);
    expect(healthz).toBeLessThan(1000);
  });

  it('refuses 20,000 aliases while parsing, runs no resolver, and keeps no memory per request', async () => {
    const categories = app.services.reference.categories;
    let resolved = 0;
    app.services.reference.categories = (...args) => {
      resolved++;
      return categories.apply(app.services.reference, args);
    };
    try {
      const document = (variant: number) => `query Aliases${variant} { ${repeat(20_000, (index) => `a${index}: categories { code }`)} }`;
      await gql(app, document(0), {}, dispatcher.token);
      const before = heapAfterGc();
      for (let variant = 1; variant <= 20; variant++) {
        const result = await gql(app, document(variant), {}, dispatcher.token);
        expect(result.status).toBe(400);
        expect(codeOf(result)).toBe('GRAPHQL_PARSE_FAILED');
        expect(result.errors![0].message).toMatch(new RegExp(`${DEFAULTS.maxQueryTokens} tokens`));
      }
      const grown = heapAfterGc() - before;
      const overSocketResult = await overSocket(socket, document(21));
      expect(overSocketResult.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(resolved).toBe(0);
      expect(grown).toBeLessThan(20 * MiB);
    } finally {
      app.services.reference.categories = categories;
    }
  });

  it.each([
    { limit: 'maxAliases', over: `{ ${repeat(DEFAULTS.maxQueryAliases + 1, (i) => `a${i}: __typename`)} }`, within: `{ ${repeat(DEFAULTS.maxQueryAliases, (i) => `a${i}: __typename`)} }` },
    {
      limit: 'maxDirectives',
      over: `{ ${repeat(DEFAULTS.maxQueryDirectives + 1, () => '__typename @skip(if: false)')} }`,
      within: `{ ${repeat(DEFAULTS.maxQueryDirectives, () => '__typename @skip(if: false)')} }`,
    },
    { limit: 'maxOperations', over: repeat(DEFAULTS.maxOperations + 1, (i) => `query Q${i} { __typename }`), within: repeat(DEFAULTS.maxOperations, (i) => `query Q${i} { __typename }`) },
  ])('refuses a document past $limit with BAD_USER_INPUT naming the limit, over HTTP and the WebSocket', async ({ limit, over, within }) => {
    const operationName = over.startsWith('query Q') ? 'Q0' : undefined;
    const send = (query: string) =>
      fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${dispatcher.token}` }, body: JSON.stringify({ query, operationName }) });
    const refused = await send(over);
    const body = (await refused.json()) as GqlResponse;
    expect(refused.status).toBe(400);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'query',
      [limit]: DEFAULTS[limit === 'maxAliases' ? 'maxQueryAliases' : limit === 'maxDirectives' ? 'maxQueryDirectives' : 'maxOperations'],
    });
    const accepted = (await (await send(within)).json()) as GqlResponse;
    expect(accepted.errors).toBeUndefined();
    const overWs = await overSocket(socket, over, {}, operationName);
    expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
  });

  it('refuses a document past MAX_QUERY_TOKENS while parsing, over HTTP and the WebSocket', async () => {
    const within = `{ me { ${repeat(DEFAULTS.maxQueryTokens - 5, () => 'id')} } }`;
    const over = `{ me { ${repeat(DEFAULTS.maxQueryTokens - 4, () => 'id')} } }`;
    expect((await gql(app, within, {}, dispatcher.token)).errors).toBeUndefined();
    const refused = await gql(app, over, {}, dispatcher.token);
    expect(refused.status).toBe(400);
    expect(codeOf(refused)).toBe('GRAPHQL_PARSE_FAILED');
    expect(refused.errors![0].message).toMatch(new RegExp(`${DEFAULTS.maxQueryTokens} tokens`));
    expect((await overSocket(socket, over)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('validates the costliest documents graphql-js allows at the token limit quickly, and refuses a 1 MiB one while parsing', async () => {
    const budget = DEFAULTS.maxQueryTokens - 2;
    const worst = [
      `{ ${repeat(Math.floor(budget / 4), () => 'me { id }')} }`,
      `{ me { ${repeat(Math.floor((budget - 3) / 3), (i) => (i % 2 ? 'a: id' : 'a: username'))} } }`,
      `{ ${repeat(Math.floor(budget / 7), () => 'me { crew { id } }')} }`,
    ];
    for (const document of worst) {
      const started = performance.now();
      const result = await gql(app, document, {}, dispatcher.token);
      expect(result.status).not.toBe(500);
      expect(performance.now() - started).toBeLessThan(1000);
    }
    const huge = `{ ${repeat(100_000, () => 'me { id }')} }`;
    expect(huge.length).toBeGreaterThan(MiB - 100_000);
    const started = performance.now();
    const refused = await gql(app, huge.slice(0, MiB - 100), {}, dispatcher.token);
    expect(codeOf(refused)).toBe('GRAPHQL_PARSE_FAILED');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('keeps memory bounded under a stream of distinct documents near the body limit, over HTTP and the WebSocket', async () => {
    const padding = 'x'.repeat(1_000_000);
    const document = (variant: string) => `query Padded { __typename } # ${variant} ${padding}`;
    await gql(app, document('warm'), {}, dispatcher.token);
    await overSocket(socket, document('warm'));
    const before = heapAfterGc();
    for (let variant = 0; variant < 300; variant++) {
      const result = await gql(app, document(`http ${variant}`), {}, dispatcher.token);
      expect(result.data).toEqual({ __typename: 'Query' });
    }
    for (let variant = 0; variant < 300; variant++) {
      const result = await overSocket(socket, document(`ws ${variant}`));
      expect(result.data).toEqual({ __typename: 'Query' });
    }
    const grown = heapAfterGc() - before;
    // Kept whole, 600 documents of 1 MB would hold about 600 MiB.
    expect(grown).toBeLessThan(64 * MiB);
  }, 240_000);

  it('refuses several operations without operationName, or with an unknown one, with HTTP 400 naming operationName', async () => {
    const document = 'query A { __typename } query B { me { id } }';
    const send = (operationName?: string) =>
      fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${dispatcher.token}` },
        body: JSON.stringify({ query: document, operationName }),
      });
    for (const operationName of [undefined, 'C']) {
      const response = await send(operationName);
      const body = (await response.json()) as GqlResponse;
      expect(response.status).toBe(400);
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'operationName' });
      const overWs = await overSocket(socket, document, {}, operationName);
      expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'operationName' });
    }
    expect(await (await send('A')).json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('lists without `first` are costed by their real size', () => {
  let app: App;
  let dispatcher: { token: string };

  beforeAll(async () => {
    app = await startServer({ maxQueryCost: 60 });
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  it('counts categories as the rows they return, not as 10', async () => {
    const rows = (await ok<{ categories: unknown[] }>(app, '{ categories { code } }', {}, dispatcher.token)).categories.length;
    expect(rows).toBeGreaterThan(10);
    // Five fields of ~20 rows: 101 by the rows, 51 when a list counted as 10.
    const result = await gql(app, '{ categories { code nameAr nameEn targetHours lifeSafety } }', {}, dispatcher.token);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxCost: 60 });
    expect(result.errors![0].extensions!.cost).toBeGreaterThanOrEqual(1 + rows * 5);
    expect(result.data ?? null).toBeNull();
  });

  it('declares a size for every list of objects that takes no `first`', async () => {
    const schema = await buildAppSchema();
    const undeclared: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type)) || !isCompositeType(getNamedType(field.type))) continue;
        if (field.args.some((arg) => arg.name === 'first')) continue;
        if (field.extensions?.maxItems === undefined) undeclared.push(`${type.name}.${field.name}`);
      }
    }
    expect(undeclared).toEqual([]);
  });
});

describe('introspection and suggestions follow INTROSPECTION (off unless demo)', () => {
  const introspect = '{ __schema { queryType { name } } }';
  const typo = '{ reprts(first: 1) { totalCount } }';
  const badEnum = 'query($statuses: [ReportStatus!]) { reports(filter: { statuses: $statuses }) { totalCount } }';

  it('defaults to on in demo mode and off otherwise', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example/balagh' }).introspection).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example/balagh', DEMO: 'true' }).introspection).toBe(true);
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db.example/balagh', INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  describe('with demo off', () => {
    let app: App;
    let dispatcher: { token: string };
    let socket: Client;

    beforeAll(async () => {
      app = await startServer({ demo: false, introspection: DEFAULTS.introspection });
      dispatcher = await staff(app);
      socket = connect(app, dispatcher.token);
    });
    afterAll(async () => {
      await socket.dispose();
      await app.close();
    });

    it('refuses introspection and leaves suggestions out, over HTTP', async () => {
      const refused = await gql(app, introspect, {}, dispatcher.token);
      expect(refused.status).toBe(400);
      expect(codeOf(refused)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(refused.data ?? null).toBeNull();
      expect(codeOf(await gql(app, '{ __type(name: "Report") { name } }', {}, dispatcher.token))).toBe('GRAPHQL_VALIDATION_FAILED');
      const misspelt = await gql(app, typo, {}, dispatcher.token);
      expect(misspelt.errors?.[0]?.message).toMatch(/reprts/);
      expect(JSON.stringify(misspelt.errors)).not.toMatch(/Did you mean/);
      const wrongEnum = await gql(app, badEnum, { statuses: ['RECIEVED'] }, dispatcher.token);
      expect(codeOf(wrongEnum)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(wrongEnum.errors)).not.toMatch(/Did you mean/);
    });

    it('refuses introspection and leaves suggestions out, over the WebSocket', async () => {
      const refused = await overSocket(socket, introspect);
      expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(refused.data ?? null).toBeNull();
      const misspelt = await overSocket(socket, typo);
      expect(misspelt.errors?.[0]?.message).toMatch(/reprts/);
      expect(JSON.stringify(misspelt.errors)).not.toMatch(/Did you mean/);
      const wrongEnum = await overSocket(socket, badEnum, { statuses: ['RECIEVED'] });
      expect(wrongEnum.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(wrongEnum.errors)).not.toMatch(/Did you mean/);
    });
  });

  describe('with INTROSPECTION=true', () => {
    let app: App;
    let dispatcher: { token: string };
    let socket: Client;

    beforeAll(async () => {
      app = await startServer({ demo: false, introspection: loadConfig({ DATABASE_URL: 'postgres://db.example/balagh', INTROSPECTION: 'true' }).introspection });
      dispatcher = await staff(app);
      socket = connect(app, dispatcher.token);
    });
    afterAll(async () => {
      await socket.dispose();
      await app.close();
    });

    it('answers introspection, the full query a schema tool sends included, and suggests names, over HTTP and the WebSocket', async () => {
      const full = await ok<{ __schema: { types: unknown[] } }>(app, getIntrospectionQuery(), {}, dispatcher.token);
      expect(full.__schema.types.length).toBeGreaterThan(20);
      expect(await ok(app, introspect, {}, dispatcher.token)).toEqual({ __schema: { queryType: { name: 'Query' } } });
      expect((await gql(app, typo, {}, dispatcher.token)).errors?.[0]?.message).toMatch(/Did you mean "reports"/);
      expect((await overSocket(socket, introspect)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      expect((await overSocket(socket, typo)).errors?.[0]?.message).toMatch(/Did you mean "reports"/);
    });
  });
});
