import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from './config.js';

type HeaderConfig = Pick<Config, 'mapTileUrl' | 'hstsMaxAge' | 'demo'>;

/**
 * The CSP source that admits the tiles of an XYZ template such as `https://{s}.tile.example.org/{z}/{x}/{y}.png`:
 * its origin, with a `{s}` subdomain placeholder as a `*.` wildcard (the only wildcard CSP allows). A relative
 * template is served by this origin and needs nothing; a host with a placeholder elsewhere is admitted by its
 * scheme alone. Throws on anything that is not an http(s) template, so a typo fails the start rather than
 * blanking every map.
 */
export function tileSource(template: string): string | null {
  if (template.startsWith('/') && !template.startsWith('//')) return null;
  const match = /^(https?):\/\/([^/?#\s;,']+)(?:[/?#]|$)/i.exec(template);
  if (!match) throw new Error(`MAP_TILE_URL must be an http(s) URL template like https://tile.example.org/{z}/{x}/{y}.png, got "${template}"`);
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.toLowerCase();
  if (!host.includes('{')) return `${scheme}://${host}`;
  const subdomain = /^\{[a-z0-9_-]+\}\.([^{}]+)$/.exec(host);
  return subdomain ? `${scheme}://*.${subdomain[1]}` : `${scheme}:`;
}

/**
 * The Content-Security-Policy of the console and the API, built from the configuration.
 * - Scripts, styles, fonts, frames and workers come from this origin only: no inline script, no `eval`,
 *   no inline `<style>` or style attribute in markup (Vue and Leaflet style elements through the CSSOM,
 *   which CSP does not restrict).
 * - `connect-src 'self'` covers the GraphQL requests and, in CSP Level 3 browsers, the same-origin
 *   WebSocket (`ws:`/`wss:` on this host) too.
 * - Images: this origin (media through its signed `/media/…` links too), `data:` (Leaflet's stylesheet and
 *   the console's empty favicon), `blob:` (the local preview of a photo being attached, before it is
 *   uploaded) and the `MAP_TILE_URL` host when one is configured.
 * - Audio: this origin only (`media-src 'self'`: voice notes through their signed links), said outright
 *   rather than left to `default-src`.
 * - `frame-ancestors 'none'`: no page may frame the console (clickjacking).
 * - `upgrade-insecure-requests` only when HSTS is on: on a plain-HTTP deployment it would send every
 *   request of the console to an https port that does not exist.
 */
export function contentSecurityPolicy(config: HeaderConfig): Record<string, string[]> {
  const tiles = config.mapTileUrl ? tileSource(config.mapTileUrl) : null;
  return {
    'default-src': ["'self'"],
    'base-uri': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', ...(tiles ? [tiles] : [])],
    'media-src': ["'self'"],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    ...(config.hstsMaxAge > 0 ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/**
 * Apollo's landing page (demo mode only) brings its own policy in a `<meta>` tag with a fresh nonce for its
 * inline script and the Apollo CDN; the header then keeps only what a `<meta>` policy cannot say.
 */
const LANDING_PAGE_CSP = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** HSTS only when configured: on a plain-HTTP deployment it would point browsers at a port that does not exist. */
function transportSecurity(config: HeaderConfig): HelmetOptions['strictTransportSecurity'] {
  return config.hstsMaxAge > 0 ? { maxAge: config.hstsMaxAge, includeSubDomains: false } : false;
}

/** Helmet's options for the console's documents: the policy above, `nosniff`, `Referrer-Policy: same-origin`, framing denied, HSTS only when configured. */
export function helmetOptions(config: HeaderConfig): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(config) },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: transportSecurity(config),
  };
}

/**
 * Helmet's options for the API's JSON answers (GraphQL, `/healthz`, `/console-config.json`): a JSON body is
 * never a document, so its policy forbids everything (`default-src 'none'`, stricter than the console's) and
 * the headers that only steer documents (opener policy, origin-keyed agent clusters, DNS prefetch, IE's
 * download and XSS switches, Flash's cross-domain file) are left out: the floor request answers a 32-byte body,
 * and the console's full set was most of its bytes (bench/RESULTS.md).
 */
export function apiHelmetOptions(config: HeaderConfig): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: transportSecurity(config),
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  };
}

type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** The headers helmet sets for `options`, read once: they depend on the configuration only, never on the request. */
function headersOf(options: HelmetOptions): HeaderList {
  const headers: Array<[string, string]> = [];
  const recorder = { setHeader: (name: string, value: unknown) => headers.push([name, String(value)]), removeHeader: () => undefined };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

/** Paths whose answers are JSON for programs, never a document a browser renders. */
const API_PATHS = /^\/(graphql|healthz|console-config\.json)(?:[/?#]|$)/;

/**
 * Security headers on every response (console, GraphQL, `/healthz`, errors and 404s): call it before the
 * routes are registered. Both header sets are computed by helmet once at start and written with one
 * `setHeader` each per response (`@fastify/helmet` rebuilds helmet and re-validates the policy on every
 * request, about 30 µs of CPU each). In demo mode the HTML landing page on GET /graphql keeps working under
 * its own policy.
 */
export function registerSecurityHeaders(fastify: FastifyInstance, config: HeaderConfig): void {
  const documentHeaders = headersOf(helmetOptions(config));
  const apiHeaders = headersOf(apiHelmetOptions(config));
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = API_PATHS.test(request.url) ? apiHeaders : documentHeaders;
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
  if (!config.demo) return;
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || request.routeOptions.url !== '/graphql') return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    reply.header('content-security-policy', LANDING_PAGE_CSP);
    return payload;
  });
}
