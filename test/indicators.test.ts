import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { AssignmentStatus } from '../server/src/assignments/assignments.enums.js';
import { durationStep, durationStepSql, INDICATOR_CODES, INDICATORS } from '../server/src/indicators/indicators.definitions.js';
import { apiKey, crewRow, sql, staff } from './support/factories.js';
import { freshDatabase } from './support/database.js';
import { Fixtures } from './support/indicator-fixtures.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';

/**
 * Every indicator of issue 14 against fixture reports whose answers are worked out by hand below. Times are
 * Riyadh wall-clock times (+03:00); the server's clock stands at `NOW`, so "open and overdue now" is fixed.
 */
const NOW = new Date('2015-02-10T12:00:00+03:00');
const ROW = `bucketStart keys { dimension code labelAr labelEn } ${INDICATOR_CODES.join(' ')}`;
const INDICATORS_Q = `query($period: PeriodInput!, $groupBy: [IndicatorDimension!], $filter: IndicatorFilter) { indicators(period: $period, groupBy: $groupBy, filter: $filter) { ${ROW} } }`;
const SERIES_Q = `query($period: PeriodInput!, $bucket: IndicatorBucket!, $groupBy: [IndicatorDimension!], $filter: IndicatorFilter) { indicatorSeries(period: $period, bucket: $bucket, groupBy: $groupBy, filter: $filter) { ${ROW} } }`;
type Row = Record<string, unknown> & { bucketStart: string | null; keys: { dimension: string; code: string | null; labelAr: string | null; labelEn: string | null }[] };

/** A row with every indicator null but those given. */
const row = (values: Record<string, unknown>, keys: Row['keys'] = [], bucketStart: string | null = null): Row => ({
  bucketStart,
  keys,
  ...Object.fromEntries(INDICATOR_CODES.map((code) => [code, null])),
  ...values,
});
/** Every count 0 but those given (a row where something happened), shares and medians null but those given. */
const counted = (values: Record<string, unknown>, keys: Row['keys'] = [], bucketStart: string | null = null): Row =>
  row({ ...Object.fromEntries(INDICATOR_CODES.filter((code) => INDICATORS[code].unit === 'COUNT').map((code) => [code, 0])), ...values }, keys, bucketStart);
const period = (from: string, to: string) => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });

describe('indicators', () => {
  let app: App;
  let token: string;
  let crewId: string;
  let crewName: string;
  let names: Record<string, { nameAr: string; nameEn: string }>;

  const indicators = async (variables: Record<string, unknown>) => (await ok<{ indicators: Row[] }>(app, INDICATORS_Q, variables, token)).indicators;
  const series = async (variables: Record<string, unknown>) => (await ok<{ indicatorSeries: Row[] }>(app, SERIES_Q, variables, token)).indicatorSeries;

  beforeAll(async () => {
    app = await startServer({ databaseUrl: await freshDatabase('indicators') }, { clock: () => NOW });
    token = (await staff(app, Role.SUPERVISOR)).token;
    const crew = await crewRow(app, { name: 'فرقة الخبر 1' });
    crewId = crew.id;
    crewName = crew.name;
    const rows = await sql<{ code: string; name_ar: string; name_en: string }>(app, 'select code, name_ar, name_en from municipality');
    names = Object.fromEntries(rows.map((r) => [r.code, { nameAr: r.name_ar, nameEn: r.name_en }]));
  });
  afterAll(() => app?.close());

  describe('one week of February 2015, every indicator by hand', () => {
    const FEB = period('2015-02-01T00:00:00+03:00', '2015-02-08T00:00:00+03:00');

    beforeAll(async () => {
      const f = new Fixtures();
      // R1: assigned after 30 min, on site 09:20, completed 10:00 (2 h after receipt, 40 min on site); reached, satisfied, fixed: closed.
      const r1 = f.report({ receivedAt: '2015-02-01T08:00:00+03:00', municipality: 'KHOBAR' });
      f.job(r1, crewId, '2015-02-01T08:30:00+03:00', { accepted: 30, onSite: 50, completed: 90 });
      f.followUp(r1, '2015-02-02T10:00:00+03:00', [
        { at: '2015-02-02T10:05:00+03:00', outcome: 'NO_ANSWER' },
        { at: '2015-02-02T12:00:00+03:00', outcome: 'REACHED', satisfaction: 5, fixed: 'YES' },
      ]);
      // R2: life safety, assigned after 10 min, resolved exactly at its 2-hour target (90 min on site); the reporter says not fixed:
      // reopened, assigned again and resolved 25 h after receipt (30 min on site), late.
      const r2 = f.report({
        receivedAt: '2015-02-02T10:00:00+03:00',
        category: 'OPEN_MANHOLE',
        priority: 'CRITICAL',
        targetHours: 2,
        municipality: 'DAMMAM',
        channel: 'CALL_940',
        beneficiaryType: 'RESIDENT',
      });
      f.job(r2, crewId, '2015-02-02T10:10:00+03:00', { accepted: 5, onSite: 20, completed: 110 });
      f.followUp(r2, '2015-02-03T09:00:00+03:00', [{ at: '2015-02-03T09:10:00+03:00', outcome: 'REACHED', satisfaction: 2, fixed: 'NO' }]);
      f.job(r2, crewId, '2015-02-03T10:00:00+03:00', { accepted: 5, onSite: 30, completed: 60 });
      // R3: life safety, assigned after 20 min, declined: open, and overdue now.
      const r3 = f.report({ receivedAt: '2015-02-03T08:00:00+03:00', priority: 'CRITICAL', channel: 'BALAGHATI_APP' });
      f.move(f.assign(r3, crewId, '2015-02-03T08:20:00+03:00'), AssignmentStatus.DECLINED, '2015-02-03T08:25:00+03:00');
      // R4: an inquiry answered after 90 min, then closed.
      const r4 = f.report({
        receivedAt: '2015-02-04T09:00:00+03:00',
        kind: 'INQUIRY',
        category: 'GENERAL_INQUIRY',
        priority: 'LOW',
        targetHours: 72,
        channel: 'WEB_PORTAL',
        beneficiaryType: 'INVESTOR',
      });
      f.answer(r4, '2015-02-04T10:30:00+03:00');
      f.close(r4, '2015-02-04T11:00:00+03:00');
      // R5: rejected and referred; R6: merged as a duplicate.
      const r5 = f.report({ receivedAt: '2015-02-05T12:00:00+03:00', category: 'WASTE_ACCUMULATION', municipality: 'DAMMAM', channel: 'EMAIL', beneficiaryType: null });
      f.reject(r5, '2015-02-05T13:00:00+03:00', 'شركة المياه');
      const r6 = f.report({ receivedAt: '2015-02-06T12:00:00+03:00' });
      f.merge(r6, '2015-02-06T12:30:00+03:00');
      // R7 a second before the period (open: backlog only); R8 a second before its end (open, overdue now); R9 at its end (outside).
      f.report({ receivedAt: '2015-01-31T23:59:59+03:00' });
      f.report({ receivedAt: '2015-02-07T23:59:59+03:00' });
      f.report({ receivedAt: '2015-02-08T00:00:00+03:00' });
      await f.insert(app);
    });

    it('counts each indicator by its rule over the whole period', async () => {
      expect(await indicators({ period: FEB })).toEqual([
        row({
          received: 7, // R1–R6 and R8
          resolved: 4, // R1, R2 twice, R4's answer
          closed: 2, // R1 after its follow-up, R4
          rejected: 1,
          referred: 1,
          merged: 1,
          backlog: 3, // R3, R7, R8 open at the end; R9 came at the end itself
          overdueNow: 2, // R3 and R8 (R7 was received before the period)
          firstAssignmentMedian: 20, // 10, 20, 30
          firstAssignmentP90: 30,
          resolutionMedian: 120, // 90, 120, 120, 1500
          resolutionP90: 1472, // 1500 told to its step: 1024–2047 in 32s, so 1472 (exact below 64 minutes; see durationStep)
          targetCompliance: 0.75, // R2's first resolution exactly at its target complies; its second is late
          lifeSafetyAssignedIn15: 0.5, // R2 in 10 minutes, R3 in 20
          reopenRate: 0.25, // R2's first resolution was reopened
          firstTimeFix: null, // two reached follow-ups: satisfaction hidden
          followUpsDue: 2,
          followUpsAttempted: 2,
          followUpsReached: 2,
          followUpsUnreachable: 0,
          satisfactionMean: null,
          satisfiedShare: null,
          callsMade: 3,
          inquiriesAnswered: 1,
          answerMedian: 90,
          jobsCompleted: 3,
          onSiteMedian: 40, // 30, 40, 90
          declines: 1,
        }),
      ]);
    });

    it('groups by municipality with the reference names, and by crew with the Crews indicators only', async () => {
      const byMunicipality = await indicators({ period: FEB, groupBy: ['MUNICIPALITY'] });
      expect(byMunicipality.map((r) => [r.keys, r.received, r.resolved, r.backlog, r.rejected, r.reopenRate])).toEqual([
        [[{ dimension: 'MUNICIPALITY', code: 'DAMMAM', labelAr: names.DAMMAM.nameAr, labelEn: names.DAMMAM.nameEn }], 2, 2, 0, 1, 0.5],
        [[{ dimension: 'MUNICIPALITY', code: 'KHOBAR', labelAr: names.KHOBAR.nameAr, labelEn: names.KHOBAR.nameEn }], 5, 2, 3, 0, 0],
      ]);
      expect(await indicators({ period: FEB, groupBy: ['CREW'] })).toEqual([
        row({ jobsCompleted: 3, onSiteMedian: 40, declines: 1 }, [{ dimension: 'CREW', code: crewId, labelAr: crewName, labelEn: crewName }]),
      ]);
      const byBeneficiary = await indicators({ period: FEB, groupBy: ['BENEFICIARY_TYPE', 'PRIORITY'] });
      expect(byBeneficiary.map((r) => [r.keys.map((k) => k.code), r.received, r.backlog])).toEqual([
        [['CITIZEN', 'CRITICAL'], 1, 1],
        [['CITIZEN', 'NORMAL'], 3, 2], // R1, R6, R8 received; R7 and R8 open at the end
        [['INVESTOR', 'LOW'], 1, 0],
        [['RESIDENT', 'CRITICAL'], 1, 0],
        [[null, 'NORMAL'], 1, 0], // R5 gave no beneficiary type: the group's code is null, listed last
      ]);
    });

    it('filters by department and channel', async () => {
      const [roads] = await indicators({ period: FEB, filter: { departmentCodes: ['ROADS_LIGHTING'], channels: ['WHATSAPP', 'CALL_940'] } });
      // R1, R2 (open manhole: roads), R6 and R8 by WhatsApp or 940; R3 came by the app.
      expect([roads.received, roads.resolved, roads.jobsCompleted, roads.declines, roads.backlog]).toEqual([4, 3, 3, 0, 2]);
    });

    it('series by day: Riyadh days, counts where they happened, the backlog at each day end, empty days null', async () => {
      const days = await series({ period: FEB, bucket: 'DAY' });
      expect(days.map((d) => d.bucketStart)).toEqual(['2015-02-01', '2015-02-02', '2015-02-03', '2015-02-04', '2015-02-05', '2015-02-06', '2015-02-07']);
      expect(days[0]).toEqual(
        counted(
          {
            received: 1,
            resolved: 1,
            jobsCompleted: 1,
            firstAssignmentMedian: 30,
            firstAssignmentP90: 30,
            resolutionMedian: 120,
            resolutionP90: 120,
            targetCompliance: 1,
            reopenRate: 0,
            onSiteMedian: 40,
            backlog: 1,
          },
          [],
          '2015-02-01',
        ),
      );
      expect(days.map((d) => d.backlog)).toEqual([1, 1, 2, 2, 2, 2, 3]);
      expect(days.map((d) => d.received)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    });
  });

  describe('boundaries', () => {
    it('midnight in Riyadh splits the days, whatever the UTC date', async () => {
      const f = new Fixtures();
      // Each test below keeps to a municipality of its own, so the reports others leave open are not in its backlog.
      const filter = { municipalityCodes: ['QATIF'] };
      f.report({ receivedAt: '2015-03-10T23:59:59+03:00', municipality: 'QATIF' }); // 20:59:59 UTC on the 10th
      f.report({ receivedAt: '2015-03-11T00:00:00+03:00', municipality: 'QATIF' }); // 21:00 UTC on the 10th, Riyadh's 11th
      f.report({ receivedAt: '2015-03-11T02:59:59+03:00', municipality: 'QATIF' }); // 23:59:59 UTC on the 10th
      await f.insert(app);
      const days = await series({ period: period('2015-03-10T00:00:00+03:00', '2015-03-12T00:00:00+03:00'), bucket: 'DAY', filter });
      expect(days.map((d) => [d.bucketStart, d.received])).toEqual([
        ['2015-03-10', 1],
        ['2015-03-11', 2],
      ]);
      const [eleventh] = await indicators({ period: period('2015-03-11T00:00:00+03:00', '2015-03-12T00:00:00+03:00'), filter });
      expect(eleventh.received).toBe(2);
    });

    it('a week starts on Sunday, and a week with nothing in it is all null', async () => {
      // 2015-04-04 is a Saturday, 2015-04-05 a Sunday.
      const f = new Fixtures();
      const filter = { municipalityCodes: ['SAIHAT'] };
      const saturday = f.report({ receivedAt: '2015-04-04T23:30:00+03:00', municipality: 'SAIHAT' });
      f.reject(saturday, '2015-04-04T23:40:00+03:00');
      const sunday = f.report({ receivedAt: '2015-04-05T00:30:00+03:00', municipality: 'SAIHAT' });
      f.reject(sunday, '2015-04-05T00:40:00+03:00');
      await f.insert(app);
      const weeks = await series({ period: period('2015-04-01T00:00:00+03:00', '2015-04-19T00:00:00+03:00'), bucket: 'WEEK', filter });
      expect(weeks).toEqual([counted({ received: 1, rejected: 1 }, [], '2015-03-29'), counted({ received: 1, rejected: 1 }, [], '2015-04-05'), row({}, [], '2015-04-12')]);
      const months = await series({ period: period('2015-03-15T00:00:00+03:00', '2015-05-01T00:00:00+03:00'), bucket: 'MONTH', filter });
      expect(months.map((m) => [m.bucketStart, m.received])).toEqual([
        ['2015-03-01', null],
        ['2015-04-01', 2],
      ]);
    });

    it('an empty period is one row of nulls, and no groups at all', async () => {
      const empty = period('2014-06-01T00:00:00+03:00', '2014-07-01T00:00:00+03:00');
      expect(await indicators({ period: empty })).toEqual([row({})]);
      expect(await indicators({ period: empty, groupBy: ['DEPARTMENT'] })).toEqual([]);
    });

    it('a small group hides satisfaction: four answers show counts only, the fifth shows the figures', async () => {
      const f = new Fixtures();
      const ratings: [number, 'YES' | 'NO' | 'PARTLY'][] = [
        [5, 'YES'],
        [4, 'YES'],
        [3, 'PARTLY'],
        [5, 'YES'],
        [2, 'NO'],
      ];
      ratings.forEach(([satisfaction, fixed], index) => {
        const id = f.report({ receivedAt: `2015-05-0${index + 1}T08:00:00+03:00`, municipality: 'JUBAIL' });
        f.job(id, crewId, `2015-05-0${index + 1}T09:00:00+03:00`, { accepted: 1, onSite: 2, completed: 3 });
        f.followUp(id, `2015-05-0${index + 2}T10:00:00+03:00`, [{ at: `2015-05-0${index + 2}T10:00:00+03:00`, outcome: 'REACHED', satisfaction, fixed }]);
      });
      await f.insert(app);
      const filter = { municipalityCodes: ['JUBAIL'] };
      const [four] = await indicators({ period: period('2015-05-01T00:00:00+03:00', '2015-05-06T00:00:00+03:00'), filter });
      expect([four.followUpsReached, four.satisfactionMean, four.satisfiedShare, four.firstTimeFix]).toEqual([4, null, null, null]);
      const [five] = await indicators({ period: period('2015-05-01T00:00:00+03:00', '2015-05-07T00:00:00+03:00'), filter });
      expect([five.followUpsReached, five.satisfactionMean, five.satisfiedShare, five.firstTimeFix]).toEqual([5, 3.8, 0.6, 0.6]);
      expect(five.reopenRate).toBe(0.4); // the PARTLY and NO answers reopened two of five resolutions
    });
  });

  it('tells durations exactly below 64 minutes and above it to a 32nd of their doubling, the same in SQL as in code', async () => {
    // By hand: the step is the lower end of the 32nd of the doubling holding the duration.
    expect([0, 1, 59, 63, 64, 65, 127, 128, 131, 132, 1500, 1503, 1504, 2047, 2048, 2111, 2112, 525_600].map(durationStep)).toEqual([
      0, 1, 59, 63, 64, 64, 126, 128, 128, 132, 1472, 1472, 1504, 2016, 2048, 2048, 2112, 524_288,
    ]);
    const values = [...Array.from({ length: 5000 }, (_, index) => index), ...Array.from({ length: 2000 }, (_, index) => Math.floor(1.007 ** index) + index)];
    let previous = -1;
    for (const minutes of values.slice(0, 5000)) {
      const step = durationStep(minutes);
      // Never above the duration, never 1/32 of it or more below it, and never smaller for a longer duration.
      expect(step <= minutes && minutes - step < Math.max(1, minutes / 32) && step >= previous).toBe(true);
      previous = step;
    }
    const [{ steps }] = await app.orm.em
      .fork()
      .execute<{ steps: number[] }[]>(`select array_agg(${durationStepSql('m')} order by i) as steps from unnest(?::int[]) with ordinality v(m, i)`, [`{${values.join(',')}}`]);
    expect(steps).toEqual(values.map(durationStep));
  });

  it('publishes every definition, with its Arabic and English label, unit and rule', async () => {
    const { indicatorDefinitions } = await ok<{ indicatorDefinitions: { code: string; labelAr: string; labelEn: string; unit: string; group: string; rule: string; hiddenInSmallGroups: boolean }[] }>(
      app,
      'query { indicatorDefinitions { code labelAr labelEn unit group rule hiddenInSmallGroups } }',
      {},
      token,
    );
    expect(indicatorDefinitions.map((d) => d.code)).toEqual(INDICATOR_CODES);
    expect(indicatorDefinitions.find((d) => d.code === 'targetCompliance')).toEqual({
      code: 'targetCompliance',
      labelAr: INDICATORS.targetCompliance.labelAr,
      labelEn: 'Target compliance',
      unit: 'SHARE',
      group: 'SPEED',
      rule: INDICATORS.targetCompliance.rule,
      hiddenInSmallGroups: false,
    });
    expect(indicatorDefinitions.filter((d) => d.hiddenInSmallGroups).map((d) => d.code)).toEqual(['firstTimeFix', 'satisfactionMean', 'satisfiedShare']);
  });

  it("README's Indicators table is the definitions, row for row", async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Indicators'), readme.indexOf('### The API'));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual(
      INDICATOR_CODES.map((code) => {
        const d: { labelAr: string; labelEn: string; unit: string; rule: string; hiddenInSmallGroups?: true } = INDICATORS[code];
        return `| \`${code}\` | ${d.labelAr} | ${d.labelEn} | ${d.unit.toLowerCase()} | ${d.rule}${d.hiddenInSmallGroups ? ' Hidden in a row with fewer than 5 reached follow-ups.' : ''} |`;
      }),
    );
  });

  it('answers an integrator key, and refuses bad input with a typed error naming the field', async () => {
    const key = await apiKey(app, Role.INTEGRATOR);
    const feb = period('2015-02-01T00:00:00+03:00', '2015-02-08T00:00:00+03:00');
    expect((await ok<{ indicators: Row[] }>(app, INDICATORS_Q, { period: feb }, key)).indicators[0].received).toBe(7);
    const refused = async (query: string, variables: Record<string, unknown>) => {
      const answer = await gql(app, query, variables, token);
      return { code: codeOf(answer), field: answer.errors?.[0]?.extensions?.field };
    };
    const bad = { code: 'BAD_USER_INPUT' };
    expect(await refused(INDICATORS_Q, { period: { from: feb.to, to: feb.from } })).toEqual({ ...bad, field: 'period.to' });
    expect(await refused(INDICATORS_Q, { period: { from: feb.from, to: feb.from } })).toEqual({ ...bad, field: 'period.to' });
    expect(await refused(INDICATORS_Q, { period: period('2015-01-01T00:00:00+03:00', '2020-01-01T00:00:01+03:00') })).toEqual({ ...bad, field: 'period.to' });
    expect(await refused(INDICATORS_Q, { period: feb, filter: { categoryCodes: ['POTHOLE', 'NOT_A_CATEGORY'] } })).toEqual({ ...bad, field: 'filter.categoryCodes.1' });
    expect(await refused(INDICATORS_Q, { period: feb, filter: { municipalityCodes: ['ATLANTIS'] } })).toEqual({ ...bad, field: 'filter.municipalityCodes.0' });
    expect(await refused(INDICATORS_Q, { period: feb, groupBy: ['CHANNEL', 'PRIORITY', 'MUNICIPALITY', 'DEPARTMENT'] })).toEqual({ ...bad, field: 'groupBy' });
    expect(await refused(INDICATORS_Q, { period: feb, groupBy: ['CHANNEL', 'CHANNEL'] })).toEqual({ ...bad, field: 'groupBy' });
    // Bounded before any work: two years of days, and categories × municipalities × weeks.
    expect(await refused(SERIES_Q, { period: period('2015-01-01T00:00:00+03:00', '2017-01-01T00:00:00+03:00'), bucket: 'DAY' })).toEqual({ ...bad, field: 'bucket' });
    expect(await refused(SERIES_Q, { period: period('2015-01-01T00:00:00+03:00', '2015-03-01T00:00:00+03:00'), bucket: 'WEEK', groupBy: ['CATEGORY', 'MUNICIPALITY'] })).toEqual({
      ...bad,
      field: 'groupBy',
    });
    // An unknown dimension is not in the enum: GraphQL refuses it before the resolver.
    const unknown = await gql(app, INDICATORS_Q, { period: feb, groupBy: ['PLANET'] }, token);
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
  });
});
