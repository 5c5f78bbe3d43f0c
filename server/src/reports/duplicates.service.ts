import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../access/access.viewer.js';
import type { DuplicatesConfig } from '../common/config.js';
import { badInput, notFound } from '../common/errors.js';
import { distanceKm } from '../common/geo.js';
import * as check from '../common/validate.js';
import { asView } from '../common/view-type.js';
import { appendEvent } from '../outbox/outbox.writer.js';
import { DispatchEventType } from '../outbox/outbox.map.js';
import { PossibleDuplicateView } from './duplicates.types.js';
import { Report } from './reports.entity.js';
import { OPEN_STATUSES, ReportStatus } from './reports.enums.js';
import { isOpen, toReportSnapshot } from './reports.mapper.js';
import type { ReportsService } from './reports.service.js';

/** At most this many suggestions per report, nearest first: a hint for a person, not a search. */
export const MAX_POSSIBLE_DUPLICATES = 5;

/**
 * Which reports take part in duplicate suggestions, as the asking report and as a candidate: open work, and
 * work resolved or closed recently. "Recently" needs no column of its own: a candidate is received within the
 * window of the asking report, and resolved after it was received. REJECTED reports are no incident, and a
 * DUPLICATE one is represented by the report it was merged into (see `find`).
 */
export const DUPLICATE_CANDIDATE_STATUSES: readonly ReportStatus[] = [...OPEN_STATUSES, ReportStatus.RESOLVED, ReportStatus.CLOSED];

/** Metres per degree of latitude, rounded down so the box drawn from it always holds the whole circle. */
const METRES_PER_DEGREE = 110_000;

/** The timeline code of a dismissed suggestion; its params name the other report. */
export const DUPLICATE_DISMISSED = 'DUPLICATE_DISMISSED';

interface CandidateRow {
  subject_id: string;
  subject_lat: number;
  subject_lng: number;
  subject_received_at: Date;
  radius_m: number;
  near_lat: number;
  near_lng: number;
  id: string;
  reference: string;
  status: ReportStatus;
  lat: number;
  lng: number;
  received_at: Date;
}

/**
 * Possible duplicates (issue 13): reports of one category near in place and time, suggested on intake and on
 * every read so a burst of reports about one billboard is one alarm, not ten; and the dispatcher's "not a
 * duplicate". Merging stays `ReportsService.markDuplicate`.
 */
export class DuplicatesService {
  constructor(
    private readonly reports: ReportsService,
    private readonly defaults: DuplicatesConfig,
  ) {}

  /**
   * The possible duplicates of each report in `reportIds` (in that order), nearest first, at most
   * MAX_POSSIBLE_DUPLICATES each: reports of the same category received within the category's window (default
   * DUPLICATE_WINDOW_HOURS, before or after) and within its radius (default DUPLICATE_RADIUS_M), in
   * DUPLICATE_CANDIDATE_STATUSES; not the report itself, not a pair a dispatcher dismissed. A nearby report that
   * was merged (DUPLICATE) stands for its original: the original is suggested, with its own distance and time.
   * A report that is itself merged or rejected gets none. One statement for the whole batch: per
   * report, a range of `report_duplicate_index` (category, received_at, then the lat/lng box on the index
   * entries), then the exact great-circle distance here.
   */
  async find(em: EntityManager, reportIds: readonly string[]): Promise<PossibleDuplicateView[][]> {
    if (!reportIds.length) return [];
    const rows = await em.execute<CandidateRow[]>(
      `select s.id as subject_id, s.lat as subject_lat, s.lng as subject_lng, s.received_at as subject_received_at, p.radius_m,
              c.lat as near_lat, c.lng as near_lng, o.id, o.reference, o.status, o.lat, o.lng, o.received_at
         from report s
         join category cat on cat.code = s.category_code
         cross join lateral (select coalesce(cat.duplicate_radius_m, ?)::float8 as radius_m, make_interval(hours => coalesce(cat.duplicate_window_hours, ?)) as win) p
         join report c on c.category_code = s.category_code
              and c.received_at between s.received_at - p.win and s.received_at + p.win
              and c.lat between s.lat - p.radius_m / ${METRES_PER_DEGREE} and s.lat + p.radius_m / ${METRES_PER_DEGREE}
              and c.lng between s.lng - p.radius_m / (${METRES_PER_DEGREE} * cos(radians(s.lat))) and s.lng + p.radius_m / (${METRES_PER_DEGREE} * cos(radians(s.lat)))
              and c.id <> s.id
         join report o on o.id = coalesce(c.duplicate_of_id, c.id)
        where s.id in (?) and s.status in (?) and o.id <> s.id and o.status in (?)
          and not exists (select 1 from duplicate_dismissal d where d.report_id = least(s.id, o.id) and d.other_id = greatest(s.id, o.id))`,
      [this.defaults.radiusM, this.defaults.windowHours, [...reportIds], [...DUPLICATE_CANDIDATE_STATUSES], [...DUPLICATE_CANDIDATE_STATUSES]],
    );
    const bySubject = new Map<string, Map<string, PossibleDuplicateView>>();
    for (const row of rows) {
      if (distanceKm(row.subject_lat, row.subject_lng, row.near_lat, row.near_lng) * 1000 > row.radius_m) continue;
      const found = bySubject.get(row.subject_id) ?? new Map<string, PossibleDuplicateView>();
      bySubject.set(row.subject_id, found);
      if (found.has(row.id)) continue;
      const apartMs = new Date(row.received_at).getTime() - new Date(row.subject_received_at).getTime();
      found.set(
        row.id,
        asView(PossibleDuplicateView, {
          reportId: row.id,
          reference: row.reference,
          status: row.status,
          open: isOpen({ status: row.status }),
          distanceMeters: Math.round(distanceKm(row.subject_lat, row.subject_lng, row.lat, row.lng) * 1000),
          minutesApart: Math.round(Math.abs(apartMs) / 60_000),
          earlier: apartMs < 0,
        }),
      );
    }
    return reportIds.map((id) =>
      [...(bySubject.get(id)?.values() ?? [])]
        .sort((a, b) => a.distanceMeters - b.distanceMeters || a.minutesApart - b.minutesApart || a.reference.localeCompare(b.reference))
        .slice(0, MAX_POSSIBLE_DUPLICATES),
    );
  }

  /**
   * Records that `reportId` and `otherId` are not the same problem, so neither is suggested as the other's
   * duplicate again. Both reports are locked in id order (as markDuplicate does), and when the pair is new each
   * gets a DUPLICATE_DISMISSED timeline line naming the other, a new version and a REPORT_UPDATED event, so every
   * console drops the hint live. Dismissing a pair already dismissed changes nothing and answers the report.
   */
  async dismiss(em: EntityManager, viewer: Viewer, reportId: string, otherId: string): Promise<Report> {
    const id = check.id('reportId', reportId);
    const other = check.id('duplicateOfId', otherId);
    if (id === other) throw badInput('duplicateOfId', 'a report cannot duplicate itself');
    return em.transactional(async (tx) => {
      await tx.execute('select id from report where id in (?, ?) order by id for update', [id, other]);
      const report = await this.reports.lock(tx, id, 'reportId');
      const otherReport = await tx.findOne(Report, { id: other });
      if (!otherReport) throw notFound('Report', other, 'duplicateOfId');
      const [low, high] = id < other ? [id, other] : [other, id];
      const inserted = await tx.execute<{ report_id: string }[]>(
        'insert into duplicate_dismissal (report_id, other_id, dismissed_at, dismissed_by) values (?, ?, ?, ?) on conflict do nothing returning report_id',
        [low, high, new Date(), viewer.name],
      );
      if (!inserted.length) return report;
      for (const [changed, named] of [
        [report, otherReport],
        [otherReport, report],
      ] as const) {
        this.reports.touch(changed);
        this.reports.addTimeline(tx, changed, viewer, DUPLICATE_DISMISSED, null, null, null, null, { reference: named.reference });
        appendEvent(tx, DispatchEventType.REPORT_UPDATED, { v: 1, report: toReportSnapshot(changed), action: 'DISMISS_DUPLICATE' }, await this.reports.holders(tx, changed.id));
      }
      return report;
    });
  }
}

declare module '../access/access.context.js' {
  interface Services {
    duplicates: DuplicatesService;
  }
}
