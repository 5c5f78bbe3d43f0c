import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { Kind, valueFromASTUntyped, type DocumentNode } from 'graphql';

/** The `filter` argument a document's top-level `reports` field sends, as plain data (enums as their names); undefined when it sends none. */
export function reportsFilterOf<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>): unknown {
  for (const definition of (document as unknown as DocumentNode).definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== 'reports') continue;
      const filter = selection.arguments?.find((a) => a.name.value === 'filter');
      return filter ? valueFromASTUntyped(filter.value) : undefined;
    }
  }
  throw new Error('the document selects no top-level reports field');
}
