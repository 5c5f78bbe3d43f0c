import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, forbidden, unauthenticated } from '../common/errors.js';
import { requiredText } from '../common/validate.js';
import { Crew } from '../crews/crews.entity.js';
import { ApiKey, Session, User } from './auth.entity.js';
import { KEY_ROLES, Role, USER_ROLES } from '../access/access.roles.js';
import { DEFAULT_LOGIN_LIMITS, LoginThrottle, type LoginLimits } from './login-throttle.js';
import { hashPassword, sha256, verifyNoPassword, verifyPassword } from './password.js';
import type { Viewer } from '../access/access.viewer.js';

/** How long a resolved credential is trusted before the database is asked again (revocations skip the wait). */
const CACHE_MS = 5_000;
/** Revoked credential ids remembered in memory; older ones are still refused, by the database. */
const REVOKED_REMEMBERED = 10_000;

export interface LoginResult {
  token: string;
  expiresAt: Date;
  viewer: Viewer;
}

/**
 * Sessions, API keys and the viewer behind a bearer credential. Tokens and keys are stored as SHA-256
 * only; a resolved viewer is cached for a few seconds so a burst of requests costs one lookup. A
 * revocation is announced by the database to every replica (auth.revocations.ts calls `revoked`), which
 * drops the credential from the cache and ends its sockets at once; on the replica that revoked, before
 * the mutation answers.
 */
export class AuthService {
  private readonly cache = new Map<string, { viewer: Viewer | null; until: number }>();
  private readonly revokedIds = new Set<string>();
  private readonly revocationListeners = new Set<(credentialId: string) => void>();
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly tokenTtlHours: number,
    loginLimits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {
    this.throttle = new LoginThrottle(loginLimits);
  }

  /** The viewer for an `Authorization` header value, or null when absent, unknown, expired or revoked. */
  async authenticate(em: EntityManager, header: string | undefined | null): Promise<Viewer | null> {
    const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
    if (!match) return null;
    const hash = sha256(match[1]);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now && (!cached.viewer?.expiresAt || cached.viewer.expiresAt.getTime() > now)) return cached.viewer;
    const found = await this.lookup(em, hash);
    const viewer = found && this.revokedIds.has(found.credentialId) ? null : found;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { viewer, until: now + CACHE_MS });
    return viewer;
  }

  /** Whether a credential is still good: used by long-lived sockets to end revoked or expired ones. */
  async stillValid(em: EntityManager, viewer: Viewer): Promise<boolean> {
    if (viewer.expiresAt && viewer.expiresAt.getTime() <= Date.now()) return false;
    if (this.revokedIds.has(viewer.credentialId)) return false;
    // One statement, no entities: sockets ask this for every operation they carry, and loading the session
    // and its user as entities for each doubled an idle socket's resident memory in the fan-out benchmark.
    const [row] = await em.execute<{ valid: boolean }[]>(
      viewer.kind === 'key'
        ? 'select exists (select 1 from api_key k where k.id = ? and k.revoked_at is null) as valid'
        : 'select exists (select 1 from session s join app_user u on u.id = s.user_id where s.id = ? and s.revoked_at is null and u.active and s.expires_at > now()) as valid',
      [viewer.credentialId],
    );
    return row?.valid === true;
  }

  private async lookup(em: EntityManager, hash: string): Promise<Viewer | null> {
    const session = await em.findOne(Session, { tokenHash: hash }, { populate: ['user'] });
    if (session) {
      if (session.revokedAt || session.expiresAt.getTime() <= Date.now() || !session.user.active) return null;
      return this.userViewer(session.user, session);
    }
    const key = await em.findOne(ApiKey, { keyHash: hash });
    if (!key || key.revokedAt) return null;
    return { kind: 'key', id: key.id, name: key.name, role: key.role, crewId: null, expiresAt: null, credentialId: key.id };
  }

  private userViewer(user: User, session: Session): Viewer {
    return {
      kind: 'user',
      id: user.id,
      name: user.username,
      role: user.role,
      crewId: user.crew?.id ?? null,
      expiresAt: session.expiresAt,
      credentialId: session.id,
    };
  }

  /**
   * Checks the password and opens a session for one shift. The attempt is counted first (LoginThrottle):
   * over the limit for this name from this client address, or for this address, it is RATE_LIMITED and
   * the password is not checked. An unknown or inactive name runs the same slow hash as a wrong password,
   * so the time to refuse does not tell which names exist.
   */
  async login(em: EntityManager, username: string, password: string, clientAddress: string): Promise<LoginResult> {
    const name = requiredText('username', username, 80).toLowerCase();
    if (!password) throw badInput('password', 'password is required');
    await this.throttle.attempt(em, name, clientAddress);
    const found = await em.findOne(User, { username: name }, { populate: ['crew'] });
    const user = found?.active ? found : null;
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyNoPassword(password);
    if (!user || !ok) throw unauthenticated('Wrong username or password');
    await this.throttle.succeeded(em, name, clientAddress);
    return this.openSession(em, user);
  }

  private async openSession(em: EntityManager, user: User): Promise<LoginResult> {
    const token = `b940_${randomBytes(32).toString('base64url')}`;
    const session = new Session();
    session.tokenHash = sha256(token);
    session.user = user;
    session.expiresAt = new Date(Date.now() + this.tokenTtlHours * 3_600_000);
    await em.persist(session).flush();
    return { token, expiresAt: session.expiresAt, viewer: this.userViewer(user, session) };
  }

  /**
   * A fresh token for the rest of a shift; the caller's old token stops working at once. Single use: the
   * old session is revoked only if it still is open, in the transaction that opens the new one, so of
   * concurrent renewals exactly one gets a session and the others UNAUTHENTICATED. FORBIDDEN for an API key.
   */
  async renew(em: EntityManager, viewer: Viewer): Promise<LoginResult> {
    if (viewer.kind !== 'user') throw forbidden('API keys do not expire and cannot be renewed');
    const result = await em.transactional(async (tx) => {
      const revoked = await tx.nativeUpdate(Session, { id: viewer.credentialId, revokedAt: null, expiresAt: { $gt: new Date() } }, { revokedAt: new Date() });
      if (revoked === 0) throw unauthenticated('This token was renewed, signed out or has expired: sign in again');
      const user = await tx.findOne(User, { id: viewer.id, active: true }, { populate: ['crew'] });
      if (!user) throw unauthenticated();
      return this.openSession(tx, user);
    });
    this.revoked(viewer.credentialId);
    return result;
  }

  /**
   * Revokes the caller's session; its sockets on this replica are closed before this returns, on the
   * others when the database's announcement reaches them. FORBIDDEN for an API key: a key cannot sign
   * out, only be revoked.
   */
  async logout(em: EntityManager, viewer: Viewer): Promise<boolean> {
    if (viewer.kind !== 'user') throw forbidden('An API key cannot sign out; have it revoked instead');
    await em.nativeUpdate(Session, { id: viewer.credentialId, revokedAt: null }, { revokedAt: new Date() });
    this.revoked(viewer.credentialId);
    return true;
  }

  /** Revokes an API key (the CLI's `apikey:revoke`); false when there is no such key or it was revoked already. */
  async revokeApiKey(em: EntityManager, keyId: string): Promise<boolean> {
    const revoked = await em.nativeUpdate(ApiKey, { id: keyId, revokedAt: null }, { revokedAt: new Date() });
    if (revoked === 0) return false;
    this.revoked(keyId);
    return true;
  }

  /**
   * A session or key stopped working (here, or on another replica as the database announced): it leaves
   * the cache, stays refused from memory, and its listeners (the sockets) are told.
   */
  revoked(credentialId: string): void {
    for (const [hash, entry] of this.cache) if (entry.viewer?.credentialId === credentialId) this.cache.delete(hash);
    if (this.revokedIds.size >= REVOKED_REMEMBERED) this.revokedIds.delete(this.revokedIds.values().next().value!);
    this.revokedIds.add(credentialId);
    for (const listener of this.revocationListeners) listener(credentialId);
  }

  /** Calls `listener` with every credential `revoked` is told about; returns the unsubscribe. */
  onRevoked(listener: (credentialId: string) => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** Forgets every cached viewer: after the revocation listener reconnects, announcements may have been missed. */
  forgetCached(): void {
    this.cache.clear();
  }

  /** Creates a user (the CLI's `user:create`, demo seeding, tests). */
  async createUser(em: EntityManager, input: { username: string; password: string; role: Role; crewId?: string | null }): Promise<User> {
    const username = requiredText('username', input.username, 80).toLowerCase();
    if (!/^[a-z0-9._-]+$/.test(username)) throw badInput('username', 'username may use a-z, 0-9, dot, dash and underscore');
    if (input.password.length < 8) throw badInput('password', 'password must have at least 8 characters');
    if (!USER_ROLES.includes(input.role)) throw badInput('role', `users are ${USER_ROLES.join(', ')}; ${KEY_ROLES.join(' and ')} are API keys`);
    if (input.role === Role.CREW && !input.crewId) throw badInput('crewId', 'a CREW user belongs to a crew');
    const user = new User();
    user.username = username;
    user.passwordHash = await hashPassword(input.password);
    user.role = input.role;
    user.crew = input.crewId ? em.getReference(Crew, input.crewId) : null;
    await em.persist(user).flush();
    return user;
  }

  /** Stores a key's hash; the plain key is only ever known to the caller. */
  async createApiKey(em: EntityManager, input: { name: string; key: string; role: Role }): Promise<ApiKey> {
    if (!KEY_ROLES.includes(input.role)) throw badInput('role', `API keys are ${KEY_ROLES.join(' or ')}`);
    if (input.key.length < 12) throw badInput('key', 'an API key must have at least 12 characters');
    const key = new ApiKey();
    key.name = requiredText('name', input.name, 120);
    key.keyHash = sha256(input.key);
    key.role = input.role;
    await em.persist(key).flush();
    return key;
  }
}

declare module '../access/access.context.js' {
  interface Services {
    auth: AuthService;
  }
}
