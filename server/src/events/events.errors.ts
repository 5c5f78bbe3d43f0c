import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The formatter every HTTP error goes through (Apollo's `formatError` signature). The WebSocket applies the
 * same one to everything it sends, so a client sees one set of codes and never an internal message,
 * whichever way its operation came.
 */
export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Apollo's codes for a document that does not parse or validate; the WebSocket uses the same. */
export const PARSE_FAILED = 'GRAPHQL_PARSE_FAILED';
export const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';
/** What Apollo calls an error nobody typed; the formatter logs it and hides its message. */
export const INTERNAL = 'INTERNAL_SERVER_ERROR';
/** What Apollo calls variables that do not coerce to their declared types. */
export const USER_INPUT = 'BAD_USER_INPUT';

/** The error with `code` added unless it carries one already; its path and original error stay for the formatter. */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: { ...error.extensions, code },
  });
}

/** graphql-js prefixes every parse failure so; a document that parsed fails validation instead. */
export function documentErrorCode(error: GraphQLError): string {
  return error.message.startsWith('Syntax Error') ? PARSE_FAILED : VALIDATION_FAILED;
}

/**
 * Errors labelled as Apollo labels them before its formatter runs (uncoded ones get `fallback`), then
 * formatted: INTERNAL for execution errors, BAD_USER_INPUT for a result without data (its variables
 * did not coerce), the document codes for a refused document.
 */
export function formatErrors(format: FormatError, errors: readonly GraphQLError[], fallback: string): GraphQLFormattedError[] {
  return errors.map((error) => {
    const coded = withCode(error, fallback);
    return format(coded.toJSON(), coded);
  });
}
