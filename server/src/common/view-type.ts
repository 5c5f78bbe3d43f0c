import { ObjectType } from 'type-graphql';

/**
 * `@ObjectType` for the API's view classes, with type-graphql's `simpleResolvers`: a field without a
 * `@FieldResolver` reads the property directly instead of going through type-graphql's middleware
 * wrapper. Views have no middlewares and no `@Authorized` fields (the auth checker guards root fields
 * only; what a viewer sees is the access policy's audience rules), so the result is the same; a 50-report
 * queue page has about 1,200 such fields.
 */
export function ViewType(name: string, description: string): ClassDecorator {
  return ObjectType(name, { simpleResolvers: true, description });
}

/**
 * A view object as an instance of its class. type-graphql hands every `@Root()` that is not an instance
 * of its declared class to the resolver as a fresh copy (`Object.assign(new Class(), root)`), once per
 * field resolver call: three copies of each report on a queue page. An instance is passed as it is.
 */
export function asView<T extends object>(type: new () => T, fields: T): T {
  return Object.assign(new type(), fields);
}
