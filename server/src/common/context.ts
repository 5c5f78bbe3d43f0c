import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import type { Loaders } from './loaders.js';
import type { Services } from './services.js';

/**
 * What every resolver gets: an EntityManager forked for this request (or, for a subscription, for this
 * event), the viewer, per-request batch loaders and the services that own the rules.
 */
export interface Context {
  em: EntityManager;
  viewer: Viewer | null;
  /** The client's address: Fastify's `request.ip` over HTTP (see TRUST_PROXY), the socket's over WebSocket; null for an event. */
  clientAddress: string | null;
  loaders: Loaders;
  services: Services;
}
