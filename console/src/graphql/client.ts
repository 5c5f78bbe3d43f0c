import { Client, fetchExchange, mapExchange, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { clearSession, currentToken } from '../session/session.ts';
import { ApiError, toFailure } from './errors.ts';

/**
 * The console's one GraphQL client over HTTP. No document cache: the dispatch store is the cache, and
 * every screen that reads one report asks the network. A token the server no longer accepts ends the
 * session, which sends the user to sign-in.
 */
export const client = new Client({
  url: '/graphql',
  preferGetMethod: false,
  requestPolicy: 'network-only',
  fetchOptions: (): RequestInit => {
    const token = currentToken();
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    return { headers };
  },
  exchanges: [
    mapExchange({
      onError(error, operation) {
        const unauthenticated = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
        if (!unauthenticated || isSignIn(operation.query)) return;
        clearSession();
      },
    }),
    fetchExchange,
  ],
});

function isSignIn(document: TypedDocumentNode<unknown, AnyVariables>): boolean {
  return document.definitions.some((d) => d.kind === 'OperationDefinition' && d.name?.value === 'Login');
}

/** How controllers run operations: `run` in the console, a fake in their tests. */
export type Run = <Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables) => Promise<Data>;

/** Runs a query or mutation and returns its data, or throws an ApiError with the server's code and field. */
export async function run<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data> {
  const isMutation = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'mutation');
  const result = isMutation ? await client.mutation(document, variables).toPromise() : await client.query(document, variables).toPromise();
  if (result.error) throw new ApiError(toFailure(result.error));
  if (!result.data) throw new ApiError({ code: 'NETWORK', message: 'No data in the response' });
  return result.data;
}
