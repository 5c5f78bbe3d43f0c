import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MediaVariant } from './media.enums.js';

/** Links are valid until a whole minute, so one viewer's links to a file stay the same URL (cacheable) within that minute. */
const ROUND_MS = 60_000;
const SECRET_NAME = 'media-url';

/** What a signed link's check found. */
export type LinkCheck = 'valid' | 'expired' | 'invalid';

/**
 * Short-lived signed links to media copies. `<img>` and `<audio>` cannot send a Bearer header, so GraphQL
 * hands out `/media/<id>/<variant>?exp=…&sig=…` only for the copies the access policy lets that viewer
 * fetch (`mediaVariants`), and the link itself is the permission until it expires. The signature covers the
 * id, the copy and the expiry, so a link to a thumbnail does not open the original.
 */
export class MediaLinks {
  constructor(
    private readonly secret: Buffer,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The signing key: MEDIA_URL_SECRET when set, otherwise one random key kept in the database (created by the
   * first process to ask), so every replica on that database signs and checks alike.
   */
  static async secret(em: EntityManager, configured: string | null): Promise<Buffer> {
    if (configured) return Buffer.from(configured, 'utf8');
    await em.execute('insert into server_secret (name, value) values (?, ?) on conflict (name) do nothing', [SECRET_NAME, randomBytes(32).toString('base64url')]);
    const [row] = await em.execute<{ value: string }[]>('select value from server_secret where name = ?', [SECRET_NAME]);
    return Buffer.from(row.value, 'base64url');
  }

  /** A signed path to copy `variant` of media `id`, valid for about the configured time. */
  url(id: string, variant: MediaVariant): string {
    const expires = Math.ceil((this.now() + this.ttlSeconds * 1000) / ROUND_MS) * ROUND_MS;
    const exp = String(Math.floor(expires / 1000));
    return `/media/${id}/${variant}?exp=${exp}&sig=${this.sign(id, variant, exp)}`;
  }

  /** Whether `exp` and `sig` were signed here for this id and copy, and are still valid. */
  check(id: string, variant: string, exp: unknown, sig: unknown): LinkCheck {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'invalid';
    const expected = Buffer.from(this.sign(id, variant, exp));
    if (!timingSafeEqual(expected, Buffer.from(sig))) return 'invalid';
    return Number(exp) * 1000 < this.now() ? 'expired' : 'valid';
  }

  private sign(id: string, variant: string, exp: string): string {
    return createHmac('sha256', this.secret).update(`${id}\n${variant}\n${exp}`).digest('base64url');
  }
}
