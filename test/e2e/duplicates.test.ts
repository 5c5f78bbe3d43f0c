import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';
import { ok, startServer, type App } from '../support/server.js';
import { buildConsole, launchChromium, recordCspViolations, screenshot, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * Duplicates and acknowledgement in a real Chromium (issue 13): the console hints that a report repeats another,
 * merges it or dismisses the hint in one click, raises only a quiet alert for a likely duplicate, and keeps an
 * unacknowledged CRITICAL report pinned at the top of the queue until a dispatcher acknowledges it.
 */

/** How long a live change may take to show: generous, a loaded 2-core machine can stall a browser for seconds. */
const LIVE_MS = 15_000;
const INTAKE = 'demo-intake-key';
/** Metres per degree of latitude on the sphere the server measures on. */
const METRES_PER_DEGREE = (6371_000 * Math.PI) / 180;

let app: App;
let browser: Browser;
let consoleDir: string;
let context: BrowserContext;
let page: Page;
let dispatcherToken: string;
const cspViolations: string[] = [];
let filed = 0;

interface Filed {
  id: string;
  reference: string;
}

/** A report filed through the WhatsApp gateway `north` metres north of `at`. */
async function file(categoryCode: string, at: { lat: number; lng: number }, north = 0): Promise<Filed> {
  filed += 1;
  const data = await ok<{ createReport: Filed }>(
    app,
    'mutation($input: CreateReportInput!) { createReport(input: $input) { id reference } }',
    {
      input: {
        idempotencyKey: `duplicates-e2e-${filed}`,
        channel: 'WHATSAPP',
        categoryCode,
        description: categoryCode === 'POTHOLE' ? 'حفرة عميقة أمام مدرسة الفيصلية' : 'لوحة إعلانية مائلة فوق الرصيف',
        location: { lat: at.lat + north / METRES_PER_DEGREE, lng: at.lng },
      },
    },
    INTAKE,
  );
  return data.createReport;
}

function row(reference: string) {
  return page.locator(`[data-test=queue-row][data-reference="${reference}"]`);
}

async function statusOf(id: string): Promise<string> {
  return (await ok<{ report: { status: string } }>(app, 'query($id: ID!) { report(id: $id) { status } }', { id }, dispatcherToken)).report.status;
}

/** The references of the queue's first rows as shown, with whether each is pinned. */
async function topRows(count: number): Promise<Array<[string | null, string | null]>> {
  const rows = page.locator('[data-test=queue-row]');
  const shown: Array<[string | null, string | null]> = [];
  for (let i = 0; i < count; i += 1) shown.push([await rows.nth(i).getAttribute('data-reference'), await rows.nth(i).getAttribute('data-pinned')]);
  return shown;
}

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2e_duplicates'), demo: true, consoleDir });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await recordCspViolations(context, cspViolations);
  page = await context.newPage();
  await mkdir(SCREENSHOTS, { recursive: true });
  dispatcherToken = (await ok<{ login: { token: string } }>(app, 'mutation { login(username: "supervisor", password: "balagh940") { token } }')).login.token;
  // The demo's CRITICAL reports are acknowledged, so the report this test files is the only one pinned.
  const open = await ok<{ reports: { edges: Array<{ node: { id: string; priority: string } }> } }>(
    app,
    '{ reports(first: 100, filter: { open: true }) { edges { node { id priority } } } }',
    {},
    dispatcherToken,
  );
  for (const { node } of open.reports.edges) {
    if (node.priority === 'CRITICAL') await ok(app, 'mutation($id: ID!) { acknowledgeReport(id: $id) { id } }', { id: node.id }, dispatcherToken);
  }
  await signIn(page, app.url, 'dispatcher');
  await page.locator('[data-test=queue-row]').first().waitFor();
  await page.locator('[data-test=connection][data-state=live]').waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

describe('duplicates and acknowledgement in the console', () => {
  /** A street in Dammam away from the demo's reports. */
  const billboardSpot = { lat: 26.4301, lng: 50.0712 };
  const potholeSpot = { lat: 26.4105, lng: 50.0921 };

  it('hints that the second report of one billboard, 60 m away, repeats the first, with a quiet alert, and merges it in one click', async () => {
    const first = await file('HAZARDOUS_BILLBOARD', billboardSpot);
    const second = await file('HAZARDOUS_BILLBOARD', billboardSpot, 60);
    const hint = row(second.reference).locator(`[data-test=duplicate-hint][data-reference="${first.reference}"]`);
    await hint.waitFor({ timeout: LIVE_MS });
    const text = (await hint.textContent()) ?? '';
    expect(text).toContain('مكرر محتمل لـ');
    expect(text).toContain('60 م');
    expect(await hint.locator('bdi').first().textContent()).toBe(first.reference);
    // One alarm for the billboard: the second one's alert is the quiet line naming the first.
    const alerts = page.locator('[data-test=critical-alert]');
    await expect.poll(() => alerts.locator('[data-quiet=true]').textContent(), { timeout: LIVE_MS }).toContain(first.reference);
    expect(await alerts.locator('[data-quiet=false]').textContent()).toContain(first.reference);
    await screenshot(page, 'console-duplicates', { readme: 'console-duplicates.png' });

    await hint.locator('[data-test=duplicate-merge]').click();
    await row(second.reference).waitFor({ state: 'detached', timeout: LIVE_MS });
    expect(await statusOf(second.id)).toBe('DUPLICATE');
    // Merged away, its alert goes too; the first report's own stays until acknowledged.
    await expect.poll(() => alerts.locator('[data-quiet=true]').count(), { timeout: LIVE_MS }).toBe(0);
    await alerts.locator('[data-test=acknowledge]').first().click();
    await alerts.waitFor({ state: 'detached', timeout: LIVE_MS });
  });

  it('"not a duplicate" removes the hint, and neither report hints at the other again', async () => {
    const first = await file('POTHOLE', potholeSpot);
    const second = await file('POTHOLE', potholeSpot, 60);
    // Potholes sort below the CRITICAL reports: the queue's search brings the pair on screen.
    await page.fill('[data-test=queue-search]', 'الفيصلية');
    const hint = row(second.reference).locator('[data-test=duplicate-hint]');
    await hint.waitFor({ timeout: LIVE_MS });
    await hint.locator('[data-test=duplicate-dismiss]').click();
    await hint.waitFor({ state: 'detached', timeout: LIVE_MS });
    // Both reports have a new version without the pair: neither row hints at the other.
    await expect.poll(() => row(first.reference).getAttribute('data-reference'), { timeout: LIVE_MS }).toBe(first.reference);
    expect(await row(first.reference).locator('[data-test=duplicate-hint]').count()).toBe(0);
    expect(await statusOf(second.id)).toBe('RECEIVED');
    await page.fill('[data-test=queue-search]', '');
  });

  it('keeps an unacknowledged CRITICAL report pinned at the top until a dispatcher acknowledges it, then sorts it by time left', async () => {
    const critical = await file('HAZARDOUS_BILLBOARD', { lat: 26.3702, lng: 50.1504 });
    await row(critical.reference).waitFor({ timeout: LIVE_MS });
    await expect.poll(() => topRows(1), { timeout: LIVE_MS }).toEqual([[critical.reference, 'true']]);
    // Still pinned after a reload: the acknowledgement it waits for is the server's, not this browser's.
    await page.reload();
    await page.locator('[data-test=queue-row]').first().waitFor();
    expect(await topRows(2)).toEqual([
      [critical.reference, 'true'],
      [expect.any(String), 'false'],
    ]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-pinned.png') });

    await row(critical.reference).click();
    await page.locator('[data-test=detail-acknowledge]').click();
    await page.locator('[data-test=detail-acknowledge]').waitFor({ state: 'detached', timeout: LIVE_MS });
    await page.locator('[data-test=detail-back]').click();
    await row(critical.reference).waitFor();
    // Acknowledged, it takes its place by time left: the older CRITICAL reports of the demo, due sooner, come first.
    await expect.poll(() => row(critical.reference).getAttribute('data-pinned'), { timeout: LIVE_MS }).toBe('false');
    expect((await topRows(1))[0][0]).not.toBe(critical.reference);
    const acknowledged = await ok<{ report: { acknowledgedAt: string | null } }>(app, 'query($id: ID!) { report(id: $id) { acknowledgedAt } }', { id: critical.id }, dispatcherToken);
    expect(acknowledged.report.acknowledgedAt).not.toBeNull();
  });

  it('ran under the Content-Security-Policy without a violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
