/**
 * EXPLAIN ANALYZE of every statement the server runs for one queue page (the shapes the ORM logs through
 * `onQuery`, with the first page's values), so a run shows which index each one uses and what it costs
 * at the largest size. Each statement runs three times first, so the figures are for a warm cache.
 */
const OPEN = `('RECEIVED', 'ASSIGNED', 'IN_PROGRESS')`;
const ACTIVE = `('PENDING', 'ACCEPTED', 'EN_ROUTE', 'ON_SITE')`;

const quoted = (values) => [...new Set(values)].map((value) => `'${value}'`).join(', ');

function indexesOf(node, found = new Set()) {
  if (node['Index Name']) found.add(node['Index Name']);
  for (const child of node.Plans ?? []) indexesOf(child, found);
  return found;
}

/** One line per statement: rows, execution and planning time, and the indexes used (or the scan type). */
export async function explainQueuePage(client) {
  const list = `select "r".* from "report" as "r" where "r"."status" in ${OPEN} order by "r"."priority_rank" asc, "r"."target_at" asc, "r"."id" asc limit 51`;
  const page = (await client.query(list)).rows.slice(0, 50);
  const reportIds = quoted(page.map((r) => r.id));
  const active = (await client.query(`select crew_id from assignment where report_id in (${reportIds}) and status in ${ACTIVE}`)).rows;
  const crewIds = quoted(active.map((a) => a.crew_id));
  const statements = [
    ['reports.list', list],
    ['loader: municipality', `select "m0".* from "municipality" as "m0" where "m0"."code" in (${quoted(page.map((r) => r.municipality_code))})`],
    ['loader: category', `select "c0".* from "category" as "c0" where "c0"."code" in (${quoted(page.map((r) => r.category_code))})`],
    ['loader: activeAssignmentByReport', `select "a0".* from "assignment" as "a0" where "a0"."report_id" in (${reportIds}) and "a0"."status" in ${ACTIVE}`],
  ];
  if (crewIds) {
    statements.push(
      ['loader: crew', `select "c0".* from "crew" as "c0" where "c0"."id" in (${crewIds})`],
      [
        'loader: activeAssignmentByCrew',
        `select leader.* from "crew" as c cross join lateral (select * from "assignment" where "crew_id" = c."id" and "status" in ${ACTIVE} ` +
          `order by (case "status" when 'ON_SITE' then 3 when 'EN_ROUTE' then 2 when 'ACCEPTED' then 1 else 0 end) desc, "created_at", "id" limit 1) as leader where c."id" in (${crewIds})`,
      ],
    );
  }
  const lines = [`First page: ${page.length} reports, ${active.length} active assignments, ${new Set(active.map((a) => a.crew_id)).size} crews`];
  for (const [name, sql] of statements) {
    for (let i = 0; i < 3; i++) await client.query(sql);
    const [plan] = (await client.query(`explain (analyze, format json) ${sql}`)).rows[0]['QUERY PLAN'];
    const used = [...indexesOf(plan.Plan)].join(', ') || plan.Plan['Node Type'];
    lines.push(`  ${name.padEnd(32)} ${String(plan.Plan['Actual Rows']).padStart(4)} rows  ${plan['Execution Time'].toFixed(2).padStart(6)} ms exec  ${plan['Planning Time'].toFixed(2).padStart(5)} ms plan  ${used}`);
  }
  return lines;
}
