// Prints the run's closing line from vitest's JSON report, "<n> passed, <n> failed", and decides the exit code.
// A file that fails in beforeAll or at import reports its tests as skipped (or none at all), and vitest may still
// exit 0: such a file's tests count as failed here (at least one per file). Any other skipped test fails the run
// too, since a skipped test checks nothing.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
let failed = report.numFailedTests;
let skipped = report.numPendingTests + report.numTodoTests;
for (const file of report.testResults) {
  if (file.status !== 'failed' || file.assertionResults.some((test) => test.status === 'failed')) continue;
  const notRun = file.assertionResults.filter((test) => test.status !== 'passed').length;
  skipped -= notRun;
  failed += Math.max(1, notRun);
  console.error(`failed before its tests ran: ${file.name}${file.message ? `\n  ${file.message.split('\n')[0]}` : ''}`);
}
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = report.success && failed === 0 && skipped === 0 && report.numTotalTests > 0 ? 0 : 1;
