import { describe, expect, it } from 'vitest';
import { geoUri, mapsUrl, telUri } from './crew.links.ts';

describe("a job's links to the phone's own apps", () => {
  const place = { lat: 26.2794, lng: 50.2083, label: '940-2026-000123' };

  it('marks the place for a map app with a geo: URI, its label encoded', () => {
    expect(geoUri(place)).toBe('geo:26.2794,50.2083?q=26.2794,50.2083(940-2026-000123)');
    expect(geoUri({ ...place, label: 'حفرة (عميقة)' })).toBe(`geo:26.2794,50.2083?q=26.2794,50.2083(${encodeURIComponent('حفرة (عميقة)')})`);
  });

  it("asks Google Maps for directions to the place's coordinates", () => {
    expect(mapsUrl(place)).toBe('https://www.google.com/maps/dir/?api=1&destination=26.2794,50.2083');
  });

  it('dials the number without the spaces and dashes people write', () => {
    expect(telUri('+966 55-123 4567')).toBe('tel:+966551234567');
    expect(telUri('0551234567')).toBe('tel:0551234567');
  });
});
