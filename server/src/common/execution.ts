import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, getVariableValues, GraphQLError, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { documentBytes, documentCache } from './document-cache.js';

/** Apollo's gateway hook: it passes the request's context through untouched, so any context will do. */
type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/** A subscription has no events to resolve in a single HTTP response; the fan-out serves it over WebSocket. */
function subscriptionOverHttp(): GraphQLError {
  return new GraphQLError('Subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) at /graphql', {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/**
 * Estimated bytes of compiled operations a process keeps (see documentCache; a compiled operation keeps
 * its document): the console and integrators use a few dozen, a few hundred fit.
 */
const COMPILED_CACHE_BYTES = 16 * 1024 * 1024;

/** A cached compilation: the compiled operation, or false when graphql-jit could not compile it. */
type Compiled = CompiledQuery | false;

export interface JitGatewayOptions {
  /** Leave "Did you mean …" suggestions out of variable errors (INTROSPECTION off). */
  hideSuggestions?: boolean;
}

/**
 * graphql-jit's errors leave `extensions` undefined when the thrown error had none (graphql-js always
 * sets an object), and Apollo reads `extensions.code` before our formatError sees the error.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  return Object.assign(new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined }), { locations: error.locations });
}

/**
 * Executes HTTP operations with graphql-jit instead of graphql-js, through the only door Apollo Server 5
 * leaves for another executor (a "gateway" that serves one fixed schema). Apollo still parses, validates
 * (depth and cost limits included), builds the context and formats errors; only execution changes.
 *
 * graphql-jit compiles each operation once into a function that resolves and completes the selection
 * without interpreting the AST field by field: a 50-report queue page (about 1,200 fields) costs a third
 * of graphql-js's CPU (bench/RESULTS.md). Compiled operations are kept per query hash and operation name.
 *
 * Variables are coerced by graphql-js, and graphql-jit gets the coerced values: a request whose
 * variables do not fit gets graphql-js's errors word for word (Apollo recognises them as BAD_USER_INPUT
 * by their wording) and runs nothing, and input defaults apply as graphql-js applies them (graphql-jit
 * 0.8 reports a defaulted non-null input field as missing). An operation graphql-jit cannot compile or
 * refuses before running any resolver runs on graphql-js.
 */
export function jitGateway(schema: GraphQLSchema, options: JitGatewayOptions = {}): Gateway {
  const compiled = documentCache<Compiled>(COMPILED_CACHE_BYTES);
  const hideSuggestions = options.hideSuggestions ?? false;

  function compiledFor(key: string, document: DocumentNode, operationName: string | null): Compiled {
    let entry = compiled.get(key);
    if (entry === undefined) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      entry = isCompiledQuery(result) ? result : false;
      compiled.set(key, entry, { size: documentBytes(document.loc?.source.body.length ?? JSON.stringify(document).length) });
    }
    return entry;
  }

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async load() {
      return {
        executor: async (request): Promise<ExecutionResult> => {
          if (request.operation.operation === 'subscription') return { errors: [subscriptionOverHttp()] };
          const variables = request.request.variables ?? {};
          const coerced = getVariableValues(schema, request.operation.variableDefinitions ?? [], variables, { hideSuggestions });
          if (coerced.errors) return { errors: coerced.errors };
          const byGraphqlJs = () => execute({ schema, document: request.document, contextValue: request.context, variableValues: variables, operationName: request.operationName, hideSuggestions });
          const query = compiledFor(`${request.queryHash}:${request.operationName ?? ''}`, request.document, request.operationName);
          if (!query) return byGraphqlJs();
          const result = await query.query(undefined, request.context, coerced.coerced);
          // Without `data`, graphql-jit stopped before executing anything (it always returns data once it runs).
          if (!('data' in result)) return byGraphqlJs();
          return result.errors ? { ...result, errors: result.errors.map(withExtensions) } : result;
        },
      };
    },
    async stop() {},
  };
}
