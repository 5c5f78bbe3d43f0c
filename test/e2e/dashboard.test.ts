import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';
import { fileReport } from '../support/factories.js';
import { ok, startServer, type App } from '../support/server.js';
import { buildConsole, DEMO_PASSWORD, launchChromium, recordCspViolations, screenshot, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * The performance dashboard end to end (issue 14): a real headless Chromium driving the built console against the
 * real server and a fresh PostgreSQL database with the demo data. A supervisor opens the indicators, sees real
 * charts and cards whose figures are the API's own, opens a department's reports from the scorecard, exports a
 * breakdown as CSV with the byte-order mark and Arabic headers, sees today's cards follow a new report live, and
 * reads it all in English too, all under the console's strict CSP.
 */

/** How long a change may take to show: generous, as a loaded 2-core machine can stall a browser for seconds. */
const SHOWN_MS = 20_000;

let app: App;
let browser: Browser;
let consoleDir: string;
let page: Page;
let supervisorToken: string;
const cspViolations: string[] = [];

const FIGURES = 'received resolved backlog overdueNow targetCompliance resolutionMedian reopenRate satisfactionMean callsMade inquiriesAnswered';

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-dashboard-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2e_dashboard'), demo: true, consoleDir });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  await recordCspViolations(context, cspViolations);
  page = await context.newPage();
  await mkdir(SCREENSHOTS, { recursive: true });
  supervisorToken = (await ok<{ login: { token: string } }>(app, 'mutation($p: String!) { login(username: "supervisor", password: $p) { token } }', { p: DEMO_PASSWORD })).login.token;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

/** The period the dashboard asked for, as its root element says. */
async function askedPeriod(): Promise<{ from: string; to: string }> {
  const root = page.locator('[data-test=dashboard][data-loading=false][data-from]');
  const failed = page.locator('[data-test=dash-failed]');
  await Promise.race([root.waitFor({ timeout: SHOWN_MS }), failed.waitFor({ timeout: SHOWN_MS }).then(async () => expect.fail(`the dashboard failed: ${await failed.getAttribute('data-error')}`))]);
  return { from: (await root.getAttribute('data-from'))!, to: (await root.getAttribute('data-to'))! };
}

async function apiFigures(period: { from: string; to: string }): Promise<Record<string, number | null>> {
  const data = await ok<{ indicators: Record<string, number | null>[] }>(app, `query($p: PeriodInput!) { indicators(period: $p) { ${FIGURES} } }`, { p: period }, supervisorToken);
  return data.indicators[0];
}

function card(code: string) {
  return page.locator(`[data-test=dash-card][data-code=${code}]`);
}

describe('the performance dashboard in a real browser', () => {
  it('shows a supervisor today’s cards with the API’s figures and real charts, right to left', async () => {
    await signIn(page, app.url, 'supervisor');
    await page.locator('[data-test=queue]').waitFor();
    await page.click('[data-test=nav-dashboard]');
    const period = await askedPeriod();
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');

    const expected = await apiFigures(period);
    expect(expected.received).toBeGreaterThan(0);
    for (const code of FIGURES.split(' ')) {
      const shown = await card(code).getAttribute('data-value');
      expect(shown === '' ? null : Number(shown), code).toBe(expected[code]);
    }
    // The labels are the server's definitions, in Arabic.
    const definitions = (await ok<{ indicatorDefinitions: { code: string; labelAr: string; labelEn: string }[] }>(app, '{ indicatorDefinitions { code labelAr labelEn } }', {}, supervisorToken))
      .indicatorDefinitions;
    const received = definitions.find((d) => d.code === 'received')!;
    expect(await card('received').locator('h2').textContent()).toBe(received.labelAr);
    // Gregorian with the Umm al-Qura date beside it.
    expect(await page.locator('[data-test=dash-period] .hijri').first().textContent()).toMatch(/هـ/);

    // Seven charts, each drawn by ECharts on a canvas.
    for (const id of ['trend-volume', 'trend-compliance', 'trend-satisfaction', 'breakdown-byMunicipality', 'breakdown-byDepartment', 'breakdown-byCategory', 'breakdown-byChannel']) {
      await page.locator(`[data-test=${id}] canvas`).first().waitFor({ timeout: SHOWN_MS });
    }
    const drawn = await page
      .locator('[data-test=breakdown-byMunicipality] canvas')
      .first()
      .evaluate((canvas) => (canvas as unknown as { width: number }).width > 0 && (canvas as unknown as { height: number }).height > 0);
    expect(drawn).toBe(true);
    // A tooltip is drawn on the canvas (richText), so it needs no HTML with inline styles for the CSP to block.
    await page.locator('[data-test=trend-volume] canvas').first().hover();
    await screenshot(page, 'dashboard', { readme: 'console-dashboard.png' });
  });

  it('exports a breakdown as CSV with a byte-order mark and Arabic headers', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=csv-byMunicipality]')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    const definitions = (await ok<{ indicatorDefinitions: { code: string; labelAr: string }[] }>(app, '{ indicatorDefinitions { code labelAr } }', {}, supervisorToken)).indicatorDefinitions;
    const labelAr = (code: string) => definitions.find((d) => d.code === code)!.labelAr;
    // The municipality, its code, then the breakdown's figures by their Arabic labels; a row per municipality with reports.
    expect(lines[0].split(',')).toEqual(['البلدية', 'الرمز', ...['received', 'resolved', 'resolutionMedian', 'targetCompliance', 'reopenRate', 'satisfactionMean'].map(labelAr)]);
    expect(lines.length).toBeGreaterThan(2);
  });

  it('opens a department’s reports in the archive from its scorecard row', async () => {
    const period = await askedPeriod();
    const row = page.locator('[data-test=scorecard-row]').first();
    const department = (await row.getAttribute('data-code'))!;
    const byDepartment = await ok<{ indicators: { keys: { code: string }[]; received: number }[] }>(
      app,
      'query($p: PeriodInput!) { indicators(period: $p, groupBy: [DEPARTMENT]) { keys { code } received } }',
      { p: period },
      supervisorToken,
    );
    const received = byDepartment.indicators.find((r) => r.keys[0].code === department)!.received;
    expect(received).toBeGreaterThan(0);

    await row.click();
    await page.locator('[data-test=archive]').waitFor({ timeout: SHOWN_MS });
    const url = new URL(page.url());
    expect(url.pathname).toBe('/archive');
    const today = url.searchParams.get('from')!;
    expect(Object.fromEntries(url.searchParams)).toEqual({ department, from: today, to: today });
    expect(await page.locator('[data-test=archive] select').evaluateAll((selects) => selects.map((s) => (s as unknown as { value: string }).value))).toContain(department);

    const listed = await ok<{ reports: { totalCount: number; edges: { node: { reference: string } }[] } }>(
      app,
      'query($f: ReportFilter) { reports(filter: $f, orderBy: RECEIVED_DESC, first: 100) { totalCount edges { node { reference } } } }',
      { f: { departmentCodes: [department], receivedFrom: new Date(`${today}T00:00:00+03:00`).toISOString(), receivedTo: new Date(Date.parse(`${today}T00:00:00+03:00`) + 86_400_000).toISOString() } },
      supervisorToken,
    );
    // The archive lists exactly the reports the bar counted.
    expect(listed.reports.totalCount).toBe(received);
    await page
      .locator('[data-test=archive-row]')
      .nth(received - 1)
      .waitFor({ timeout: SHOWN_MS });
    const shown = await page.locator('[data-test=archive-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reference')));
    expect(shown.sort()).toEqual(listed.reports.edges.map((e) => e.node.reference).sort());
  });

  it('follows a new report live on today’s cards, and reads in English', async () => {
    await page.goBack();
    await askedPeriod();
    const before = Number(await card('received').getAttribute('data-value'));
    const dispatcher = (await ok<{ login: { token: string } }>(app, 'mutation($p: String!) { login(username: "dispatcher", password: $p) { token } }', { p: DEMO_PASSWORD })).login.token;
    await fileReport(app, dispatcher, { categoryCode: 'POTHOLE', description: 'حفرة جديدة أمام المدرسة' });
    await page.locator(`[data-test=dash-card][data-code=received][data-value="${before + 1}"]`).waitFor({ timeout: SHOWN_MS });

    await page.click('[data-test=language]');
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { dir: string } } }).document.documentElement.dir === 'ltr');
    const definitions = (await ok<{ indicatorDefinitions: { code: string; labelEn: string }[] }>(app, '{ indicatorDefinitions { code labelEn } }', {}, supervisorToken)).indicatorDefinitions;
    expect(await card('resolved').locator('h2').textContent()).toBe(definitions.find((d) => d.code === 'resolved')!.labelEn);
    expect(await page.locator('[data-test=preset-week]').textContent()).toContain('This week');
    await page.click('[data-test=language]');
  });

  it('is open to the satisfaction center’s agents from their own app', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await recordCspViolations(context, cspViolations);
    const agent = await context.newPage();
    await signIn(agent, app.url, 'agent01');
    await agent.locator('[data-test=center-app]').waitFor({ timeout: SHOWN_MS });
    await agent.click('[data-test=nav-dashboard]');
    await agent.locator('[data-test=dashboard][data-loading=false][data-from]').waitFor({ timeout: SHOWN_MS });
    expect(new URL(agent.url()).pathname).toBe('/dashboard');
    expect(Number(await agent.locator('[data-test=dash-card][data-code=received]').getAttribute('data-value'))).toBeGreaterThan(0);
    await agent.locator('[data-test=breakdown-byChannel] canvas').first().waitFor({ timeout: SHOWN_MS });
    await context.close();
  });

  it('prints this week as an A4 report without the console’s controls', async () => {
    // The browser's print dialog is counted, not opened (a headless page cannot be printed twice at once).
    await page.evaluate('window.print = () => { window.printed = (window.printed ?? 0) + 1; }');
    await page.click('[data-test=dash-print]');
    await page.locator('[data-test=preset-week][aria-pressed=true]').waitFor({ timeout: SHOWN_MS });
    await page.waitForFunction(() => (globalThis as unknown as { printed?: number }).printed === 1);
    const period = await askedPeriod();
    // The week begins on Sunday, at midnight in Riyadh (21:00 UTC on Saturday).
    const start = new Date(period.from);
    expect([start.getUTCDay(), start.getUTCHours(), start.getUTCMinutes()]).toEqual([6, 21, 0]);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.locator('[data-test=dash-print]').isVisible()).toBe(false);
    expect(await page.locator('.dashboard h1 .print-only').textContent()).toContain('هذا الأسبوع');
    expect(await card('received').isVisible()).toBe(true);
    const pdf = await page.pdf({ path: path.join(SCREENSHOTS, 'dashboard-weekly.pdf'), preferCSSPageSize: true });
    // @page { size: A4 }: 595 × 842 points.
    const boxes = [...pdf.toString('latin1').matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    expect(boxes.length).toBeGreaterThan(0);
    expect(new Set(boxes.map((box) => box.join('×')))).toEqual(new Set(['595×842']));
    await page.emulateMedia({ media: 'screen' });
  });

  it('ran under the console’s CSP without a single violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
