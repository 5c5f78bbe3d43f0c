import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';
import { ok, startServer, type App } from '../support/server.js';
import { buildConsole, launchChromium, recordCspViolations, screenshot, SCREENSHOTS, signIn } from '../support/browser.js';

/**
 * The dispatch map with no MAP_TILE_URL, as on a machine without internet: a real headless Chromium on the built
 * console, the real server and a fresh PostgreSQL with the demo data plus a burst of reports in Al Khobar.
 */

const INTAKE = 'demo-intake-key';
/** Reports filed around one block of Al Khobar (Al Olaya), a few tens of metres apart. */
const BURST = 50;
const KHOBAR = { lat: 26.2794, lng: 50.2083 };
/** Inside the shipped Al Aqrabiyah district of Al Khobar. */
const AQRABIYAH = { lat: 26.296, lng: 50.196 };

let app: App;
let browser: Browser;
let consoleDir: string;
let context: BrowserContext;
let page: Page;
let dispatcherToken: string;
const cspViolations: string[] = [];
/** Requests the browser made anywhere but the server: with no MAP_TILE_URL there must be none. */
const elsewhere: string[] = [];

async function fileReport(i: number): Promise<void> {
  await ok(
    app,
    'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }',
    {
      input: {
        idempotencyKey: `map-e2e-${i}`,
        channel: 'WHATSAPP',
        categoryCode: i === 7 ? 'HAZARDOUS_BILLBOARD' : 'WASTE_ACCUMULATION',
        description: `تراكم نفايات قرب الحديقة ${i + 1}`,
        location: { lat: 26.281 + (i % 10) * 0.0003, lng: 50.19 + Math.floor(i / 10) * 0.0003 },
      },
    },
    INTAKE,
  );
}

/** Where [lat, lng] lands on a Web Mercator map at `zoom`, in pixels from the top left of the world. */
function worldPixel(point: { lat: number; lng: number }, zoom: number): { x: number; y: number } {
  const size = 256 * 2 ** zoom;
  const sin = Math.sin((point.lat * Math.PI) / 180);
  return { x: ((point.lng + 180) / 360) * size, y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size };
}

/** Clicks `target` on a map centred on `centre` at `zoom`. */
async function clickAt(map: string, centre: { lat: number; lng: number }, zoom: number, target: { lat: number; lng: number }): Promise<void> {
  const box = (await page.locator(map).boundingBox())!;
  const from = worldPixel(centre, zoom);
  const to = worldPixel(target, zoom);
  await page.mouse.click(box.x + box.width / 2 + (to.x - from.x), box.y + box.height / 2 + (to.y - from.y));
}

/**
 * A point of a marker (a cluster's badge, a crew's square) that nothing covers (crews stay above clusters and
 * may sit on each other), relative to the marker: where a person would click or hover.
 */
async function openSpot(badge: Locator): Promise<{ x: number; y: number }> {
  const spot = await badge.evaluate((element) => {
    const doc = (element as unknown as { ownerDocument: { elementFromPoint(x: number, y: number): unknown } }).ownerDocument;
    const box = (element as unknown as { getBoundingClientRect(): { left: number; top: number; width: number; height: number } }).getBoundingClientRect();
    const r = box.width / 2;
    for (const [dx, dy] of [
      [0, 0],
      [-0.6, 0],
      [0.6, 0],
      [0, -0.6],
      [0, 0.6],
      [-0.45, -0.45],
      [0.45, 0.45],
      [-0.45, 0.45],
      [0.45, -0.45],
    ]) {
      const x = r + dx! * r;
      const y = r + dy! * r;
      if ((element as unknown as { contains(other: unknown): boolean }).contains(doc.elementFromPoint(box.left + x, box.top + y))) return { x, y };
    }
    return null;
  });
  if (!spot) throw new Error('the marker is covered everywhere');
  return spot;
}

const mapData = (name: string) => page.getAttribute('[data-test=map] .leaflet-container', `data-${name}`).then(Number);
const openOnConsole = () => page.evaluate<number>('window.__balagh.openReports().length');
const clusterCounts = () => page.locator('.map-cluster').evaluateAll((badges) => badges.map((b) => Number((b as unknown as { dataset: { count: string } }).dataset.count)));

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(os.tmpdir(), 'balagh-map-'));
  await buildConsole(consoleDir);
  app = await startServer({ databaseUrl: await freshDatabase('e2emap'), demo: true, consoleDir, mapTileUrl: null });
  for (let i = 0; i < BURST; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => fileReport(i + j)));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await recordCspViolations(context, cspViolations);
  context.on('request', (request) => {
    if (!request.url().startsWith(app.url) && !request.url().startsWith('data:')) elsewhere.push(request.url());
  });
  page = await context.newPage();
  await mkdir(SCREENSHOTS, { recursive: true });
  dispatcherToken = (await ok<{ login: { token: string } }>(app, 'mutation { login(username: "dispatcher", password: "balagh940") { token } }')).login.token;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

describe('the map without tiles', () => {
  it('draws the province: municipality names in Arabic, the sea, controls and legend on the reading side', async () => {
    await signIn(page, app.url, 'dispatcher');
    await page.locator('[data-test=queue-row]').first().waitFor();
    await page.click('[data-test=nav-map]');
    await page.locator('[data-test=map] .leaflet-container.map-plain').waitFor();
    await page.locator('.map-label:not(.hidden)', { hasText: 'الدمام' }).waitFor();
    await page.locator('.map-label:not(.hidden)', { hasText: 'الخبر' }).waitFor();
    expect(await page.locator('.map-label').allTextContents()).toEqual(expect.arrayContaining(['الدمام', 'الخبر', 'القطيف', 'الجبيل', 'الخفجي']));
    expect(await page.locator('.map-label').first().getAttribute('dir')).toBe('rtl');

    // Right to left: zoom at the top right, the scale at the bottom right in Arabic units, the legend on the left.
    expect(await page.locator('.leaflet-top.leaflet-right .leaflet-control-zoom').count()).toBe(1);
    expect(await page.getAttribute('.leaflet-control-zoom-in', 'title')).toBe('تكبير');
    await expect.poll(() => page.textContent('.leaflet-bottom.leaflet-right .leaflet-control-scale-line')).toMatch(/^[\d.,]+\s*كم$/);
    const mapBox = (await page.locator('[data-test=map]').boundingBox())!;
    const legendBox = (await page.locator('[data-test=map-legend]').boundingBox())!;
    expect(legendBox.x + legendBox.width / 2).toBeLessThan(mapBox.x + mapBox.width / 2);
    expect(await page.locator('.leaflet-control-attribution').count()).toBe(0);
  });

  it('clusters the reports: fewer markers than reports, each cluster with its count and most urgent colour', async () => {
    const total = await openOnConsole();
    expect(total).toBeGreaterThan(BURST);
    await page.click('[data-test=map-fit]');
    await expect.poll(() => mapData('reports-in-view')).toBe(total);
    const counts = await clusterCounts();
    expect(counts.length).toBeGreaterThan(0);
    const singles = total - counts.reduce((sum, n) => sum + n, 0);
    expect(counts.length + singles).toBeLessThan(total / 2);
    expect(await page.locator('.map-cluster').first().textContent()).toMatch(/^\d+$/);
    const burst = page.locator('.map-cluster[data-priority=CRITICAL]').first();
    await burst.hover({ position: await openSpot(burst) });
    await expect.poll(() => page.locator('.leaflet-tooltip .map-tip[dir=rtl]').last().textContent()).toMatch(/^البلاغات: \d+ — الأعلى أولوية: /);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'map-province.png') });
  });

  it('zooms into a cluster on a click, and back out to every report with "fit to reports"', async () => {
    const total = await openOnConsole();
    const before = await mapData('zoom');
    const counts = await clusterCounts();
    const largest = Math.max(...counts);
    const cluster = page.locator(`.map-cluster[data-count="${largest}"]`).first();
    await cluster.click({ position: await openSpot(cluster) });
    await expect.poll(() => mapData('zoom')).toBeGreaterThan(before);
    await expect.poll(() => mapData('reports-in-view')).toBeLessThan(total);

    await page.click('[data-test=map-fit]');
    await expect.poll(() => mapData('zoom')).toBeLessThanOrEqual(before);
    await expect.poll(() => mapData('reports-in-view')).toBe(total);
  });

  it('switches to a density view of squares and back to clusters', async () => {
    await page.click('[data-test=map-density]');
    expect(await page.getAttribute('[data-test=map-density]', 'aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('path.density-cell').count()).toBeGreaterThan(0);
    expect(await page.locator('.map-cluster').count()).toBe(0);
    expect(await mapData('density-cells')).toBe(await page.locator('path.density-cell').count());
    await page.screenshot({ path: path.join(SCREENSHOTS, 'map-density.png') });

    await page.click('[data-test=map-density]');
    await expect.poll(() => page.locator('path.density-cell').count()).toBe(0);
    await expect.poll(() => page.locator('.map-cluster').count()).toBeGreaterThan(0);
  });

  it('opens on where most reports are, with their clusters and the municipality names (the README picture)', async () => {
    await page.click('[data-test=nav-queue]');
    await page.click('[data-test=nav-map]');
    await page.locator('.map-label:not(.hidden)', { hasText: 'الخبر' }).waitFor();
    await expect.poll(() => page.locator('.map-cluster').count()).toBeGreaterThan(0);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(400);
    await screenshot(page, 'map', { readme: 'console-map.png' });
  });
});

describe("the call-taker's location picker", () => {
  it('snaps the municipality and the address to the place picked, district first, keeping a typed street', async () => {
    await page.click('[data-test=nav-call]');
    const picker = '[data-test=location-picker].leaflet-container';
    await page.locator(picker).waitFor();
    await page.selectOption('[data-test=call-municipality]', 'KHOBAR');
    await expect.poll(() => page.getAttribute(picker, 'data-zoom')).toBe('13');

    await clickAt(picker, KHOBAR, 13, KHOBAR);
    await expect.poll(() => page.inputValue('[data-test=call-address]')).toBe('الخبر');
    expect(await page.inputValue('[data-test=call-municipality]')).toBe('KHOBAR');

    await clickAt(picker, KHOBAR, 13, AQRABIYAH);
    await expect.poll(() => page.inputValue('[data-test=call-address]')).toBe('العقربية، الخبر');
    await expect.poll(() => page.textContent('[data-test=call-point]')).toContain('26.29');

    await page.fill('[data-test=call-address]', 'شارع الأمير تركي');
    await clickAt(picker, KHOBAR, 13, AQRABIYAH);
    await expect.poll(() => page.inputValue('[data-test=call-address]')).toBe('شارع الأمير تركي، العقربية، الخبر');
    expect(await page.getAttribute(picker, 'data-zoom'), 'a pick does not move the map').toBe('13');

    await page.selectOption('[data-test=call-category]', 'POTHOLE');
    await page.fill('[data-test=call-description]', 'حفرة عميقة أمام المدرسة');
    await page.click('[data-test=call-submit]');
    const reference = (await page.locator('[data-test=call-created] .ref').textContent())!.trim();
    const filed = await ok<{ reportByReference: { location: { address: string; municipality: { code: string } } } }>(
      app,
      'query($r: String!) { reportByReference(reference: $r) { location { address municipality { code } } } }',
      { r: reference },
      dispatcherToken,
    );
    expect(filed.reportByReference.location).toEqual({ address: 'شارع الأمير تركي، العقربية، الخبر', municipality: { code: 'KHOBAR' } });
  });
});

describe('the map in English, crews, and the whole session', () => {
  it('reads left to right in English: the names, the scale and the zoom at the top left', async () => {
    await page.click('[data-test=language]');
    await page.click('[data-test=nav-map]');
    await page.locator('.map-label:not(.hidden)', { hasText: 'Dammam' }).waitFor();
    expect(await page.locator('.map-label').first().getAttribute('dir')).toBe('ltr');
    expect(await page.locator('.leaflet-top.leaflet-left .leaflet-control-zoom').count()).toBe(1);
    await expect.poll(() => page.textContent('.leaflet-bottom.leaflet-left .leaflet-control-scale-line')).toMatch(/^[\d.,]+\s*km$/);
    const mapBox = (await page.locator('[data-test=map]').boundingBox())!;
    const legendBox = (await page.locator('[data-test=map-legend]').boundingBox())!;
    expect(legendBox.x + legendBox.width / 2).toBeGreaterThan(mapBox.x + mapBox.width / 2);
  });

  it('opens a crew from its square on the map', async () => {
    const crew = page.locator('.leaflet-marker-icon:has(.crew-marker)').first();
    await crew.waitFor();
    await crew.click({ position: await openSpot(crew) });
    await page.waitForURL(/\/(reports\/[^/]+|crews)$/);
  });

  it('ran under the console CSP without one violation and without asking any tile server', async () => {
    expect(cspViolations).toEqual([]);
    expect(elsewhere).toEqual([]);
  });
});
