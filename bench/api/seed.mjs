/**
 * Set-based seeding for the API benchmark: crews (one per department and municipality) and reports with
 * their first timeline entry and assignments, grown in batches of `insert … select from generate_series`.
 *
 * Shape of the data: reports spread over three years (open ones over the last 60 days), about 15% open
 * (RECEIVED 9%, ASSIGNED 3%, IN_PROGRESS 3%), the rest RESOLVED, CLOSED, REJECTED or DUPLICATE; category,
 * municipality and channel drawn with realistic weights; priority and target time from the category.
 * ASSIGNED and IN_PROGRESS reports hold one active assignment, RESOLVED and CLOSED ones a COMPLETED one
 * (and one in twenty an earlier CANCELLED one). Open reports past their target are marked as already
 * notified, as the overdue scanner would have left them, so no scanner floods the outbox during a run.
 */

/** Weighted draws: each code appears as often as its weight. */
function weighted(entries) {
  return entries.flatMap(([code, weight]) => Array(weight).fill(code));
}

const MUNICIPALITIES = weighted([
  ['DAMMAM', 8],
  ['KHOBAR', 6],
  ['QATIF', 4],
  ['DHAHRAN', 3],
  ['JUBAIL', 3],
  ['SAIHAT', 2],
  ['SAFWA', 1],
  ['RAS_TANURA', 1],
  ['ABQAIQ', 1],
  ['NAIRYAH', 1],
  ['QARYAT_ALULYA', 1],
  ['KHAFJI', 1],
]);

const CATEGORIES = weighted([
  ['HAZARDOUS_BILLBOARD', 1],
  ['OPEN_MANHOLE', 1],
  ['UNSAFE_EXCAVATION', 1],
  ['EXPOSED_CABLES', 1],
  ['RAINWATER_POOLING', 3],
  ['SEWAGE_OVERFLOW', 3],
  ['WATER_LEAK', 3],
  ['POTHOLE', 8],
  ['FALLEN_TREE', 1],
  ['FOOD_SAFETY', 2],
  ['STREETLIGHT_OUTAGE', 6],
  ['WASTE_ACCUMULATION', 8],
  ['CONSTRUCTION_DEBRIS', 3],
  ['STRAY_ANIMALS', 2],
  ['DAMAGED_SIDEWALK', 3],
  ['VISUAL_POLLUTION', 2],
  ['ABANDONED_VEHICLE', 2],
  ['PARK_DAMAGE', 1],
  ['GENERAL_INQUIRY', 3],
  ['SERVICE_NOTE', 1],
]);

const CHANNELS = weighted([
  ['BALAGHATI_APP', 9],
  ['WHATSAPP', 5],
  ['CALL_940', 4],
  ['WEB_PORTAL', 2],
  ['EMAIL', 1],
  ['SOCIAL_MEDIA', 1],
]);

export const DESCRIPTIONS = [
  'لوحة إعلانية كبيرة مائلة وآيلة للسقوط فوق الرصيف بعد الرياح',
  'غرفة تفتيش مكشوفة بدون غطاء أمام مدرسة ابتدائية',
  'تجمع مياه أمطار يغلق مسارين في التقاطع',
  'حفرة عميقة في المسار الأيمن تسببت في تلف إطار',
  'تراكم النفايات حول الحاويات منذ ثلاثة أيام',
  'ثلاثة أعمدة إنارة متتالية لا تعمل ليلاً',
  'مجموعة كلاب ضالة قرب مدخل الحي',
  'بلاط الرصيف مكسور ومرتفع ويعيق المشاة',
  'مخلفات بناء مرمية على أرض فضاء بجوار المسجد',
  'تسرب مياه مستمر من الرصيف إلى الشارع منذ الصباح',
];

const ADDRESSES = ['طريق الأمير تركي، الكورنيش', 'حي الفيصلية، شارع 11', 'حي الشاطئ الغربي', 'شارع الملك خالد', 'حي الثقبة', 'حي النور', 'طريق الملك سعود', 'حي الريان'];
const NAMES = ['محمد العتيبي', 'Fatimah Al-Qahtani', 'عبدالله الدوسري', 'نورة الشمري', 'Ahmed Khan', 'سارة الزهراني'];
const BENEFICIARIES = weighted([
  ['CITIZEN', 6],
  ['RESIDENT', 3],
  ['CONTRACTOR', 1],
  ['INVESTOR', 1],
  ['STAFF', 1],
]);

function sqlArray(values) {
  return `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;
}

function pick(values) {
  return `(${sqlArray(values)})[1 + floor(random() * ${values.length})::int]`;
}

/** One crew per department (other than the call center) and municipality, all on duty, named in Arabic and English. */
export async function seedCrews(client) {
  await client.query(`
    insert into crew (id, name, name_en, department_code, municipality_code, skills, on_duty, lat, lng, location_at, version)
    select gen_random_uuid(), d.name_ar || ' ' || m.name_ar || ' 1', m.name_en || ' ' || d.name_en || ' 1', d.code, m.code,
           array(select c.code from category c where c.department_code = d.code order by c.code),
           true, m.lat + 0.01, m.lng - 0.01, now(), 1
    from department d cross join municipality m
    where d.code <> 'CALL_CENTER'
      and not exists (select 1 from crew x where x.department_code = d.code and x.municipality_code = m.code)`);
}

/**
 * With `histories` (bench/indicators): what happened to each report after its receipt, as the server would have
 * written it, so the indicators have something to count. Every time is an offset from receipt, scaled to the
 * report's target (resolutions land between 0.15× and 1.25× of it, so about a fifth are late) and kept in the
 * past; CRITICAL reports are first assigned 2–22 minutes after receipt (about 60 % within 15), others within hours.
 * - crew work: ASSIGNED; for IN_PROGRESS and resolved ones ASSIGNMENT_ON_SITE and STARTED; for resolved ones
 *   ASSIGNMENT_COMPLETED and RESOLVED; one in sixteen resolved reports was resolved, REOPENED, assigned and
 *   resolved again; one in twenty-five crews declined first (a DECLINED assignment and its ASSIGNMENT_DECLINED line);
 * - call-center inquiries and notes: ANSWERED (to RESOLVED); CLOSED, REJECTED and MARKED_DUPLICATE lines for those fates;
 * - follow-ups for 60 % of resolved crew reports with a phone, due a day after the resolution: still PENDING when
 *   not yet due, else REACHED (72 %, after 1–3 calls, satisfaction 1–5 weighted to 4–5, fixed YES 75 %),
 *   UNREACHABLE (20 %, 3 unanswered calls) or PENDING after one unanswered call; one follow_up_attempt per call.
 * Lines are written in time order per report, so `id` order is history order.
 */
const HISTORIES_SQL = `, plan as (
      select i.id, i.status, i.received_at, i.priority, i.reporter_phone, i.beneficiary_type,
             c.department_code = 'CALL_CENTER' as answered_here,
             i.status in ('RESOLVED', 'CLOSED') as done,
             greatest(1, least(extract(epoch from (i.target_at - i.received_at)) / 60 * (0.15 + random() * 1.1),
                               extract(epoch from (now() - i.received_at)) / 60 * 0.9)) as total,
             case when i.priority = 'CRITICAL' then 2 + random() * 20 else 5 + random() * random() * 600 end as assign_min,
             random() as reopen_u, random() as decline_u, random() as fu_u, random() as fu_v, random() as fu_w
      from ins i join category c on c.code = i.category_code
    ), timed_plan as (
      select p.*, least(p.assign_min, p.total * 0.3) as a_min,
             not p.answered_here and p.status in ('ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED') as crewed,
             not p.answered_here and p.done and p.reopen_u < 0.0625 as reopened,
             not p.answered_here and p.status in ('ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED') and p.decline_u < 0.04 as declined
      from plan p
    ), lines as (
      select p.id as report_id, v.job, v.m, v.o, v.action, v.from_status, v.to_status
      from timed_plan p cross join lateral (values
        (p.crewed, null::text, p.a_min, 1, 'ASSIGNED', 'RECEIVED', 'ASSIGNED'),
        (p.declined, 'declined', p.a_min + 0.5, 2, 'ASSIGNMENT_DECLINED', null, null),
        (p.crewed and p.done, 'job', case when p.reopened then 0.35 else 0.6 end * p.total, 3, 'ASSIGNMENT_ON_SITE', null, null),
        (p.crewed and (p.done or p.status = 'IN_PROGRESS'), null, case when p.reopened then 0.35 else 0.6 end * p.total, 4, 'STARTED', 'ASSIGNED', 'IN_PROGRESS'),
        (p.crewed and p.done, 'job', case when p.reopened then 0.5 else 1 end * p.total, 5, 'ASSIGNMENT_COMPLETED', null, null),
        (p.crewed and p.done, null, case when p.reopened then 0.5 else 1 end * p.total, 6, 'RESOLVED', 'IN_PROGRESS', 'RESOLVED'),
        (p.reopened, null, p.total * 0.6, 7, 'REOPENED', 'RESOLVED', 'RECEIVED'),
        (p.reopened, null, p.total * 0.7, 8, 'ASSIGNED', 'RECEIVED', 'ASSIGNED'),
        (p.reopened, null, p.total * 0.8, 9, 'STARTED', 'ASSIGNED', 'IN_PROGRESS'),
        (p.reopened, null, p.total, 10, 'RESOLVED', 'IN_PROGRESS', 'RESOLVED'),
        (p.answered_here and p.done, null, p.total, 6, 'ANSWERED', 'RECEIVED', 'RESOLVED'),
        (p.status = 'CLOSED', null, p.total * 1.05, 11, 'CLOSED', 'RESOLVED', 'CLOSED'),
        (p.status = 'REJECTED', null, p.total * 0.2, 6, 'REJECTED', 'RECEIVED', 'REJECTED'),
        (p.status = 'DUPLICATE', null, p.total * 0.1, 6, 'MARKED_DUPLICATE', 'RECEIVED', 'DUPLICATE')
      ) v(keep, job, m, o, action, from_status, to_status)
      where v.keep
    ), declined as (
      insert into assignment (id, report_id, crew_id, status, note, created_at, updated_at, version)
      select gen_random_uuid(), x.report_id, x.crew_id, 'DECLINED', 'على مهمة أخرى',
             x.received_at + p.a_min * interval '1 minute', x.received_at + (p.a_min + 0.5) * interval '1 minute', 2
      from crews x join timed_plan p on p.id = x.report_id
      where p.declined
      returning id, report_id
    ), history as (
      insert into timeline_entry (report_id, assignment_id, at, actor, action, from_status, to_status, note)
      select l.report_id, case l.job when 'job' then j.id when 'declined' then d.id end,
             p.received_at + l.m * interval '1 minute', 'bench', l.action, l.from_status, l.to_status, null
      from lines l join timed_plan p on p.id = l.report_id
      left join assigned j on l.job = 'job' and j.report_id = l.report_id and j.status = 'COMPLETED'
      left join declined d on l.job = 'declined' and d.report_id = l.report_id
      order by l.report_id, l.m, l.o
      returning 1
    ), fu_plan as (
      select p.id, p.reporter_phone, p.beneficiary_type, p.fu_w, d.due_at,
             case when d.due_at + interval '12 hours' > now() then 'PENDING' when p.fu_v < 0.72 then 'REACHED' when p.fu_v < 0.92 then 'UNREACHABLE' else 'PENDING' end as fu_status,
             case when d.due_at + interval '12 hours' > now() then 0 when p.fu_v < 0.72 then 1 + floor(p.fu_v * 4)::int when p.fu_v < 0.92 then 3 else 1 end as calls
      from timed_plan p cross join lateral (select p.received_at + p.total * interval '1 minute' + interval '1 day' as due_at) d
      where p.crewed and p.done and p.reporter_phone is not null and p.fu_u < 0.6
    ), fu as (
      insert into follow_up (id, report_id, status, phone, beneficiary_type, due_at, next_attempt_at, attempts, unanswered, satisfaction, fixed, closed_reason,
                             created_at, completed_at, completed_by, version)
      select gen_random_uuid(), q.id, q.fu_status, q.reporter_phone, q.beneficiary_type, q.due_at, q.due_at + q.calls * interval '3 hours',
             q.calls, case when q.fu_status = 'REACHED' then q.calls - 1 else q.calls end,
             case when q.fu_status = 'REACHED' then (array[1, 2, 3, 3, 4, 4, 4, 5, 5, 5])[1 + floor(q.fu_w * 10)::int] end,
             case when q.fu_status = 'REACHED' then case when random() < 0.75 then 'YES' when random() < 0.6 then 'NO' else 'PARTLY' end end,
             case when q.fu_status = 'UNREACHABLE' then 'no answer after 3 attempts' end,
             q.due_at - interval '1 day',
             case when q.fu_status <> 'PENDING' then q.due_at + (q.calls - 1) * interval '3 hours' end,
             case when q.fu_status <> 'PENDING' then 'bench-agent' end,
             1 + q.calls
      from fu_plan q
      returning id, status, due_at, attempts
    ), calls as (
      insert into follow_up_attempt (follow_up_id, at, agent, outcome, note, call_back_at)
      select f.id, f.due_at + (k - 1) * interval '3 hours', 'bench-agent', case when k = f.attempts and f.status = 'REACHED' then 'REACHED' else 'NO_ANSWER' end, null, null
      from fu f cross join generate_series(1, f.attempts) k
      returning 1
    )`;
const HISTORIES_COUNTS = `, (select count(*) from history) as history, (select count(*) from fu) as follow_ups, (select count(*) from calls) as calls`;

/**
 * Inserts reports numbered `from`..`to` (inclusive) with their CREATED timeline entry and assignments, in
 * one statement. `intakePrincipal` and `staffPrincipal` are the `submitted_by` values (`key:<id>`, `user:<id>`).
 */
export async function seedReports(client, from, to, { intakePrincipal, staffPrincipal }, { histories = false } = {}) {
  const sql = `
    with src as (
      select g,
             ${pick(MUNICIPALITIES)} as muni,
             ${pick(CATEGORIES)} as cat,
             ${pick(CHANNELS)} as channel,
             ${pick(DESCRIPTIONS)} as description,
             random() as u, random() as age, random() as dlat, random() as dlng, random() as r1, random() as r2
      from generate_series($1::bigint, $2::bigint) g
    ), drawn as (
      select s.*, c.default_priority, c.target_hours, c.department_code, m.lat as mlat, m.lng as mlng,
             case
               when s.u < 0.09 then 'RECEIVED'
               when s.u < 0.15 and c.department_code = 'CALL_CENTER' then 'RECEIVED'
               when s.u < 0.12 then 'ASSIGNED'
               when s.u < 0.15 then 'IN_PROGRESS'
               when s.u < 0.23 then 'RESOLVED'
               when s.u < 0.90 then 'CLOSED'
               when s.u < 0.96 then 'REJECTED'
               else 'DUPLICATE'
             end as status
      from src s join category c on c.code = s.cat join municipality m on m.code = s.muni
    ), timed as (
      select d.*,
             now() - (case when d.status in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS') then d.age * 60 else d.age * 1095 end) * interval '1 day' as received_at
      from drawn d
    ), ins as (
      insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, address,
                          municipality_code, reporter_name, reporter_phone, beneficiary_type, received_at, target_at, submitted_by,
                          idempotency_key, duplicate_of_id, rejection_reason, referred_to, overdue_notified_at, updated_at, version)
      select gen_random_uuid(),
             '940-' || to_char(t.received_at at time zone 'Asia/Riyadh', 'YYYY') || '-' || to_char(nextval('report_reference_seq'), 'FM000000999999'),
             case t.cat when 'GENERAL_INQUIRY' then 'INQUIRY' when 'SERVICE_NOTE' then 'NOTE' else 'INCIDENT' end,
             t.channel, t.cat, t.default_priority,
             case t.default_priority when 'CRITICAL' then 0 when 'HIGH' then 1 when 'NORMAL' then 2 else 3 end,
             t.status, t.description,
             t.mlat + (t.dlat - 0.5) * 0.04, t.mlng + (t.dlng - 0.5) * 0.04,
             case when t.r1 < 0.8 then ${pick(ADDRESSES)} end,
             t.muni,
             case when t.r2 < 0.85 then ${pick(NAMES)} end,
             case when t.r2 < 0.85 then '+9665' || lpad(floor(random() * 100000000)::text, 8, '0') end,
             case when t.r2 < 0.85 then ${pick(BENEFICIARIES)} end,
             t.received_at,
             t.received_at + t.target_hours * interval '1 hour',
             case when t.channel = 'CALL_940' then $4 else $3 end,
             'seed-' || t.g,
             null,
             case when t.status = 'REJECTED' then 'Not a municipal asset: referred to the utility' end,
             case when t.status = 'REJECTED' then 'NWC' end,
             case when t.status in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS') and t.received_at + t.target_hours * interval '1 hour' < now()
                  then t.received_at + t.target_hours * interval '1 hour' end,
             t.received_at + case when t.status = 'RECEIVED' then interval '0' else interval '3 hours' end,
             case t.status when 'RECEIVED' then 1 when 'ASSIGNED' then 2 when 'IN_PROGRESS' then 3 else 5 end
      from timed t
      returning id, status, category_code, municipality_code, received_at, updated_at, submitted_by${histories ? ', target_at, priority, reporter_phone, beneficiary_type' : ''}
    ), timeline as (
      insert into timeline_entry (report_id, assignment_id, at, actor, action, from_status, to_status, note)
      select i.id, null, i.received_at, case when i.submitted_by = $4 then 'dispatcher' else 'bench-intake' end, 'CREATED', null, 'RECEIVED', null
      from ins i
      returning 1
    ), crews as (
      select i.id as report_id, i.status, i.received_at, i.updated_at, cr.id as crew_id
      from ins i
      join category c on c.code = i.category_code
      join crew cr on cr.department_code = c.department_code and cr.municipality_code = i.municipality_code
      where i.status in ('ASSIGNED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED')
    ), assigned as (
      insert into assignment (id, report_id, crew_id, status, note, created_at, updated_at, version)
      select gen_random_uuid(), x.report_id, x.crew_id,
             case x.status
               when 'ASSIGNED' then case when random() < 0.5 then 'PENDING' else 'ACCEPTED' end
               -- a crew works one job at a time (assignment_one_working_per_crew): its bulk-loaded jobs in progress wait accepted
               when 'IN_PROGRESS' then 'ACCEPTED'
               else 'COMPLETED'
             end,
             case when x.status in ('RESOLVED', 'CLOSED') then 'تمت المعالجة' end,
             x.received_at + interval '20 minutes', x.updated_at,
             case x.status when 'ASSIGNED' then 1 when 'IN_PROGRESS' then 3 else 5 end
      from crews x
      union all
      select gen_random_uuid(), x.report_id, x.crew_id, 'CANCELLED', 'reassigned', x.received_at + interval '5 minutes', x.received_at + interval '15 minutes', 2
      from crews x
      where x.status = 'CLOSED' and random() < 0.05
      returning ${histories ? 'id, report_id, status' : '1'}
    )${histories ? HISTORIES_SQL : ''}
    select (select count(*) from ins) as reports, (select count(*) from timeline) as entries, (select count(*) from assigned) as assignments${histories ? HISTORIES_COUNTS : ''}`;
  const { rows } = await client.query(sql, [from, to, intakePrincipal, staffPrincipal]);
  return rows[0];
}

/**
 * Grows the report table to `target` rows in batches of `batch`, then vacuums and analyzes. Foreign-key
 * triggers are off during the load (the rows are valid by construction), as in any bulk load. With `histories`,
 * each report also gets its history and follow-ups (HISTORIES_SQL; bench/indicators).
 */
export async function growReports(client, target, principals, { batch = 100_000, log = () => {}, histories = false } = {}) {
  const [{ count, next }] = (
    await client.query(`select count(*)::bigint as count, coalesce(max(substring(idempotency_key from 6)::bigint) filter (where idempotency_key like 'seed-%'), 0) + 1 as next from report`)
  ).rows;
  let have = Number(count);
  let n = Number(next);
  if (have >= target) return have;
  await client.query(`set session_replication_role = replica`);
  try {
    while (have < target) {
      const size = Math.min(batch, target - have);
      const started = Date.now();
      await seedReports(client, n, n + size - 1, principals, { histories });
      n += size;
      have += size;
      log(`  seeded ${have.toLocaleString('en')} reports (${((Date.now() - started) / 1000).toFixed(1)} s for ${size.toLocaleString('en')})`);
    }
  } finally {
    await client.query(`set session_replication_role = origin`);
  }
  await client.query(`vacuum analyze report, assignment, timeline_entry, crew${histories ? ', follow_up, follow_up_attempt' : ''}`);
  return have;
}
