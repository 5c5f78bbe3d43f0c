import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** A list without a `first` argument counts as this many items. */
const DEFAULT_LIST_SIZE = 10;
/** A `first` given by a variable counts as the largest page; a larger literal is refused by the resolver, naming `first`. */
const MAX_PAGE = 100;

function limitError(message: string, field: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field, ...extensions } });
}

function pageArgument(node: FieldNode, field: GraphQLField<unknown, unknown> | undefined): number | undefined {
  const argument = node.arguments?.find((arg) => arg.name.value === 'first');
  if (argument?.value.kind === Kind.INT) return Math.min(MAX_PAGE, Math.max(0, Number(argument.value.value)));
  if (argument) return MAX_PAGE;
  const declared = field?.args.find((arg) => arg.name === 'first');
  return declared ? Number(declared.defaultValue ?? MAX_PAGE) : undefined;
}

/**
 * Rejects operations nested deeper than `maxDepth` or estimated to cost more than `maxCost` before
 * anything runs. Cost: every field is 1, and a list multiplies its children by its `first` (or 10;
 * a connection's `edges` are already counted by the connection's `first`).
 * The error is BAD_USER_INPUT naming the field where the limit was crossed.
 */
export function queryLimits(maxDepth: number, maxCost: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    let reported = false;

    const measure = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined, depth: number, path: string, seen: Set<string>): number => {
      let cost = 0;
      for (const selection of selectionSet.selections) {
        if (reported) return cost;
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || seen.has(fragment.name.value)) continue;
          const type = context.getSchema().getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
          cost += measure(fragment.selectionSet, type, depth, path, new Set([...seen, fragment.name.value]));
          continue;
        }
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? (context.getSchema().getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parent;
          cost += measure(selection.selectionSet, type, depth, path, seen);
          continue;
        }
        const name = selection.name.value;
        const fieldPath = path ? `${path}.${name}` : name;
        if (depth > maxDepth) {
          reported = true;
          context.reportError(limitError(`Query is nested deeper than ${maxDepth} levels at ${fieldPath}`, fieldPath, { maxDepth }));
          return cost;
        }
        const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        if (!selection.selectionSet) {
          cost += 1;
          continue;
        }
        const childType = field ? (getNamedType(field.type) as GraphQLCompositeType) : undefined;
        const page = pageArgument(selection, field);
        const isList = field ? isListType(getNullableType(field.type)) : false;
        const multiplier = page ?? (isList && name !== 'edges' ? DEFAULT_LIST_SIZE : 1);
        cost += 1 + multiplier * measure(selection.selectionSet, childType, depth + 1, fieldPath, seen);
      }
      return cost;
    };

    return {
      OperationDefinition(node) {
        reported = false;
        const root = context.getSchema().getRootType(node.operation) ?? undefined;
        const cost = measure(node.selectionSet, root, 1, '', new Set());
        if (!reported && cost > maxCost) {
          context.reportError(limitError(`Query would cost ${cost}, more than the limit of ${maxCost}: ask for fewer items or fields`, node.name?.value ?? 'query', { cost, maxCost }));
        }
      },
    };
  };
}
