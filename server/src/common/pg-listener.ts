import pg from 'pg';

/** Longest wait between reconnection attempts while the database is away. */
const MAX_BACKOFF_MS = 2_000;

export interface PgListenerOptions {
  databaseUrl: string;
  /** The channel to LISTEN on; a plain identifier chosen by the code, never user input. */
  channel: string;
  /** Called with the payload of each notification on the channel. */
  onNotify(payload: string): void;
  /** Called after each (re)connection: notifications sent while disconnected were missed, so catch up. */
  onListening(): void;
  /** Called when the connection is lost or cannot be opened; a reconnection with back-off follows. */
  onLost?(err: unknown): void;
  /** Names the listener in its log lines. */
  name: string;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/**
 * A connection of its own that LISTENs on one channel and keeps listening: when the database goes away it
 * reconnects with back-off (100 ms doubling to 2 s), and tells its owner both when the connection is lost
 * (so it can probe or report an outage) and when it listens again (so it can read what it missed). The
 * event hub wakes on it; the sockets end revoked credentials on it.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: PgListenerOptions) {}

  /** Connects and listens; a database that cannot be reached yet is retried in the background. */
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
      if (this.failures === 0) this.options.log.warn({ err }, `${this.options.name}: connection lost; reconnecting`);
      this.scheduleListen();
      this.options.onLost?.(err);
    };
    client.on('error', retry);
    client.on('end', () => retry());
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.options.onNotify(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`listen ${this.options.channel}`);
    } catch (err) {
      retry(err);
      return;
    }
    if (this.stopped) {
      retry();
      return;
    }
    if (this.failures > 0) this.options.log.info({}, `${this.options.name}: listening again`);
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
