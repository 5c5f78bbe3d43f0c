import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';
import { assign, crew, fileReport, progress, unique } from '../support/factories.js';
import { ok, startServer, type App } from '../support/server.js';
import { buildConsole, DEMO_PASSWORD, launchChromium, recordCspViolations, screenshot, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * The archive end to end (issue 13): a real headless Chromium driving the built console against the real server
 * and a fresh PostgreSQL database with the demo data. A dispatcher finds a resolved report in the archive by a
 * word of its description, opens it, goes back to the same search, reopens the report, and sees it in the live
 * queue again; the shell's search box jumps to a report by its number alone.
 */

/** How long a change may take to show: generous, as a loaded 2-core machine can stall a browser for seconds. */
const SHOWN_MS = 15_000;
/** The reporter's number, as a caller would say it. */
const PHONE = '0557654321';

let app: App;
let browser: Browser;
let consoleDir: string;
let page: Page;
/** A report resolved by a crew for this test, with a word no other report has. */
let resolved: { id: string; reference: string };
let word: string;
const cspViolations: string[] = [];

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-archive-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2e_archive'), demo: true, consoleDir });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await recordCspViolations(context, cspViolations);
  page = await context.newPage();
  await mkdir(SCREENSHOTS, { recursive: true });

  const token = (await ok<{ login: { token: string } }>(app, 'mutation($p: String!) { login(username: "dispatcher", password: $p) { token } }', { p: DEMO_PASSWORD })).login.token;
  word = `drainage${unique('w').slice(2)}`;
  const filed = await fileReport(app, token, {
    categoryCode: 'POTHOLE',
    description: `حفرة عميقة ${word} أمام المسجد`,
    reporter: { name: 'نورة القحطاني', phone: PHONE, beneficiaryType: 'CITIZEN' },
  });
  const team = await crew(app);
  const job = await assign(app, token, filed.id, team.id);
  for (const step of ['ACCEPTED', 'ON_SITE'] as const) await progress(app, team.token, job.id, step);
  await progress(app, team.token, job.id, 'COMPLETED', 'رُدمت الحفرة');
  resolved = { id: filed.id, reference: filed.reference };
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

function archiveRow(reference: string) {
  return page.locator(`[data-test=archive-row][data-reference="${reference}"]`);
}

describe('the archive in a real browser', () => {
  it('finds a resolved report by a word of its description, and keeps the search in the address for back', async () => {
    await signIn(page, app.url, 'dispatcher');
    await page.locator('[data-test=queue]').waitFor();
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await page.click('[data-test=nav-archive]');
    await page.fill('[data-test=archive-text]', word.toUpperCase());
    await page.click('[data-test=archive-search]');
    const row = archiveRow(resolved.reference);
    await row.waitFor({ timeout: SHOWN_MS });
    expect(await row.getAttribute('data-status')).toBe('RESOLVED');
    expect(await page.locator('[data-test=archive-row]').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('q')).toBe(word.toUpperCase());
    await screenshot(page, 'archive-search', { readme: 'console-archive.png' });

    await row.locator('[data-test=archive-open]').click();
    await page.waitForURL(`**/reports/${resolved.id}`);
    await page.locator('[data-test=detail-status][data-status=RESOLVED]').waitFor();
    await page.goBack();
    await archiveRow(resolved.reference).waitFor({ timeout: SHOWN_MS });
    expect(await page.inputValue('[data-test=archive-text]')).toBe(word.toUpperCase());
  });

  it('reopens it from its detail, and the report is back in the live queue', async () => {
    await archiveRow(resolved.reference).locator('[data-test=archive-open]').click();
    await page.locator('[data-test=detail-status][data-status=RESOLVED]').waitFor();
    await page.locator('[data-test=action-close]').waitFor();
    await page.click('[data-test=action-reopen]');
    await page.fill('form textarea[required]', 'المواطن يفيد بأن الحفرة ما زالت موجودة');
    await page.click('form button.primary');
    await page.locator('[data-test=detail-status][data-status=RECEIVED]').waitFor({ timeout: SHOWN_MS });
    await page.click('[data-test=nav-queue]');
    await page.locator(`[data-test=queue-row][data-reference="${resolved.reference}"]`).waitFor({ timeout: SHOWN_MS });
  });

  it("jumps from the shell's search box to a report by its number alone", async () => {
    await page.click('[data-test=nav-archive]');
    const number = String(Number(resolved.reference.split('-')[2]));
    await page.fill('[data-test=shell-search]', number);
    await page.press('[data-test=shell-search]', 'Enter');
    await page.waitForURL(`**/reports/${resolved.id}`, { timeout: SHOWN_MS });
    expect((await page.textContent('[data-test=detail-reference]'))?.trim()).toContain(resolved.reference);
    await page.fill('[data-test=shell-search]', '99999999');
    await page.press('[data-test=shell-search]', 'Enter');
    await page.locator('[data-test=shell-search-problem]').waitFor({ timeout: SHOWN_MS });
    expect(page.url()).toContain(`/reports/${resolved.id}`);
  });

  it("jumps from the shell's search box to a caller's history by phone, and to the archive for words", async () => {
    await page.fill('[data-test=shell-search]', PHONE);
    await page.press('[data-test=shell-search]', 'Enter');
    await page.waitForURL('**/center/lookup?phone=*', { timeout: SHOWN_MS });
    await page.locator(`[data-test=lookup-report][data-reference="${resolved.reference}"]`).waitFor({ timeout: SHOWN_MS });
    await page.fill('[data-test=shell-search]', word);
    await page.press('[data-test=shell-search]', 'Enter');
    await archiveRow(resolved.reference).waitFor({ timeout: SHOWN_MS });
    expect(cspViolations).toEqual([]);
  });
});
