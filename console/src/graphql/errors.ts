import type { CombinedError } from '@urql/core';

/** The error codes the API puts in `extensions.code`. */
export type ApiErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'CURSOR_EXPIRED' | 'NETWORK' | 'INTERNAL_SERVER_ERROR';

/** One failed operation, reduced to what the UI shows: a code, the server's message, the input field at fault. */
export interface ApiFailure {
  code: ApiErrorCode;
  message: string;
  field?: string;
}

/** Reads the first GraphQL error of a failed urql operation (or marks a network failure). */
export function toFailure(error: CombinedError): ApiFailure {
  const first = error.graphQLErrors[0];
  if (!first) return { code: 'NETWORK', message: error.networkError?.message ?? error.message };
  const code = String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR') as ApiErrorCode;
  const field = first.extensions?.field;
  return { code, message: first.message, ...(typeof field === 'string' ? { field } : {}) };
}

/** Thrown by `run` so callers can `catch` a typed failure. */
export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}
