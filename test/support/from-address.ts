import { request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App, GqlResponse } from './server.js';

/**
 * POSTs one GraphQL operation from a chosen local address (any of 127.0.0.0/8 on Linux), so the server
 * sees a different client address: how tests play an attacker and a user at different addresses.
 */
export function gqlFrom<T = unknown>(
  app: Pick<App, 'url'>,
  localAddress: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      `${app.url}/graphql`,
      {
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<GqlResponse<T>, 'status'>) });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The login mutation from `localAddress` (through a proxy when `forwardedFor` is given: it becomes `X-Forwarded-For`). */
export function loginFrom(app: Pick<App, 'url'>, localAddress: string, username: string, password: string, forwardedFor?: string): Promise<GqlResponse<{ login: { token: string } }>> {
  return gqlFrom(
    app,
    localAddress,
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
    { u: username, p: password },
    undefined,
    forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  );
}

/** A graphql-ws client whose socket leaves from `localAddress`. */
export function connectFrom(app: Pick<App, 'url'>, localAddress: string, token: string | null, onClosed?: (code: number, reason: string) => void): Client {
  class BoundWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { localAddress });
    }
  }
  return createClient({
    url: `${app.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: BoundWebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => onClosed?.((event as { code: number }).code, String((event as { reason: string }).reason)) },
  });
}
