import type { VariablesOf } from '../../graphql/graphql.ts';
import type { ArchivePageQuery } from './archive.operations.ts';

type Variables = VariablesOf<typeof ArchivePageQuery>;
/** The server's report filter, as the archive's query sends it. */
export type ServerFilter = NonNullable<Variables['filter']>;
/** The archive's orders: the server's, but for the live queue's. */
export type ArchiveSort = Exclude<Variables['orderBy'], 'QUEUE'>;

export const ARCHIVE_SORTS: readonly ArchiveSort[] = ['RECEIVED_DESC', 'RECEIVED_ASC', 'UPDATED_DESC'];

/** The archive's filters as the form holds them: one value per condition, empty for any. Dates are days (YYYY-MM-DD), in Riyadh. */
export interface ArchiveFilter {
  text: string;
  status: NonNullable<ServerFilter['statuses']>[number] | '';
  kind: NonNullable<ServerFilter['kinds']>[number] | '';
  priority: NonNullable<ServerFilter['priorities']>[number] | '';
  channel: NonNullable<ServerFilter['channels']>[number] | '';
  category: string;
  municipality: string;
  department: string;
  /** The first day received, inclusive. */
  from: string;
  /** The last day received, inclusive. */
  to: string;
  overdue: '' | 'yes' | 'no';
  phone: string;
  sort: ArchiveSort;
}

export function emptyArchiveFilter(): ArchiveFilter {
  return { text: '', status: '', kind: '', priority: '', channel: '', category: '', municipality: '', department: '', from: '', to: '', overdue: '', phone: '', sort: 'RECEIVED_DESC' };
}

/** The name of each condition in the address bar's query; `q` for the text, as search pages do. */
const PARAMS: Record<keyof ArchiveFilter, string> = {
  text: 'q',
  status: 'status',
  kind: 'kind',
  priority: 'priority',
  channel: 'channel',
  category: 'category',
  municipality: 'municipality',
  department: 'department',
  from: 'from',
  to: 'to',
  overdue: 'overdue',
  phone: 'phone',
  sort: 'sort',
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Riyadh keeps +03:00 all year (no daylight saving), so a Riyadh day starts at this offset. */
const RIYADH_OFFSET = '+03:00';

/** The filter as the archive's address query (conditions left empty and the default order are left out), so a link reproduces the search. */
export function toQuery(filter: ArchiveFilter): string {
  const params = new URLSearchParams();
  const defaults = emptyArchiveFilter();
  for (const key of Object.keys(PARAMS) as (keyof ArchiveFilter)[]) {
    const value = filter[key].trim();
    if (value && value !== defaults[key]) params.set(PARAMS[key], value);
  }
  return params.toString();
}

/**
 * The filter an address query describes. Values are taken as they are (the server says whether a code or a
 * number is one); an unknown order or overdue choice and a malformed day fall back to the default.
 */
export function fromQuery(query: string): ArchiveFilter {
  const params = new URLSearchParams(query);
  const filter = emptyArchiveFilter();
  const get = (key: keyof ArchiveFilter) => params.get(PARAMS[key])?.trim() ?? '';
  const sort = get('sort');
  const overdue = get('overdue');
  return {
    ...filter,
    text: get('text'),
    status: get('status') as ArchiveFilter['status'],
    kind: get('kind') as ArchiveFilter['kind'],
    priority: get('priority') as ArchiveFilter['priority'],
    channel: get('channel') as ArchiveFilter['channel'],
    category: get('category'),
    municipality: get('municipality'),
    department: get('department'),
    from: DAY.test(get('from')) ? get('from') : '',
    to: DAY.test(get('to')) ? get('to') : '',
    overdue: overdue === 'yes' || overdue === 'no' ? overdue : '',
    phone: get('phone'),
    sort: (ARCHIVE_SORTS as readonly string[]).includes(sort) ? (sort as ArchiveSort) : filter.sort,
  };
}

/** The start of the Riyadh day after `day`. */
function dayAfter(day: string): string {
  const next = new Date(`${day}T00:00:00${RIYADH_OFFSET}`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString();
}

/** The server's filter for the form's: each chosen value a list of one, days as Riyadh's midnights (the last day whole). */
export function toServerFilter(filter: ArchiveFilter): ServerFilter {
  const server: ServerFilter = {};
  if (filter.text.trim()) server.text = filter.text.trim();
  if (filter.status) server.statuses = [filter.status];
  if (filter.kind) server.kinds = [filter.kind];
  if (filter.priority) server.priorities = [filter.priority];
  if (filter.channel) server.channels = [filter.channel];
  if (filter.category) server.categoryCodes = [filter.category];
  if (filter.municipality) server.municipalityCodes = [filter.municipality];
  if (filter.department) server.departmentCodes = [filter.department];
  if (filter.from) server.receivedFrom = new Date(`${filter.from}T00:00:00${RIYADH_OFFSET}`).toISOString();
  if (filter.to) server.receivedTo = dayAfter(filter.to);
  if (filter.overdue) server.overdue = filter.overdue === 'yes';
  if (filter.phone.trim()) server.reporterPhone = filter.phone.trim();
  return server;
}
