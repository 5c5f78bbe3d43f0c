import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';

/** Debian's Chromium (never a downloaded browser); CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where browser tests leave their screenshots. */
export const SCREENSHOTS = path.resolve('test-results');
/** The demo users' password (`npm start`'s demo data). */
export const DEMO_PASSWORD = 'balagh940';

/**
 * Collects every Content-Security-Policy violation a page of `context` reports into `into`: the
 * `securitypolicyviolation` events (enforced and report-only policies alike) and Chromium's console messages
 * about the policy, so a test can require that the console runs under its CSP with none.
 */
export async function recordCspViolations(context: BrowserContext, into: string[]): Promise<void> {
  await context.exposeBinding('__balaghCspViolation', ({ page: source }, text: string) => {
    into.push(`${source.url()}: ${text}`);
  });
  await context.addInitScript(`window.addEventListener('securitypolicyviolation', (e) => {
    window.__balaghCspViolation([e.disposition, e.effectiveDirective, 'blocked', e.blockedURI || 'inline', 'at', e.sourceFile + ':' + e.lineNumber, e.sample].join(' '));
  }, true);`);
  context.on('console', (message) => {
    if (/content security policy/i.test(message.text())) into.push(`${message.page()?.url()}: console: ${message.text()}`);
  });
}

/** Signs `page` in through the console's own form. */
export async function signIn(page: Page, url: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/**
 * Saves a screenshot of `page` as test-results/<name>.png and, for a picture the README shows (`readme`: its
 * file in docs/), refreshes that copy when UPDATE_README_SCREENSHOT is set: on request only, so a test run
 * leaves the work tree clean.
 */
export async function screenshot(page: Page, name: string, options: { readme?: string; fullPage?: boolean } = {}): Promise<void> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  if (options.readme && process.env.UPDATE_README_SCREENSHOT) {
    await mkdir('docs', { recursive: true });
    await copyFile(file, path.join('docs', options.readme));
  }
}

/** Debian's Chromium, headless, as every browser test runs it: no sandbox (containers), no GPU, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Builds the console into `outDir`, as `npm start` builds it into console/dist, for a test's server to serve. */
export async function buildConsole(outDir: string): Promise<void> {
  await build({ configFile: path.resolve('console/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}
