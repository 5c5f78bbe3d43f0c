import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';
import { assign, crewRow, fileReport, progress, sql, staff } from '../support/factories.js';
import { startServer, type App } from '../support/server.js';
import { buildConsole, launchChromium, recordCspViolations, screenshot, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * The right crew in a real browser (issue 13): a dispatcher opens a pothole report in Al Khobar and the assign
 * dialog lists the server's suggestions first, the free crew 0.5 km away on top with its distance and arrival, a
 * busy crew with the job it is on, a crew whose location is stale as unknown, then the department's other crews;
 * assigning from the top suggestion gives the report to that crew.
 */

const LIVE_MS = 15_000;
const PASSWORD = 'test-password-1';
/** The pothole's place: King Khalid Street, Al Khobar. */
const PLACE = { lat: 26.2794, lng: 50.2083 };

let app: App;
let browser: Browser;
let consoleDir: string;
let page: Page;
let dispatcher: { username: string; token: string };
const cspViolations: string[] = [];
const crews = { near: '', far: '', busy: '', stale: '' };
let report: { id: string; reference: string };
let busyJobReference: string;

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-suggestions-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2e_suggest'), consoleDir });
  dispatcher = await staff(app);
  // Road crews of Al Khobar: one 0.5 km away and free, one 12 km away, one near but on its way to another job, one whose location is 40 minutes old (unknown, so it ranks after the far one but, free, before the busy one).
  crews.near = (await crewRow(app, { name: 'فرقة الطرق - الخبر 1', lat: PLACE.lat + 0.0045, lng: PLACE.lng })).id;
  crews.far = (await crewRow(app, { name: 'فرقة الطرق - الخبر 2', lat: PLACE.lat + 0.108, lng: PLACE.lng })).id;
  crews.busy = (await crewRow(app, { name: 'فرقة الطرق - الخبر 3', lat: PLACE.lat + 0.002, lng: PLACE.lng })).id;
  crews.stale = (await crewRow(app, { name: 'فرقة الطرق - الخبر 4', lat: PLACE.lat + 0.001, lng: PLACE.lng })).id;
  await sql(app, `update crew set location_at = now() - interval '40 minutes' where id = ?`, [crews.stale]);
  const other = await fileReport(app, dispatcher.token, { description: 'حفرة أخرى في شارع الأمير تركي', location: { lat: PLACE.lat + 0.01, lng: PLACE.lng, address: 'شارع الأمير تركي' } });
  busyJobReference = other.reference;
  const job = await assign(app, dispatcher.token, other.id, crews.busy);
  for (const step of ['ACCEPTED', 'EN_ROUTE'] as const) await progress(app, dispatcher.token, job.id, step);
  report = await fileReport(app, dispatcher.token, { description: 'حفرة عميقة أمام المدرسة', location: { ...PLACE, address: 'شارع الملك خالد' } });

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await recordCspViolations(context, cspViolations);
  page = await context.newPage();
  await mkdir(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

describe('assigning from the suggestions', () => {
  it('lists the suggested crews first: the near free one on top with its distance, the busy one with its job, a stale location as unknown', async () => {
    await signIn(page, app.url, dispatcher.username, PASSWORD);
    await page.locator('[data-test=queue-row]').first().waitFor({ timeout: LIVE_MS });
    await page.locator(`[data-test=queue-row][data-reference="${report.reference}"]`).click();
    await page.locator('[data-test=detail-reference]', { hasText: report.reference }).waitFor();
    await page.click('[data-test=action-assign]');

    const suggestions = page.locator('[data-test=crew-suggestions] [data-test=suggestion]');
    await suggestions.first().waitFor({ timeout: LIVE_MS });
    expect(await suggestions.evaluateAll((items) => items.map((item) => item.getAttribute('data-crew-id')))).toEqual([crews.near, crews.far, crews.stale, crews.busy]);

    const top = suggestions.first();
    expect(await top.locator('[data-test=suggestion-distance]').textContent()).toContain('0.5');
    expect(await top.locator('[data-test=suggestion-distance]').textContent()).toContain('كم');
    expect(await top.locator('[data-test=suggestion-distance] bdi').count()).toBe(1);
    expect(await top.locator('[data-test=suggestion-eta]').textContent()).toContain('تصل خلال نحو');
    expect((await top.locator('[data-test=suggestion-state]').textContent())?.trim()).toBe('متاحة');
    // The reasons in Arabic, as the server words them.
    expect(await top.locator('[data-test=suggestion-reasons]').textContent()).toContain('من الإدارة المسؤولة: إدارة الطرق والإنارة');

    const busy = page.locator(`[data-test=suggestion][data-crew-id="${crews.busy}"]`);
    expect((await busy.locator('[data-test=suggestion-state]').textContent())?.trim()).toBe('مشغولة');
    const doing = busy.locator('[data-test=suggestion-current]');
    expect(await doing.locator('bdi').textContent()).toBe(busyJobReference);
    expect(await doing.textContent()).toContain('في الطريق');

    const stale = page.locator(`[data-test=suggestion][data-crew-id="${crews.stale}"]`);
    expect(await stale.locator('[data-test=suggestion-location-unknown]').textContent()).toContain('الموقع غير معروف');
    expect(await stale.locator('[data-test=suggestion-distance]').count()).toBe(0);
    await screenshot(page, 'console-suggestions', { readme: 'console-suggestions.png', fullPage: true });
  });

  it('reads the reasons in English in the English console', async () => {
    await page.click('[data-test=language]');
    const top = page.locator('[data-test=crew-suggestions] [data-test=suggestion]').first();
    await expect.poll(() => top.locator('[data-test=suggestion-reasons]').textContent(), { timeout: LIVE_MS }).toContain('From the responsible department: Roads and Street Lighting');
    expect(await top.locator('[data-test=suggestion-eta]').textContent()).toContain('arrives in about');
    await page.click('[data-test=language]');
    await expect.poll(() => top.locator('[data-test=suggestion-reasons]').textContent(), { timeout: LIVE_MS }).toContain('من الإدارة المسؤولة');
  });

  it('assigns the report to the top suggestion', async () => {
    await page.locator('[data-test=crew-suggestions] [data-test=suggestion]').first().locator('[data-test=assign-suggested]').click();
    await page.locator('[data-test=detail-status][data-status=ASSIGNED]').waitFor({ timeout: LIVE_MS });
    await page.locator('[data-test=assignment][data-status=PENDING]').waitFor({ timeout: LIVE_MS });
    const [assigned] = await sql<{ crew_id: string }>(app, `select crew_id from assignment where report_id = ? and status = 'PENDING'`, [report.id]);
    expect(assigned.crew_id).toBe(crews.near);
    expect(cspViolations).toEqual([]);
  });
});
