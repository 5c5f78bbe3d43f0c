import provinceJson from './eastern-province.geo.json';

/** A position as GeoJSON writes it: [longitude, latitude]. */
export type Position = readonly [number, number];
/** A polygon's rings: the outline first, then its holes. */
export type Rings = ReadonlyArray<readonly Position[]>;

/** A named district (حي) inside a municipality, from the shipped map. */
export interface District {
  code: string;
  municipalityCode: string;
  nameAr: string;
  nameEn: string;
  rings: Rings;
}

/** The province as the console draws it and looks places up in it. */
export interface ProvinceMap {
  /** The Gulf, with Bahrain and Tarout island as holes: nothing in it belongs to a municipality. */
  sea: Rings;
  coastline: ReadonlyArray<readonly Position[]>;
  municipalities: ReadonlyArray<{ code: string; rings: Rings }>;
  districts: readonly District[];
}

/** Where a point lies: its municipality and, inside one of the shipped districts, that district. */
export interface Place {
  municipalityCode: string;
  district: District | null;
}

interface FeatureJson {
  properties: { kind: string; code?: string; municipality?: string; nameAr?: string; nameEn?: string };
  geometry: { type: string; coordinates: unknown };
}

/** Reads the shipped GeoJSON (console/scripts/draw-eastern-province.mjs draws it; docs/MAP-DATA.md says from what). */
export function readProvince(json: { features: readonly FeatureJson[] }): ProvinceMap {
  const map: { sea: Rings; coastline: Array<readonly Position[]>; municipalities: Array<{ code: string; rings: Rings }>; districts: District[] } = {
    sea: [],
    coastline: [],
    municipalities: [],
    districts: [],
  };
  for (const feature of json.features) {
    const { kind, code = '' } = feature.properties;
    if (kind === 'sea') map.sea = feature.geometry.coordinates as Rings;
    else if (kind === 'coastline') map.coastline = feature.geometry.coordinates as Array<readonly Position[]>;
    else if (kind === 'municipality') map.municipalities.push({ code, rings: feature.geometry.coordinates as Rings });
    else if (kind === 'district') {
      const { municipality = '', nameAr = code, nameEn = code } = feature.properties;
      map.districts.push({ code, municipalityCode: municipality, nameAr, nameEn, rings: feature.geometry.coordinates as Rings });
    }
  }
  return map;
}

/** The Eastern Province as shipped with the console. */
export const PROVINCE: ProvinceMap = readProvince(provinceJson as { features: FeatureJson[] });

/** Whether [lng, lat] lies inside a closed ring (ray casting; a point exactly on an edge may fall either way). */
export function inRing(ring: readonly Position[], lng: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether [lng, lat] lies inside a polygon: in its outline and in none of its holes. */
export function inPolygon(rings: Rings, lng: number, lat: number): boolean {
  const [outline, ...holes] = rings;
  if (!outline || !inRing(outline, lng, lat)) return false;
  return !holes.some((hole) => inRing(hole, lng, lat));
}

/**
 * The municipality and district a point falls in, or null at sea or outside the mapped area. The areas are
 * nearest-centre cells around the same centres the server uses to derive a report's municipality from its
 * location, so the call-taker's form and the server agree.
 */
export function placeAt(point: { lat: number; lng: number }, map: ProvinceMap = PROVINCE): Place | null {
  if (inPolygon(map.sea, point.lng, point.lat)) return null;
  const district = map.districts.find((d) => inPolygon(d.rings, point.lng, point.lat)) ?? null;
  if (district) return { municipalityCode: district.municipalityCode, district };
  const municipality = map.municipalities.find((m) => inPolygon(m.rings, point.lng, point.lat));
  return municipality ? { municipalityCode: municipality.code, district: null } : null;
}
