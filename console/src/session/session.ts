import { shallowRef } from 'vue';

export type Role = 'DISPATCHER' | 'SUPERVISOR' | 'CREW' | 'INTAKE' | 'INTEGRATOR' | 'AGENT';

/** A signed-in shift: the bearer token, when it stops working, and who it belongs to. */
export interface Session {
  token: string;
  expiresAt: string;
  viewer: { id: string; username: string; role: Role; crew: { id: string; name: string; nameAr: string; nameEn: string } | null };
}

const STORAGE_KEY = 'balagh.session';

function read(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

/**
 * The current session, kept in localStorage for the shift so a reload stays signed in. Another tab's
 * renewal (which kills this tab's old token) is adopted through the storage event.
 */
export const session = shallowRef<Session | null>(read());

/** The bearer token of the current session, if any. */
export function currentToken(): string | null {
  return session.value?.token ?? null;
}

/** Stores a new or renewed session. */
export function setSession(next: Session): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  session.value = next;
}

/** Forgets the session (sign-out, or a token the server no longer accepts). */
export function clearSession(): void {
  localStorage.removeItem(STORAGE_KEY);
  session.value = null;
}

/** Whether the role works the dispatch floor (queue, map, crews board, call-taking). */
export function isStaff(role: Role | undefined): boolean {
  return role === 'DISPATCHER' || role === 'SUPERVISOR';
}

/** Whether the role works the satisfaction center (follow-up calls, the inquiry inbox, the caller lookup). */
export function isAgent(role: Role | undefined): boolean {
  return role === 'AGENT';
}

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== STORAGE_KEY) return;
    session.value = read();
  });
}
