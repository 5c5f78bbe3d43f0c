import { shallowRef } from 'vue';

/** The console's screens. */
export type Route =
  | { name: 'queue' }
  | { name: 'map' }
  | { name: 'report'; id: string }
  | { name: 'crews' }
  | { name: 'call' }
  | { name: 'crew' }
  | { name: 'center' }
  | { name: 'inquiries' }
  | { name: 'lookup'; phone: string }
  | { name: 'archive'; query: string }
  | { name: 'dashboard' };

/** The satisfaction center's own screens (an agent's app): the next call, the inquiry inbox and the caller lookup. */
export const CENTER_SCREENS: ReadonlySet<Route['name']> = new Set(['center', 'inquiries', 'lookup']);

/**
 * Reads a path (with its query, if any) into a route; anything unknown is the queue. The archive keeps its
 * filters in the query, so a link to it can be shared and back returns to the filters before; the caller
 * lookup takes the number to look up as `?phone=`.
 */
export function parseRoute(address: string): Route {
  const [pathname, search = ''] = address.split('?', 2);
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'archive') return { name: 'archive', query: search };
  if (parts[0] === 'reports' && parts[1]) return { name: 'report', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'map') return { name: 'map' };
  if (parts[0] === 'dashboard') return { name: 'dashboard' };
  if (parts[0] === 'crews') return { name: 'crews' };
  if (parts[0] === 'call') return { name: 'call' };
  if (parts[0] === 'crew') return { name: 'crew' };
  if (parts[0] === 'center' && parts[1] === 'inquiries') return { name: 'inquiries' };
  if (parts[0] === 'center' && parts[1] === 'lookup') return { name: 'lookup', phone: new URLSearchParams(search).get('phone') ?? '' };
  if (parts[0] === 'center') return { name: 'center' };
  return { name: 'queue' };
}

/** The address bar's path and query. */
function currentAddress(): string {
  return location.pathname + location.search;
}

/** The current route, following the address bar (history API; the server answers every path with the console). */
export const route = shallowRef<Route>(typeof location === 'undefined' ? { name: 'queue' } : parseRoute(currentAddress()));

/** Goes to a path (with a query, if any) without a reload. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === currentAddress()) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route.value = parseRoute(path);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    route.value = parseRoute(currentAddress());
  });
}
