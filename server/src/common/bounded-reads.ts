import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { readTimeout, sqlState } from './errors.js';

/** SQLSTATE of a statement cancelled by `statement_timeout`. */
const QUERY_CANCELED = '57014';
/** SQLSTATE of `execute` naming a statement the connection does not have. */
const UNDEFINED_PREPARED_STATEMENT = '26000';
/** SQLSTATE of `prepare` naming a statement the connection already has. */
const DUPLICATE_PREPARED_STATEMENT = '42P05';
/** How many unpreparable texts are remembered (beyond it, each is tried again: a cost, not a leak). */
const MAX_REMEMBERED_UNPREPARABLE = 256;
/** SQLSTATEs of a statement PostgreSQL cannot prepare as written (a parameter whose type it cannot infer). */
const UNPREPARABLE = new Set(['42P18', '42P08', '42804', '42725']);

/** The part of a pooled `pg` client this uses. */
interface NativeClient {
  query(text: string): Promise<unknown>;
  escapeLiteral(text: string): string;
  release(): void;
}

/** `?` placeholders (outside quoted text and identifiers) as `$1`, `$2`, …, for `prepare`. */
export function positional(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (match) => (match === '?' ? `$${++n}` : match));
}

/** `$n` placeholders replaced by their literals, for a statement run without preparing it. */
function inline(text: string, literals: readonly string[]): string {
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g, (match, index: string | undefined) => (index ? literals[Number(index) - 1] : match));
}

/**
 * A value as an SQL literal of unknown type, which PostgreSQL converts to the type the statement gives its
 * parameter (so `'{"A","B"}'` becomes the status array of `= any($1)`); quoting is `pg`'s own.
 */
export function sqlLiteral(client: Pick<NativeClient, 'escapeLiteral'>, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const items = value.map((item) => (item === null || item === undefined ? 'NULL' : `"${String(item instanceof Date ? item.toISOString() : item).replace(/[\\"]/g, (c) => `\\${c}`)}"`));
    return client.escapeLiteral(`{${items.join(',')}}`);
  }
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  if (typeof value === 'object') return client.escapeLiteral(JSON.stringify(value));
  return client.escapeLiteral(String(value));
}

/**
 * The statements each pooled connection has prepared, by text. A connection keeps at most `perConnection`
 * (the least recently used goes with `deallocate`), so callers' filter combinations cannot grow a backend's
 * memory without bound; a text PostgreSQL cannot prepare is remembered and runs unprepared.
 */
export class PreparedStatements {
  private readonly byConnection = new WeakMap<object, Map<string, string>>();
  private readonly unpreparable = new Set<string>();

  constructor(private readonly perConnection = 64) {}

  /** The name `client` knows `text` by, preparing it first if needed; null when it cannot be prepared. */
  async ensure(client: NativeClient, text: string): Promise<string | null> {
    if (this.unpreparable.has(text)) return null;
    let prepared = this.byConnection.get(client);
    if (!prepared) this.byConnection.set(client, (prepared = new Map()));
    const known = prepared.get(text);
    if (known) {
      prepared.delete(text);
      prepared.set(text, known);
      return known;
    }
    // Named by its text's hash: the same text has the same name on every connection, and nothing grows per text.
    const name = `balagh_read_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    const evict: string[] = [];
    while (prepared.size >= this.perConnection) {
      const [oldText, oldName] = prepared.entries().next().value as [string, string];
      prepared.delete(oldText);
      evict.push(`deallocate ${oldName}`);
    }
    try {
      await client.query([...evict, `prepare ${name} as ${text}`].join('; '));
    } catch (err) {
      const state = sqlState(err) ?? '';
      // Already there (a `deallocate` of an earlier message did not run): the name is the text's, so use it.
      if (state !== DUPLICATE_PREPARED_STATEMENT) {
        if (!UNPREPARABLE.has(state)) throw err;
        if (this.unpreparable.size < MAX_REMEMBERED_UNPREPARABLE) this.unpreparable.add(text);
        return null;
      }
    }
    prepared.set(text, name);
    return name;
  }

  /** Forgets that `client` has `name` (it answered that it has not). */
  forget(client: object, name: string): void {
    const prepared = this.byConnection.get(client);
    for (const [text, known] of prepared ?? []) if (known === name) prepared?.delete(text);
  }
}

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
  private readonly statements = new PreparedStatements();

  constructor(private readonly limits: ReadLimits) {}

  /** Text searches running now (not queued), for tests and diagnostics. */
  get searchesRunning(): number {
    return this.running;
  }

  /** Text searches waiting for a slot. */
  get searchesQueued(): number {
    return this.waiting.length;
  }

  /**
   * Runs one `select` within the read budget; a search first takes a slot. Placeholders are MikroORM's `?`,
   * one per value: an array is one value (write `= any(?)`, not `in (?)`), so the statement's text does not
   * change with the number of values and prepares once.
   */
  async select<T>(em: EntityManager, sql: string, params: readonly unknown[], options: { search: boolean }): Promise<T[]> {
    const timeoutMs = this.limits.statementTimeoutMs;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
    if (!options.search) return this.execute<T>(em, sql, params, deadline, true);
    await this.acquire(deadline);
    try {
      return await this.execute<T>(em, sql, params, deadline, false);
    } finally {
      this.release();
    }
  }

  /**
   * One round trip in the common case: `set local` and the statement go in one simple-protocol message,
   * which PostgreSQL runs as one implicit transaction, so the timeout holds for this statement alone and the
   * pooled connection comes back as it was. The statement itself is `execute` of a named statement that this
   * connection prepared the first time it ran that text (a second round trip, once per connection and
   * statement), so PostgreSQL parses it once and, after its first few runs, plans it once too (bench/RESULTS.md:
   * planning was about half the queue page's PostgreSQL time). Text searches are not prepared: their plan
   * depends on the pattern and their cost is the scan, not the plan. `em.execute` cannot send any of it (it
   * keeps the rows of a single result only, and prepares nothing), so this takes a connection from the ORM's
   * own pool, with its type parsers.
   */
  private async execute<T>(em: EntityManager, sql: string, params: readonly unknown[], deadline: number, prepare: boolean): Promise<T[]> {
    const text = positional(em.config.get('onQuery')(sql, params));
    const pool = await em.getConnection().getNativeClient();
    const client = (await pool.connect()) as unknown as NativeClient;
    try {
      const run = async (statement: string): Promise<T[]> => {
        const remaining = Math.ceil(deadline - Date.now());
        if (remaining <= 0) throw readTimeout(this.limits.statementTimeoutMs);
        const message = Number.isFinite(remaining) ? `set local statement_timeout = ${remaining}; ${statement}` : statement;
        const result = (await client.query(message)) as unknown as { rows: T[] } | { rows: T[] }[];
        return Array.isArray(result) ? result[result.length - 1].rows : result.rows;
      };
      const literals = params.map((value) => sqlLiteral(client, value));
      const name = prepare ? await this.statements.ensure(client, text) : null;
      if (!name) return await run(inline(text, literals));
      try {
        return await run(`execute ${name}${literals.length ? `(${literals.join(', ')})` : ''}`);
      } catch (err) {
        // The connection lost its statements (a `discard all` by someone else): prepare again, once.
        if (sqlState(err) !== UNDEFINED_PREPARED_STATEMENT) throw err;
        this.statements.forget(client, name);
        const again = await this.statements.ensure(client, text);
        return await run(again ? `execute ${again}${literals.length ? `(${literals.join(', ')})` : ''}` : inline(text, literals));
      }
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
