import { randomUUID } from 'node:crypto';
import { DESCRIPTIONS } from './seed.mjs';

/** The dispatcher's queue page: first 50 open reports with category, municipality and active assignment. */
export const QUEUE_QUERY = /* GraphQL */ `
  query Queue {
    reports(first: 50, filter: { statuses: [RECEIVED, ASSIGNED, IN_PROGRESS] }) {
      edges {
        cursor
        node {
          id reference priority status targetAt
          category { code nameAr nameEn }
          location { lat lng municipality { code nameAr } }
          activeAssignment { id status crew { id name } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;

/** The cheapest authenticated operation: what every GraphQL request costs before it does any work. */
export const FLOOR_QUERY = /* GraphQL */ `query Floor { __typename }`;

export const CREATE_MUTATION = /* GraphQL */ `
  mutation Create($input: CreateReportInput!) {
    createReport(input: $input) { id reference status priority targetAt }
  }`;

/**
 * The same page with bare `pg`: 51 rows (the 51st answers hasNextPage) from the partial queue index, then
 * their category, municipality, active assignment and its crew, in one statement.
 */
export const QUEUE_SQL = `
  select r.id, r.reference, r.priority, r.status, r.target_at, r.priority_rank, r.lat, r.lng,
         c.code as category_code, c.name_ar as category_name_ar, c.name_en as category_name_en,
         m.code as municipality_code, m.name_ar as municipality_name_ar,
         a.id as assignment_id, a.status as assignment_status, cr.id as crew_id, cr.name as crew_name
  from (
    select id, reference, priority, status, target_at, priority_rank, lat, lng, category_code, municipality_code
    from report
    where status in ('RECEIVED', 'ASSIGNED', 'IN_PROGRESS')
    order by priority_rank, target_at, id
    limit 51
  ) r
  join category c on c.code = r.category_code
  join municipality m on m.code = r.municipality_code
  left join assignment a on a.report_id = r.id and a.status in ('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE')
  left join crew cr on cr.id = a.crew_id
  order by r.priority_rank, r.target_at, r.id`;

/** What a gateway sends: a report in one of the province's municipalities, with GPS, from the app. */
export const INTAKE_CATEGORIES = [
  'POTHOLE',
  'WASTE_ACCUMULATION',
  'STREETLIGHT_OUTAGE',
  'RAINWATER_POOLING',
  'SEWAGE_OVERFLOW',
  'WATER_LEAK',
  'HAZARDOUS_BILLBOARD',
  'OPEN_MANHOLE',
  'DAMAGED_SIDEWALK',
  'CONSTRUCTION_DEBRIS',
  'STRAY_ANIMALS',
  'FOOD_SAFETY',
];
const CHANNELS = ['BALAGHATI_APP', 'WHATSAPP', 'WEB_PORTAL', 'BALAGHATI_APP', 'EMAIL', 'SOCIAL_MEDIA'];
const PRIORITY_RANK = { CRITICAL: 0, HIGH: 1, NORMAL: 2, LOW: 3 };
const YEAR = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Riyadh', year: 'numeric' });

/**
 * The n-th intake input of a run: categories, channels and municipalities rotate, the position jitters by
 * up to 0.01° around the municipality's centre (so the nearest centre is that municipality).
 */
export function intakeInput(n, runId, municipalities) {
  const municipality = municipalities[n % municipalities.length];
  const jitter = ((n * 7919) % 200) / 10_000 - 0.01;
  return {
    idempotencyKey: `${runId}-${n}`,
    kind: 'INCIDENT',
    channel: CHANNELS[n % CHANNELS.length],
    categoryCode: INTAKE_CATEGORIES[n % INTAKE_CATEGORIES.length],
    description: DESCRIPTIONS[n % DESCRIPTIONS.length],
    location: { lat: municipality.lat + jitter, lng: municipality.lng - jitter, address: 'حي الفيصلية، شارع 11' },
    reporter: { name: 'محمد العتيبي', phone: `+9665${String(10_000_000 + (n % 89_999_999)).padStart(8, '0')}`, beneficiaryType: 'CITIZEN' },
  };
}

/**
 * The rows `createReport` writes, with bare `pg` in one transaction: the reference from the sequence, the
 * report, its CREATED timeline entry and the REPORT_CREATED outbox event with the report's snapshot.
 * Category and municipality come from memory (reference data read once), as a hand-written service would.
 */
export async function bareCreate(pool, input, submittedBy, actor, categories, municipality) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query(`select nextval('report_reference_seq') as n`);
    const report = reportRow(input, submittedBy, categories, municipality, (receivedAt) => `940-${YEAR.format(receivedAt)}-${String(rows[0].n).padStart(6, '0')}`);
    await client.query(INSERT_REPORT, reportParams(report, input));
    await client.query(`insert into timeline_entry (report_id, at, actor, action, to_status) values ($1, $2, $3, 'CREATED', 'RECEIVED')`, [report.id, report.receivedAt, actor]);
    await client.query(`insert into dispatch_event (type, occurred_at, report_id, payload) values ('REPORT_CREATED', $1, $2, $3)`, [report.receivedAt, report.id, JSON.stringify({ report })]);
    await client.query('commit');
    return report;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The same rows as `bareCreate` in one statement, as the server writes them: the report, its timeline
 * entry and its outbox event in data-modifying CTEs, the reference from the sequence inside the statement
 * and patched into the event's snapshot there. The strictest hand-written baseline for createReport.
 */
export async function bareCreateOneStatement(pool, input, submittedBy, actor, categories, municipality) {
  const report = reportRow(input, submittedBy, categories, municipality, () => '');
  const params = reportParams(report, input);
  params[1] = YEAR.format(report.receivedAt);
  const { rows } = await pool.query(
    `with seq as (select nextval('report_reference_seq')::text as n),
     created as (
       insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, address,
         municipality_code, reporter_name, reporter_phone, beneficiary_type, received_at, target_at, submitted_by, idempotency_key, updated_at, version)
       select $1, '940-' || $2 || '-' || lpad(seq.n, greatest(6, length(seq.n)), '0'), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
         $17, $18, $19, $20, $21, $22 from seq
       returning id, reference),
     timeline as (insert into timeline_entry (report_id, at, actor, action, to_status) select id, $17, $23, 'CREATED', 'RECEIVED' from created),
     event as (insert into dispatch_event (type, report_id, payload) select 'REPORT_CREATED', id, jsonb_set($24::jsonb, '{report,reference}', to_jsonb(reference)) from created)
     select reference from created`,
    [...params, actor, JSON.stringify({ report })],
  );
  report.reference = rows[0].reference;
  return report;
}

const INSERT_REPORT = `insert into report (id, reference, kind, channel, category_code, priority, priority_rank, status, description, lat, lng, address,
         municipality_code, reporter_name, reporter_phone, beneficiary_type, received_at, target_at, submitted_by, idempotency_key, updated_at, version)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`;

/** The report a create writes, shaped like the server's snapshot of it. */
function reportRow(input, submittedBy, categories, municipality, referenceFor) {
  const category = categories.get(input.categoryCode);
  const receivedAt = new Date();
  return {
    id: randomUUID(),
    reference: referenceFor(receivedAt),
    kind: input.kind,
    channel: input.channel,
    priority: category.defaultPriority,
    status: 'RECEIVED',
    description: input.description,
    receivedAt,
    targetAt: new Date(receivedAt.getTime() + category.targetHours * 3_600_000),
    updatedAt: receivedAt,
    version: 1,
    rejectionReason: null,
    referredTo: null,
    categoryCode: category.code,
    municipalityCode: municipality.code,
    lat: input.location.lat,
    lng: input.location.lng,
    address: input.location.address,
    reporterName: input.reporter.name,
    reporterPhone: input.reporter.phone,
    beneficiaryType: input.reporter.beneficiaryType,
    submittedBy,
    duplicateOfId: null,
  };
}

function reportParams(report, input) {
  return [
    report.id,
    report.reference,
    report.kind,
    report.channel,
    report.categoryCode,
    report.priority,
    PRIORITY_RANK[report.priority],
    report.status,
    report.description,
    report.lat,
    report.lng,
    report.address,
    report.municipalityCode,
    report.reporterName,
    report.reporterPhone,
    report.beneficiaryType,
    report.receivedAt,
    report.targetAt,
    report.submittedBy,
    input.idempotencyKey,
    report.updatedAt,
    1,
  ];
}
