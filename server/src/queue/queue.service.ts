import type { EntityManager } from '@mikro-orm/postgresql';
import { inSql, mayFindByReporterPhone, reportAudience, reportAudienceSql } from '../access/access.policy.js';
import type { Viewer } from '../access/access.viewer.js';
import { activeAssignmentSql, ASSIGNMENT_READ } from '../assignments/assignments.mapper.js';
import type { AssignmentView } from '../assignments/assignments.types.js';
import type { BoundedReads } from '../common/bounded-reads.js';
import { badInput, forbidden } from '../common/errors.js';
import { e164 } from '../common/phone.js';
import * as check from '../common/validate.js';
import { CREW_READ } from '../crews/crews.mapper.js';
import type { CrewView } from '../crews/crews.types.js';
import { OPEN_STATUSES, PRIORITY_RANK } from '../reports/reports.enums.js';
import { queueOrderSql, REPORT_READ } from '../reports/reports.mapper.js';
import type { ReportView } from '../reports/reports.types.js';
import { ReportOrder, type ReportFilter } from './queue.types.js';

export interface ReportPage {
  /** The page's reports; with `ReportRead.properties`, views holding just those properties. */
  reports: ReportView[];
  /** Per report, its active assignment and that assignment's crew, read with the page (null when it has none); undefined when not read. */
  active?: ({ assignment: AssignmentView; crew: CrewView } | null)[];
  cursors: string[];
  hasNextPage: boolean;
  count: () => Promise<number>;
}

/** What a list reads besides its order: the view properties its fields need (null for all), and whether the active assignment and crew. */
export interface ReportRead {
  properties: Set<keyof ReportView> | null;
  activeAssignment: boolean;
}

/** A row of the list's statement: the report's view columns, its queue rank (or its archive order's time), and JSON for the assignment and crew. */
type PageRow = ReportView & { targetAt: string; priorityRank: number; sortAt?: string; activeAssignment: AssignmentView | null; crew: CrewView | null };

/** An archive order: the report's time column it pages by, newest or oldest first, with the id breaking ties. */
interface TimeOrder {
  column: 'received_at' | 'updated_at';
  descending: boolean;
}

/**
 * The archive's orders. Each is served by a `(column, id)` B-tree index (migration 20261203000000), read
 * backwards for a descending order, so a page is an index range whatever the table's size.
 */
const TIME_ORDERS: Record<Exclude<ReportOrder, ReportOrder.QUEUE>, TimeOrder> = {
  RECEIVED_DESC: { column: 'received_at', descending: true },
  RECEIVED_ASC: { column: 'received_at', descending: false },
  UPDATED_DESC: { column: 'updated_at', descending: true },
};

/** A cursor of an archive order: the order it was written for, the time exactly as PostgreSQL wrote it, the id. */
interface TimeCursor {
  at: string;
  id: string;
}

interface Cursor {
  rank: number;
  /** The target time exactly as PostgreSQL wrote it (microseconds), so the keyset comparison is exact. */
  targetAt: string;
  id: string;
}

/** A timestamp as PostgreSQL writes one (or ISO 8601), in its parts, and nothing else. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|([+-])(\d{2}):?(\d{2})?)$/;

/**
 * Target times a list cursor can carry: from 2000 (before anything this platform received) to ten years
 * ahead (response targets are hours and days). Outside them the cursor was not written by this list.
 */
const CURSOR_TARGET_RANGE = { fromMs: Date.UTC(2000, 0, 1), aheadMs: 10 * 366 * 86_400_000 };

/** The instant `text` names, or NaN unless it is a real calendar date and time (no 31 February, no hour 25) in range. */
function cursorInstant(text: string): number {
  const parts = TIMESTAMP.exec(text);
  if (!parts) return NaN;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(local);
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  const [sign, offsetHours, offsetMinutes] = [parts[7], Number(parts[8] ?? 0), Number(parts[9] ?? 0)];
  if (!real || offsetHours > 15 || offsetMinutes > 59) return NaN;
  const instant = local - (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  if (instant < CURSOR_TARGET_RANGE.fromMs || instant > Date.now() + CURSOR_TARGET_RANGE.aheadMs) return NaN;
  return instant;
}

const RANKS = new Set(Object.values(PRIORITY_RANK));

function encodeCursor(row: PageRow): string {
  return Buffer.from(JSON.stringify([row.priorityRank, row.targetAt, row.id])).toString('base64url');
}

function encodeTimeCursor(order: ReportOrder, row: PageRow): string {
  return Buffer.from(JSON.stringify([order, row.sortAt, row.id])).toString('base64url');
}

/** A cursor this list wrote for `order`; any other (a queue cursor, another archive order's) is BAD_USER_INPUT on `after`. */
function decodeTimeCursor(order: ReportOrder, value: string): TimeCursor {
  try {
    const [written, at, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [unknown, unknown, unknown];
    if (written !== order || typeof at !== 'string' || Number.isNaN(cursorInstant(at)) || typeof id !== 'string') throw new Error('shape');
    return { at, id: check.id('after', id) };
  } catch {
    throw badInput('after', `after is not a cursor of this list in ${order} order`);
  }
}

function decodeCursor(value: string): Cursor {
  try {
    const [rank, targetAt, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [unknown, unknown, unknown];
    if (typeof rank !== 'number' || !RANKS.has(rank) || typeof targetAt !== 'string' || Number.isNaN(cursorInstant(targetAt)) || typeof id !== 'string') {
      throw new Error('shape');
    }
    return { rank, targetAt, id: check.id('after', id) };
  } catch {
    throw badInput('after', 'after is not a cursor from this list');
  }
}

/**
 * The shortest text a search takes: the trigram indexes find rows from the pattern's three-character pieces,
 * and a shorter pattern has none, so it could only be answered by reading every report.
 */
const MIN_SEARCH_CHARACTERS = 3;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * The report list every role reads (the dispatcher's queue first): keyset pages in queue order, each
 * report with its active assignment and crew when asked, with the viewer's audience applied in SQL.
 * Above reports, assignments and crews, it joins what they own without them knowing about lists.
 */
export class QueueService {
  /** The search slots and statement timeout its reads run under (public so operators and tests can see them queue). */
  constructor(readonly reads: BoundedReads) {}

  /**
   * A keyset page in queue order (priority, target time, id) with each report's active assignment and
   * its crew, and a lazy total count. The page is one statement that builds the views straight from
   * rows (no entity hydration): the queue is the dispatchers' hottest read, and this is where a page's
   * CPU went (bench/RESULTS.md).
   */
  async list(
    em: EntityManager,
    viewer: Viewer,
    filter: ReportFilter | null | undefined,
    first: number,
    after: string | null | undefined,
    read: ReportRead = { properties: null, activeAssignment: true },
    orderBy: ReportOrder = ReportOrder.QUEUE,
  ): Promise<ReportPage> {
    if (orderBy !== ReportOrder.QUEUE) return this.listByTime(em, viewer, filter, first, after, read, orderBy);
    const size = check.pageSize('first', first);
    const cursor = after ? decodeCursor(after) : undefined;
    const where = this.where(viewer, filter ?? {});
    const order = queueOrderSql('r');
    const keyset = cursor ? ` and (${order}) > (?, ?, ?)` : '';
    // The limit is written into the text (a checked integer, one of a few page sizes), not bound: with a
    // bound limit PostgreSQL's generic plan assumes a tenth of the table and it keeps planning every page;
    // with a constant, the prepared page is planned once (bench/RESULTS.md, issue 10).
    const page = `(select * from report r where ${where.sql}${keyset} order by ${order} limit ${size + 1}) r`;
    const search = !!where.text;
    const rows = await this.reads.select<PageRow>(
      em,
      read.activeAssignment
        ? `select ${REPORT_READ.columnsSql(em, 'r', read.properties)}, r.priority_rank as "priorityRank",
                  ${ASSIGNMENT_READ.jsonSql(em, 'a')} as "activeAssignment", ${CREW_READ.jsonSql(em, 'c')} as "crew"
           from ${page}
           left join assignment a on a.report_id = r.id and ${activeAssignmentSql('a')}
           left join crew c on c.id = a.crew_id
           order by ${order}`
        : `select ${REPORT_READ.columnsSql(em, 'r', read.properties)}, r.priority_rank as "priorityRank" from ${page} order by ${order}`,
      [...where.params, ...(cursor ? [cursor.rank, cursor.targetAt, cursor.id] : [])],
      { search },
    );
    const shown = rows.slice(0, size);
    return {
      reports: shown.map(({ priorityRank: _rank, activeAssignment: _assignment, crew: _crew, ...report }) => REPORT_READ.revive(em, report)),
      active: read.activeAssignment
        ? shown.map((row) => (row.activeAssignment && row.crew ? { assignment: ASSIGNMENT_READ.revive(em, row.activeAssignment), crew: CREW_READ.revive(em, row.crew) } : null))
        : undefined,
      cursors: shown.map(encodeCursor),
      hasNextPage: rows.length > size,
      count: async () => {
        const [{ n }] = await this.reads.select<{ n: string }>(em, `select count(*) as n from report r where ${where.sql}`, where.params, { search });
        return Number(n);
      },
    };
  }

  /**
   * A keyset page of the archive, newest or oldest first by when reports came or last changed (`TIME_ORDERS`),
   * with the same filter, audience, reads and count as the queue's page. Kept apart from `list` so the queue's
   * statements, prepared and benchmarked, stay exactly as they are.
   */
  private async listByTime(
    em: EntityManager,
    viewer: Viewer,
    filter: ReportFilter | null | undefined,
    first: number,
    after: string | null | undefined,
    read: ReportRead,
    orderBy: Exclude<ReportOrder, ReportOrder.QUEUE>,
  ): Promise<ReportPage> {
    const size = check.pageSize('first', first);
    const cursor = after ? decodeTimeCursor(orderBy, after) : undefined;
    const where = this.where(viewer, filter ?? {});
    const { column, descending } = TIME_ORDERS[orderBy];
    const direction = descending ? 'desc' : 'asc';
    const order = `r.${column} ${direction}, r.id ${direction}`;
    const keyset = cursor ? ` and (r.${column}, r.id) ${descending ? '<' : '>'} (?, ?)` : '';
    const page = `(select r.*, r.${column} as "sortAt" from report r where ${where.sql}${keyset} order by ${order} limit ${size + 1}) r`;
    const search = !!where.text;
    const rows = await this.reads.select<PageRow>(
      em,
      read.activeAssignment
        ? `select ${REPORT_READ.columnsSql(em, 'r', read.properties)}, r."sortAt",
                  ${ASSIGNMENT_READ.jsonSql(em, 'a')} as "activeAssignment", ${CREW_READ.jsonSql(em, 'c')} as "crew"
           from ${page}
           left join assignment a on a.report_id = r.id and ${activeAssignmentSql('a')}
           left join crew c on c.id = a.crew_id
           order by ${order}`
        : `select ${REPORT_READ.columnsSql(em, 'r', read.properties)}, r."sortAt" from ${page} order by ${order}`,
      [...where.params, ...(cursor ? [cursor.at, cursor.id] : [])],
      { search },
    );
    const shown = rows.slice(0, size);
    return {
      reports: shown.map(({ sortAt: _at, activeAssignment: _assignment, crew: _crew, ...report }) => REPORT_READ.revive(em, report)),
      active: read.activeAssignment
        ? shown.map((row) => (row.activeAssignment && row.crew ? { assignment: ASSIGNMENT_READ.revive(em, row.activeAssignment), crew: CREW_READ.revive(em, row.crew) } : null))
        : undefined,
      cursors: shown.map((row) => encodeTimeCursor(orderBy, row)),
      hasNextPage: rows.length > size,
      count: async () => {
        const [{ n }] = await this.reads.select<{ n: string }>(em, `select count(*) as n from report r where ${where.sql}`, where.params, { search });
        return Number(n);
      },
    };
  }

  /**
   * The SQL condition on `report r` for the filter and what the viewer may see (as `canRead` decides for one
   * report), and the search text when there is one.
   */
  private where(viewer: Viewer, filter: ReportFilter): { sql: string; params: unknown[]; text: string | undefined } {
    const and: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      and.push(sql);
      params.push(...values);
    };
    const audience = reportAudienceSql(reportAudience(viewer), 'r');
    if (audience.params.length || audience.sql !== 'true') add(audience.sql, ...audience.params);
    // Every list is one value per filter (`= any(?)`), so a filter's text is the same whatever its values
    // and the statement prepares once (BoundedReads); the open set is written as constants, so that even a
    // prepared statement's generic plan can use the queue's partial index, whose condition is that set.
    const open = inSql('r.status', OPEN_STATUSES);
    if (filter.statuses?.length) {
      add('r.status = any(?)', [...filter.statuses]);
      if (filter.statuses.every((status) => OPEN_STATUSES.includes(status))) add(open);
    }
    if (filter.kinds?.length) add('r.kind = any(?)', [...filter.kinds]);
    if (filter.priorities?.length) add('r.priority = any(?)', [...filter.priorities]);
    if (filter.categoryCodes?.length) add('r.category_code = any(?)', [...filter.categoryCodes]);
    if (filter.municipalityCodes?.length) add('r.municipality_code = any(?)', [...filter.municipalityCodes]);
    if (filter.departmentCodes?.length) add('r.category_code in (select c.code from category c where c.department_code = any(?))', [...filter.departmentCodes]);
    if (filter.channels?.length) add('r.channel = any(?)', [...filter.channels]);
    const phone = check.text('filter.reporterPhone', filter.reporterPhone, { max: 30 });
    if (phone) {
      if (!mayFindByReporterPhone(viewer)) throw forbidden(`${viewer.role} may not look reports up by the reporter's phone (filter.reporterPhone)`);
      const number = e164(phone);
      if (!number) throw badInput('filter.reporterPhone', 'filter.reporterPhone is not a phone number (e.g. 0501234567 or +966501234567)');
      add('r.reporter_phone_e164 = ?', number);
    }
    if (filter.open === true) add(open);
    if (filter.open === false) add(`not ${open}`);
    const now = new Date();
    if (filter.overdue === true) add(`${open} and r.target_at < ?`, now);
    if (filter.overdue === false) add(`(not ${open} or r.target_at >= ?)`, now);
    const text = check.text('filter.text', filter.text, { max: 200 });
    if (text) {
      if (text.length < MIN_SEARCH_CHARACTERS) throw badInput('filter.text', `filter.text must have at least ${MIN_SEARCH_CHARACTERS} characters`);
      const pattern = `%${escapeLike(text)}%`;
      add('(r.description ilike ? or r.reference ilike ?)', pattern, pattern);
    }
    if (filter.receivedFrom) add('r.received_at >= ?', filter.receivedFrom);
    if (filter.receivedTo) add('r.received_at < ?', filter.receivedTo);
    return { sql: and.length ? and.join(' and ') : 'true', params, text };
  }
}

declare module '../access/access.context.js' {
  interface Services {
    queue: QueueService;
  }
}
