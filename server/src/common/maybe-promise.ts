/**
 * Applies `map` to a value that may still be loading: at once when it is there, once it loads when not.
 * A field resolver that returns a plain value costs graphql-jit no promise and no microtask; the queue
 * page resolves a category and a municipality for each of its reports from memory this way.
 */
export function mapLoaded<T, R>(value: T | Promise<T>, map: (loaded: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(map) : map(value);
}
