import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileSource } from '../server/src/common/security-headers.js';
import { freshDatabase } from './support/database.js';
import { startServer, type App } from './support/server.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) parsed.set(name.toLowerCase(), values);
  }
  return parsed;
}

function graphqlPost(app: App, query: string): Promise<Response> {
  return fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
}

/** Asks GET /graphql for HTML, as a browser opening the address would. */
function graphqlPage(app: App): Promise<Response> {
  return fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
}

/**
 * What every response carries. A `document` (the console) has the console's policy; an `api` answer (JSON for
 * programs) forbids everything, since no browser should render it.
 */
function expectSecurityHeaders(response: Response, what: string, kind: 'document' | 'api' = 'document'): void {
  const csp = directives(response.headers.get('content-security-policy'));
  expect(csp.get('frame-ancestors'), `${what}: frame-ancestors`).toEqual(["'none'"]);
  if (kind === 'document') {
    expect(csp.get('default-src'), `${what}: default-src`).toEqual(["'self'"]);
    expect(csp.get('script-src'), `${what}: script-src`).toEqual(["'self'"]);
    expect(csp.get('object-src'), `${what}: object-src`).toEqual(["'none'"]);
  } else {
    expect(csp.get('default-src'), `${what}: default-src`).toEqual(["'none'"]);
    expect(response.headers.get('cross-origin-resource-policy'), `${what}: CORP`).toBe('same-origin');
  }
  expect(response.headers.get('content-security-policy'), what).not.toMatch(/unsafe-eval|unsafe-inline/);
  expect(response.headers.get('x-content-type-options'), `${what}: nosniff`).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), `${what}: Referrer-Policy`).toBe('same-origin');
  expect(response.headers.get('x-frame-options'), `${what}: X-Frame-Options`).toBe('DENY');
  expect(response.headers.get('strict-transport-security'), `${what}: no HSTS on plain HTTP by default`).toBeNull();
  expect(response.headers.get('x-powered-by'), what).toBeNull();
}

describe('security headers on every response', () => {
  let app: App;

  beforeAll(async () => {
    app = await startServer({}, { console: '<!doctype html><title>console</title><div id="app"></div>' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('the console page and its client-side routes', async () => {
    for (const route of ['/', '/reports/some-id']) {
      const response = await fetch(`${app.url}${route}`);
      expect(response.status, route).toBe(200);
      expectSecurityHeaders(response, route);
    }
    const config = await fetch(`${app.url}/console-config.json`);
    expect(config.status).toBe(200);
    expectSecurityHeaders(config, '/console-config.json', 'api');
  });

  it('GraphQL answers, successful or not', async () => {
    const answered = await graphqlPost(app, '{ __typename }');
    expect(answered.status).toBe(200);
    expectSecurityHeaders(answered, 'POST /graphql', 'api');
    const refused = await graphqlPost(app, '{ nope }');
    expect(refused.status).toBe(400);
    expectSecurityHeaders(refused, 'POST /graphql with an invalid document', 'api');
  });

  it('/healthz and the JSON 404', async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    expectSecurityHeaders(health, '/healthz', 'api');
    const missing = await fetch(`${app.url}/nothing-here`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('NOT_FOUND');
    expectSecurityHeaders(missing, 'the 404');
  });

  it('img-src admits this origin, data: and blob: (local previews of photos being attached) only, when no MAP_TILE_URL is set; media-src this origin only', async () => {
    const csp = directives((await fetch(app.url)).headers.get('content-security-policy'));
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp.get('media-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
  });

  it('serves no Apollo landing page outside demo mode', async () => {
    const page = await graphqlPage(app);
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    expectSecurityHeaders(page, 'GET /graphql', 'api');
  });
});

describe('security headers that follow the configuration', () => {
  it('img-src admits the MAP_TILE_URL host, a {s} subdomain as a wildcard', async () => {
    const app = await startServer({ mapTileUrl: 'https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png' }, { console: '<!doctype html><title>console</title>' });
    try {
      const response = await fetch(`${app.url}/map`);
      expect(directives(response.headers.get('content-security-policy')).get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https://*.tiles.example.org']);
      expectSecurityHeaders(response, 'with MAP_TILE_URL');
    } finally {
      await app.close();
    }
  });

  it('sends HSTS and upgrade-insecure-requests only when HSTS_MAX_AGE is set', async () => {
    const app = await startServer({ hstsMaxAge: 31_536_000 }, { console: false });
    try {
      for (const response of [await fetch(`${app.url}/healthz`), await fetch(`${app.url}/no-console-here`)]) {
        expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000');
        expect(directives(response.headers.get('content-security-policy')).get('frame-ancestors')).toEqual(["'none'"]);
      }
      const document = await fetch(`${app.url}/no-console-here`);
      expect(directives(document.headers.get('content-security-policy')).has('upgrade-insecure-requests')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('in demo mode, the Apollo landing page keeps its own nonce policy and still cannot be framed', async () => {
    const app = await startServer({ databaseUrl: await freshDatabase('headers'), demo: true });
    try {
      const page = await graphqlPage(app);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'nonce-/);
      const csp = directives(page.headers.get('content-security-policy'));
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.has('script-src') || csp.has('default-src') || csp.has('style-src'), 'the header leaves scripts and styles to the page').toBe(false);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expectSecurityHeaders(await graphqlPost(app, '{ __typename }'), 'POST /graphql in demo mode', 'api');
    } finally {
      await app.close();
    }
  });
});

describe('the CSP source of a tile URL template', () => {
  it.each([
    ['https://tile.openstreetmap.org/{z}/{x}/{y}.png', 'https://tile.openstreetmap.org'],
    ['https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png', 'https://*.tile.openstreetmap.org'],
    ['http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png?key=abc', 'http://127.0.0.1:8080'],
    ['HTTPS://Tiles.Example.org/{z}/{x}/{y}', 'https://tiles.example.org'],
    ['https://tiles-{s}.example.org/{z}/{x}/{y}.png', 'https:'],
    ['/tiles/{z}/{x}/{y}.png', null],
  ])('%s → %s', (template, source) => {
    expect(tileSource(template)).toBe(source);
  });

  it.each(['tile.example.org/{z}/{x}/{y}.png', 'ftp://tiles.example.org/{z}', "https://evil.example; script-src 'unsafe-inline'/{z}", '//tiles.example.org/{z}'])('refuses %s', (template) => {
    expect(() => tileSource(template)).toThrow(/MAP_TILE_URL/);
  });
});
