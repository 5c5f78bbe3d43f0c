import { PgListener } from '../common/pg-listener.js';

/** The channel the database announces revoked sessions and keys on (Migration20261201000000LoginThrottle). */
export const REVOCATION_CHANNEL = 'credential_revoked';

export interface RevocationListenerOptions {
  databaseUrl: string;
  /** Called with the id of each session or API key revoked anywhere: any replica, the CLI, plain SQL. */
  onRevoked(credentialId: string): void;
  /** Called after each (re)connection: announcements made while disconnected were missed. */
  onListening(): void;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/**
 * One per process: LISTENs on `credential_revoked`, so a sign-out, a renewal or a key revocation on any
 * replica ends that credential's sockets and cached viewers here within milliseconds of its commit. While
 * the database is away the listener reconnects; the sockets' periodic database re-check and `onListening`
 * (which forgets cached viewers) cover what was announced in between.
 */
export function revocationListener(options: RevocationListenerOptions): PgListener {
  return new PgListener({
    databaseUrl: options.databaseUrl,
    channel: REVOCATION_CHANNEL,
    name: 'revocation listener',
    onNotify: (credentialId) => {
      if (credentialId) options.onRevoked(credentialId);
    },
    onListening: options.onListening,
    log: options.log,
  });
}
