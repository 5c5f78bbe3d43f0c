import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * The typed `graphql()` tag for every console operation, inferred from `schema/schema.graphql`
 * (regenerate `graphql-env.d.ts` with `npm run console:graphql` when the schema changes).
 * Date-times stay ISO strings; fragments are unmasked so stores read them directly.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: { DateTimeISO: string; ID: string };
}>();

export type { ResultOf, VariablesOf, FragmentOf } from 'gql.tada';
