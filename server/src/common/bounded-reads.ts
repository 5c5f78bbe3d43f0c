import type { EntityManager } from '@mikro-orm/postgresql';
import { readTimeout, sqlState } from './errors.js';

/** SQLSTATE of a statement cancelled by `statement_timeout`. */
const QUERY_CANCELED = '57014';

export interface ReadLimits {
  /** READ_STATEMENT_TIMEOUT_MS: the budget of one read, waiting for a search slot included; 0 for none. */
  statementTimeoutMs: number;
  /** SEARCH_CONCURRENCY: text searches running at once per process. */
  searchConcurrency: number;
}

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The reads whose cost a caller's filter decides (report lists, counts and text searches). Each runs under
 * a `statement_timeout` in PostgreSQL itself, so a read that would take longer is cancelled there and
 * answers TIMEOUT instead of holding a connection and a core. Text searches also take one of
 * `searchConcurrency` slots first (the rest queue, within the same budget): 40 searches at once hold at
 * most that many of the pool's connections, and intake, dispatch and the queue keep the others.
 */
export class BoundedReads {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: ReadLimits) {}

  /** Text searches running now (not queued), for tests and diagnostics. */
  get searchesRunning(): number {
    return this.running;
  }

  /** Text searches waiting for a slot. */
  get searchesQueued(): number {
    return this.waiting.length;
  }

  /** Runs one `select` (MikroORM `?` placeholders) within the read budget; a search first takes a slot. */
  async select<T>(em: EntityManager, sql: string, params: readonly unknown[], options: { search: boolean }): Promise<T[]> {
    const timeoutMs = this.limits.statementTimeoutMs;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
    if (!options.search) return this.execute<T>(em, sql, params, deadline);
    await this.acquire(deadline);
    try {
      return await this.execute<T>(em, sql, params, deadline);
    } finally {
      this.release();
    }
  }

  /**
   * One round trip, as `em.execute` would make it: `set local` and the statement go in one simple-protocol
   * message, which PostgreSQL runs as one implicit transaction, so the timeout holds for this statement
   * alone and the pooled connection comes back as it was. `em.execute` cannot send it (it keeps the rows of
   * a single result only), so this takes a connection from the ORM's own pool, with its type parsers, and
   * formats the statement with the ORM's own `formatQuery`.
   */
  private async execute<T>(em: EntityManager, sql: string, params: readonly unknown[], deadline: number): Promise<T[]> {
    const statement = em.getPlatform().formatQuery(em.config.get('onQuery')(sql, params), params);
    const pool = await em.getConnection().getNativeClient();
    const client = await pool.connect();
    try {
      const remaining = Math.ceil(deadline - Date.now());
      if (remaining <= 0) throw readTimeout(this.limits.statementTimeoutMs);
      const text = Number.isFinite(remaining) ? `set local statement_timeout = ${remaining}; ${statement}` : statement;
      const result = (await client.query(text)) as unknown as { rows: T[] } | { rows: T[] }[];
      return Array.isArray(result) ? result[result.length - 1].rows : result.rows;
    } catch (err) {
      if (sqlState(err) === QUERY_CANCELED) throw readTimeout(this.limits.statementTimeoutMs);
      throw err;
    } finally {
      client.release();
    }
  }

  private acquire(deadline: number): Promise<void> {
    if (this.running < this.limits.searchConcurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, timer: undefined };
      if (Number.isFinite(deadline)) {
        waiter.timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(readTimeout(this.limits.statementTimeoutMs));
        }, deadline - Date.now());
      }
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot to the longest waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.running--;
      return;
    }
    clearTimeout(next.timer);
    next.resolve();
  }
}
