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

/** Opaque to clients: `<txId>.<id>` in base64url. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.txId}.${cursor.id}`).toString('base64url');
}

/** The cursor, or BAD_USER_INPUT naming `field`. */
export function decodeCursor(value: string, field = 'after'): Cursor {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw badInput(field, `${field} is not a dispatch event cursor`);
  return { txId: BigInt(match[1]), id: BigInt(match[2]) };
}

export function compareCursors(a: Cursor, b: Cursor): number {
  if (a.txId !== b.txId) return a.txId < b.txId ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}
