import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A phone number in E.164 (`+966501234567`), read as a Saudi number unless it carries a country code:
 * `0501234567`, `966501234567`, `+966 50 123 4567` and `00966501234567` are one number. Null when it is not a
 * possible number. The one place numbers are compared, so a caller's history finds every report they filed.
 */
export function e164(raw: string): string | null {
  const compact = raw.trim().replace(/^00/, '+');
  const withPlus = /^966\d{8,9}$/.test(compact.replace(/[\s-]/g, '')) ? `+${compact}` : compact;
  const parsed = parsePhoneNumberFromString(withPlus, 'SA');
  return parsed && parsed.isPossible() ? parsed.number : null;
}
