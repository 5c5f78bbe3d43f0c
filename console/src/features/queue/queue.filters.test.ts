import { describe, expect, it } from 'vitest';
import { report } from '../../test/builders.ts';
import { toReportRow } from '../../domain/report.ts';
import { countOverdue, emptyFilter, filterQueue, type QueueFilter } from './queue.filters.ts';

const rows = [
  toReportRow(report({ reference: '940-2026-000101', priority: 'CRITICAL', category: { code: 'HAZARDOUS_BILLBOARD' }, description: 'لوحة مائلة', targetAt: '2026-03-01T07:00:00Z' })),
  toReportRow(report({ reference: '940-2026-000102', status: 'ASSIGNED', location: { lat: 26.42, lng: 50.09, address: 'Corniche', municipality: { code: 'DAMMAM' } } })),
  toReportRow(report({ reference: '940-2026-000103', priority: 'LOW', description: 'Graffiti on a wall' })),
];

describe('queue filters', () => {
  it.each<[string, Partial<QueueFilter>, string[]]>([
    ['no filter keeps everything in order', {}, ['000101', '000102', '000103']],
    ['municipality', { municipality: 'DAMMAM' }, ['000102']],
    ['category', { category: 'HAZARDOUS_BILLBOARD' }, ['000101']],
    ['priority', { priority: 'LOW' }, ['000103']],
    ['status', { status: 'ASSIGNED' }, ['000102']],
    ['text in the description, any case', { text: 'GRAFFITI' }, ['000103']],
    ['text in Arabic', { text: 'لوحة' }, ['000101']],
    ['part of a reference', { text: '000102' }, ['000102']],
    ['text in the address', { text: 'corniche' }, ['000102']],
    ['every word must match', { text: 'graffiti corniche' }, []],
    ['conditions combine', { municipality: 'KHOBAR', priority: 'CRITICAL' }, ['000101']],
  ])('%s', (_name, filter, expected) => {
    const result = filterQueue(rows, { ...emptyFilter(), ...filter });
    expect(result.map((r) => r.reference.slice(-6))).toEqual(expected);
    expect(result).not.toBe(rows);
  });

  it('counts what is past its target', () => {
    expect(countOverdue(rows, Date.parse('2026-03-01T08:00:00Z'))).toBe(1);
  });
});
