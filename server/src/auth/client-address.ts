import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';
import type { TrustProxy } from '../common/config.js';

/** Whether the hop at `address` (`hop` 0 is the TCP peer) is a proxy whose `X-Forwarded-For` is believed. */
export type TrustFunction = (address: string, hop: number) => boolean;

/**
 * TRUST_PROXY as one function, handed to Fastify (its `request.ip`) and used for WebSocket upgrades, so
 * HTTP and sockets agree on who the client is. A hop count trusts the nearest N hops whatever their
 * address (Express's meaning): right only when the server is reachable solely through those proxies.
 */
export function trustFunction(trust: TrustProxy): TrustFunction {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyaddr.compile(trust);
}

/** The client's address as Fastify's `request.ip` computes it: the nearest hop not trusted as a proxy. */
export function clientAddressOf(request: IncomingMessage, trust: TrustFunction): string {
  return proxyaddr(request, trust) ?? request.socket.remoteAddress ?? 'unknown';
}
