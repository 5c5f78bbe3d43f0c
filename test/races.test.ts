import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { apiKey, count, crewRow, fileReport, reportInput, staff, unique } from './support/factories.js';
import { codeOf, gql, startServer, type App, type GqlResponse } from './support/server.js';

const ASSIGN = 'mutation($input: AssignReportInput!) { assignReport(input: $input) { id crew { id } } }';
const CREATE = 'mutation($input: CreateReportInput!) { createReport(input: $input) { id reference description } }';
type Created = { createReport: { id: string; reference: string; description: string } };
const ACTIVE_ASSIGNMENTS = `select count(*) as n from assignment where report_id = ? and status in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE')`;

function outcomes(results: GqlResponse[]): { succeeded: GqlResponse[]; codes: Array<string | undefined> } {
  const succeeded = results.filter((result) => !result.errors && result.data);
  const codes = results.filter((result) => result.errors).map(codeOf);
  return { succeeded, codes };
}

describe('concurrent commands on the same rows', () => {
  let app: App;
  let dispatcher: { token: string };

  beforeAll(async () => {
    app = await startServer();
    dispatcher = await staff(app);
  });
  afterAll(() => app.close());

  it('lets exactly one of 20 dispatchers racing to assign a report to 20 different crews win', async () => {
    const report = await fileReport(app, dispatcher.token, { description: unique('race-crews') });
    const crews = await Promise.all(Array.from({ length: 20 }, () => crewRow(app)));
    const results = await Promise.all(crews.map((c) => gql(app, ASSIGN, { input: { reportId: report.id, crewId: c.id } }, dispatcher.token)));

    const { succeeded, codes } = outcomes(results);
    expect(succeeded).toHaveLength(1);
    expect(codes).toEqual(Array(19).fill('CONFLICT'));
    expect(results.every((result) => result.status !== 500)).toBe(true);
    expect(await count(app, ACTIVE_ASSIGNMENTS, [report.id])).toBe(1);
    expect(await count(app, 'select count(*) as n from assignment where report_id = ?', [report.id])).toBe(1);
    expect(await count(app, `select count(*) as n from timeline_entry where report_id = ? and action = 'ASSIGNED'`, [report.id])).toBe(1);
    const [row] = await app.orm.em.fork().getConnection().execute<Array<{ status: string; version: number }>>('select status, version from report where id = ?', [report.id]);
    expect(row).toEqual({ status: 'ASSIGNED', version: 2 });
    const winner = (succeeded[0].data as { assignReport: { crew: { id: string } } }).assignReport.crew.id;
    expect(crews.map((c) => c.id)).toContain(winner);
    const losers = await Promise.all(crews.filter((c) => c.id !== winner).map((c) => count(app, 'select count(*) as n from assignment where crew_id = ?', [c.id])));
    expect(losers).toEqual(Array(19).fill(0));
  });

  it('lets exactly one of 20 identical assignments (same report, same crew) win', async () => {
    const report = await fileReport(app, dispatcher.token, { description: unique('race-same-crew') });
    const target = await crewRow(app);
    const results = await Promise.all(Array.from({ length: 20 }, () => gql(app, ASSIGN, { input: { reportId: report.id, crewId: target.id } }, dispatcher.token)));

    const { succeeded, codes } = outcomes(results);
    expect(succeeded).toHaveLength(1);
    expect(codes).toEqual(Array(19).fill('CONFLICT'));
    expect(await count(app, ACTIVE_ASSIGNMENTS, [report.id])).toBe(1);
    expect(await count(app, 'select count(*) as n from assignment where crew_id = ?', [target.id])).toBe(1);
  });

  it('files one report when a gateway sends the same idempotency key 10 times at once', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const input = reportInput({ idempotencyKey: unique('retry'), description: unique('idempotent') });
    const results = await Promise.all(Array.from({ length: 10 }, () => gql<Created>(app, CREATE, { input }, key)));

    expect(results.map((result) => result.errors)).toEqual(Array(10).fill(undefined));
    const ids = new Set(results.map((result) => result.data!.createReport.id));
    expect(ids.size).toBe(1);
    expect(new Set(results.map((result) => result.data!.createReport.reference)).size).toBe(1);
    expect(await count(app, 'select count(*) as n from report where idempotency_key = ?', [input.idempotencyKey])).toBe(1);
    expect(await count(app, 'select count(*) as n from timeline_entry where report_id = ?', [[...ids][0]])).toBe(1);
  });

  it('answers a later retry with the first report, even when the retry carries different content', async () => {
    const key = await apiKey(app, Role.INTAKE);
    const idempotencyKey = unique('retry');
    const first = await gql<Created>(app, CREATE, { input: reportInput({ idempotencyKey, description: 'first attempt' }) }, key);
    const retry = await gql<Created>(app, CREATE, { input: reportInput({ idempotencyKey, description: 'second attempt' }) }, key);
    expect(retry.data!.createReport).toEqual(first.data!.createReport);
    expect(retry.data!.createReport.description).toBe('first attempt');
    expect(await count(app, 'select count(*) as n from report where idempotency_key = ?', [idempotencyKey])).toBe(1);
  });

  it('scopes idempotency keys to the sender: two gateways using the same key file two reports', async () => {
    const [whatsapp, app940] = await Promise.all([apiKey(app, Role.INTAKE), apiKey(app, Role.INTAKE)]);
    const idempotencyKey = unique('shared-key');
    const [a, b] = await Promise.all([
      gql<Created>(app, CREATE, { input: reportInput({ idempotencyKey, channel: 'WHATSAPP' }) }, whatsapp),
      gql<Created>(app, CREATE, { input: reportInput({ idempotencyKey, channel: 'BALAGHATI_APP' }) }, app940),
    ]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(a.data!.createReport.id).not.toBe(b.data!.createReport.id);
    expect(await count(app, 'select count(*) as n from report where idempotency_key = ?', [idempotencyKey])).toBe(2);
  });
});
