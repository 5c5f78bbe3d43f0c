import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields a client selected at `path` below the field being resolved (for a connection,
 * `['edges', 'node']`), through aliases, fragment spreads and inline fragments. `@skip` and `@include`
 * are not evaluated, so the set may hold a field that will not run but never lacks one that will.
 * Lets a list read only the columns its page needs.
 */
export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): Set<string> {
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const step of path) {
    const next: SelectionSetNode[] = [];
    for (const set of sets) forEachField(set, info.fragments, (name, selectionSet) => name === step && selectionSet && next.push(selectionSet));
    sets = next;
  }
  const names = new Set<string>();
  for (const set of sets) forEachField(set, info.fragments, (name) => names.add(name));
  return names;
}

function forEachField(
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  visit: (name: string, selectionSet: SelectionSetNode | undefined) => unknown,
  seen = new Set<string>(),
): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) visit(selection.name.value, selection.selectionSet);
    else if (selection.kind === Kind.INLINE_FRAGMENT) forEachField(selection.selectionSet, fragments, visit, seen);
    else if (!seen.has(selection.name.value) && fragments[selection.name.value]) {
      seen.add(selection.name.value);
      forEachField(fragments[selection.name.value].selectionSet, fragments, visit, seen);
    }
  }
}
