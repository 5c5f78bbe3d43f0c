import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/src/access/access.roles.js';
import { assign, crew, fileReport, progress, staff, type AssignmentResult, type FiledReport } from '../support/factories.js';
import { startServer, type App } from '../support/server.js';
import { buildConsole, launchChromium, recordCspViolations, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * The crew's phone app end to end (issue 13): a real headless Chromium at a phone's size driving the built
 * console against the real server. A crew with two accepted jobs and an offer sees the first as its current
 * job and the rest queued, gets directions to the report's coordinates, a call button only once it is on its
 * way, is refused a second start with the job to finish named, is asked for a reason only after pressing
 * decline and to confirm before ending its shift, and sees a completed job under today's.
 */

/** How long a change may take to show: generous, as a loaded 2-core machine can stall a browser for seconds. */
const LIVE_MS = 15_000;
/** The factories' users' password. */
const PASSWORD = 'test-password-1';
const PHONE = '+966551234567';
const FIRST_AT = { lat: 26.2794, lng: 50.2083, address: 'شارع الملك خالد' };
const SECOND_AT = { lat: 26.2861, lng: 50.2169, address: 'طريق الظهران' };

let app: App;
let browser: Browser;
let consoleDir: string;
let context: BrowserContext;
let phone: Page;
let team: { id: string; username: string; token: string };
let first: FiledReport;
let second: FiledReport;
let offered: FiledReport;
let firstJob: AssignmentResult;
const cspViolations: string[] = [];

const card = (reference: string) => phone.locator(`[data-test=crew-assignment][data-reference="${reference}"]`);

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-crew-'));
  await buildConsole(consoleDir);
  app = await startServer({ consoleDir });
  const dispatcher = (await staff(app, Role.DISPATCHER)).token;
  team = await crew(app);
  first = await fileReport(app, dispatcher, { description: 'حفرة عميقة أمام المدرسة', location: FIRST_AT, reporter: { name: 'سلمى العتيبي', phone: PHONE } });
  second = await fileReport(app, dispatcher, { description: 'حفرة في المسار الأيمن', location: SECOND_AT, reporter: { name: 'فهد الدوسري', phone: '+966501112223' } });
  offered = await fileReport(app, dispatcher, { description: 'هبوط في الرصيف', location: SECOND_AT });
  firstJob = await assign(app, dispatcher, first.id, team.id);
  const secondJob = await assign(app, dispatcher, second.id, team.id);
  await assign(app, dispatcher, offered.id, team.id);
  await progress(app, team.token, firstJob.id, 'ACCEPTED');
  await progress(app, team.token, secondJob.id, 'ACCEPTED');

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await recordCspViolations(context, cspViolations);
  phone = await context.newPage();
  await mkdir(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

describe("the crew's phone app in a real browser", () => {
  it('shows the first accepted job as current and the other jobs queued in order, with the time to target in words', async () => {
    await signIn(phone, app.url, team.username, PASSWORD);
    await phone.waitForURL('**/crew');
    await phone.locator('[data-test=current-job] [data-test=crew-assignment]').waitFor({ timeout: LIVE_MS });
    expect(await phone.getAttribute('html', 'dir')).toBe('rtl');
    expect(await phone.locator('[data-test=current-job] [data-test=crew-assignment]').getAttribute('data-reference')).toBe(first.reference);
    const queued = phone.locator('[data-test=job-queue] [data-test=crew-assignment]');
    expect(await queued.evaluateAll((cards) => cards.map((c) => c.getAttribute('data-reference')))).toEqual([second.reference, offered.reference]);
    expect(await card(first.reference).locator('[data-test=countdown]').textContent()).toMatch(/متبقٍ \d+ (ساعة|ساعات|ساعتان)/);
    expect(await card(first.reference).locator('[data-test=step-EN_ROUTE]').textContent()).toContain('انطلقت');
  });

  it("gives directions to the report's coordinates as a geo: URI and a maps route opening in a new tab", async () => {
    const directions = card(first.reference).locator('[data-test=directions]');
    expect(await directions.locator('[data-test=directions-geo]').getAttribute('href')).toBe(`geo:${FIRST_AT.lat},${FIRST_AT.lng}?q=${FIRST_AT.lat},${FIRST_AT.lng}(${first.reference})`);
    const maps = directions.locator('[data-test=directions-maps]');
    expect(await maps.getAttribute('href')).toBe(`https://www.google.com/maps/dir/?api=1&destination=${FIRST_AT.lat},${FIRST_AT.lng}`);
    expect(await maps.getAttribute('target')).toBe('_blank');
    expect(await card(second.reference).locator('[data-test=directions-geo]').getAttribute('href')).toContain(`geo:${SECOND_AT.lat},${SECOND_AT.lng}`);
  });

  it('offers a call to the reporter only once the crew is on its way', async () => {
    const current = card(first.reference);
    expect(await current.locator('[data-test=call-reporter]').count()).toBe(0);
    await current.locator('[data-test=step-EN_ROUTE]').click();
    await current.locator('[data-test=assignment-status][data-status=EN_ROUTE]').waitFor({ timeout: LIVE_MS });
    const call = current.locator('[data-test=call-reporter]');
    await call.waitFor({ timeout: LIVE_MS });
    expect(await call.getAttribute('href')).toBe(`tel:${PHONE}`);
    expect(await card(second.reference).locator('[data-test=call-reporter]').count()).toBe(0);
  });

  it('refuses to start the second job while the first is on its way, naming the first', async () => {
    await card(second.reference).locator('[data-test=step-EN_ROUTE]').click();
    const message = phone.locator('[data-test=crew-message]');
    await message.waitFor({ timeout: LIVE_MS });
    const text = await message.textContent();
    expect(text).toContain(first.reference);
    expect(text).toContain('أنهِها قبل أن تبدأ مهمة أخرى');
    expect(await card(second.reference).locator('[data-test=assignment-status]').getAttribute('data-status')).toBe('ACCEPTED');
  });

  it('asks for a reason only after decline is pressed, and lets the crew think better of it', async () => {
    const offer = card(offered.reference);
    expect(await offer.locator('[data-test=crew-note]').count()).toBe(0);
    await offer.locator('[data-test=step-DECLINED]').click();
    await offer.locator('[data-test=crew-note]').waitFor();
    expect(await offer.locator('[data-test=confirm-decline]').isVisible()).toBe(true);
    await offer.locator('[data-test=cancel-decline]').click();
    await offer.locator('[data-test=crew-note]').waitFor({ state: 'detached' });
    await offer.locator('[data-test=step-DECLINED]').click();
    await offer.locator('[data-test=crew-note]').fill('خارج نطاق فرقتنا');
    await offer.locator('[data-test=confirm-decline]').click();
    await offer.waitFor({ state: 'detached', timeout: LIVE_MS });
  });

  it('asks before ending the shift', async () => {
    await phone.locator('[data-test=shift]').click();
    const confirm = phone.locator('[data-test=end-shift-confirm]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('إنهاء المناوبة؟');
    await phone.locator('[data-test=cancel-end-shift]').click();
    await confirm.waitFor({ state: 'detached' });
    expect(await phone.locator('[data-test=my-status]').getAttribute('class')).not.toContain('OFF_DUTY');
  });

  it('lists a completed job under today’s, and the next job becomes the current one; the English switch names the steps as actions', async () => {
    const current = card(first.reference);
    await current.locator('[data-test=step-ON_SITE]').click();
    await current.locator('[data-test=assignment-status][data-status=ON_SITE]').waitFor({ timeout: LIVE_MS });
    await current.locator('[data-test=crew-note]').fill('رُدمت الحفرة وسُوّي الأسفلت');
    await phone.screenshot({ path: path.join(SCREENSHOTS, 'crew-app.png'), fullPage: true });
    await current.locator('[data-test=step-COMPLETED]').click();
    await phone.locator(`[data-test=finished-today] [data-test=crew-finished][data-reference="${first.reference}"]`).waitFor({ timeout: LIVE_MS });
    await current.waitFor({ state: 'detached', timeout: LIVE_MS });
    await phone.locator(`[data-test=current-job] [data-test=crew-assignment][data-reference="${second.reference}"]`).waitFor({ timeout: LIVE_MS });

    await phone.click('[data-test=language]');
    await expect.poll(() => phone.getAttribute('html', 'dir')).toBe('ltr');
    expect(await card(second.reference).locator('[data-test=step-EN_ROUTE]').textContent()).toContain('On my way');
    expect(await card(second.reference).locator('[data-test=countdown]').textContent()).toMatch(/\d+ (hrs?|mins?)\b.* left/);
    expect(cspViolations).toEqual([]);
  });
});
