import type { ApolloServerPlugin, DocumentStore } from '@apollo/server';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule, type DocumentNode, type ParseOptions, type ValidationRule } from 'graphql';
import type { Config } from './config.js';
import { documentBytes, documentCache } from './document-cache.js';
import { documentLimits, queryLimits } from './limits.js';

/**
 * What every GraphQL document must pass before anything runs, over HTTP (Apollo) and the WebSocket
 * alike: one policy, two transports.
 */
export interface DocumentPolicy {
  /** `maxLexicalTokens`: graphql-js stops parsing at the limit, before building any AST past it. */
  parseOptions: ParseOptions;
  /** Run after graphql-js's own rules: per-document counts, depth and cost, and the introspection block when introspection is off. */
  rules: ValidationRule[];
  /** Whether "Did you mean …" suggestions are left out of errors (they name fields the caller did not ask about). */
  hideSuggestions: boolean;
}

/**
 * The policy from the configuration. Introspection and suggestions go together: both describe the schema,
 * so with INTROSPECTION off (the default outside demo mode) neither is given.
 *
 * The token limit is also what bounds graphql-js's own rules: OverlappingFieldsCanBeMerged compares fields
 * of the same response name pairwise, so its work grows with the square of the document. At the default
 * 500 tokens the worst document validates in about 20 ms; anything longer is refused while parsing.
 */
export function documentPolicy(
  config: Pick<Config, 'maxQueryTokens' | 'maxQueryDepth' | 'maxQueryCost' | 'maxQueryAliases' | 'maxQueryDirectives' | 'maxOperations' | 'introspection'>,
): DocumentPolicy {
  const rules = [
    documentLimits({ maxAliases: config.maxQueryAliases, maxDirectives: config.maxQueryDirectives, maxOperations: config.maxOperations }),
    queryLimits(config.maxQueryDepth, config.maxQueryCost),
  ];
  if (!config.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return { parseOptions: { maxLexicalTokens: config.maxQueryTokens }, rules, hideSuggestions: !config.introspection };
}

/**
 * Apollo's store of parsed and validated documents, bounded by their estimated bytes. Apollo's default
 * (an LRU of 30 MiB) sizes a document by its JSON, which leaves out the text its locations keep: a stream
 * of distinct documents padded to the body limit would be kept whole, about 1 MiB each.
 */
export function boundedDocumentStore(maxBytes: number): DocumentStore {
  const cache = documentCache<DocumentNode>(maxBytes);
  return {
    get: async (key) => cache.get(key),
    set: async (key, document) => {
      cache.set(key, document, { size: documentBytes(document.loc?.source.body.length ?? JSON.stringify(document).length) });
    },
    delete: async (key) => cache.delete(key),
  };
}

/**
 * BAD_USER_INPUT naming `operationName` when the document has several operations and none or an unknown
 * one is named (graphql-js would otherwise fail inside execution); null when the operation resolves.
 */
export function unresolvedOperation(document: DocumentNode, operationName: string | null | undefined): GraphQLError | null {
  if (getOperationAST(document, operationName ?? undefined)) return null;
  const message = operationName ? `Unknown operation named "${operationName}"` : 'The document has several operations: name the one to run in operationName';
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: 'operationName', http: { status: 400 } } });
}

/** Refuses, with HTTP 400, an HTTP request whose operation does not resolve (see {@link unresolvedOperation}). */
export function operationRequired<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const error = unresolvedOperation(document, request.operationName);
          if (error) throw error;
        },
      };
    },
  };
}
