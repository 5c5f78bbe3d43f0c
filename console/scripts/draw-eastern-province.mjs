// Draws console/src/features/map/eastern-province.geo.json: the province map the console shows without tiles.
// Everything here is drawn by hand for this project (see docs/MAP-DATA.md): a coastline traced from general
// knowledge of where the shore's towns and headlands lie, municipality areas as nearest-centre cells around the
// centres in the reference data, and a few districts as small boxes. Run: node console/scripts/draw-eastern-province.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const OUT = `${root}console/src/features/map/eastern-province.geo.json`;
const REFERENCE = process.env.REFERENCE_DATA ?? `${root}server/src/reference/eastern-province.json`;

/** The Gulf shore, north to south, [lat, lng]: Kuwait's coast, Al Khafji, Jubail, Ras Tanura, Tarout Bay, Dammam, Al Khobar, Al Uqair, Salwa; then Qatar's shore round to Doha. */
const SHORE = [
  [28.6, 48.39],
  [28.54, 48.43],
  [28.47, 48.48],
  [28.44, 48.51],
  [28.33, 48.56],
  [28.22, 48.6],
  [28.12, 48.62],
  [28.05, 48.66],
  [28.0, 48.74],
  [27.99, 48.83],
  [27.94, 48.82],
  [27.88, 48.82],
  [27.84, 48.88],
  [27.76, 48.9],
  [27.68, 48.96],
  [27.6, 49.02],
  [27.53, 49.15],
  [27.49, 49.25],
  [27.42, 49.33],
  [27.35, 49.42],
  [27.33, 49.52],
  [27.31, 49.58],
  [27.26, 49.55],
  [27.18, 49.57],
  [27.1, 49.61],
  [27.03, 49.67],
  [26.97, 49.72],
  [26.92, 49.79],
  [26.86, 49.86],
  [26.8, 49.93],
  [26.75, 50.0],
  [26.7, 50.07],
  [26.67, 50.13],
  [26.65, 50.18],
  [26.625, 50.175],
  [26.635, 50.14],
  [26.655, 50.11],
  [26.685, 50.07],
  [26.71, 50.03],
  [26.715, 50.0],
  [26.69, 49.98],
  [26.65, 49.99],
  [26.6, 50.0],
  [26.56, 50.015],
  [26.52, 50.03],
  [26.49, 50.05],
  [26.47, 50.075],
  [26.455, 50.105],
  [26.44, 50.125],
  [26.425, 50.145],
  [26.43, 50.16],
  [26.47, 50.185],
  [26.51, 50.19],
  [26.51, 50.215],
  [26.47, 50.205],
  [26.44, 50.195],
  [26.4, 50.198],
  [26.36, 50.206],
  [26.31, 50.218],
  [26.28, 50.226],
  [26.24, 50.222],
  [26.2, 50.21],
  [26.16, 50.19],
  [26.1, 50.16],
  [26.06, 50.12],
  [26.02, 50.07],
  [25.97, 50.08],
  [25.93, 50.11],
  [25.86, 50.14],
  [25.78, 50.16],
  [25.66, 50.21],
  [25.55, 50.28],
  [25.42, 50.38],
  [25.28, 50.48],
  [25.12, 50.55],
  [24.95, 50.64],
  [24.8, 50.73],
  [24.72, 50.82],
];
const QATAR_SHORE = [
  [24.78, 50.86],
  [25.0, 50.8],
  [25.2, 50.78],
  [25.42, 50.76],
  [25.6, 50.84],
  [25.8, 50.96],
  [25.98, 51.05],
  [26.12, 51.17],
  [26.16, 51.25],
  [26.1, 51.35],
  [25.95, 51.52],
  [25.75, 51.55],
  [25.5, 51.52],
  [25.3, 51.55],
  [25.1, 51.6],
  [24.9, 51.6],
];
const BAHRAIN = [
  [26.28, 50.58],
  [26.24, 50.49],
  [26.15, 50.46],
  [26.0, 50.47],
  [25.85, 50.52],
  [25.8, 50.57],
  [25.9, 50.6],
  [26.05, 50.63],
  [26.2, 50.63],
  [26.27, 50.64],
];
const TAROUT = [
  [26.6, 50.045],
  [26.575, 50.035],
  [26.55, 50.04],
  [26.545, 50.075],
  [26.565, 50.1],
  [26.595, 50.085],
];
/** The open Gulf east of the shore, closing the sea polygon. */
const OFFSHORE = [
  [24.9, 52.2],
  [28.6, 52.2],
];

/** The frame the municipality cells fill: a convex outline around the Eastern Province Municipality's area, offshore on the east, so the cells are convex and the sea drawn over them gives their shore. Not an administrative border. */
const FRAME = [
  [28.54, 47.0],
  [25.6, 47.0],
  [25.6, 50.4],
  [26.6, 50.35],
  [28.54, 48.75],
];

/** Districts (أحياء) as small boxes around where they lie: [south, west, north, east]. */
const DISTRICTS = [
  { code: 'AL_FAISALIYAH', municipality: 'DAMMAM', ar: 'الفيصلية', en: 'Al Faisaliyah', box: [26.39, 50.033, 26.41, 50.057] },
  { code: 'AL_BADIYAH', municipality: 'DAMMAM', ar: 'البادية', en: 'Al Badiyah', box: [26.412, 50.074, 26.424, 50.09] },
  { code: 'AL_ADAMAH', municipality: 'DAMMAM', ar: 'العدامة', en: 'Al Adamah', box: [26.426, 50.098, 26.438, 50.112] },
  { code: 'AL_SHATI', municipality: 'DAMMAM', ar: 'الشاطئ', en: 'Al Shati', box: [26.444, 50.083, 26.456, 50.097] },
  { code: 'AL_RAKAH', municipality: 'KHOBAR', ar: 'الراكة', en: 'Al Rakah', box: [26.34, 50.178, 26.364, 50.198] },
  { code: 'AL_AQRABIYAH', municipality: 'KHOBAR', ar: 'العقربية', en: 'Al Aqrabiyah', box: [26.29, 50.189, 26.302, 50.203] },
  { code: 'AL_OLAYA', municipality: 'KHOBAR', ar: 'العليا', en: 'Al Olaya', box: [26.272, 50.18, 26.286, 50.198] },
  { code: 'AL_THUQBAH', municipality: 'KHOBAR', ar: 'الثقبة', en: 'Al Thuqbah', box: [26.256, 50.166, 26.27, 50.182] },
];

const SCALE = Math.cos((26.5 * Math.PI) / 180);
const round = (v) => Math.round(v * 10000) / 10000;
const lngLat = (ring) => ring.map(([lat, lng]) => [round(lng), round(lat)]);
const closed = (ring) => [...ring, ring[0]];
/** Twice the signed area in (lng, lat): positive when counter-clockwise. */
const area2 = (ring) =>
  ring.reduce((sum, [lat, lng], i) => {
    const [lat2, lng2] = ring[(i + 1) % ring.length];
    return sum + lng * lat2 - lng2 * lat;
  }, 0);
const ccw = (ring) => (area2(ring) > 0 ? ring : [...ring].reverse());
const cw = (ring) => (area2(ring) < 0 ? ring : [...ring].reverse());

/** Keeps the part of a convex polygon nearer to `a` than to `b` (distance in a plane scaled for 26.5° N, as near as haversine at this size). */
function nearerTo(polygon, a, b) {
  const side = ([lat, lng]) => {
    const da = (lat - a.lat) ** 2 + ((lng - a.lng) * SCALE) ** 2;
    const db = (lat - b.lat) ** 2 + ((lng - b.lng) * SCALE) ** 2;
    return db - da;
  };
  const out = [];
  for (let i = 0; i < polygon.length; i += 1) {
    const p = polygon[i];
    const q = polygon[(i + 1) % polygon.length];
    const sp = side(p);
    const sq = side(q);
    if (sp >= 0) out.push(p);
    if (sp >= 0 !== sq >= 0) {
      const t = sp / (sp - sq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

const reference = JSON.parse(readFileSync(REFERENCE, 'utf8'));
const centres = reference.municipalities.map((m) => ({ code: m.code, lat: m.lat, lng: m.lng }));

const features = [
  {
    type: 'Feature',
    properties: { kind: 'sea' },
    geometry: { type: 'Polygon', coordinates: [closed(lngLat(ccw([...SHORE, ...QATAR_SHORE, ...OFFSHORE]))), closed(lngLat(cw(BAHRAIN))), closed(lngLat(cw(TAROUT)))] },
  },
  {
    type: 'Feature',
    properties: { kind: 'coastline' },
    geometry: { type: 'MultiLineString', coordinates: [lngLat([...SHORE, ...QATAR_SHORE]), closed(lngLat(BAHRAIN)), closed(lngLat(TAROUT))] },
  },
  ...centres.map((centre) => {
    let cell = FRAME;
    for (const other of centres) if (other !== centre) cell = nearerTo(cell, centre, other);
    return { type: 'Feature', properties: { kind: 'municipality', code: centre.code }, geometry: { type: 'Polygon', coordinates: [closed(lngLat(ccw(cell)))] } };
  }),
  ...DISTRICTS.map(({ code, municipality, ar, en, box: [s, w, n, e] }) => ({
    type: 'Feature',
    properties: { kind: 'district', code, municipality, nameAr: ar, nameEn: en },
    geometry: {
      type: 'Polygon',
      coordinates: [
        closed(
          lngLat([
            [s, w],
            [s, e],
            [n, e],
            [n, w],
          ]),
        ),
      ],
    },
  })),
];

const text = JSON.stringify({ type: 'FeatureCollection', features });
writeFileSync(OUT, `${text}\n`);
console.log(`${OUT}: ${features.length} features, ${text.length} bytes`);
