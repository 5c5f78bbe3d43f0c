import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Role } from '../access/access.roles.js';
import type { Viewer } from '../access/access.viewer.js';
import { badInput, limitReached, notFound } from '../common/errors.js';
import { PgListener } from '../common/pg-listener.js';
import { PresenceStream } from './presence.stream.js';

/** The channel a change of presence is announced on, with the report's id as payload; every process listens. */
export const PRESENCE_CHANNEL = 'report_presence';

/** Reports one `reportPresence` subscription may name (none: every report someone has open). */
export const MAX_FOLLOWED_REPORTS = 200;

/** One person who has a report open now: the earliest of their pages on it. */
export interface Presence {
  userId: string;
  name: string;
  role: Role;
  since: Date;
}

/** Who has one report open now (nobody: an empty list). */
export interface ReportPresence {
  reportId: string;
  viewers: Presence[];
}

export interface PresenceOptions {
  /** How long a row outlives its process's last refresh (PRESENCE_TTL_MS); the process refreshes every third of it. */
  ttlMs: number;
  /** Reports one person may have open at once, over every tab and process (PRESENCE_MAX_REPORTS). */
  maxReports: number;
  /** The time rows are stamped and expired by; tests move it. */
  clock?: () => Date;
}

interface Row {
  report_id: string;
  user_id: string;
  name: string;
  role: Role;
  since: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const LIVE_ROWS_SQL = `select report_id::text, user_id::text, name, role, since from report_presence where expires_at > $1 order by since, id`;
const LIVE_ROWS_OF_SQL = `select report_id::text, user_id::text, name, role, since from report_presence where report_id = any($1::uuid[]) and expires_at > $2 order by since, id`;
const NOTIFY_SQL = `select pg_notify('${PRESENCE_CHANNEL}', $1)`;
/** Deletes rows and announces each report they were on, in one statement. */
const announceDeleted = (where: string) =>
  `with gone as (delete from report_presence where ${where} returning report_id) select pg_notify('${PRESENCE_CHANNEL}', report_id::text) from (select distinct report_id from gone) g`;
const WITHDRAW_SQL = announceDeleted('id = $1');
const SWEEP_SQL = announceDeleted('expires_at <= $1');
const WITHDRAW_INSTANCE_SQL = announceDeleted('instance_id = $1');

/** Viewers grouped by report, one entry per person (their earliest page), in the order they arrived. */
function groupRows(rows: readonly Row[]): Map<string, Presence[]> {
  const byReport = new Map<string, Presence[]>();
  for (const row of rows) {
    const viewers = byReport.get(row.report_id) ?? [];
    if (viewers.some((viewer) => viewer.userId === row.user_id)) continue;
    viewers.push({ userId: row.user_id, name: row.name, role: row.role, since: row.since });
    byReport.set(row.report_id, viewers);
  }
  return byReport;
}

const signature = (viewers: readonly Presence[]) => viewers.map((viewer) => `${viewer.userId}@${viewer.since.getTime()}`).join(',');

/**
 * Who has which report open, across every server process (issue 13). A page announces itself with a
 * subscription (`viewingReport`) whose lifetime is the presence: a row in `report_presence` written when it starts
 * and deleted when it ends, which graphql-ws does when the client completes it, when its socket closes, and when
 * the socket's keep-alive ping goes unanswered. Each change NOTIFYs the report's id; every process LISTENs, re-reads
 * the rows of the reports it was told about (one query per wake-up, however many subscribers) and keeps a mirror of
 * who views what, from which it feeds its local `reportPresence` and `viewingReport` subscribers. A process
 * refreshes the expiry of all its rows in one statement every third of the TTL, so a process that dies
 * without cleaning up loses its rows within the TTL, swept by any live process.
 */
export class PresenceService {
  private readonly instanceId = randomUUID();
  private readonly clock: () => Date;
  private pool: pg.Pool | null = null;
  private listener: PgListener | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly mirror = new Map<string, Presence[]>();
  private readonly streams = new Set<PresenceStream>();
  /** Reports told about and not yet re-read; null means every report (so the first refresh reads them all). */
  private dirty: Set<string> | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;
  private log: { warn(obj: object, msg: string): void } = { warn: () => undefined };

  constructor(private readonly options: PresenceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Connects, reads who views what now and starts listening and refreshing (the app calls it once). */
  async start(databaseUrl: string, log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }): Promise<void> {
    this.log = log;
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 3, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
    this.pool.on('error', () => undefined);
    this.listener = new PgListener({
      databaseUrl,
      channel: PRESENCE_CHANNEL,
      name: 'presence',
      onNotify: (reportId) => this.markDirty(reportId),
      onListening: () => this.markDirty(null),
      log,
    });
    await this.listener.start();
    await this.refresh();
    const every = Math.max(100, Math.floor(this.options.ttlMs / 3));
    this.timer = setInterval(() => void this.heartbeat(), every);
    this.timer.unref();
  }

  /**
   * Announces that `viewer` has report `reportId` open, for as long as the returned stream lives (its `return`
   * withdraws it), and streams who has that report open: at once, then at every change. NOT_FOUND for no such
   * report; RATE_LIMITED past `maxReports` open at once (one person, every tab and process).
   */
  async watch(viewer: Viewer, reportId: string): Promise<PresenceStream> {
    if (!UUID.test(reportId)) throw badInput('reportId', 'reportId is not a report id');
    const pool = this.open();
    const id = randomUUID();
    const client = await pool.connect();
    try {
      await client.query('begin');
      const { rowCount } = await client.query('select 1 from report where id = $1', [reportId]);
      if (!rowCount) throw notFound('Report', reportId, 'reportId');
      await client.query('select pg_advisory_xact_lock(hashtextextended($1, 13))', [viewer.id]);
      const now = this.clock();
      const { rows } = await client.query<{ n: number }>('select count(distinct report_id)::int as n from report_presence where user_id = $1 and expires_at > $2 and report_id <> $3', [
        viewer.id,
        now,
        reportId,
      ]);
      if (rows[0].n >= this.options.maxReports) {
        throw limitReached(`You have ${this.options.maxReports} reports open already: close one first`, this.options.maxReports);
      }
      await client.query('insert into report_presence (id, report_id, user_id, name, role, instance_id, since, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8)', [
        id,
        reportId,
        viewer.id,
        viewer.name,
        viewer.role,
        this.instanceId,
        now,
        this.expiry(now),
      ]);
      await client.query(NOTIFY_SQL, [reportId]);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    const stream: PresenceStream = new PresenceStream(new Set([reportId]), () => this.withdraw(id, stream), true);
    this.streams.add(stream);
    await this.refreshNow([reportId]);
    stream.push({ reportId, viewers: this.mirror.get(reportId) ?? [] });
    return stream;
  }

  /**
   * Streams who has which report open: first every report of `reportIds` (none: every report someone has open
   * now), then each change of one of them. BAD_USER_INPUT past MAX_FOLLOWED_REPORTS ids or for an id that is not one.
   */
  async follow(reportIds: readonly string[] | null): Promise<PresenceStream> {
    if (reportIds && reportIds.length > MAX_FOLLOWED_REPORTS) throw badInput('reportIds', `Follow at most ${MAX_FOLLOWED_REPORTS} reports, or none for all`);
    if (reportIds?.some((id) => !UUID.test(id))) throw badInput('reportIds', 'reportIds holds something that is not a report id');
    this.open();
    await this.refreshing?.catch(() => undefined);
    const wanted = reportIds ? new Set(reportIds) : null;
    const stream: PresenceStream = new PresenceStream(wanted, () => {
      this.streams.delete(stream);
    });
    this.streams.add(stream);
    if (wanted) for (const reportId of wanted) stream.push({ reportId, viewers: this.mirror.get(reportId) ?? [] });
    else for (const [reportId, viewers] of this.mirror) stream.push({ reportId, viewers });
    return stream;
  }

  /** Who has each of these reports open now, read from the database (what every process agrees on). */
  async viewersOf(reportIds: readonly string[]): Promise<Presence[][]> {
    const { rows } = await this.open().query<Row>(LIVE_ROWS_OF_SQL, [reportIds, this.clock()]);
    const grouped = groupRows(rows);
    return reportIds.map((id) => grouped.get(id) ?? []);
  }

  /** Pages announced through this process and still open (tests wait on it). */
  get watching(): number {
    let count = 0;
    for (const stream of this.streams) if (stream.announces) count++;
    return count;
  }

  /** Withdraws every presence of this process and stops; later withdrawals are no-ops. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const stream of [...this.streams]) stream.end();
    this.streams.clear();
    await this.pool?.query(WITHDRAW_INSTANCE_SQL, [this.instanceId]).catch(() => undefined);
    await this.listener?.stop();
    await this.refreshing?.catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
  }

  private open(): pg.Pool {
    if (!this.pool || this.stopped) throw new Error('PresenceService is not started');
    return this.pool;
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.options.ttlMs);
  }

  private async withdraw(id: string, stream: PresenceStream): Promise<void> {
    this.streams.delete(stream);
    if (this.stopped) return;
    await this.pool?.query(WITHDRAW_SQL, [id]).catch((err: unknown) => this.log.warn({ err }, 'presence: withdrawing a page failed; it expires by its TTL'));
  }

  /** Keeps this process's rows alive, sweeps what dead processes left, and re-reads everything as a backstop. */
  private async heartbeat(): Promise<void> {
    if (this.stopped || !this.pool) return;
    try {
      const now = this.clock();
      await this.pool.query('update report_presence set expires_at = $2 where instance_id = $1', [this.instanceId, this.expiry(now)]);
      await this.pool.query(SWEEP_SQL, [now]);
    } catch (err) {
      this.log.warn({ err }, 'presence: heartbeat failed; retrying');
    }
    this.markDirty(null);
  }

  /** Notes a report to re-read (null: all) and starts a refresh unless one is running. */
  private markDirty(reportId: string | null): void {
    if (this.stopped) return;
    if (reportId === null || this.dirty === null) this.dirty = null;
    else if (UUID.test(reportId)) this.dirty.add(reportId);
    void this.refresh().catch((err: unknown) => this.log.warn({ err }, 'presence: reading who views what failed'));
  }

  /** Re-reads these reports now, after any refresh under way (so reads apply in order). */
  private async refreshNow(reportIds: string[]): Promise<void> {
    await this.refreshing?.catch(() => undefined);
    if (this.dirty) for (const id of reportIds) this.dirty.add(id);
    await this.refresh();
  }

  /** Reads what is dirty, one query at a time, until nothing is; concurrent callers share the run. */
  private refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.drain().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (this.dirty === null || this.dirty.size > 0)) {
      const dirty = this.dirty;
      this.dirty = new Set();
      const pool = this.open();
      const { rows } = dirty ? await pool.query<Row>(LIVE_ROWS_OF_SQL, [[...dirty], this.clock()]) : await pool.query<Row>(LIVE_ROWS_SQL, [this.clock()]);
      this.apply(groupRows(rows), dirty ?? new Set([...this.mirror.keys(), ...rows.map((row) => row.report_id)]));
    }
  }

  /** Updates the mirror for the reports read and tells local subscribers of each one that changed. */
  private apply(read: Map<string, Presence[]>, reportIds: Iterable<string>): void {
    for (const reportId of reportIds) {
      const viewers = read.get(reportId) ?? [];
      const before = this.mirror.get(reportId) ?? [];
      if (signature(before) === signature(viewers)) continue;
      if (viewers.length) this.mirror.set(reportId, viewers);
      else this.mirror.delete(reportId);
      const change = { reportId, viewers };
      for (const stream of this.streams) if (stream.wants(reportId)) stream.push(change);
    }
  }
}

declare module '../access/access.context.js' {
  interface Services {
    presence: PresenceService;
  }
}
