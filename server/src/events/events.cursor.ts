import { badInput } from '../common/errors.js';

/**
 * A position in the outbox: the writing transaction's id (xid8) and the row id. Events are delivered in
 * this order, which every reader agrees on once the writing transactions are finished.
 */
export interface Cursor {
  txId: bigint;
  id: bigint;
}

export const ORIGIN: Cursor = { txId: 0n, id: 0n };

/** The largest value either part may hold: a row id is a bigint, and no transaction id comes near it. */
export const CURSOR_PART_MAX = (1n << 63n) - 1n;

/** Opaque to clients: `<txId>.<id>` in base64url. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.txId}.${cursor.id}`).toString('base64url');
}

/**
 * The cursor, or BAD_USER_INPUT naming `field` when it is not one or a part exceeds CURSOR_PART_MAX (which the
 * database could not even compare). Whether it points at an event that exists is the fan-out's check.
 */
export function decodeCursor(value: string, field = 'after'): Cursor {
  const match = /^(\d{1,19})\.(\d{1,19})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  const cursor = match ? { txId: BigInt(match[1]), id: BigInt(match[2]) } : null;
  if (!cursor || cursor.txId > CURSOR_PART_MAX || cursor.id > CURSOR_PART_MAX) throw badInput(field, `${field} is not a dispatch event cursor`);
  return cursor;
}

export function compareCursors(a: Cursor, b: Cursor): number {
  if (a.txId !== b.txId) return a.txId < b.txId ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}
