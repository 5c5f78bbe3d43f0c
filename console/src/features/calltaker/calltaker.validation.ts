/** The call-taker form's fields a person fills in, as the form holds them. */
export interface CallDraft {
  categoryCode: string;
  description: string;
  phone: string;
  point: { lat: number; lng: number } | null;
}

/** The fields the form checks before filing, named as the form names them (never the API's input paths). */
export type CallField = 'category' | 'description' | 'phone' | 'location';

/** A mobile number as a call-taker types it: digits, optionally a leading +, spaces and dashes allowed; the server normalises it. */
const PHONE = /^\+?[0-9][0-9 -]{5,18}[0-9]$/;

/**
 * What is missing or wrong in a call before it is filed, as message keys (`validation.*`) by field: the form
 * is `novalidate`, so the browser's own (English) bubbles never show and every message is in the console's
 * language. An empty result means the call may be filed; the server still checks everything.
 */
export function validateCall(draft: CallDraft): Partial<Record<CallField, string>> {
  const errors: Partial<Record<CallField, string>> = {};
  if (!draft.categoryCode) errors.category = 'validation.chooseCategory';
  if (!draft.description.trim()) errors.description = 'validation.describe';
  if (draft.phone.trim() && !PHONE.test(draft.phone.trim())) errors.phone = 'validation.phone';
  if (!draft.point) errors.location = 'validation.pickLocation';
  return errors;
}
