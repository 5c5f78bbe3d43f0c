import { GraphQLError } from 'graphql';

/**
 * Error codes every client can switch on; see DESIGN.md "Errors". Besides these, a request that finds
 * the database unreachable answers SERVICE_UNAVAILABLE (nothing was saved; retry).
 */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'CURSOR_EXPIRED' | 'TIMEOUT';

function error(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Bad input always names the offending field (a dotted path into the input, e.g. `location.lat`). */
export function badInput(field: string, message: string): GraphQLError {
  return error('BAD_USER_INPUT', message, { field });
}

export function unauthenticated(message = 'Sign in or send an API key: Authorization: Bearer <token or key>'): GraphQLError {
  return error('UNAUTHENTICATED', message);
}

export function forbidden(message = 'Your role may not do this'): GraphQLError {
  return error('FORBIDDEN', message);
}

export function notFound(what: string, id: string, field = 'id'): GraphQLError {
  return error('NOT_FOUND', `${what} ${id} was not found`, { field });
}

/** An illegal transition or a stale version: the client should refetch and decide again. */
export function conflict(message: string, details: Record<string, unknown> = {}): GraphQLError {
  return error('CONFLICT', message, details);
}

export function rateLimited(message: string, retryAfterSeconds: number): GraphQLError {
  return error('RATE_LIMITED', message, { retryAfterSeconds });
}

/** A capacity bound (not a rate) is reached: RATE_LIMITED with the `limit`; end something of yours, or retry later. */
export function limitReached(message: string, limit: number): GraphQLError {
  return error('RATE_LIMITED', message, { limit });
}

export function cursorExpired(field = 'after'): GraphQLError {
  return error('CURSOR_EXPIRED', 'The cursor is older than the retention window: refetch, then resume from a new cursor', { field });
}

/**
 * A read that took longer than READ_STATEMENT_TIMEOUT_MS and was cancelled in the database: the request was
 * understood and nothing changed, but answering it costs too much now. Narrow it (more or longer words, fewer
 * statuses, a date range) rather than repeat it as it was.
 */
export function readTimeout(timeoutMs: number): GraphQLError {
  return error('TIMEOUT', `The read took longer than ${timeoutMs} ms and was cancelled; narrow the filter (longer text, a date range) and try again`, { timeoutMs });
}

/** PostgreSQL SQLSTATE of a driver error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

/**
 * SQLSTATEs of text PostgreSQL cannot store: an invalid byte sequence such as NUL (22021) and a character
 * without a form in the database encoding or a `\u0000` escape in JSON (22P05). Arguments are checked before
 * any resolver runs (`check.storableArguments`); these answer BAD_USER_INPUT if something slips past.
 */
export const UNSTORABLE_TEXT_STATES: ReadonlySet<string> = new Set(['22021', '22P05']);

/**
 * Connection-level failures (the database restarting, shutting down or unreachable), as opposed to a bug
 * or bad input. A protocol violation (08P01) is not one: retrying the same request cannot help.
 */
export function isDatabaseDown(err: unknown): boolean {
  const state = sqlState(err);
  if (state === '08P01') return false;
  if (state && (state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03')) return true;
  const text = err instanceof Error ? `${err.message} ${String((err as { code?: unknown }).code ?? '')}` : '';
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection terminated|connection timeout|timeout exceeded when trying to connect|the database system is (starting|shutting|in recovery mode|not yet accepting)/i.test(
    text,
  );
}

/** The answer while the database is unreachable: nothing was saved; retry shortly. HTTP 503 where the whole request failed. */
export function serviceUnavailable(): GraphQLError {
  return new GraphQLError('The database is unavailable: nothing was saved; retry shortly', { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
}
