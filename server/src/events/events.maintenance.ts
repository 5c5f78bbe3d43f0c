import type { MikroORM } from '@mikro-orm/postgresql';
import type { MediaService } from '../media/media.service.js';
import type { ReportsService } from '../reports/reports.service.js';

export interface MaintenanceOptions {
  orm: MikroORM;
  reports: ReportsService;
  /** Deletes uploads never attached (MEDIA_UNATTACHED_HOURS) every `mediaPruneEveryMs` (default 15 min). */
  media?: MediaService;
  mediaPruneEveryMs?: number;
  retentionDays: number;
  /** How often open reports are checked for passing their target (default 15 s). */
  overdueEveryMs?: number;
  /** How often old events are pruned (default 1 h). */
  pruneEveryMs?: number;
  log: { warn(obj: object, msg: string): void };
}

/** Any number no other tool uses: one replica at a time prunes. */
const PRUNE_LOCK = 940_0002;

/**
 * Deletes events older than the retention window and records how far it pruned, so a resume from
 * before that point is refused with CURSOR_EXPIRED instead of silently skipping what was deleted.
 * It cuts at the newest cursor among old events of finished transactions, keeping cursor order whole.
 */
export async function pruneEvents(orm: MikroORM, retentionDays: number): Promise<number> {
  return orm.em.fork().transactional(async (tx) => {
    const [{ locked }] = await tx.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(?) as locked', [PRUNE_LOCK]);
    if (!locked) return 0;
    const cut = await tx.execute<{ tx_id: string; id: string }[]>(
      `select e.tx_id::text as tx_id, e.id::text as id from dispatch_event e
        where e.occurred_at < now() - make_interval(secs => ?) and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
        order by e.tx_id desc, e.id desc limit 1`,
      [retentionDays * 86_400],
    );
    if (cut.length === 0) return 0;
    const deleted = await tx.execute<{ n: string }[]>(`with gone as (delete from dispatch_event where (tx_id, id) <= (?::xid8, ?::bigint) returning 1) select count(*)::text as n from gone`, [
      cut[0].tx_id,
      cut[0].id,
    ]);
    await tx.execute(`update dispatch_event_retention set pruned_tx_id = ?::xid8, pruned_id = ?::bigint, pruned_at = now() where (pruned_tx_id, pruned_id) < (?::xid8, ?::bigint)`, [
      cut[0].tx_id,
      cut[0].id,
      cut[0].tx_id,
      cut[0].id,
    ]);
    return Number(deleted[0].n);
  });
}

/** The periodic jobs every replica runs: overdue detection, event retention, and unattached media. */
export class Maintenance {
  private readonly timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();

  constructor(private readonly options: MaintenanceOptions) {}

  start(): void {
    this.every(this.options.overdueEveryMs ?? 15_000, () => this.overdueNow());
    this.every(this.options.pruneEveryMs ?? 3_600_000, () => pruneEvents(this.options.orm, this.options.retentionDays));
    const media = this.options.media;
    if (media) this.every(this.options.mediaPruneEveryMs ?? 900_000, () => media.pruneUnattached(this.options.orm.em.fork()));
  }

  /** Runs the overdue check at once (tests and start-up). */
  overdueNow(): Promise<number> {
    return this.options.reports.markOverdue(this.options.orm.em.fork());
  }

  private every(ms: number, job: () => Promise<unknown>): void {
    const run = () => {
      const task = job()
        .catch((err) => this.options.log.warn({ err }, 'maintenance job failed; it runs again later'))
        .finally(() => this.running.delete(task));
      this.running.add(task);
    };
    run();
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.running);
  }
}
