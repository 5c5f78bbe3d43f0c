import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import type { Run } from '../graphql/client.ts';

/** Answers one operation: returns its data (or a promise of it), or throws as the server would (an ApiError). */
export type Handler = (variables: Record<string, unknown>) => unknown;

function operationName(document: TypedDocumentNode<unknown, AnyVariables>): string {
  for (const definition of document.definitions) if (definition.kind === 'OperationDefinition' && definition.name) return definition.name.value;
  throw new Error('an operation without a name');
}

/**
 * A fake `run` for controller tests: answers each operation by its name with a handler the test sets
 * (and may replace mid-test), and records every call in order. An operation without a handler fails the test.
 */
export function fakeRun(handlers: Record<string, Handler> = {}) {
  const calls: Array<{ operation: string; variables: Record<string, unknown> }> = [];
  const run = (async (document: TypedDocumentNode<unknown, AnyVariables>, variables: AnyVariables) => {
    const operation = operationName(document);
    const vars = (variables ?? {}) as Record<string, unknown>;
    calls.push({ operation, variables: vars });
    const handler = handlers[operation];
    if (!handler) throw new Error(`no handler for ${operation}`);
    return handler(vars);
  }) as Run;
  /** The calls of one operation, in order. */
  const callsOf = (operation: string) => calls.filter((c) => c.operation === operation).map((c) => c.variables);
  return { run, handlers, calls, callsOf };
}

/** A promise the test resolves when it chooses, to play answers out of order. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
