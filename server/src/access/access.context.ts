import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from './access.viewer.js';

/**
 * The services of one app instance, by name. Each feature declares its own entry by augmenting this
 * interface beside its service (`declare module '../access/access.context.js'`), and the composition root
 * (container.ts) builds the object, so no low module imports a feature to name its services.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each feature's declaration merging
export interface Services {}

/** Per-request batch loaders, by name; each feature declares and builds its own (see `Services`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each feature's declaration merging
export interface Loaders {}

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
