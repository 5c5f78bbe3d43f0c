import { describe, expect, it } from 'vitest';
import { fakeRun } from '../../test/fake-run.ts';
import { searchDestination, searchTarget } from './shell.search.ts';

describe("the shell's search box", () => {
  it.each([
    ['940-2026-000123', { kind: 'reference', reference: '940-2026-000123' }],
    ['123', { kind: 'reference', reference: '123' }],
    [' 000123 ', { kind: 'reference', reference: '000123' }],
    ['0501234567', { kind: 'phone', phone: '0501234567' }],
    ['050 123 4567', { kind: 'phone', phone: '0501234567' }],
    ['+966501234567', { kind: 'phone', phone: '+966501234567' }],
    ['966501234567', { kind: 'phone', phone: '966501234567' }],
    ['00966501234567', { kind: 'phone', phone: '00966501234567' }],
    ['حفرة أمام المدرسة', { kind: 'text', text: 'حفرة أمام المدرسة' }],
    ['streetlight out', { kind: 'text', text: 'streetlight out' }],
  ])('reads %s', (input, target) => {
    expect(searchTarget(input)).toEqual(target);
  });

  it('reads nothing from a blank box', () => {
    expect(searchTarget('   ')).toBeNull();
  });

  it('leads to the report a reference names, the caller lookup for a phone, and the archive for words', async () => {
    const server = fakeRun({ JumpToReference: (variables) => ({ reportByReference: variables.reference === '123' ? { id: 'r-123', reference: '940-2026-000123' } : null }) });
    expect(await searchDestination(server.run, { kind: 'reference', reference: '123' })).toBe('/reports/r-123');
    expect(await searchDestination(server.run, { kind: 'reference', reference: '456' })).toBeNull();
    expect(await searchDestination(server.run, { kind: 'phone', phone: '+966501234567' })).toBe('/center/lookup?phone=%2B966501234567');
    expect(await searchDestination(server.run, { kind: 'text', text: 'تسرب مياه' })).toBe(`/archive?q=${encodeURIComponent('تسرب مياه').replace(/%20/g, '+')}`);
  });
});
