import pg from 'pg';

/** The channel the database announces revoked sessions and keys on (Migration20261201000000LoginThrottle). */
export const REVOCATION_CHANNEL = 'credential_revoked';

/** Longest wait between reconnection attempts while the database is away. */
const MAX_BACKOFF_MS = 5_000;

export interface RevocationListenerOptions {
  databaseUrl: string;
  /** Called with the id of each session or API key revoked anywhere: any replica, the CLI, plain SQL. */
  onRevoked(credentialId: string): void;
  /** Called after each (re)connection: announcements made while disconnected were missed. */
  onListening(): void;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/**
 * One per process: a connection of its own LISTENs on `credential_revoked`, so a sign-out, a renewal or a
 * key revocation on any replica ends that credential's sockets and cached viewers here within
 * milliseconds of its commit. Reconnects with back-off when the database goes away; the sockets'
 * periodic database re-check covers what was announced in between.
 */
export class RevocationListener {
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: RevocationListenerOptions) {}

  async start(): Promise<void> {
    await this.listen();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    let retried = false;
    const retry = (err?: unknown) => {
      if (retried) return;
      retried = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      if (this.failures === 0) this.options.log.warn({ err }, 'revocation listener: connection lost; reconnecting');
      this.scheduleListen();
    };
    client.on('error', retry);
    client.on('end', () => retry());
    client.on('notification', (message) => {
      if (message.channel === REVOCATION_CHANNEL && message.payload) this.options.onRevoked(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${REVOCATION_CHANNEL}`);
    } catch (err) {
      retry(err);
      return;
    }
    if (this.stopped) {
      retry();
      return;
    }
    if (this.failures > 0) this.options.log.info({}, 'revocation listener: listening again');
    this.failures = 0;
    this.client = client;
    this.options.onListening();
  }

  private scheduleListen(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.listen();
    }, delay);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}
