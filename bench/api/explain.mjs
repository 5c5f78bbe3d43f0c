/**
 * EXPLAIN ANALYZE of every statement the server runs for one queue page (as it sent them, captured by
 * layers.mjs), so a run shows which index each one uses and what it costs at the largest size. Each
 * statement runs three times first, so the figures are for a warm cache.
 */
function indexesOf(node, found = new Set()) {
  if (node['Index Name']) found.add(node['Index Name']);
  for (const child of node.Plans ?? []) indexesOf(child, found);
  return found;
}

/** One line per statement: rows, execution and planning time, and the indexes used (or the top node's type). */
export async function explainStatements(client, statements) {
  const lines = [];
  for (const [index, sql] of statements.entries()) {
    for (let i = 0; i < 3; i++) await client.query(sql);
    const [plan] = (await client.query(`explain (analyze, format json) ${sql}`)).rows[0]['QUERY PLAN'];
    const used = [...indexesOf(plan.Plan)].join(', ') || plan.Plan['Node Type'];
    const name = `statement ${index + 1}: ${sql.replace(/\s+/g, ' ').slice(0, 40)}…`;
    lines.push(
      `  ${name.padEnd(56)} ${String(plan.Plan['Actual Rows']).padStart(4)} rows  ${plan['Execution Time'].toFixed(2).padStart(6)} ms exec  ${plan['Planning Time'].toFixed(2).padStart(5)} ms plan  ${used}`,
    );
  }
  return lines;
}
