import { watch } from 'vue';
import { useRun, type Run } from '../graphql/client.ts';
import { ApiError } from '../graphql/errors.ts';
import { LoginMutation, LogoutMutation, RenewTokenMutation } from './session.operations.ts';
import { clearSession, session, setSession, type Session } from './session.ts';

const MIN_RENEW_MS = 30_000;
const RETRY_RENEW_MS = 60_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Signs in and keeps the session; throws ApiError (UNAUTHENTICATED, RATE_LIMITED, …) on failure. */
export async function signIn(run: Run, username: string, password: string): Promise<Session> {
  const data = await run(LoginMutation, { username, password });
  const next: Session = { token: data.login.token, expiresAt: data.login.expiresAt, viewer: data.login.viewer };
  setSession(next);
  return next;
}

/** Ends the session on the server (the token dies at once) and forgets it here, even when offline. */
export async function signOut(run: Run): Promise<void> {
  try {
    await run(LogoutMutation, {});
  } catch {
    // the server may be unreachable; the local session still ends
  }
  clearSession();
}

let timer: ReturnType<typeof setTimeout> | null = null;

/** When to renew: halfway through what is left of the token's life, and never sooner than 30 s. */
export function renewDelay(expiresAt: string, nowMs: number): number {
  const left = Date.parse(expiresAt) - nowMs;
  return Math.min(MAX_TIMEOUT_MS, Math.max(MIN_RENEW_MS, Math.floor(left / 2)));
}

async function renew(run: Run): Promise<void> {
  const before = session.value;
  if (!before) return;
  try {
    const data = await run(RenewTokenMutation, {});
    if (session.value?.token !== before.token) return;
    setSession({ token: data.renewToken.token, expiresAt: data.renewToken.expiresAt, viewer: data.renewToken.viewer });
  } catch (err) {
    if (err instanceof ApiError && err.failure.code === 'UNAUTHENTICATED') {
      clearSession();
      return;
    }
    timer = setTimeout(() => void renew(run), RETRY_RENEW_MS);
  }
}

/**
 * Keeps the shift's session alive: renews the token before it expires, for as long as the console is
 * open (App.vue calls it once, in its setup, with the app's client). A renewal kills the old token at
 * once, so the live feed reconnects with the new one.
 */
export function keepSessionAlive(run: Run): void {
  watch(
    () => session.value?.expiresAt,
    (expiresAt) => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (!expiresAt) return;
      timer = setTimeout(() => void renew(run), renewDelay(expiresAt, Date.now()));
    },
    { immediate: true },
  );
}

/** Signing in and out over the app's GraphQL client, for a component: call in setup. */
export function useAuth() {
  const run = useRun();
  return {
    signIn: (username: string, password: string) => signIn(run, username, password),
    signOut: () => signOut(run),
  };
}
