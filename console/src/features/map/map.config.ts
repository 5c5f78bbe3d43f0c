/** Province-wide view used until there is something to fit. */
export const PROVINCE_CENTER = { lat: 26.42, lng: 50.05 };

let tileUrl: Promise<string | null> | null = null;

/** The XYZ tile template from /console-config.json (server env MAP_TILE_URL), or null: draw without tiles. */
export function loadTileUrl(): Promise<string | null> {
  tileUrl ??= fetchTileUrl();
  return tileUrl;
}

async function fetchTileUrl(): Promise<string | null> {
  try {
    const response = await fetch('/console-config.json');
    if (!response.ok) return null;
    const config = (await response.json()) as { tileUrl?: string | null };
    return config.tileUrl || null;
  } catch {
    return null;
  }
}

export const PRIORITY_COLORS: Record<string, string> = { CRITICAL: '#c62828', HIGH: '#d9730d', NORMAL: '#2f6db5', LOW: '#7b8794' };
export const CREW_COLORS: Record<string, string> = { OFF_DUTY: '#9aa5b1', AVAILABLE: '#1e8e3e', ASSIGNED: '#5b4bd6', EN_ROUTE: '#0284c7', ON_SITE: '#0f766e' };
