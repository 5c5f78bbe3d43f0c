import type { Run } from '../../graphql/client.ts';
import { toQuery, emptyArchiveFilter } from './archive.filters.ts';
import { JumpToReferenceQuery } from './archive.operations.ts';

/** What the shell's search box was given: a report's reference, a caller's phone number, or words. */
export type SearchTarget = { kind: 'reference'; reference: string } | { kind: 'phone'; phone: string } | { kind: 'text'; text: string };

const WHOLE_REFERENCE = /^940-\d{4}-\d+$/i;
/** A reference's number alone (`123`, `000123`): references count up from one sequence, and eight digits is years of reports. */
const SHORT_REFERENCE = /^\d{1,8}$/;
/** A Saudi mobile (05…, 5…, 9665…, +9665…, 009665…) or any number with a country code. */
const PHONE = /^(?:(?:\+|00)?966|0)?5\d{8}$|^(?:\+|00)\d{7,15}$/;

/**
 * Reads the search box. A phone is tried before a short reference so that `0501234567` is a caller, and a
 * reference's number has at most 8 digits so that it never looks like one; anything else is words for the archive.
 */
export function searchTarget(input: string): SearchTarget | null {
  const text = input.trim();
  if (!text) return null;
  if (WHOLE_REFERENCE.test(text)) return { kind: 'reference', reference: text };
  const compact = text.replace(/[\s\-()]/g, '');
  if (PHONE.test(compact)) return { kind: 'phone', phone: compact };
  if (SHORT_REFERENCE.test(compact)) return { kind: 'reference', reference: compact };
  return { kind: 'text', text };
}

/**
 * Where the search box leads: the report a reference names (null when there is none the viewer may see), a
 * caller's history for a phone, the archive searching the words.
 */
export async function searchDestination(run: Run, target: SearchTarget): Promise<string | null> {
  if (target.kind === 'phone') return `/center/lookup?${new URLSearchParams({ phone: target.phone }).toString()}`;
  if (target.kind === 'text') return `/archive?${toQuery({ ...emptyArchiveFilter(), text: target.text })}`;
  const data = await run(JumpToReferenceQuery, { reference: target.reference });
  return data.reportByReference ? `/reports/${data.reportByReference.id}` : null;
}
