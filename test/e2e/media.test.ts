import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';
import { fixture, FIXTURES, uploaded } from '../support/media.js';
import { ok, startServer, type App } from '../support/server.js';
import { buildConsole, CHROMIUM, DEMO_PASSWORD, recordCspViolations, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * Photos and voice notes end to end (issue 11): a real headless Chromium driving the built console against the
 * real server, a fresh PostgreSQL database with the demo data, and media stored on disk.
 */

/** How long a live change may take when the issue sets no bound: generous, as a loaded 2-core machine can stall a browser. */
const LIVE_MS = 15_000;
/** The bound for a report filed with media to show, photo and voice, in the open console. */
const SHOWN_WITHIN_MS = 1_000;
const INTAKE = 'demo-intake-key';

let app: App;
let browser: Browser;
let consoleDir: string;
let dispatcher: BrowserContext;
let page: Page;
let dispatcherToken: string;
/** Content-Security-Policy violations seen in any page, as events and as console messages. */
const cspViolations: string[] = [];

async function login(username: string): Promise<{ token: string; crewId: string | null }> {
  const data = await ok<{ login: { token: string; viewer: { crew: { id: string } | null } } }>(
    app,
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token viewer { crew { id } } } }',
    { u: username, p: DEMO_PASSWORD },
  );
  return { token: data.login.token, crewId: data.login.viewer.crew?.id ?? null };
}

/** Files a report through the gateway (the INTAKE key), with the media it uploaded first. */
async function fileWithMedia(mediaIds: string[], input: Record<string, unknown> = {}): Promise<{ id: string; reference: string }> {
  const data = await ok<{ createReport: { id: string; reference: string } }>(
    app,
    'mutation($input: CreateReportInput!) { createReport(input: $input) { id reference } }',
    {
      input: {
        idempotencyKey: `e2e-media-${Math.random().toString(36).slice(2)}`,
        channel: 'BALAGHATI_APP',
        categoryCode: 'HAZARDOUS_BILLBOARD',
        description: 'لوحة إعلانية مائلة فوق الرصيف، الصور والرسالة الصوتية مرفقة',
        location: { lat: 26.2861, lng: 50.2169, address: 'Prince Turki St' },
        mediaIds,
        ...input,
      },
    },
    INTAKE,
  );
  return data.createReport;
}

function row(target: Page, reference: string) {
  return target.locator(`[data-test=queue-row][data-reference="${reference}"]`);
}

/** Whether the image a selector names has loaded and decoded (evaluated as a string: this file has no DOM types). */
function imageLoaded(target: Page, selector: string): Promise<boolean> {
  return target.evaluate<boolean>(`(() => { const img = document.querySelector(${JSON.stringify(selector)}); return !!img && img.complete && img.naturalWidth > 0; })()`);
}

/** Acknowledges every CRITICAL alert one by one; each leaves once the server has the acknowledgement, so wait for that before the next. */
async function acknowledgeAlerts(target: Page): Promise<void> {
  const acknowledgeAll = target.locator('[data-test=critical-alert] [data-test=acknowledge]');
  for (let pending = await acknowledgeAll.count(); pending > 0; pending = await acknowledgeAll.count()) {
    await acknowledgeAll.first().click();
    await expect.poll(() => acknowledgeAll.count()).toBeLessThan(pending);
  }
}

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-media-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2e_media'), demo: true, consoleDir });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // the test presses play itself, as a dispatcher's click would
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  dispatcher = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await recordCspViolations(dispatcher, cspViolations);
  page = await dispatcher.newPage();
  dispatcherToken = (await login('supervisor')).token;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

describe('photos and voice notes in a real browser', () => {
  let filed: { id: string; reference: string };

  it('shows a report the gateway filed with a photo and a voice note in the open console within a second: the photo displays, the voice plays', async () => {
    await signIn(page, app.url, 'dispatcher');
    await page.locator('[data-test=queue-row]').first().waitFor();
    await page.locator('[data-test=connection][data-state=live]').waitFor();

    const mediaIds = [await uploaded(app, INTAKE, 'photo-gps.jpg'), await uploaded(app, INTAKE, 'photo.webp'), await uploaded(app, INTAKE, 'voice.ogg')];
    filed = await fileWithMedia(mediaIds);
    const createdAt = Date.now();
    await row(page, filed.reference).locator('[data-test=row-photos]').waitFor({ timeout: LIVE_MS });
    await row(page, filed.reference).locator('[data-test=row-voice]').waitFor({ timeout: LIVE_MS });
    const shownAfter = Date.now() - createdAt;
    expect(await row(page, filed.reference).locator('[data-test=row-photos]').getAttribute('aria-label')).toBe('صور مرفقة: 2');
    expect(await row(page, filed.reference).locator('[data-test=row-voice]').getAttribute('aria-label')).toBe('رسالة صوتية مرفقة');
    expect(shownAfter, `the row with its media icons showed ${shownAfter} ms after createReport answered`).toBeLessThan(SHOWN_WITHIN_MS);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'media-queue.png') });
    await acknowledgeAlerts(page);

    await row(page, filed.reference).click();
    await page.locator(`[data-test=detail-reference]:text("${filed.reference}")`).waitFor();
    const before = page.locator('[data-test=media-before] [data-test=photo] img');
    await expect.poll(() => before.count()).toBe(2);
    expect(await page.locator('[data-test=media-before] figcaption').textContent()).toBe('قبل');
    await expect.poll(() => imageLoaded(page, '[data-test=media-before] [data-test=photo] img')).toBe(true);
    expect(await page.locator('[data-test=media-after]').count()).toBe(0);

    const voice = page.locator('[data-test=voice]');
    expect(await voice.locator('[data-test=voice-duration]').textContent()).toBe('0:03');
    const played = await page.evaluate<{ duration: number; currentTime: number; error: string | null }>(`(async () => {
      const audio = document.querySelector('[data-test=voice-audio]');
      if (audio.readyState < 1) await new Promise((resolve, reject) => { audio.addEventListener('loadedmetadata', resolve, { once: true }); audio.addEventListener('error', () => reject(new Error('audio error ' + audio.error?.code)), { once: true }); });
      await audio.play();
      await new Promise((resolve) => setTimeout(resolve, 600));
      audio.pause();
      return { duration: audio.duration, currentTime: audio.currentTime, error: audio.error ? String(audio.error.code) : null };
    })()`);
    expect(played.error).toBeNull();
    expect(played.duration).toBeGreaterThan(3);
    expect(played.duration).toBeLessThan(4);
    expect(played.currentTime).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'media-detail.png'), fullPage: true });
  });

  it('shows a follow-up photo the gateway attaches to the report on the detail page already open, within a second', async () => {
    const later = await uploaded(app, INTAKE, 'photo.png');
    await ok(app, 'mutation($r: ID!, $m: [ID!]!) { attachMedia(reportId: $r, mediaIds: $m) { id } }', { r: filed.id, m: [later] }, INTAKE);
    const attachedAt = Date.now();
    await page.locator(`[data-test=media-before] [data-test=photo][data-media="${later}"]`).waitFor({ timeout: LIVE_MS });
    const shownAfter = Date.now() - attachedAt;
    expect(shownAfter, `the follow-up photo showed ${shownAfter} ms after attachMedia answered`).toBeLessThan(SHOWN_WITHIN_MS);
    await expect.poll(() => imageLoaded(page, `[data-test=photo][data-media="${later}"] img`)).toBe(true);
  });

  it('opens a photo in the lightbox and turns through them with the keys (← is next in Arabic), a swipe and its buttons; Esc closes it', async () => {
    const thumbs = page.locator('[data-test=media-before] [data-test=photo]');
    expect(await thumbs.count()).toBe(3);
    const ids = await Promise.all([0, 1, 2].map((i) => thumbs.nth(i).getAttribute('data-media')));
    await thumbs.first().click();
    const lightbox = page.locator('[data-test=lightbox]');
    const image = page.locator('[data-test=lightbox-image]');
    await lightbox.waitFor();
    expect(await image.getAttribute('data-media')).toBe(ids[0]);
    await expect.poll(() => imageLoaded(page, '[data-test=lightbox-image]')).toBe(true);
    expect(await page.locator('[data-test=lightbox-counter]').textContent()).toBe('1 من 3');

    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => image.getAttribute('data-media')).toBe(ids[1]);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => image.getAttribute('data-media')).toBe(ids[2]);
    await page.keyboard.press('ArrowLeft');
    expect(await image.getAttribute('data-media')).toBe(ids[2]);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => image.getAttribute('data-media')).toBe(ids[1]);

    // a finger pulling the photo to the right brings in the next one, which lies to the left in Arabic
    const box = (await image.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => image.getAttribute('data-media')).toBe(ids[2]);
    await page.click('[data-test=lightbox-previous]');
    await expect.poll(() => image.getAttribute('data-media')).toBe(ids[1]);
    await expect.poll(() => imageLoaded(page, '[data-test=lightbox-image]')).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'media-lightbox.png') });

    await page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
  });

  it("completes a crew's job with an after-photo taken on the phone, retried over a weak network and waited for, and shows it under After", async () => {
    const crew = await login('crew01');
    const assignment = await ok<{ assignReport: { id: string } }>(
      app,
      'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }',
      { input: { reportId: filed.id, crewId: crew.crewId } },
      dispatcherToken,
    );
    for (const status of ['ACCEPTED', 'EN_ROUTE', 'ON_SITE']) {
      await ok(app, 'mutation($input: UpdateAssignmentStatusInput!) { updateAssignmentStatus(input: $input) { id } }', { input: { assignmentId: assignment.assignReport.id, status } }, crew.token);
    }
    await page.locator('[data-test=assignment][data-status=ON_SITE]').waitFor({ timeout: LIVE_MS });

    const crewContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await recordCspViolations(crewContext, cspViolations);
    const phone = await crewContext.newPage();
    // The weak network: the first upload attempt is cut off, the retry is held until the test lets it through.
    let attempts = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await phone.route('**/media', async (route: Route) => {
      if (route.request().method() !== 'POST') return route.continue();
      attempts += 1;
      if (attempts === 1) return route.abort('connectionreset');
      await released;
      return route.continue();
    });
    await signIn(phone, app.url, 'crew01');
    await phone.waitForURL('**/crew');
    const card = phone.locator(`[data-test=crew-assignment][data-reference="${filed.reference}"]`);
    await card.waitFor();
    await expect.poll(() => imageLoaded(phone, `[data-test=crew-assignment][data-reference="${filed.reference}"] [data-test=photo] img`)).toBe(true);

    const capture = card.locator('[data-test=after-photos] [data-test=media-input]');
    expect(await capture.getAttribute('capture')).toBe('environment');
    expect(await capture.getAttribute('accept')).toBe('image/*');
    await capture.setInputFiles(path.join(FIXTURES, 'photo.png'));
    const item = card.locator('[data-test=upload-item]');
    await expect.poll(() => item.getAttribute('data-state'), { timeout: LIVE_MS }).toBe('retrying');
    await expect.poll(() => attempts, { timeout: LIVE_MS }).toBe(2);
    expect(await card.locator('.upload-preview').getAttribute('src')).toMatch(/^blob:/);

    await card.locator('[data-test=crew-note]').fill('أُزيلت اللوحة وأُمّن الرصيف');
    const complete = card.locator('[data-test=step-COMPLETED]');
    await complete.click();
    await expect.poll(() => complete.textContent()).toContain('بانتظار رفع الصور');
    expect(await complete.isDisabled()).toBe(true);
    await phone.screenshot({ path: path.join(SCREENSHOTS, 'media-crew-waiting.png') });

    release();
    await card.waitFor({ state: 'detached', timeout: LIVE_MS });
    await crewContext.close();

    await page.locator('[data-test=detail-status][data-status=RESOLVED]').waitFor({ timeout: LIVE_MS });
    const after = page.locator('[data-test=media-after] [data-test=photo] img');
    await after.waitFor({ timeout: LIVE_MS });
    expect(await page.locator('[data-test=media-after] figcaption').textContent()).toBe('بعد');
    expect(await page.locator('[data-test=media-before] [data-test=photo]').count()).toBe(3);
    await expect.poll(() => imageLoaded(page, '[data-test=media-after] [data-test=photo] img')).toBe(true);
    const stored = await ok<{ report: { assignments: Array<{ media: Array<{ purpose: string; kind: string }> }> } }>(
      app,
      'query($id: ID!) { report(id: $id) { assignments { media { purpose kind } } } }',
      { id: filed.id },
      dispatcherToken,
    );
    expect(stored.report.assignments.flatMap((a) => a.media)).toEqual([{ purpose: 'AFTER_WORK', kind: 'PHOTO' }]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'media-before-after.png'), fullPage: true });
  });

  it('files a 940 call with a photo picked from a file and another pasted from the clipboard, waiting for both uploads', async () => {
    await page.click('[data-test=nav-call]');
    await page.locator('[data-test=location-picker].leaflet-container').waitFor();
    await page.selectOption('[data-test=call-category]', 'POTHOLE');
    await page.fill('[data-test=call-description]', 'المتصل أرسل صورتين لحفرة أمام منزله');
    const picker = (await page.locator('[data-test=location-picker]').boundingBox())!;
    await page.mouse.click(picker.x + picker.width / 2, picker.y + picker.height / 2);
    await expect.poll(() => page.textContent('[data-test=call-point]')).toMatch(/\d+\.\d+, \d+\.\d+/);

    await page.locator('[data-test=call-taker] [data-test=media-input]').setInputFiles(path.join(FIXTURES, 'photo-gps.jpg'));
    const pasted = (await fixture('photo.png')).toString('base64');
    await page.evaluate(`(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(pasted)}), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    })()`);
    await expect.poll(() => page.locator('[data-test=call-taker] [data-test=upload-item]').count()).toBe(2);
    await page.click('[data-test=call-submit]');
    const notice = page.locator('[data-test=call-created]');
    await notice.waitFor({ timeout: LIVE_MS });
    expect(await page.locator('[data-test=call-taker] [data-test=upload-item]').count()).toBe(0);
    const reference = (await notice.locator('.ref').textContent())!.trim();
    const report = await ok<{ reportByReference: { media: Array<{ kind: string; purpose: string; width: number }> } }>(
      app,
      'query($r: String!) { reportByReference(reference: $r) { media { kind purpose width } } }',
      { r: reference },
      dispatcherToken,
    );
    // the server lists them in the order they were uploaded, which here is the order the two uploads finished
    expect(report.reportByReference.media.map((m) => `${m.kind} ${m.purpose} ${m.width}`).sort()).toEqual(['PHOTO REPORT 640', 'PHOTO REPORT 900']);
  });

  it('ran every flow above under its Content-Security-Policy without one violation, blob: previews and audio included', async () => {
    const policy = (await fetch(app.url)).headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/img-src [^;]*blob:/);
    expect(policy).toContain("media-src 'self'");
    expect(cspViolations).toEqual([]);
  });
});
