import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, count, reportInput, staff, unique, type ReportInput } from './support/factories.js';
import { codeOf, gql, startServer, type App, type GqlResponse } from './support/server.js';

const CREATE = 'mutation($input: CreateReportInput!) { createReport(input: $input) { id location { municipality { code } } } }';
type Created = { createReport: { id: string; location: { municipality: { code: string } } } };
const KHOBAR = { lat: 26.2794, lng: 50.2083 };

function expectBadInput(result: GqlResponse, field: string | undefined): void {
  expect(result.status).not.toBe(500);
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(result.errors?.[0]?.message).toBeTruthy();
}

describe('bad input is refused with a typed error naming the field, and nothing is written', () => {
  let app: App;
  let dispatcher: { token: string };

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  const writtenBy = async (idempotencyKey: string) => count(app, 'select count(*) as n from report where idempotency_key = ?', [idempotencyKey]);

  const intakeCases: Array<{ case: string; field: string; input: (base: ReportInput) => ReportInput }> = [
    { case: 'latitude 91', field: 'location.lat', input: () => ({ location: { lat: 91, lng: 50.2 } }) },
    { case: 'longitude -181', field: 'location.lng', input: () => ({ location: { lat: 26.3, lng: -181 } }) },
    { case: 'a point in Riyadh, outside the Eastern Province', field: 'location', input: () => ({ location: { lat: 24.71, lng: 46.67 } }) },
    { case: 'swapped latitude and longitude', field: 'location', input: () => ({ location: { lat: 50.2083, lng: 26.2794 } }) },
    { case: 'an empty description', field: 'description', input: () => ({ description: '' }) },
    { case: 'a blank description', field: 'description', input: () => ({ description: '   \n\t ' }) },
    { case: 'a 100,000-character description', field: 'description', input: () => ({ description: 'ح'.repeat(100_000) }) },
    { case: 'an unknown category', field: 'categoryCode', input: () => ({ categoryCode: 'FLYING_SAUCER' }) },
    { case: 'an invalid phone', field: 'reporter.phone', input: (base) => ({ reporter: { ...base.reporter, phone: 'call me maybe' } }) },
    { case: 'a too short phone', field: 'reporter.phone', input: (base) => ({ reporter: { ...base.reporter, phone: '+96655' } }) },
    { case: 'an unknown municipality', field: 'location.municipalityCode', input: () => ({ location: { ...KHOBAR, municipalityCode: 'ATLANTIS' } }) },
    { case: 'a 501-character address', field: 'location.address', input: () => ({ location: { ...KHOBAR, address: 'x'.repeat(501) } }) },
    { case: 'a 201-character reporter name', field: 'reporter.name', input: (base) => ({ reporter: { ...base.reporter, name: 'n'.repeat(201) } }) },
    { case: 'an empty idempotency key', field: 'idempotencyKey', input: () => ({ idempotencyKey: '' }) },
  ];

  it.each(intakeCases)('createReport with $case → BAD_USER_INPUT ($field)', async ({ field, input }) => {
    const key = await apiKey(app, Role.INTAKE);
    const base = reportInput({ description: unique('bad-input') });
    const payload = { ...base, ...input(base) };
    const result = await gql(app, CREATE, { input: payload }, key);
    expectBadInput(result, field);
    expect(result.data ?? null).toBeNull();
    expect(await writtenBy(payload.idempotencyKey!)).toBe(0);
    expect(await count(app, 'select count(*) as n from report where description = ?', [base.description])).toBe(0);
  });

  it('files the report once the gateway corrects the input under the same idempotency key', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const input = reportInput();
    expectBadInput(await gql(app, CREATE, { input: { ...input, categoryCode: 'NOPE' } }, key), 'categoryCode');
    const fixed = await gql(app, CREATE, { input }, key);
    expect(fixed.errors).toBeUndefined();
    expect(await writtenBy(input.idempotencyKey!)).toBe(1);
  });

  it('derives the municipality from the coordinates when none is given', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const cases = [
      { lat: 26.4207, lng: 50.0888, expected: 'DAMMAM' },
      { lat: 27.0046, lng: 49.646, expected: 'JUBAIL' },
      { lat: 26.2794, lng: 50.2083, expected: 'KHOBAR' },
    ];
    for (const { lat, lng, expected } of cases) {
      const result = await gql<Created>(app, CREATE, { input: reportInput({ location: { lat, lng } }) }, key);
      expect(result.errors).toBeUndefined();
      expect(result.data!.createReport.location.municipality.code).toBe(expected);
    }
    const given = await gql<Created>(app, CREATE, { input: reportInput({ location: { lat: 26.4207, lng: 50.0888, municipalityCode: 'SAIHAT' } }) }, key);
    expect(given.data!.createReport.location.municipality.code).toBe('SAIHAT');
  });

  it.each([
    { case: 'a malformed after cursor', field: 'after', query: 'query { reports(after: "not-a-cursor") { totalCount } }' },
    { case: 'a cursor of well-formed JSON but the wrong shape', field: 'after', query: `query { reports(after: "${Buffer.from('[1,2]').toString('base64url')}") { totalCount } }` },
    { case: 'first: -1', field: 'first', query: 'query { reports(first: -1) { edges { node { id } } } }' },
    { case: 'first: 0', field: 'first', query: 'query { reports(first: 0) { edges { node { id } } } }' },
    { case: 'first: 10000', field: 'first', query: 'query { reports(first: 10000) { edges { node { id } } } }' },
    { case: 'a non-UUID report id', field: 'id', query: 'query { report(id: "42; drop table report") { id } }' },
    { case: 'a non-UUID crew id', field: 'id', query: 'query { crew(id: "abc") { id } }' },
    { case: 'an over-long text filter', field: 'filter.text', query: `query { reports(filter: { text: "${'q'.repeat(201)}" }) { totalCount } }` },
  ])('reading with $case → BAD_USER_INPUT ($field)', async ({ field, query }) => {
    const result = await gql(app, query, {}, dispatcher.token);
    expectBadInput(result, field);
  });

  it.each([
    { case: 'a non-UUID report id', field: 'input.reportId', query: 'mutation { assignReport(input: { reportId: "abc", crewId: "00000000-0000-4000-8000-000000000000" }) { id } }' },
    { case: 'a non-UUID assignment id', field: 'input.assignmentId', query: 'mutation { updateAssignmentStatus(input: { assignmentId: "1", status: ACCEPTED }) { id } }' },
    { case: 'a non-UUID id to cancel', field: 'id', query: 'mutation { cancelAssignment(id: "x", reason: "r") { id } }' },
    { case: 'a non-UUID id to close', field: 'id', query: 'mutation { closeReport(id: "x") { id } }' },
    { case: 'an empty reject reason', field: 'reason', query: 'mutation { rejectReport(id: "00000000-0000-4000-8000-000000000000", reason: " ") { id } }' },
    { case: 'an empty triage', field: 'input', query: 'mutation { triageReport(id: "00000000-0000-4000-8000-000000000000", input: {}) { id } }' },
    { case: 'a crew location outside the province', field: 'filter.near', query: 'query { crews(filter: { near: { lat: 24.71, lng: 46.67 } }) { id } }' },
  ])('dispatching with $case → BAD_USER_INPUT ($field)', async ({ field, query }) => {
    const result = await gql(app, query, {}, dispatcher.token);
    expectBadInput(result, field);
  });

  it('leaves the report untouched when the crew to assign does not exist, or it is merged into itself or nothing', async () => {
    const report = (await gql<Created>(app, CREATE, { input: reportInput() }, dispatcher.token)).data!.createReport;
    const missing = '00000000-0000-4000-8000-000000000000';
    const assigned = await gql(app, 'mutation($r: ID!, $c: ID!) { assignReport(input: { reportId: $r, crewId: $c }) { id } }', { r: report.id, c: missing }, dispatcher.token);
    expect(assigned.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.crewId' });
    const merge = 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }';
    expectBadInput(await gql(app, merge, { id: report.id, of: report.id }, dispatcher.token), 'duplicateOf');
    expect((await gql(app, merge, { id: report.id, of: missing }, dispatcher.token)).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'duplicateOf' });
    const after = await gql<{ report: unknown }>(app, 'query($id: ID!) { report(id: $id) { status version assignments { id } timeline { action } } }', { id: report.id }, dispatcher.token);
    expect(after.data!.report).toEqual({ status: 'RECEIVED', version: 1, assignments: [], timeline: [{ action: 'CREATED' }] });
  });

  it('answers an id that does not exist with NOT_FOUND, not an internal error', async () => {
    const result = await gql(app, 'mutation { closeReport(id: "00000000-0000-4000-8000-000000000000") { id } }', {}, dispatcher.token);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });

  it('refuses a query nested 50 levels deep before running it, naming the path where it crossed the limit', async () => {
    const inner = 'id';
    let selection = inner;
    for (let level = 0; level < 25; level++) selection = `activeAssignment { report { ${selection} } }`;
    const result = await gql(app, `query { report(id: "00000000-0000-4000-8000-000000000000") { ${selection} } }`, {}, dispatcher.token);
    expectBadInput(result, result.errors?.[0]?.extensions?.field);
    expect(result.errors![0].extensions!.field).toMatch(/^report(\.activeAssignment\.report)+(\.activeAssignment)?$/);
    expect(result.errors![0].extensions!.maxDepth).toBeGreaterThan(0);
    expect(result.data ?? null).toBeNull();
  });

  it('refuses a query nested 50 levels deep through crews too', async () => {
    let selection = 'id';
    for (let level = 0; level < 25; level++) selection = `activeAssignment { crew { ${selection} } }`;
    const result = await gql(app, `query { crews { ${selection} } }`, {}, dispatcher.token);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toMatch(/^crews(\.activeAssignment\.crew)+/);
  });

  it('refuses a query that would cost more than the limit before running it', async () => {
    const query = 'query { reports(first: 100) { edges { node { assignments { report { assignments { report { assignments { id } } } } } } } } }';
    const result = await gql(app, query, {}, dispatcher.token);
    expect(result.status).not.toBe(500);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const { cost, maxCost } = result.errors![0].extensions!;
    expect(maxCost).toBeTypeOf('number');
    expect(cost).toBeGreaterThan(maxCost as number);
    expect(result.errors![0].extensions!.field).toBeTruthy();
  });

  it('refuses a 2 MB request body with HTTP 413 and a GraphQL-shaped error, writing nothing', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const input = reportInput({ description: 'x'.repeat(2 * 1024 * 1024) });
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: CREATE, variables: { input } }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as GqlResponse;
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(body.errors![0].message).toMatch(/larger than/);
    expect(await writtenBy(input.idempotencyKey!)).toBe(0);
  });

  it.each([
    { case: 'a body that is not JSON', body: '{"query": "query { me { id } }"', contentType: 'application/json' },
    { case: 'a body with no query', body: '{}', contentType: 'application/json' },
    { case: 'a query that does not parse', body: JSON.stringify({ query: 'query { me { id ' }), contentType: 'application/json' },
    { case: 'a field that does not exist', body: JSON.stringify({ query: 'query { me { password } }' }), contentType: 'application/json' },
    { case: 'a variable of the wrong type', body: JSON.stringify({ query: 'query($n: Int!) { reports(first: $n) { totalCount } }', variables: { n: 'ten' } }), contentType: 'application/json' },
  ])('answers $case with a 4xx JSON error, never a 500', async ({ body, contentType }) => {
    const response = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${dispatcher.token}` }, body });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const json = (await response.json()) as GqlResponse;
    expect(json.errors?.length).toBeGreaterThan(0);
    expect(json.errors![0].extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  });

  it('never answers an internal error to a createReport carrying a NaN-like or huge number', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const input = reportInput({ location: { lat: 1e308, lng: 50.2 } });
    const result = await gql(app, CREATE, { input }, key);
    expectBadInput(result, 'location.lat');
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(await writtenBy(input.idempotencyKey!)).toBe(0);
  });
});
