import { shallowRef } from 'vue';

/** The console's screens. */
export type Route =
  { name: 'queue' } | { name: 'map' } | { name: 'report'; id: string } | { name: 'crews' } | { name: 'call' } | { name: 'crew' } | { name: 'center' } | { name: 'inquiries' } | { name: 'lookup' };

/** The satisfaction center's own screens (an agent's app): the next call, the inquiry inbox and the caller lookup. */
export const CENTER_SCREENS: ReadonlySet<Route['name']> = new Set(['center', 'inquiries', 'lookup']);

/** Reads a path into a route; anything unknown is the queue. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'reports' && parts[1]) return { name: 'report', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'map') return { name: 'map' };
  if (parts[0] === 'crews') return { name: 'crews' };
  if (parts[0] === 'call') return { name: 'call' };
  if (parts[0] === 'crew') return { name: 'crew' };
  if (parts[0] === 'center' && parts[1] === 'inquiries') return { name: 'inquiries' };
  if (parts[0] === 'center' && parts[1] === 'lookup') return { name: 'lookup' };
  if (parts[0] === 'center') return { name: 'center' };
  return { name: 'queue' };
}

/** The current route, following the address bar (history API; the server answers every path with the console). */
export const route = shallowRef<Route>(typeof location === 'undefined' ? { name: 'queue' } : parseRoute(location.pathname));

/** Goes to a path without a reload. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route.value = parseRoute(path);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    route.value = parseRoute(location.pathname);
  });
}
