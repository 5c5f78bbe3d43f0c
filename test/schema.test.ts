import { readFile } from 'node:fs/promises';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAppSchema, printAppSchema } from '../server/src/schema.js';

/** Every named thing of the schema a client reads, as `Type`, `Type.field` or `Type.field(arg)`, with its description. */
function describedElements(schema: GraphQLSchema): Array<{ element: string; description: string | null | undefined }> {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((type) => type!.name));
  const types = Object.values(schema.getTypeMap()).filter((type: GraphQLNamedType) => !type.name.startsWith('__') && !isSpecifiedScalarType(type));
  return types.flatMap((type) => {
    const own = roots.has(type.name) ? [] : [{ element: type.name, description: type.description }];
    if (isObjectType(type) || isInterfaceType(type)) {
      return [
        ...own,
        ...Object.values(type.getFields()).flatMap((field) => [
          { element: `${type.name}.${field.name}`, description: field.description },
          ...field.args.map((arg) => ({ element: `${type.name}.${field.name}(${arg.name})`, description: arg.description })),
        ]),
      ];
    }
    if (isInputObjectType(type)) return [...own, ...Object.values(type.getFields()).map((field) => ({ element: `${type.name}.${field.name}`, description: field.description }))];
    if (isEnumType(type)) return [...own, ...type.getValues().map((value) => ({ element: `${type.name}.${value.name}`, description: value.description }))];
    return own;
  });
}

describe('the committed GraphQL schema', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildAppSchema();
  });

  it('is exactly what the code builds', async () => {
    const committed = await readFile(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    const built = await printAppSchema();
    expect(built === committed, 'schema/schema.graphql is out of date: run `npm run schema` and commit the file').toBe(true);
  });

  it('describes every type, field, argument and enum for the clients that read it', () => {
    const elements = describedElements(schema);
    expect(elements.length).toBeGreaterThan(100);
    const undescribed = elements.filter(({ description }) => !description?.trim()).map(({ element }) => element);
    expect(undescribed, 'add a description to each of these').toEqual([]);
  });
});
