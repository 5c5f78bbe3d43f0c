import { describe, expect, it } from 'vitest';
import { emptyArchiveFilter, fromQuery, toQuery, toServerFilter, type ArchiveFilter } from './archive.filters.ts';

function filter(overrides: Partial<ArchiveFilter>): ArchiveFilter {
  return { ...emptyArchiveFilter(), ...overrides };
}

describe("the archive's filter", () => {
  it('goes into the address and comes back the same, leaving out what is empty and the default order', () => {
    const full = filter({
      text: 'حفرة كبيرة',
      status: 'RESOLVED',
      kind: 'INCIDENT',
      priority: 'HIGH',
      channel: 'WHATSAPP',
      category: 'POTHOLE',
      municipality: 'KHOBAR',
      department: 'ROADS_LIGHTING',
      from: '2026-01-01',
      to: '2026-01-31',
      overdue: 'no',
      phone: '0501234567',
      sort: 'UPDATED_DESC',
    });
    expect(fromQuery(toQuery(full))).toEqual(full);
    expect(toQuery(filter({ text: 'pothole' }))).toBe('q=pothole');
    expect(toQuery(emptyArchiveFilter())).toBe('');
  });

  it('reads a hand-edited address leniently: an unknown order, overdue choice or day falls back to the default', () => {
    expect(fromQuery('sort=SIDEWAYS&overdue=maybe&from=yesterday&to=2026-13')).toEqual(emptyArchiveFilter());
  });

  it('asks the server for lists of one, whole Riyadh days (the last one included) and the phone as typed', () => {
    expect(toServerFilter(filter({ status: 'CLOSED', department: 'PARKS', channel: 'CALL_940', from: '2026-03-01', to: '2026-03-31', overdue: 'yes', phone: ' 0501234567 ', text: ' leak ' }))).toEqual(
      {
        statuses: ['CLOSED'],
        departmentCodes: ['PARKS'],
        channels: ['CALL_940'],
        receivedFrom: '2026-02-28T21:00:00.000Z',
        receivedTo: '2026-03-31T21:00:00.000Z',
        overdue: true,
        reporterPhone: '0501234567',
        text: 'leak',
      },
    );
    expect(toServerFilter(emptyArchiveFilter())).toEqual({});
    expect(toServerFilter(filter({ overdue: 'no' }))).toEqual({ overdue: false });
  });
});
