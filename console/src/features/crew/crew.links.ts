/**
 * Links that hand a job to the phone's own apps: directions to the place and a call to the reporter. Pure
 * functions of the job's facts, so the app and its tests build them alike.
 */

/** Where a job is: the report's coordinates (WGS84) and a label for the map pin (the reference, say). */
export interface Place {
  lat: number;
  lng: number;
  label: string;
}

/** Coordinates as a URI writes them: plain decimal, a dot, never the locale's digits. */
function coordinates({ lat, lng }: Place): string {
  return `${lat},${lng}`;
}

/**
 * A `geo:` URI (RFC 5870, with Android's `q=` query for a labelled pin): an Android phone offers its map apps
 * with the place marked; the label is percent-encoded so spaces, parentheses and Arabic survive.
 */
export function geoUri(place: Place): string {
  const at = coordinates(place);
  return `geo:${at}?q=${at}(${encodeURIComponent(place.label)})`;
}

/** Google Maps' directions URL (the documented `api=1` form): opens the app or the site with the route from where the phone is. */
export function mapsUrl(place: Place): string {
  return `https://www.google.com/maps/dir/?api=1&destination=${coordinates(place)}`;
}

/** A `tel:` link for a phone number as the server gives it (E.164 or local), without the spaces and dashes people write. */
export function telUri(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}
