import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { AssignmentStatus } from '../server/src/assignments/assignments.enums.js';
import { INDICATOR_CODES } from '../server/src/indicators/indicators.definitions.js';
import { IndicatorBucket, IndicatorDimension } from '../server/src/indicators/indicators.enums.js';
import type { IndicatorFilter } from '../server/src/indicators/indicators.types.js';
import { crewRow, staff } from './support/factories.js';
import { freshDatabase } from './support/database.js';
import { Fixtures } from './support/indicator-fixtures.js';
import { gql, startServer, type App } from './support/server.js';

/**
 * Property (issue 14): on a few thousand reports with random histories, every answer of the API (the maintained
 * aggregates) equals the same question recomputed straight from the raw tables, for random periods (not on day
 * boundaries too), buckets, groupings and filters. Deterministic: a seeded PRNG.
 */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(940_2016);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
const chance = (p: number) => random() < p;
const minutes = (n: number) => n * 60_000;

const START = Date.parse('2016-01-01T00:00:00+03:00');
const SPAN = 75 * 86_400_000;
const NOW = new Date(START + 60 * 86_400_000);
const CATEGORIES = ['POTHOLE', 'OPEN_MANHOLE', 'WATER_LEAK', 'FALLEN_TREE', 'WASTE_ACCUMULATION', 'STREETLIGHT_OUTAGE', 'HAZARDOUS_BILLBOARD'];
const MUNICIPALITIES = ['DAMMAM', 'KHOBAR', 'QATIF', 'JUBAIL'];
const CHANNELS = ['BALAGHATI_APP', 'WHATSAPP', 'CALL_940', 'WEB_PORTAL'] as const;
const PRIORITIES = ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'] as const;
const BENEFICIARIES = ['CITIZEN', 'RESIDENT', 'INVESTOR', null] as const;
const REPORTS = 2_500;

/** One report with a random life: assignments declined or worked, resolutions, follow-ups, reopens, rejections, merges. */
function randomReport(f: Fixtures, crews: string[]): void {
  let t = START + Math.floor(random() * SPAN);
  const inquiry = chance(0.1);
  const id = f.report({
    receivedAt: new Date(t),
    kind: inquiry ? 'INQUIRY' : 'INCIDENT',
    category: inquiry ? 'GENERAL_INQUIRY' : pick(CATEGORIES),
    channel: pick(CHANNELS),
    priority: pick(PRIORITIES),
    municipality: pick(MUNICIPALITIES),
    beneficiaryType: pick(BENEFICIARIES),
    targetHours: pick([2, 6, 24, 72]),
  });
  const later = (max: number) => (t += minutes(1 + Math.floor(random() * max)));
  let status = 'RECEIVED';
  for (let step = 0; step < 8 && chance(0.85); step++) {
    if (status === 'RECEIVED') {
      if (inquiry) {
        f.answer(id, new Date(later(3000)));
        status = 'RESOLVED';
      } else if (chance(0.08)) {
        f.reject(id, new Date(later(600)), chance(0.5) ? 'جهة أخرى' : null);
        status = 'REJECTED';
      } else if (chance(0.06)) {
        f.merge(id, new Date(later(600)));
        status = 'DUPLICATE';
      } else {
        const crew = pick(crews);
        const assignment = f.assign(id, crew, new Date(later(60)));
        if (chance(0.15)) {
          f.move(assignment, AssignmentStatus.DECLINED, new Date(later(30)));
          continue;
        }
        f.move(assignment, AssignmentStatus.ACCEPTED, new Date(later(30)));
        if (chance(0.8)) f.move(assignment, AssignmentStatus.ON_SITE, new Date(later(120)));
        f.move(assignment, AssignmentStatus.COMPLETED, new Date(later(600)));
        status = 'RESOLVED';
      }
    } else if (status === 'RESOLVED') {
      if (inquiry || chance(0.2)) {
        f.close(id, new Date(later(600)));
        status = 'CLOSED';
        continue;
      }
      const due = new Date(later(720));
      const calls: { at: Date; outcome: 'NO_ANSWER' | 'BUSY' | 'REACHED'; satisfaction?: number; fixed?: 'YES' | 'NO' | 'PARTLY' }[] = [];
      for (let call = 0; call < 3 && chance(0.4); call++) calls.push({ at: new Date(later(240)), outcome: pick(['NO_ANSWER', 'BUSY'] as const) });
      const reached = chance(0.75);
      if (reached) calls.push({ at: new Date(later(240)), outcome: 'REACHED', satisfaction: 1 + Math.floor(random() * 5), fixed: pick(['YES', 'YES', 'YES', 'NO', 'PARTLY'] as const) });
      else calls.push({ at: new Date(later(240)), outcome: 'NO_ANSWER' });
      f.followUp(id, due, calls, !reached);
      const last = calls[calls.length - 1];
      status = reached && last.fixed !== 'YES' ? 'RECEIVED' : 'CLOSED';
    } else if (chance(0.1)) {
      f.reopen(id, new Date(later(2000)));
      status = 'RECEIVED';
    } else {
      break;
    }
  }
}

const DIMENSIONS = Object.values(IndicatorDimension).filter((dimension) => dimension !== IndicatorDimension.CREW);

/** A random question: period (on midnights or not), bucket, up to three dimensions, a filter. */
function randomQuestion(): { period: { from: Date; to: Date }; bucket: IndicatorBucket | null; groupBy: IndicatorDimension[]; filter: IndicatorFilter | null } {
  const aligned = chance(0.5);
  const dayStart = START - 5 * 86_400_000 + Math.floor(random() * 80) * 86_400_000;
  const from = aligned ? dayStart : dayStart + Math.floor(random() * 86_400) * 1000;
  const length = pick([3_600_000 * (1 + Math.floor(random() * 20)), 86_400_000 * (1 + Math.floor(random() * 40)), 86_400_000 * 90]);
  const to = aligned ? from + Math.ceil(length / 86_400_000) * 86_400_000 : from + length + Math.floor(random() * 86_400) * 1000;
  const bucket = pick([null, null, IndicatorBucket.DAY, IndicatorBucket.WEEK, IndicatorBucket.MONTH]);
  const groupBy: IndicatorDimension[] = [];
  const size = pick([0, 1, 1, 2, 3]);
  while (groupBy.length < size) {
    const dimension = chance(0.1) ? IndicatorDimension.CREW : pick(DIMENSIONS);
    if (!groupBy.includes(dimension)) groupBy.push(dimension);
  }
  const filter: IndicatorFilter = {};
  if (chance(0.25)) filter.municipalityCodes = [pick(MUNICIPALITIES), pick(MUNICIPALITIES)];
  if (chance(0.2)) filter.departmentCodes = [pick(['ROADS_LIGHTING', 'DRAINAGE', 'CLEANLINESS', 'CALL_CENTER'])];
  if (chance(0.15)) filter.priorities = [pick(PRIORITIES)] as IndicatorFilter['priorities'];
  if (chance(0.15)) filter.channels = [pick(CHANNELS), pick(CHANNELS)] as IndicatorFilter['channels'];
  if (chance(0.1)) filter.beneficiaryTypes = ['CITIZEN'] as IndicatorFilter['beneficiaryTypes'];
  return { period: { from: new Date(from), to: new Date(to) }, bucket, groupBy, filter: Object.keys(filter).length ? filter : null };
}

const ROW = `bucketStart keys { dimension code labelAr labelEn } ${INDICATOR_CODES.join(' ')}`;
const INDICATORS_Q = `query($period: PeriodInput!, $groupBy: [IndicatorDimension!], $filter: IndicatorFilter) { rows: indicators(period: $period, groupBy: $groupBy, filter: $filter) { ${ROW} } }`;
const SERIES_Q = `query($period: PeriodInput!, $bucket: IndicatorBucket!, $groupBy: [IndicatorDimension!], $filter: IndicatorFilter) { rows: indicatorSeries(period: $period, bucket: $bucket, groupBy: $groupBy, filter: $filter) { ${ROW} } }`;

describe('indicators: the API agrees with a recomputation over the raw tables', () => {
  let app: App;
  let token: string;

  beforeAll(async () => {
    // The clock stands inside the histories, so some open reports are past their target and some not yet.
    app = await startServer({ databaseUrl: await freshDatabase('indicators_props') }, { clock: () => NOW });
    token = (await staff(app, Role.SUPERVISOR)).token;
    const crews: string[] = [];
    for (let i = 0; i < 6; i++) crews.push((await crewRow(app, { municipality: pick(MUNICIPALITIES) })).id);
    const f = new Fixtures();
    for (let i = 0; i < REPORTS; i++) randomReport(f, crews);
    await f.insert(app);
  }, 300_000);
  afterAll(() => app?.close());

  it('on 60 random questions', async () => {
    let answered = 0;
    let nonEmpty = 0;
    for (let i = 0; i < 60; i++) {
      const question = randomQuestion();
      const variables = { period: { from: question.period.from.toISOString(), to: question.period.to.toISOString() }, bucket: question.bucket, groupBy: question.groupBy, filter: question.filter };
      const answer = await gql<{ rows: Record<string, unknown>[] }>(app, question.bucket ? SERIES_Q : INDICATORS_Q, variables, token);
      if (answer.errors) {
        // Only the size bound may refuse a random question, before any work.
        expect(answer.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/^(groupBy|bucket)$/) });
        continue;
      }
      const expected = await app.services.indicators.recompute(app.orm.em.fork(), question.period, question.groupBy, question.filter, question.bucket);
      expect({ question: variables, rows: answer.data!.rows }).toEqual({ question: variables, rows: JSON.parse(JSON.stringify(expected)) });
      answered++;
      if (answer.data!.rows.some((row) => row.received || row.resolved || row.backlog || row.jobsCompleted)) nonEmpty++;
    }
    expect(answered).toBeGreaterThan(40);
    expect(nonEmpty).toBeGreaterThan(30);
  });
});
