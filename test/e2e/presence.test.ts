import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/src/access/access.roles.js';
import { freshDatabase } from '../support/database.js';
import { apiKey, fileReport, staff, type FiledReport } from '../support/factories.js';
import { startServer, type App } from '../support/server.js';
import { buildConsole, launchChromium, recordCspViolations, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * Presence end to end (issue 13): two dispatchers in two browser contexts of a real headless Chromium, on the
 * built console against the real server. When A opens a report, B's live queue row and B's page of the same
 * report say so; when A closes the page, both indicators go.
 */

/** How long a live change may take: generous, as a loaded 2-core machine can stall a browser for seconds. */
const LIVE_MS = 15_000;
/** The factories' password for the users they make. */
const PASSWORD = 'test-password-1';

let app: App;
let browser: Browser;
let consoleDir: string;
let contexts: BrowserContext[] = [];
let a: Page;
let b: Page;
let aName: string;
let bName: string;
let report: FiledReport;
const cspViolations: string[] = [];

const row = (page: Page) => page.locator(`[data-test=queue-row][data-reference="${report.reference}"]`);

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-presence-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2e_presence'), consoleDir });
  const [first, second] = [await staff(app), await staff(app, Role.SUPERVISOR)];
  aName = first.username;
  bName = second.username;
  report = await fileReport(app, await apiKey(app, Role.INTAKE), { description: 'لوحة إعلانية مائلة فوق الرصيف' });
  browser = await launchChromium();
  contexts = await Promise.all([1, 2].map(() => browser.newContext({ viewport: { width: 1440, height: 900 } })));
  for (const context of contexts) await recordCspViolations(context, cspViolations);
  [a, b] = await Promise.all(contexts.map((context) => context.newPage()));
  await mkdir(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

describe('who else has a report open, in a real browser', () => {
  it("shows on B's queue row and B's page of the report while A has it open", async () => {
    await signIn(a, app.url, aName, PASSWORD);
    await signIn(b, app.url, bName, PASSWORD);
    await row(b).waitFor();
    await b.locator('[data-test=connection][data-state=live]').waitFor();
    expect(await row(b).locator('[data-test=row-presence]').count()).toBe(0);

    await row(a).waitFor();
    await row(a).click();
    await a.locator('[data-test=detail-reference]').waitFor();
    // B's queue row shows A by name, isolated for direction.
    await row(b).locator('[data-test=row-presence] bdi', { hasText: aName }).waitFor({ timeout: LIVE_MS });
    expect(await row(b).locator('[data-test=row-presence]').getAttribute('aria-label')).toContain('يشاهده الآن');
    await b.screenshot({ path: path.join(SCREENSHOTS, 'presence-queue.png') });

    await row(b).click();
    await b.locator('[data-test=detail-reference]').waitFor();
    const notice = b.locator('[data-test=presence-notice]');
    await notice.locator('bdi[data-test=presence-name]', { hasText: aName }).waitFor({ timeout: LIVE_MS });
    expect(await notice.textContent()).toContain('يشاهده الآن:');
    // Each page lists the others, never its own user.
    await a.locator('[data-test=presence-notice] bdi[data-test=presence-name]', { hasText: bName }).waitFor({ timeout: LIVE_MS });
    expect(await notice.locator('bdi[data-test=presence-name]').allTextContents()).toEqual([aName]);
    expect(await a.locator('[data-test=presence-notice] bdi[data-test=presence-name]').allTextContents()).toEqual([bName]);
    await b.screenshot({ path: path.join(SCREENSHOTS, 'presence-detail.png') });
  });

  it("goes from B's page and B's queue row when A closes the page", async () => {
    await a.close();
    await b.locator('[data-test=presence-notice]').waitFor({ state: 'detached', timeout: LIVE_MS });

    await b.click('[data-test=detail-back]');
    await row(b).waitFor();
    await expect.poll(() => row(b).locator('[data-test=row-presence]').count(), { timeout: LIVE_MS }).toBe(0);
    expect(cspViolations).toEqual([]);
  });
});
