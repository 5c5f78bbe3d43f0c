import { Client, fetchExchange, mapExchange, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { useClientHandle } from '@urql/vue';
import { clearSession, currentToken } from '../session/session.ts';
import { ApiError, toFailure } from './errors.ts';

/**
 * The console's GraphQL client over HTTP, made once by main.ts and installed with the @urql/vue plugin, so
 * every component reaches it through @urql/vue (useRun) and nothing holds it at module level. No document
 * cache: the dispatch store is the cache, and every screen that reads one report asks the network. A token
 * the server no longer accepts ends the session, which sends the user to sign-in.
 */
export function createConsoleClient(): Client {
  return new Client({
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
}

function isSignIn(document: TypedDocumentNode<unknown, AnyVariables>): boolean {
  return document.definitions.some((d) => d.kind === 'OperationDefinition' && d.name?.value === 'Login');
}

/**
 * Runs a query or mutation and returns its data, or throws an ApiError with the server's code and field.
 * Controllers and stores take one (a fake in their tests); components get the app's from useRun().
 */
export type Run = <Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables) => Promise<Data>;

/** A Run over the given client. */
export function runWith(client: Client): Run {
  return async (document, variables) => {
    const isMutation = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'mutation');
    const result = isMutation ? await client.mutation(document, variables).toPromise() : await client.query(document, variables).toPromise();
    if (result.error) throw new ApiError(toFailure(result.error));
    if (!result.data) throw new ApiError({ code: 'NETWORK', message: 'No data in the response' });
    return result.data;
  };
}

/**
 * A Run over the client the app provides through @urql/vue (installed in main.ts, or provideClient in an
 * ancestor). Call it in a component's setup (or a composable called there), like any use* function.
 */
export function useRun(): Run {
  return runWith(useClientHandle().client);
}
