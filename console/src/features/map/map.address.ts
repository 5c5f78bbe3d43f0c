import type { Locale } from '../../format/format.ts';

/** The separator between parts of an address: the Arabic comma in Arabic. */
const SEPARATOR: Record<Locale, string> = { ar: '، ', en: ', ' };

/** "العقربية، الخبر" / "Al Aqrabiyah, Al Khobar": a place as the address field reads it, smallest part first. */
export function placeText(municipality: string, district: string | null, locale: Locale): string {
  return district ? `${district}${SEPARATOR[locale]}${municipality}` : municipality;
}

/**
 * The address after a pick on the map. `previous` is the place text the last pick wrote (null if none).
 * An empty field, or one still holding only the last pick's text, takes the new place; a street the
 * call-taker typed before the last pick's text keeps it and gets the new place instead; otherwise the place is
 * appended once, so what the caller dictated is never lost.
 */
export function snapAddress(current: string, previous: string | null, place: string, locale: Locale): string {
  const typed = current.trim();
  if (!typed || typed === previous) return place;
  const separator = SEPARATOR[locale];
  for (const sep of Object.values(SEPARATOR)) {
    if (previous && typed.endsWith(`${sep}${previous}`)) return `${typed.slice(0, -(sep.length + previous.length))}${separator}${place}`;
  }
  if (typed.endsWith(place)) return typed;
  return `${typed}${separator}${place}`;
}
