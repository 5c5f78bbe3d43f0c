import { badInput } from './errors.js';

/** Trims `value` and checks its length; the error names `field`. */
export function text(field: string, value: string | null | undefined, opts: { min?: number; max: number; required?: boolean }): string | undefined {
  if (value === null || value === undefined) {
    if (opts.required) throw badInput(field, `${field} is required`);
    return undefined;
  }
  const trimmed = value.trim();
  const min = opts.min ?? (opts.required ? 1 : 0);
  if (trimmed.length < min) throw badInput(field, min === 1 ? `${field} must not be empty` : `${field} must have at least ${min} characters`);
  if (trimmed.length > opts.max) throw badInput(field, `${field} must have at most ${opts.max} characters`);
  return trimmed;
}

export function requiredText(field: string, value: string | null | undefined, max: number, min = 1): string {
  return text(field, value, { min, max, required: true }) as string;
}

export function finiteInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw badInput(field, `${field} must be between ${min} and ${max}`);
  return value;
}

/** Saudi and international phone numbers: digits with an optional leading +, 7 to 15 digits. */
export function phone(field: string, value: string | null | undefined): string | undefined {
  const trimmed = text(field, value, { max: 20 });
  if (!trimmed) return undefined;
  const compact = trimmed.replace(/[\s-]/g, '');
  if (!/^\+?[0-9]{7,15}$/.test(compact)) throw badInput(field, `${field} must be a phone number of 7 to 15 digits`);
  return compact;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Identifiers are UUIDs; anything else is bad input naming `field`, not a database error. */
export function id(field: string, value: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw badInput(field, `${field} is not a valid id`);
  return value.toLowerCase();
}

/** Page size for connections: 1 to 100. */
export function pageSize(field: string, value: number, max = 100): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw badInput(field, `${field} must be between 1 and ${max}`);
  return value;
}

/** NUL, or a UTF-16 surrogate that is not half of a pair (with the `u` flag a pair is one code point). */
// eslint-disable-next-line no-control-regex -- matching NUL is the point: PostgreSQL text columns refuse it
const UNSTORABLE = /\u0000|\p{Cs}/u;

/**
 * Why PostgreSQL cannot store `value` as written, if it cannot: a NUL character (text columns refuse it, and
 * the ORM's SQL text would be cut at it) or a lone UTF-16 surrogate (no UTF-8 form; it would be stored changed).
 */
export function unstorable(value: string): string | undefined {
  const found = UNSTORABLE.exec(value);
  if (!found) return undefined;
  return found[0] === '\u0000' ? 'a NUL character' : 'invalid Unicode (a lone surrogate)';
}

function checkStorable(value: unknown, field: string): void {
  if (typeof value === 'string') {
    const reason = unstorable(value);
    if (reason) throw badInput(field, `${field} contains ${reason}, which cannot be stored`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkStorable(item, `${field}.${index}`));
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) checkStorable(item, `${field}.${key}`);
  }
}

/**
 * Every string in a field's arguments, at any depth, must be storable: bad bytes are bad input naming their
 * path (`input.description`, `filter.categoryCodes.1`), never a database error that reads as an outage.
 * Runs before every resolver that takes arguments (the schema's `validateFn`), for HTTP and WebSocket alike.
 */
export function storableArguments(args: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(args)) checkStorable(value, name);
}
