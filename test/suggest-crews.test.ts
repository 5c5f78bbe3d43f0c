import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../server/src/access/access.roles.js';
import { AssignmentStatus } from '../server/src/assignments/assignments.enums.js';
import { LOCATION_FRESH_MINUTES, rankCrews, URBAN_SPEED_KMH, type CrewCandidate, type SuggestionTarget } from '../server/src/assignments/assignments.ranking.js';
import { freshDatabase } from './support/database.js';
import { apiKey, assign, crew, crewRow, fileReport, progress, sql, staff, unique } from './support/factories.js';
import { codeOf, gql, ok, startServer, type App } from './support/server.js';

/** Jubail's centre: where the damaged park of these tests is. */
const PARK = { lat: 27.0046, lng: 49.646 };
/** About 0.5 km north of the park (a degree of latitude is about 111 km). */
const NEAR = { lat: PARK.lat + 0.0045, lng: PARK.lng };
/** About 15 km north of the park. */
const FAR = { lat: PARK.lat + 0.135, lng: PARK.lng };
const ISOLATED = (text: string) => `\u2068${text}\u2069`;

describe('rankCrews: the rule, fact by fact', () => {
  const now = new Date('2026-12-02T09:00:00Z');
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  const target: SuggestionTarget = {
    ...PARK,
    categoryCode: 'PARK_DAMAGE',
    categoryNameAr: 'أضرار في حديقة عامة',
    categoryNameEn: 'Damage in a public park',
    departmentCode: 'PARKS',
    departmentNameAr: 'إدارة الحدائق والتشجير',
    departmentNameEn: 'Parks and Landscaping',
  };
  /** On duty, equipped, of the responsible department, free, 0.5 km away with a location two minutes old, no jobs today. */
  const ideal: CrewCandidate = {
    id: 'ideal',
    name: 'ideal',
    onDuty: true,
    skills: ['PARK_DAMAGE'],
    departmentCode: 'PARKS',
    departmentNameAr: 'إدارة الحدائق والتشجير',
    departmentNameEn: 'Parks and Landscaping',
    ...NEAR,
    locationAt: minutesAgo(2),
    current: null,
    jobsToday: 0,
  };
  const like = (name: string, overrides: Partial<CrewCandidate>): CrewCandidate => ({ ...ideal, id: name, name, ...overrides });
  const busyJob = { reference: '940-2026-000042', status: AssignmentStatus.EN_ROUTE };
  const others = [
    like('offDuty', { onDuty: false }),
    like('noSkill', { skills: ['WASTE_ACCUMULATION'] }),
    like('otherDepartment', { departmentCode: 'CLEANLINESS', departmentNameAr: 'إدارة النظافة', departmentNameEn: 'Cleanliness and Waste' }),
    like('busy', { current: busyJob }),
    like('stale', { locationAt: minutesAgo(LOCATION_FRESH_MINUTES + 1) }),
    like('far', FAR),
    like('loaded', { jobsToday: 4 }),
  ];

  it.each(others.map((other) => [other.name, other]))('the ideal crew beats one that differs only by being %s', (_name, other) => {
    const ranked = rankCrews(target, [other, ideal], now);
    expect(ranked.map((entry) => entry.candidate.name)).toEqual(['ideal', other.name]);
    expect(ranked[0].score).toBeGreaterThan(ranked[1].score);
  });

  it('orders every kind of crew: a little work, then distance, a stale location, busy, another department, no skill, and off duty last', () => {
    expect(rankCrews(target, others, now).map((entry) => entry.candidate.name)).toEqual(['loaded', 'far', 'stale', 'busy', 'otherDepartment', 'noSkill', 'offDuty']);
  });

  it('gives the distance and an arrival at the urban speed, and its reasons in Arabic and English', () => {
    const [near] = rankCrews(target, [ideal], now);
    expect(near).toMatchObject({ distanceMeters: 500, locationAgeMinutes: 2, locationStale: false, etaMinutes: 1, busy: false });
    expect(near.reasons.map((reason) => reason.code)).toEqual(['FREE', 'DISTANCE', 'SKILL', 'DEPARTMENT', 'JOBS_TODAY']);
    expect(near.reasons).toContainEqual({ code: 'DISTANCE', textAr: `على بُعد ${ISOLATED('0.5')} كم، نحو دقيقة واحدة`, textEn: '0.5 km away, about 1 min' });
    expect(near.reasons).toContainEqual({ code: 'SKILL', textAr: 'مجهّز لـ«أضرار في حديقة عامة»', textEn: 'Equipped for Damage in a public park' });
    expect(near.reasons).toContainEqual({ code: 'DEPARTMENT', textAr: 'من الإدارة المسؤولة: إدارة الحدائق والتشجير', textEn: 'From the responsible department: Parks and Landscaping' });
    const [far] = rankCrews(target, [like('far', FAR)], now);
    expect(far.distanceMeters).toBeGreaterThan(14_900);
    expect(far.distanceMeters).toBeLessThan(15_100);
    expect(far.etaMinutes).toBe(Math.round((far.distanceMeters! / 1000 / URBAN_SPEED_KMH) * 60));
    expect(far.reasons.find((reason) => reason.code === 'DISTANCE')?.textEn).toBe(`15.0 km away, about ${far.etaMinutes} min`);
  });

  it('says what a busy crew is doing, naming its job', () => {
    const [busy] = rankCrews(target, [like('busy', { current: busyJob })], now);
    expect(busy.busy).toBe(true);
    expect(busy.reasons[0]).toEqual({ code: 'BUSY', textAr: `مشغول: في الطريق إلى ${ISOLATED('940-2026-000042')}`, textEn: 'Busy: on its way to 940-2026-000042' });
    const [onSite] = rankCrews(target, [like('busy', { current: { ...busyJob, status: AssignmentStatus.ON_SITE } })], now);
    expect(onSite.reasons[0].textEn).toBe('Busy: on site at 940-2026-000042');
  });

  it('counts a location older than 15 minutes as unknown, and one exactly 15 minutes old as known', () => {
    const [stale] = rankCrews(target, [like('stale', { locationAt: minutesAgo(16) })], now);
    expect(stale).toMatchObject({ distanceMeters: null, etaMinutes: null, locationStale: true, locationAgeMinutes: 16 });
    expect(stale.reasons).toContainEqual({ code: 'LOCATION_UNKNOWN', textAr: `الموقع غير معروف: آخر تحديث قبل ${ISOLATED('16')} دقيقة`, textEn: 'Location unknown: last shared 16 min ago' });
    const [edge] = rankCrews(target, [like('edge', { locationAt: minutesAgo(15) })], now);
    expect(edge).toMatchObject({ distanceMeters: 500, locationStale: false });
    const [never] = rankCrews(target, [like('never', { lat: null, lng: null, locationAt: null })], now);
    expect(never).toMatchObject({ distanceMeters: null, locationAgeMinutes: null, locationStale: true });
    expect(never.reasons).toContainEqual({ code: 'LOCATION_UNKNOWN', textAr: 'الموقع غير معروف: لم يشارك موقعه', textEn: 'Location unknown: never shared' });
  });

  it.each([
    [0, 'لا مهام له اليوم', 'No jobs today'],
    [1, 'مهمة واحدة اليوم', '1 job today'],
    [2, 'مهمتان اليوم', '2 jobs today'],
    [3, `${ISOLATED('3')} مهام اليوم`, '3 jobs today'],
    [11, `${ISOLATED('11')} مهمة اليوم`, '11 jobs today'],
  ])('words %i jobs today with Arabic plural forms', (jobsToday, textAr, textEn) => {
    const [ranked] = rankCrews(target, [like('worker', { jobsToday })], now);
    expect(ranked.reasons.at(-1)).toEqual({ code: 'JOBS_TODAY', textAr, textEn });
  });
});

type Suggestion = {
  crew: { id: string; status: string };
  score: number;
  distanceMeters: number | null;
  locationAgeMinutes: number | null;
  locationStale: boolean;
  etaMinutes: number | null;
  busy: boolean;
  currentAssignment: { id: string; status: string; report: { reference: string } } | null;
  jobsToday: number;
  reasons: Array<{ code: string; textAr: string; textEn: string }>;
};
const SUGGEST = `query($id: ID!, $first: Int) { suggestCrews(reportId: $id, first: $first) {
  crew { id status } score distanceMeters locationAgeMinutes locationStale etaMinutes busy currentAssignment { id status report { reference } } jobsToday reasons { code textAr textEn }
} }`;

describe('suggestCrews', () => {
  let app: App;
  /** The injected clock runs this far ahead of the wall clock. */
  let aheadMs = 0;
  let dispatcher: { token: string };
  let report: { id: string };
  const crews: Record<'ideal' | 'loaded' | 'far' | 'busy' | 'otherDepartment' | 'offDuty', string> = { ideal: '', loaded: '', far: '', busy: '', otherDepartment: '', offDuty: '' };
  let busyJob: { id: string; reference: string };

  /** A crew in Jubail, equipped for damaged parks unless told otherwise. */
  const jubailCrew = async (overrides: { department?: string; onDuty?: boolean; lat: number; lng: number }) => {
    const row = await crewRow(app, { department: 'PARKS', municipality: 'JUBAIL', name: unique('jubail'), ...overrides });
    await sql(app, `update crew set skills = '{PARK_DAMAGE}' where id = ?`, [row.id]);
    return row.id;
  };
  const parkReport = () => fileReport(app, dispatcher.token, { categoryCode: 'PARK_DAMAGE', description: unique('حديقة'), location: { ...PARK, address: 'حديقة الحويلات، الجبيل' } });
  const suggest = async (token: string, first = 100) => (await ok<{ suggestCrews: Suggestion[] }>(app, SUGGEST, { id: report.id, first }, token)).suggestCrews;

  beforeAll(async () => {
    // A database of its own: suggestions rank every crew there is.
    app = await startServer({ databaseUrl: await freshDatabase('suggest') }, { clock: () => new Date(Date.now() + aheadMs) });
    dispatcher = await staff(app);
    report = await parkReport();
    crews.ideal = await jubailCrew(NEAR);
    crews.loaded = await jubailCrew(NEAR);
    crews.far = await jubailCrew(FAR);
    crews.busy = await jubailCrew(NEAR);
    crews.otherDepartment = await jubailCrew({ ...NEAR, department: 'CLEANLINESS' });
    crews.offDuty = await jubailCrew({ ...NEAR, onDuty: false });
    // The busy crew is on its way to another park; the loaded one finished two jobs today.
    const other = await parkReport();
    const job = await assign(app, dispatcher.token, other.id, crews.busy);
    for (const step of ['ACCEPTED', 'EN_ROUTE'] as const) await progress(app, dispatcher.token, job.id, step);
    busyJob = { id: job.id, reference: (await sql<{ reference: string }>(app, 'select reference from report where id = ?', [other.id]))[0].reference };
    for (let i = 0; i < 2; i++) {
      const done = await assign(app, dispatcher.token, (await parkReport()).id, crews.loaded);
      for (const step of ['ACCEPTED', 'ON_SITE', 'COMPLETED'] as const) await progress(app, dispatcher.token, done.id, step, 'تم إصلاح المقاعد');
    }
  });
  afterAll(() => app.close());

  it('puts the equipped, responsible, free and near crew first, and far, busy, other-department and off-duty crews after it', async () => {
    const ranked = await suggest(dispatcher.token);
    const order = ['ideal', 'loaded', 'far', 'busy', 'otherDepartment', 'offDuty'] as const;
    expect(ranked.map((entry) => entry.crew.id)).toEqual(order.map((name) => crews[name]));
    const scores = ranked.map((entry) => entry.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect((await suggest(dispatcher.token, 1)).map((entry) => entry.crew.id)).toEqual([crews.ideal]);
    // The default is the top five.
    expect((await ok<{ suggestCrews: Suggestion[] }>(app, 'query($id: ID!) { suggestCrews(reportId: $id) { crew { id } } }', { id: report.id }, dispatcher.token)).suggestCrews).toHaveLength(5);
  });

  it('gives distance, arrival and reasons in Arabic and English', async () => {
    const [ideal] = await suggest(dispatcher.token);
    expect(ideal).toMatchObject({ crew: { id: crews.ideal, status: 'AVAILABLE' }, distanceMeters: 500, locationStale: false, etaMinutes: 1, busy: false, currentAssignment: null, jobsToday: 0 });
    expect(ideal.reasons.map((reason) => reason.code)).toEqual(['FREE', 'DISTANCE', 'SKILL', 'DEPARTMENT', 'JOBS_TODAY']);
    expect(ideal.reasons).toContainEqual({ code: 'FREE', textAr: 'متاح الآن', textEn: 'Free now' });
    expect(ideal.reasons).toContainEqual({ code: 'SKILL', textAr: 'مجهّز لـ«أضرار في حديقة عامة»', textEn: 'Equipped for Damage in a public park' });
    const otherDepartment = (await suggest(dispatcher.token)).find((entry) => entry.crew.id === crews.otherDepartment)!;
    expect(otherDepartment.reasons).toContainEqual({ code: 'OTHER_DEPARTMENT', textAr: 'من إدارة أخرى: إدارة النظافة', textEn: 'From another department: Cleanliness and Waste' });
    const offDuty = (await suggest(dispatcher.token)).find((entry) => entry.crew.id === crews.offDuty)!;
    expect(offDuty.reasons[0]).toEqual({ code: 'OFF_DUTY', textAr: 'خارج المناوبة، لا يمكن إسناد البلاغ إليه', textEn: 'Off duty: cannot be assigned' });
  });

  it("shows a busy crew's current job: its reference and status", async () => {
    const busy = (await suggest(dispatcher.token)).find((entry) => entry.crew.id === crews.busy)!;
    expect(busy).toMatchObject({ busy: true, crew: { status: 'EN_ROUTE' }, currentAssignment: { id: busyJob.id, status: 'EN_ROUTE', report: { reference: busyJob.reference } } });
    expect(busy.reasons[0]).toEqual({ code: 'BUSY', textAr: `مشغول: في الطريق إلى ${ISOLATED(busyJob.reference)}`, textEn: `Busy: on its way to ${busyJob.reference}` });
  });

  it("counts today's jobs, finished or in hand", async () => {
    const ranked = await suggest(dispatcher.token);
    const today = Object.fromEntries(ranked.map((entry) => [entry.crew.id, entry.jobsToday]));
    expect(today).toEqual({ [crews.ideal]: 0, [crews.loaded]: 2, [crews.far]: 0, [crews.busy]: 1, [crews.otherDepartment]: 0, [crews.offDuty]: 0 });
    expect(ranked.find((entry) => entry.crew.id === crews.loaded)!.reasons.at(-1)).toEqual({ code: 'JOBS_TODAY', textAr: 'مهمتان اليوم', textEn: '2 jobs today' });
  });

  it('shows a location shared 16 minutes ago as unknown, and ranks the crew after those with a known one', async () => {
    // Every crew shares its place now; then the clock moves 16 minutes on.
    await sql(app, 'update crew set location_at = ?', [new Date()]);
    aheadMs = 16 * 60_000;
    const fresh = await jubailCrew(NEAR);
    try {
      const ranked = await suggest(dispatcher.token);
      const ideal = ranked.find((entry) => entry.crew.id === crews.ideal)!;
      expect(ideal).toMatchObject({ distanceMeters: null, etaMinutes: null, locationStale: true, locationAgeMinutes: 16 });
      expect(ideal.reasons).toContainEqual({ code: 'LOCATION_UNKNOWN', textAr: `الموقع غير معروف: آخر تحديث قبل ${ISOLATED('16')} دقيقة`, textEn: 'Location unknown: last shared 16 min ago' });
      // A crew that just shared its place (as the clock sees it) now comes first.
      await sql(app, 'update crew set location_at = ? where id = ?', [new Date(Date.now() + aheadMs), fresh]);
      const [first] = await suggest(dispatcher.token);
      expect(first).toMatchObject({ crew: { id: fresh }, distanceMeters: 500, locationStale: false });
    } finally {
      aheadMs = 0;
      await sql(app, 'delete from crew where id = ?', [fresh]);
    }
  });

  it('answers dispatchers and supervisors, refuses crews and intake keys, and names bad input', async () => {
    const supervisor = await staff(app, Role.SUPERVISOR);
    expect((await suggest(supervisor.token, 1)).map((entry) => entry.crew.id)).toEqual([crews.ideal]);
    const member = await crew(app);
    const intake = await apiKey(app, Role.INTAKE);
    for (const token of [member.token, intake]) {
      const refused = await gql(app, SUGGEST, { id: report.id, first: 5 }, token);
      expect(codeOf(refused)).toBe('FORBIDDEN');
      expect(refused.data).toBeNull();
    }
    expect(codeOf(await gql(app, SUGGEST, { id: report.id, first: 5 }))).toBe('UNAUTHENTICATED');
    const zero = await gql(app, SUGGEST, { id: report.id, first: 0 }, dispatcher.token);
    expect(zero.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const missing = await gql(app, SUGGEST, { id: '00000000-0000-4000-8000-000000000000', first: 5 }, dispatcher.token);
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'reportId' });
    const malformed = await gql(app, SUGGEST, { id: 'not-an-id', first: 5 }, dispatcher.token);
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reportId' });
  });
});
