import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * How many items a list field without a `first` argument returns at most, declared in the field's
 * extensions (`@Extensions({ maxItems: 25 })` in type-graphql; extensions never reach the SDL). `'first'`
 * marks a connection's `edges`: the page size, already counted by the connection's `first`.
 */
export type MaxItems = number | 'first';

/** The field extensions the cost rule reads. */
export interface CostExtensions {
  maxItems?: MaxItems;
}

/**
 * A list without `first` and without a declared `maxItems` counts as this many items, the largest page,
 * so an undeclared list is never cheaper than it may really be (every list of the schema declares one).
 */
const UNDECLARED_LIST_SIZE = 100;
/** A `first` given by a variable counts as the largest page; a larger literal is refused by the resolver, naming `first`. */
const MAX_PAGE = 100;
/** Costs stop growing here, so a document of doubling fragments reports a finite number. */
const COST_CAP = Number.MAX_SAFE_INTEGER;

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

/** How many times a field's selection is counted: its `first`, its declared `maxItems`, or 1 for a single object. */
function multiplier(node: FieldNode, field: GraphQLField<unknown, unknown> | undefined): number {
  const page = pageArgument(node, field);
  if (page !== undefined) return page;
  if (!field || !isListType(getNullableType(field.type))) return 1;
  const declared = (field.extensions as CostExtensions | undefined)?.maxItems;
  if (declared === 'first') return 1;
  return declared ?? UNDECLARED_LIST_SIZE;
}

/** A chain of field names, deepest last, shared between measures instead of copied. */
interface PathLink {
  name: string;
  next: PathLink | undefined;
}

/** What a selection set costs and how many field levels it nests, with the names down its deepest branch. */
interface Measure {
  cost: number;
  height: number;
  deepest: PathLink | undefined;
}

const NOTHING: Measure = { cost: 0, height: 0, deepest: undefined };

function pathOf(link: PathLink | undefined, levels: number): string {
  const names: string[] = [];
  for (let node = link; node && names.length < levels; node = node.next) names.push(node.name);
  return names.join('.');
}

/**
 * Rejects operations nested deeper than `maxDepth` or estimated to cost more than `maxCost` before
 * anything runs. Cost: every field is 1, and a field's selection is counted once per item it returns:
 * its `first`, or for a list without one its declared `maxItems` (see {@link MaxItems}). Introspection
 * (`__schema`, `__type`) counts 1: graphql-js's MaxIntrospectionDepthRule bounds it.
 *
 * Each fragment is measured once per document and reused wherever it is spread (a fragment's type is
 * its type condition, so its measure does not depend on where it is used), which keeps the rule linear
 * in the size of the document however fragments nest. A fragment cycle counts as empty here: graphql-js's
 * NoFragmentCyclesRule reports it. The error is BAD_USER_INPUT naming the field where the limit was crossed.
 */
export function queryLimits(maxDepth: number, maxCost: number): ValidationRule {
  return (context: ValidationContext) => {
    const schema = context.getSchema();
    const queryType = schema.getQueryType();
    /** Measured fragments by name; `null` while a fragment is being measured, so a cycle ends there. */
    const fragments = new Map<string, Measure | null>();

    const measureFragment = (name: string): Measure => {
      const known = fragments.get(name);
      if (known !== undefined) return known ?? NOTHING;
      const fragment = context.getFragment(name);
      if (!fragment) return NOTHING;
      fragments.set(name, null);
      const type = schema.getType(fragment.typeCondition.name.value);
      const measure = measureSet(fragment.selectionSet, isCompositeType(type) ? type : undefined);
      fragments.set(name, measure);
      return measure;
    };

    const measureField = (node: FieldNode, parent: GraphQLCompositeType | undefined): Measure => {
      const name = node.name.value;
      const leaf: Measure = { cost: 1, height: 1, deepest: { name, next: undefined } };
      if (!node.selectionSet) return leaf;
      if (parent === queryType && (name === '__schema' || name === '__type')) return leaf;
      const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
      const childType = field ? getNamedType(field.type) : undefined;
      const children = measureSet(node.selectionSet, isCompositeType(childType) ? childType : undefined);
      return {
        cost: Math.min(COST_CAP, 1 + multiplier(node, field) * children.cost),
        height: children.height + 1,
        deepest: { name, next: children.deepest },
      };
    };

    const measureSet = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined): Measure => {
      let cost = 0;
      let height = 0;
      let deepest: PathLink | undefined;
      for (const selection of selectionSet.selections) {
        let measure: Measure;
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          measure = measureFragment(selection.name.value);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          measure = measureSet(selection.selectionSet, isCompositeType(type) ? type : undefined);
        } else {
          measure = measureField(selection, parent);
        }
        cost = Math.min(COST_CAP, cost + measure.cost);
        if (measure.height > height) {
          height = measure.height;
          deepest = measure.deepest;
        }
      }
      return { cost, height, deepest };
    };

    return {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation) ?? undefined;
        const { cost, height, deepest } = measureSet(node.selectionSet, root);
        if (height > maxDepth) {
          const fieldPath = pathOf(deepest, maxDepth + 1);
          context.reportError(limitError(`Query is nested deeper than ${maxDepth} levels at ${fieldPath}`, fieldPath, { maxDepth }));
          return;
        }
        if (cost > maxCost) {
          context.reportError(limitError(`Query would cost ${cost}, more than the limit of ${maxCost}: ask for fewer items or fields`, node.name?.value ?? 'query', { cost, maxCost }));
        }
      },
    };
  };
}

/** Per-document limits that are counted as written, before anything is expanded or executed. */
export interface DocumentLimits {
  /** MAX_QUERY_ALIASES: aliased fields in the whole document. */
  maxAliases: number;
  /** MAX_QUERY_DIRECTIVES: directives anywhere in the document. */
  maxDirectives: number;
  /** MAX_OPERATIONS: operations in one document. */
  maxOperations: number;
}

/**
 * Refuses documents with more aliases, directives or operations than allowed, counted once over the text
 * as written (one pass, linear). Repetition through fragments is what the cost rule counts; the token
 * limit (`parse(…, { maxLexicalTokens })`) bounds the document itself before this rule runs. Each error is
 * BAD_USER_INPUT with `field: 'query'` and the limit and the count in its extensions.
 */
export function documentLimits(limits: DocumentLimits): ValidationRule {
  return (context: ValidationContext) => {
    let aliases = 0;
    let directives = 0;
    let operations = 0;
    return {
      Field(node) {
        if (node.alias) aliases++;
      },
      Directive() {
        directives++;
      },
      OperationDefinition() {
        operations++;
      },
      Document: {
        leave() {
          if (aliases > limits.maxAliases) {
            context.reportError(limitError(`The document has ${aliases} aliases, more than the limit of ${limits.maxAliases}`, 'query', { aliases, maxAliases: limits.maxAliases }));
          }
          if (directives > limits.maxDirectives) {
            context.reportError(limitError(`The document has ${directives} directives, more than the limit of ${limits.maxDirectives}`, 'query', { directives, maxDirectives: limits.maxDirectives }));
          }
          if (operations > limits.maxOperations) {
            context.reportError(limitError(`The document has ${operations} operations, more than the limit of ${limits.maxOperations}`, 'query', { operations, maxOperations: limits.maxOperations }));
          }
        },
      },
    };
  };
}
