import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';
import { uploaded } from '../support/media.js';
import { ok, startServer, type App } from '../support/server.js';
import { buildConsole, CHROMIUM, DEMO_PASSWORD, recordCspViolations, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * Arabic without seams (issue 13), in a real headless Chromium on the built console with the demo data: a report
 * that was given media, assigned, taken back, noted and merged reads in Arabic only, except what sits in <bdi>
 * (references, phone numbers, usernames, names and what people typed); its status arrows point right to left;
 * a time to target reads in Arabic words; and the call-taker form submitted empty answers in Arabic.
 */

let app: App;
let browser: Browser;
let consoleDir: string;
let context: BrowserContext;
let page: Page;
let token: string;
const cspViolations: string[] = [];

interface Filed {
  id: string;
  reference: string;
}

async function file(description: string, reporter: Record<string, string> | null = null): Promise<Filed> {
  const data = await ok<{ createReport: Filed }>(
    app,
    'mutation($input: CreateReportInput!) { createReport(input: $input) { id reference } }',
    {
      input: {
        idempotencyKey: `e2e-arabic-${Math.random().toString(36).slice(2)}`,
        channel: 'CALL_940',
        categoryCode: 'HAZARDOUS_BILLBOARD',
        description,
        location: { lat: 26.2861, lng: 50.2169, address: 'طريق الأمير تركي، الخبر' },
        reporter,
      },
    },
    token,
  );
  return data.createReport;
}

/**
 * The words a reader sees in `selector` outside <bdi>, minus the map (its tiles' attribution is the map's own):
 * every text node, collected in the page.
 */
function wordsOutsideBdi(target: Page, selector: string): Promise<string[]> {
  return target.evaluate<string[]>(`(() => {
    const root = document.querySelector(${JSON.stringify(selector)});
    if (!root) return ['<missing ${selector}>'];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const words = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('bdi, .leaflet-container, script, style')) continue;
      if (parent.closest('[hidden]') || getComputedStyle(parent).display === 'none') continue;
      words.push(...(node.textContent.match(/[A-Za-z]{2,}/g) || []));
    }
    return words;
  })()`);
}

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-console-arabic-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2e_arabic'), demo: true, consoleDir, overdueCheckMs: 3_600_000 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  await recordCspViolations(context, cspViolations);
  page = await context.newPage();
  const login = await ok<{ login: { token: string } }>(app, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'dispatcher', p: DEMO_PASSWORD });
  token = login.login.token;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

describe('the Arabic console without seams', () => {
  let merged: Filed;
  let original: Filed;

  it('shows a worked report’s detail and timeline in Arabic only, outside names, references, phones and typed text', async () => {
    original = await file('لوحة إعلانية مائلة على الكورنيش، البلاغ الأول');
    merged = await file('لوحة billboard مائلة فوق الرصيف بجوار المقهى', { name: 'Rahul Menon', phone: '0501234567', beneficiaryType: 'RESIDENT' });
    const media = await Promise.all([uploaded(app, token, 'photo.png'), uploaded(app, token, 'photo.webp'), uploaded(app, token, 'voice.ogg')]);
    await ok(app, 'mutation($r: ID!, $m: [ID!]!) { attachMedia(reportId: $r, mediaIds: $m) { id } }', { r: merged.id, m: media }, token);
    const crews = await ok<{ crews: Array<{ id: string; nameAr: string }> }>(app, '{ crews(filter: { departmentCodes: ["BUILDING_CONTROL"], onDuty: true }) { id nameAr } }', {}, token);
    const khobar = crews.crews.find((crew) => crew.nameAr === 'فريق اللوحات - الخبر 1')!;
    const assigned = await ok<{ assignReport: { id: string } }>(
      app,
      'mutation($input: AssignReportInput!) { assignReport(input: $input) { id } }',
      { input: { reportId: merged.id, crewId: khobar.id } },
      token,
    );
    await ok(app, 'mutation($id: ID!, $reason: String!) { cancelAssignment(id: $id, reason: $reason) { id } }', { id: assigned.assignReport.id, reason: 'البلاغ مكرر، سيُدمج مع البلاغ الأول' }, token);
    await ok(app, 'mutation($r: ID!, $n: String!) { addReportNote(reportId: $r, note: $n) { id } }', { r: merged.id, n: 'اتصل المبلّغ مرة ثانية للتأكيد' }, token);
    await ok(app, 'mutation($id: ID!, $of: ID!) { markDuplicate(id: $id, duplicateOf: $of) { id } }', { id: merged.id, of: original.id }, token);

    await signIn(page, app.url, 'dispatcher');
    await page.locator('[data-test=queue]').waitFor();
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await page.goto(`${app.url}/reports/${merged.id}`);
    await page.locator('[data-test=detail-reference]', { hasText: merged.reference }).waitFor();
    const timeline = page.locator('[data-test=timeline]');
    await timeline.locator('li[data-action=MARKED_DUPLICATE]').waitFor();
    await page.locator('[data-test=assignment]').first().waitFor();

    expect(await timeline.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-action')))).toEqual([
      'CREATED',
      'MEDIA_ATTACHED',
      'ASSIGNED',
      'ASSIGNMENT_CANCELLED',
      'NOTE_ADDED',
      'MARKED_DUPLICATE',
    ]);
    expect(await timeline.locator('li[data-action=MEDIA_ATTACHED] [data-test=timeline-params]').textContent()).toBe('صورتان ورسالة صوتية واحدة');
    expect(await timeline.locator('li[data-action=ASSIGNED] [data-test=timeline-params]').textContent()).toContain('إلى فريق اللوحات - الخبر 1');
    expect((await timeline.locator('li[data-action=MARKED_DUPLICATE] [data-test=timeline-params]').textContent())?.replace(/\s+/g, ' ').trim()).toBe(`مكرر للبلاغ ${original.reference}`);
    expect(await page.locator('[data-test=reporter] bdi').allTextContents()).toEqual(['Rahul Menon', '0501234567']);

    expect(await wordsOutsideBdi(page, '[data-test=report-detail]')).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-arabic-detail.png'), fullPage: true });
  });

  it('points the timeline’s status arrows the way Arabic reads, and the other way in English', async () => {
    const arrows = page.locator('[data-test=timeline] [data-test=status-arrow]');
    expect(await arrows.count()).toBeGreaterThanOrEqual(3);
    expect(new Set(await arrows.allTextContents())).toEqual(new Set(['←']));
    const assigned = (await page.locator('[data-test=timeline] li[data-action=ASSIGNED] [data-test=status-change]').textContent())?.replace(/\s+/g, ' ').trim();
    expect(assigned).toBe('جديد ← مُسند');

    await page.click('[data-test=language]');
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('ltr');
    expect(new Set(await arrows.allTextContents())).toEqual(new Set(['→']));
    expect(await page.locator('[data-test=timeline] li[data-action=ASSIGNED] [data-test=timeline-params]').textContent()).toContain('to Billboards crew – Al Khobar 1');
    await page.click('[data-test=language]');
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('rtl');
  });

  it('reads the time left to a response target in Arabic words', async () => {
    await page.goto(`${app.url}/reports/${original.id}`);
    const countdown = page.locator('[data-test=detail-countdown]');
    await countdown.waitFor();
    const text = (await countdown.textContent())?.trim() ?? '';
    expect(text).toMatch(/^متبقٍ /);
    expect(text).toMatch(/ساعة|ساعتان|ساعات|دقيقة|دقيقتان|دقائق/);
    expect(text).not.toMatch(/\d+:\d\d/);
    expect(await wordsOutsideBdi(page, '[data-test=report-detail]')).toEqual([]);
  });

  it('answers a call-taker form submitted empty in Arabic, naming no internal field', async () => {
    await page.click('[data-test=nav-call]');
    await page.locator('[data-test=call-taker]').waitFor();
    await page.click('[data-test=call-submit]');
    await page.locator('[data-test=call-invalid]').waitFor();
    expect(await page.locator('[data-test=invalid-category]').textContent()).toBe('اختر تصنيف البلاغ.');
    expect(await page.locator('[data-test=invalid-description]').textContent()).toBe('اكتب ما يبلّغ عنه المتصل.');
    expect(await page.locator('[data-test=invalid-location]').textContent()).toBe('حدّد موقع المشكلة بالنقر على الخريطة.');
    // The browser's own bubbles are off (novalidate), so none of its English messages can show.
    expect(await page.locator('[data-test=call-taker] form').getAttribute('novalidate')).not.toBeNull();
    const alerts = await page.locator('[data-test=call-taker] [role=alert]').allTextContents();
    expect(alerts.join(' ')).not.toMatch(/[A-Za-z]{2,}/);
    expect(await wordsOutsideBdi(page, '[data-test=call-taker] form')).toEqual([]);

    await page.fill('[data-test=call-phone]', 'call me');
    await page.click('[data-test=call-submit]');
    expect(await page.locator('[data-test=invalid-phone]').textContent()).toBe('اكتب رقم جوال صحيحًا، مثل 0501234567.');
    expect(cspViolations).toEqual([]);
  });
});
