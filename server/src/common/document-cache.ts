import { LRUCache } from 'lru-cache';

/**
 * Heap bytes a parsed document holds per character of its text: its AST nodes and the token chain its
 * locations keep (about 75 measured on graphql 16 for a dense query; a document padded with comments or
 * a long string holds less, so the estimate errs on the safe side).
 */
export const AST_BYTES_PER_CHAR = 80;

/** The heap a document of `chars` characters is estimated to hold once parsed (see {@link AST_BYTES_PER_CHAR}). */
export function documentBytes(chars: number): number {
  return Math.max(1, chars) * AST_BYTES_PER_CHAR;
}

/**
 * A least-recently-used cache of parsed or compiled documents bounded by their estimated bytes, not by
 * their count: a stream of large distinct documents evicts older ones instead of growing the heap, and a
 * document estimated larger than the whole budget is not kept at all. Every `set` must give the entry's
 * size, `{ size: documentBytes(text.length) }` (lru-cache throws otherwise).
 */
export function documentCache<V extends NonNullable<unknown>>(maxBytes: number): LRUCache<string, V> {
  return new LRUCache<string, V>({ maxSize: maxBytes });
}
