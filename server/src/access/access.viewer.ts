import { unauthenticated } from '../common/errors.js';
import type { Role } from './access.roles.js';

/** Who is calling: a signed-in user or an API key, resolved once per request (or per socket). */
export interface Viewer {
  kind: 'user' | 'key';
  id: string;
  /** Username or key name, as written in the timeline. */
  name: string;
  role: Role;
  /** The crew a CREW user belongs to. */
  crewId: string | null;
  /** When the credential stops being valid (sessions only). */
  expiresAt: Date | null;
  /** The session or key row whose revocation ends this viewer. */
  credentialId: string;
}

/** `user:<id>` or `key:<id>`: what a report records as its submitter. */
export function principalOf(viewer: Viewer): string {
  return `${viewer.kind}:${viewer.id}`;
}

/** The caller; UNAUTHENTICATED without one. Which roles an operation needs is the access policy's (access/access.policy.ts). */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}

/** Keeps the first letter of each word: "محمد العتيبي" → "م*** ا***". */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return name ?? null;
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `${Array.from(word)[0]}***`)
    .join(' ');
}

/** Keeps the country and mobile prefix and the last three digits: "+966551234567" → "+9665*****567". */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  if (phone.length <= 7) return '*'.repeat(phone.length);
  const head = phone.startsWith('+') ? 5 : 2;
  return phone.slice(0, head) + '*'.repeat(phone.length - head - 3) + phone.slice(-3);
}
