import type { EntityManager } from '@mikro-orm/postgresql';
import { rateLimited } from '../common/errors.js';

/** How many sign-in attempts a window allows; see Config `login*`. */
export interface LoginLimits {
  /** Failed attempts per (user name, client address) per window, default 10. */
  maxFailures: number;
  /** Failed attempts per client address per window, whatever the user names, default 100. */
  maxFailuresPerAddress: number;
  /** The window in seconds, default 300; it starts at a key's first attempt. */
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { maxFailures: 10, maxFailuresPerAddress: 100, windowSeconds: 300 };

/** Rows older than this many windows are deleted, at most once a window, by the next sign-in. */
const PRUNE_AFTER_WINDOWS = 2;

/**
 * Counts an attempt in both scopes in one statement. Each row's update holds its row lock until the
 * statement ends, so concurrent attempts receive distinct counts 1, 2, 3 …: exactly the first `max` are
 * allowed through, however many arrive at once and on whichever replica. Keys are listed address first,
 * so every attempt locks its two rows in the same order.
 */
const COUNT_SQL = `
  insert into login_attempt as a ("key", "count", "window_started_at") values (?, 1, now()), (?, 1, now())
  on conflict ("key") do update set
    "count" = case when a.window_started_at <= now() - make_interval(secs => ?) then 1 else a.count + 1 end,
    "window_started_at" = case when a.window_started_at <= now() - make_interval(secs => ?) then now() else a.window_started_at end
  returning "key", "count", ceil(extract(epoch from a.window_started_at + make_interval(secs => ?) - now()))::int as "retry_after"`;

/** A success forgets the pair's failures and gives the address back the attempt it just counted. */
const SUCCEEDED_SQL = `
  with pair as (delete from login_attempt where "key" = ?)
  update login_attempt set "count" = greatest("count" - 1, 0) where "key" = ?`;

const PRUNE_SQL = `delete from login_attempt where window_started_at < now() - make_interval(secs => ?)`;

/**
 * Sign-in throttling shared by every replica through PostgreSQL. An attempt is counted before its password
 * is checked, per (user name, client address) and per client address: an attacker at one address exhausts
 * only its own budget, never the real user's at another, and N concurrent guesses are checked at most as
 * often as the limit allows.
 */
export class LoginThrottle {
  private prunedAt = 0;

  constructor(private readonly limits: LoginLimits) {}

  /**
   * Counts this attempt; throws RATE_LIMITED (with retryAfterSeconds) when either scope is over its limit,
   * and then the password must not be checked.
   */
  async attempt(em: EntityManager, username: string, address: string): Promise<void> {
    const { maxFailures, maxFailuresPerAddress, windowSeconds } = this.limits;
    this.pruneNow(em);
    const addressKey = keyOf(null, address);
    const rows = await em.execute<{ key: string; count: number; retry_after: number }[]>(COUNT_SQL, [addressKey, keyOf(username, address), windowSeconds, windowSeconds, windowSeconds]);
    for (const row of rows) {
      const max = row.key === addressKey ? maxFailuresPerAddress : maxFailures;
      if (row.count > max) throw rateLimited('Too many failed sign-ins; wait and try again', Math.max(1, row.retry_after));
    }
  }

  /** After a correct password: the pair's count starts again, the address's forgets this attempt. */
  async succeeded(em: EntityManager, username: string, address: string): Promise<void> {
    await em.execute(SUCCEEDED_SQL, [keyOf(username, address), keyOf(null, address)]);
  }

  private pruneNow(em: EntityManager): void {
    const now = Date.now();
    if (now - this.prunedAt < this.limits.windowSeconds * 1000) return;
    this.prunedAt = now;
    em.fork()
      .execute(PRUNE_SQL, [this.limits.windowSeconds * PRUNE_AFTER_WINDOWS])
      .catch(() => undefined);
  }
}

/** `address:<address>` for the address's budget, `user:<address>:<name>` for the pair's. */
function keyOf(username: string | null, address: string): string {
  return username === null ? `address:${address}` : `user:${address}:${username}`;
}
