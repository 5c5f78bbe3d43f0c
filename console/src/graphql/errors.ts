import type { CombinedError } from '@urql/core';

/** The error codes the API puts in `extensions.code`. */
export type ApiErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'CURSOR_EXPIRED' | 'NETWORK' | 'INTERNAL_SERVER_ERROR';

/** One failed operation, reduced to what the UI shows: a code, the server's message, the input field at fault. */
export interface ApiFailure {
  code: ApiErrorCode;
  message: string;
  field?: string;
  /** The error's other extensions, e.g. a CONFLICT's `currentReference` (the job a crew must finish first). */
  details?: Readonly<Record<string, unknown>>;
}

/** Reads the first GraphQL error of a failed urql operation (or marks a network failure). */
export function toFailure(error: CombinedError): ApiFailure {
  const first = error.graphQLErrors[0];
  if (!first) return { code: 'NETWORK', message: error.networkError?.message ?? error.message };
  const code = String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR') as ApiErrorCode;
  const field = first.extensions?.field;
  const details = Object.fromEntries(Object.entries(first.extensions ?? {}).filter(([key]) => key !== 'code' && key !== 'field'));
  return { code, message: first.message, ...(typeof field === 'string' ? { field } : {}), ...(Object.keys(details).length ? { details } : {}) };
}

/** Thrown by `run` so callers can `catch` a typed failure. */
export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}
