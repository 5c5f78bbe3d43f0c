/**
 * Approximate outline of the Eastern Province (lat, lng), generous along the coast so that islands,
 * causeways and the shore count as inside. It keeps obviously wrong coordinates (Riyadh, Bahrain's
 * mainland neighbours far away, a swapped lat/lng) out of the queue; it is not a legal boundary.
 */
const EASTERN_PROVINCE: ReadonlyArray<readonly [number, number]> = [
  [28.6, 47.3],
  [28.6, 48.95],
  [27.9, 49.5],
  [27.0, 50.0],
  [26.5, 50.4],
  [25.9, 50.8],
  [24.6, 51.4],
  [24.3, 51.7],
  [24.0, 52.6],
  [22.6, 55.3],
  [18.9, 52.0],
  [20.4, 48.5],
  [23.5, 48.2],
  [26.0, 48.0],
  [27.0, 47.2],
  [28.0, 46.8],
];

/** Ray casting point-in-polygon. */
export function isInEasternProvince(lat: number, lng: number): boolean {
  let inside = false;
  for (let i = 0, j = EASTERN_PROVINCE.length - 1; i < EASTERN_PROVINCE.length; j = i++) {
    const [latI, lngI] = EASTERN_PROVINCE[i];
    const [latJ, lngJ] = EASTERN_PROVINCE[j];
    const crosses = latI > lat !== latJ > lat && lng < ((lngJ - lngI) * (lat - latI)) / (latJ - latI) + lngI;
    if (crosses) inside = !inside;
  }
  return inside;
}

/** Great-circle distance in kilometres. */
export function distanceKm(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLng = (bLng - aLng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** The item whose centre is nearest to the point. */
export function nearest<T extends { lat: number; lng: number }>(items: readonly T[], lat: number, lng: number): T | undefined {
  let best: T | undefined;
  let bestKm = Infinity;
  for (const item of items) {
    const km = distanceKm(lat, lng, item.lat, item.lng);
    if (km < bestKm) {
      best = item;
      bestKm = km;
    }
  }
  return best;
}
