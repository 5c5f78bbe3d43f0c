import { describe, expect, it } from 'vitest';
import { snapAddress, placeText } from './map.address.ts';
import { inPolygon, inRing, placeAt, PROVINCE, readProvince, type Position } from './map.geo.ts';

const square = (w: number, s: number, e: number, n: number): Position[] => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s],
];

/** The municipality centres of the reference data (server/src/reference/eastern-province.json), written out again. */
const CENTRES: Array<[code: string, lat: number, lng: number]> = [
  ['DAMMAM', 26.4207, 50.0888],
  ['KHOBAR', 26.2794, 50.2083],
  ['DHAHRAN', 26.292, 50.114],
  ['QATIF', 26.556, 50.005],
  ['SAIHAT', 26.48, 50.041],
  ['SAFWA', 26.6497, 49.9552],
  ['RAS_TANURA', 26.6444, 50.1592],
  ['JUBAIL', 27.0046, 49.646],
  ['ABQAIQ', 25.935, 49.6661],
  ['NAIRYAH', 27.469, 48.488],
  ['QARYAT_ALULYA', 27.55, 47.7],
  ['KHAFJI', 28.4391, 48.4913],
];

describe('point in polygon', () => {
  it('finds points inside a ring and outside it, on either side of every edge', () => {
    const ring = square(0, 0, 10, 10);
    expect(inRing(ring, 5, 5)).toBe(true);
    expect(inRing(ring, 0.01, 9.99)).toBe(true);
    expect(inRing(ring, -0.01, 5)).toBe(false);
    expect(inRing(ring, 5, 10.01)).toBe(false);
    expect(inRing(ring, 11, 5)).toBe(false);
  });

  it('handles a concave ring: a point in the notch is outside', () => {
    const u: Position[] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [7, 10],
      [7, 3],
      [3, 3],
      [3, 10],
      [0, 10],
      [0, 0],
    ];
    expect(inRing(u, 5, 6)).toBe(false);
    expect(inRing(u, 5, 1)).toBe(true);
    expect(inRing(u, 1, 9)).toBe(true);
  });

  it('leaves out the holes of a polygon', () => {
    const rings = [square(0, 0, 10, 10), square(4, 4, 6, 6)];
    expect(inPolygon(rings, 5, 5)).toBe(false);
    expect(inPolygon(rings, 2, 2)).toBe(true);
    expect(inPolygon(rings, 12, 2)).toBe(false);
  });
});

describe('where a point lies in the shipped province map', () => {
  it('has the sea, the coastline, the twelve municipalities and the districts', () => {
    expect(PROVINCE.sea.length).toBeGreaterThan(1);
    expect(PROVINCE.coastline.length).toBeGreaterThan(0);
    expect(PROVINCE.municipalities.map((m) => m.code).sort()).toEqual(CENTRES.map(([code]) => code).sort());
    expect(PROVINCE.districts.length).toBeGreaterThanOrEqual(6);
  });

  it.each(CENTRES)('puts the centre of %s on land, in its own area', (code, lat, lng) => {
    expect(placeAt({ lat, lng })?.municipalityCode).toBe(code);
  });

  it('names the district when the point is inside one, and its municipality', () => {
    expect(placeAt({ lat: 26.296, lng: 50.196 })).toMatchObject({ municipalityCode: 'KHOBAR', district: { code: 'AL_AQRABIYAH', nameAr: 'العقربية', nameEn: 'Al Aqrabiyah' } });
    expect(placeAt({ lat: 26.4, lng: 50.045 })).toMatchObject({ municipalityCode: 'DAMMAM', district: { code: 'AL_FAISALIYAH', nameAr: 'الفيصلية' } });
    expect(placeAt({ lat: 26.2794, lng: 50.2083 })).toEqual({ municipalityCode: 'KHOBAR', district: null });
  });

  it('keeps every district inside its municipality and on land', () => {
    for (const district of PROVINCE.districts) {
      for (const [lng, lat] of district.rings[0]!) {
        expect(placeAt({ lat, lng })?.municipalityCode, `${district.code} at ${lat}, ${lng}`).toBe(district.municipalityCode);
      }
    }
  });

  it('finds nothing at sea, in Bahrain or outside the mapped area, but does find Tarout island (Qatif)', () => {
    expect(placeAt({ lat: 26.5, lng: 50.5 })).toBeNull();
    expect(placeAt({ lat: 26.3, lng: 50.3 })).toBeNull();
    expect(placeAt({ lat: 26.1, lng: 50.55 })).toBeNull();
    expect(placeAt({ lat: 24.5, lng: 46.7 })).toBeNull();
    expect(placeAt({ lat: 26.57, lng: 50.065 })?.municipalityCode).toBe('QATIF');
  });

  it('reads a GeoJSON collection by kind', () => {
    const map = readProvince({
      features: [
        { properties: { kind: 'sea' }, geometry: { type: 'Polygon', coordinates: [square(10, 0, 20, 10)] } },
        { properties: { kind: 'municipality', code: 'A' }, geometry: { type: 'Polygon', coordinates: [square(0, 0, 15, 10)] } },
        { properties: { kind: 'district', code: 'D', municipality: 'A', nameAr: 'د', nameEn: 'D' }, geometry: { type: 'Polygon', coordinates: [square(1, 1, 2, 2)] } },
      ],
    });
    expect(placeAt({ lat: 5, lng: 5 }, map)).toEqual({ municipalityCode: 'A', district: null });
    expect(placeAt({ lat: 1.5, lng: 1.5 }, map)?.district?.code).toBe('D');
    expect(placeAt({ lat: 5, lng: 12 }, map)).toBeNull();
  });
});

describe('snapping the address to the picked place', () => {
  it('writes the district before the municipality, with the language’s comma', () => {
    expect(placeText('الخبر', 'العقربية', 'ar')).toBe('العقربية، الخبر');
    expect(placeText('Al Khobar', 'Al Aqrabiyah', 'en')).toBe('Al Aqrabiyah, Al Khobar');
    expect(placeText('الخبر', null, 'ar')).toBe('الخبر');
  });

  it('fills an empty field, and replaces what the last pick wrote', () => {
    expect(snapAddress('', null, 'الخبر', 'ar')).toBe('الخبر');
    expect(snapAddress('  ', null, 'الخبر', 'ar')).toBe('الخبر');
    expect(snapAddress('الخبر', 'الخبر', 'العقربية، الخبر', 'ar')).toBe('العقربية، الخبر');
  });

  it('keeps the street the call-taker typed and swaps the place after it', () => {
    expect(snapAddress('شارع الأمير تركي', null, 'العقربية، الخبر', 'ar')).toBe('شارع الأمير تركي، العقربية، الخبر');
    expect(snapAddress('شارع الأمير تركي، العقربية، الخبر', 'العقربية، الخبر', 'الدمام', 'ar')).toBe('شارع الأمير تركي، الدمام');
    expect(snapAddress('King Khalid St, Al Khobar', 'Al Khobar', 'Al Olaya, Al Khobar', 'en')).toBe('King Khalid St, Al Olaya, Al Khobar');
  });

  it('does not append the same place twice', () => {
    expect(snapAddress('شارع 10، الخبر', null, 'الخبر', 'ar')).toBe('شارع 10، الخبر');
  });
});
