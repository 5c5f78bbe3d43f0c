import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, count, fileReport, reportInput, staff } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';

/**
 * HTTP operations run on graphql-jit (common/execution.ts). These pin down what a client relies on
 * that graphql-jit does differently from graphql-js out of the box: input defaults, variable errors,
 * errors without extensions, directives, fragments and aliases, introspection, and many variables
 * through one compiled operation.
 */
describe('compiled execution behaves as graphql-js for clients', () => {
  let app: App;
  let dispatcher: { token: string };
  let intake: string;

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
    intake = await apiKey(app, Role.INTAKE);
  });
  afterAll(() => app.close());

  it('applies an input field default given through variables (kind is INCIDENT when left out)', async () => {
    const { kind: _kind, ...input } = reportInput();
    const data = await ok<{ createReport: { kind: string; status: string } }>(app, 'mutation($input: CreateReportInput!) { createReport(input: $input) { kind status } }', { input }, intake);
    expect(data.createReport).toEqual({ kind: 'INCIDENT', status: 'RECEIVED' });
  });

  it('refuses variables of the wrong type as BAD_USER_INPUT with graphql-js wording, running nothing', async () => {
    const input = { ...reportInput(), kind: 'EARTHQUAKE' };
    const result = await gql(app, 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }', { input }, intake);
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/^Variable "\$input" got invalid value "EARTHQUAKE" at "input.kind"/);
    expect(await count(app, 'select count(*) as n from report where idempotency_key = ?', [input.idempotencyKey])).toBe(0);
  });

  it('answers an unexpected failure inside a resolver with a logged INTERNAL_SERVER_ERROR, not a crash or a leak', async () => {
    const list = app.services.queue.list;
    app.services.queue.list = () => Promise.reject(new Error('secret internals'));
    try {
      const result = await gql(app, '{ reports(first: 1) { edges { node { id } } } }', {}, dispatcher.token);
      expect(result.status).toBe(200);
      expect(result.data).toBeNull();
      expect(result.errors).toEqual([{ message: 'Internal error; it has been logged', path: ['reports'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    } finally {
      app.services.queue.list = list;
    }
  });

  it('honours @include and @skip, fragments and aliases', async () => {
    const report = await fileReport(app, intake);
    const query = `query($id: ID!, $withCategory: Boolean!, $hideStatus: Boolean!) {
      first: report(id: $id) { ...Fields category @include(if: $withCategory) { code } }
      again: report(id: $id) { ref: reference status @skip(if: $hideStatus) }
    }
    fragment Fields on Report { id reference }`;
    const shown = await ok(app, query, { id: report.id, withCategory: true, hideStatus: false }, dispatcher.token);
    expect(shown).toEqual({
      first: { id: report.id, reference: report.reference, category: { code: 'POTHOLE' } },
      again: { ref: report.reference, status: 'RECEIVED' },
    });
    const hidden = await ok(app, query, { id: report.id, withCategory: false, hideStatus: true }, dispatcher.token);
    expect(hidden).toEqual({ first: { id: report.id, reference: report.reference }, again: { ref: report.reference } });
  });

  it('reads in a list what fragments, inline fragments and aliases ask for', async () => {
    const description = `fragments ${Date.now()} حفرة`;
    const report = await fileReport(app, intake, { description, location: { lat: 26.2794, lng: 50.2083, address: 'King Khalid St' } });
    const query = `query($reference: String!) {
      reports(filter: { text: $reference }) { edges { node { ...Who ... on Report { where: location { address } } } } }
    }
    fragment Who on Report { id reporter { name } description }`;
    const data = await ok<{ reports: { edges: Array<{ node: unknown }> } }>(app, query, { reference: report.reference }, dispatcher.token);
    expect(data.reports.edges).toEqual([{ node: { id: report.id, reporter: { name: report.reporter.name }, description, where: { address: 'King Khalid St' } } }]);
  });

  it('answers a subscription sent over HTTP with a clear 400 pointing at the WebSocket', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await gql(app, 'subscription { dispatchEvents { cursor } }', {}, dispatcher.token);
      expect(result.status).toBe(400);
      expect(codeOf(result)).toBe('BAD_REQUEST');
      expect(result.errors?.[0]?.message).toMatch(/WebSocket/);
    }
  });

  it('answers introspection', async () => {
    const data = await ok<{ __schema: { queryType: { name: string } }; __type: { fields: { name: string }[] } }>(
      app,
      '{ __schema { queryType { name } } __type(name: "Report") { fields { name } } }',
      {},
      dispatcher.token,
    );
    expect(data.__schema.queryType.name).toBe('Query');
    expect(data.__type.fields.map((field) => field.name)).toContain('activeAssignment');
  });

  it('runs one compiled operation with different variables for different callers without mixing them up', async () => {
    const reports = await Promise.all(Array.from({ length: 12 }, () => fileReport(app, intake)));
    const query = 'query($reference: String!) { reportByReference(reference: $reference) { id reference } }';
    const answers = await Promise.all(reports.map((report) => ok<{ reportByReference: { id: string } }>(app, query, { reference: report.reference }, dispatcher.token)));
    expect(answers.map((answer) => answer.reportByReference.id)).toEqual(reports.map((report) => report.id));
  });
});
