import pg from 'pg';
import { PgListener } from '../common/pg-listener.js';
import { readStoredEvent, type StoredEvent } from '../outbox/outbox.map.js';
import { compareCursors, CURSOR_PART_MAX, encodeCursor, ORIGIN, type Cursor } from './events.cursor.js';

/** The channel the outbox trigger notifies when a transaction that wrote events commits. */
export const NOTIFY_CHANNEL = 'dispatch_events';

/** An outbox row as readers see it. */
export interface OutboxEvent {
  cursor: Cursor;
  /** The cursor as clients see it. */
  cursorText: string;
  occurredAt: Date;
  /** The crews that see it besides staff and integrators (the access policy's `eventCrews`). */
  crewIds: string[];
  /** Its type and payload, read through the versioned event map; null for a row this version cannot read (no subscriber sees it, cursors pass it). */
  stored: StoredEvent | null;
}

interface Row {
  id: string;
  tx_id: string;
  type: string;
  occurred_at: Date;
  crew_ids: string[];
  payload: unknown;
}

/**
 * Only events of finished transactions are read: anything below the oldest running transaction id is
 * final, so a reader that orders by (tx_id, id) and stops there can never skip a late commit. The
 * ORDER BY names the table's columns: the text casts in the select list would otherwise sort as text.
 */
const READ_SQL = `
  select e.id::text as id, e.tx_id::text as tx_id, e.type, e.occurred_at, e.crew_ids, e.payload
  from dispatch_event e
  where (e.tx_id, e.id) > ($1::text::xid8, $2::bigint)
    and (e.tx_id, e.id) <= ($3::text::xid8, $4::bigint)
    and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
  order by e.tx_id, e.id
  limit $5`;

const MAX = { txId: CURSOR_PART_MAX, id: CURSOR_PART_MAX };

/** Where retention cut, and the newest event written (by any replica); with no event left, the cut. */
const BOUNDS_SQL = `
  select r.pruned_tx_id::text as pruned_tx_id, r.pruned_id::text as pruned_id, n.tx_id::text as newest_tx_id, n.id::text as newest_id
  from (select 1) one
  left join dispatch_event_retention r on true
  left join lateral (select e.tx_id, e.id from dispatch_event e order by e.tx_id desc, e.id desc limit 1) n on true`;

/** The range a resume may start from: after `pruned` (older events are gone) and at most `newest`. */
export interface ResumeBounds {
  pruned: Cursor;
  newest: Cursor;
}

function toEvent(row: Row): OutboxEvent {
  const cursor = { txId: BigInt(row.tx_id), id: BigInt(row.id) };
  return { cursor, cursorText: encodeCursor(cursor), occurredAt: row.occurred_at, crewIds: row.crew_ids, stored: readStoredEvent(row.type, row.payload) };
}

export interface EventHubOptions {
  databaseUrl: string;
  /** Backstop poll in milliseconds (NOTIFY can be lost while the listener reconnects). */
  pollMs: number;
  /** Rows per outbox query. */
  batchSize?: number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export type EventListener = (events: OutboxEvent[]) => void;

/** Called when the hub finds the database unreachable (once per outage). */
export type OutageListener = () => void;

/**
 * One per process. LISTEN wakes it, a short poll backstops; each wake-up runs one outbox query however
 * many subscribers there are, and hands the batch, in cursor order, to its listeners (the fan-out).
 * It survives the database going away: losing the listening connection or failing a read marks an
 * outage (its listeners are told, once), reads are retried on every tick and the listening connection
 * re-opened; its position moves only past rows it has read and handed over, so nothing is skipped or
 * repeated across the outage.
 */
export class EventHub {
  private readonly pool: pg.Pool;
  private readonly listeners = new Set<EventListener>();
  private readonly listener: PgListener;
  private position: Cursor = ORIGIN;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private readonly outageListeners = new Set<OutageListener>();
  private stopped = false;
  private down = false;
  /** Outbox queries issued, for tests and the fan-out benchmark. */
  queries = 0;

  constructor(private readonly options: EventHubOptions) {
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: 3, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
    this.pool.on('error', () => undefined);
    // Woken by every commit that wrote events; a lost connection is probed with a read (which reports the
    // outage if the database is gone) and a new one catches up with what was committed meanwhile.
    const wake = () => void this.wake();
    this.listener = new PgListener({ databaseUrl: options.databaseUrl, channel: NOTIFY_CHANNEL, name: 'event hub', onNotify: wake, onListening: wake, onLost: wake, log: options.log });
  }

  /** Starts live from now: events of transactions still running will be delivered when they commit. */
  async start(): Promise<void> {
    const { rows } = await this.pool.query<{ xmin: string }>('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');
    this.position = { txId: BigInt(rows[0].xmin), id: 0n };
    await this.listener.start();
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
  }

  /** Everything at or before this cursor has been handed to the listeners. */
  get cursor(): Cursor {
    return this.position;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the last attempt to reach the database succeeded. */
  get available(): boolean {
    return !this.down;
  }

  /** Calls `listener` each time the database becomes unreachable, so open subscriptions can be told. */
  onOutage(listener: OutageListener): () => void {
    this.outageListeners.add(listener);
    return () => this.outageListeners.delete(listener);
  }

  /** Reads the outbox now (coalescing concurrent calls); resolves when the hub has caught up. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.drain().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async drain(): Promise<void> {
    const batch = this.options.batchSize ?? 1000;
    do {
      this.again = false;
      let rows: Row[];
      try {
        this.queries++;
        ({ rows } = await this.pool.query<Row>(READ_SQL, [this.position.txId.toString(), this.position.id.toString(), MAX.txId.toString(), MAX.id.toString(), batch]));
        if (this.down) this.options.log.info({}, 'event hub: database reachable again');
        this.down = false;
      } catch (err) {
        this.lost(err);
        return;
      }
      if (rows.length === 0) continue;
      const events = rows.map(toEvent);
      this.position = events[events.length - 1].cursor;
      for (const listener of this.listeners) listener(events);
      if (rows.length === batch) this.again = true;
    } while (this.again && !this.stopped);
  }

  /**
   * Events after `after` up to the hub's position, in order, `limit` at a time: a resuming subscriber
   * catches up with these, then continues with the live batches.
   */
  async replay(after: Cursor, upTo: Cursor, limit = 500): Promise<OutboxEvent[]> {
    if (compareCursors(after, upTo) >= 0) return [];
    const { rows } = await this.pool.query<Row>(READ_SQL, [after.txId.toString(), after.id.toString(), upTo.txId.toString(), upTo.id.toString(), limit]);
    return rows.map(toEvent);
  }

  /**
   * What a resume may ask for, in one query: a cursor at or before `pruned` has lost events to retention,
   * one past `newest` names an event that was never written.
   */
  async resumeBounds(): Promise<ResumeBounds> {
    const { rows } = await this.pool.query<{ pruned_tx_id: string | null; pruned_id: string | null; newest_tx_id: string | null; newest_id: string | null }>(BOUNDS_SQL);
    const row = rows[0];
    const pruned = row?.pruned_tx_id ? { txId: BigInt(row.pruned_tx_id), id: BigInt(row.pruned_id!) } : ORIGIN;
    const newest = row?.newest_tx_id ? { txId: BigInt(row.newest_tx_id), id: BigInt(row.newest_id!) } : ORIGIN;
    return { pruned, newest: compareCursors(newest, pruned) > 0 ? newest : pruned };
  }

  /** Marks an outage once and tells the listeners; the next successful read ends it. */
  private lost(err: unknown): void {
    if (this.down || this.stopped) return;
    this.down = true;
    this.options.log.warn({ err }, 'event hub: database unreachable; closing subscriptions and retrying');
    for (const listener of this.outageListeners) listener();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.listener.stop();
    await this.reading?.catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}
