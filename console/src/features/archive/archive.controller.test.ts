import { describe, expect, it } from 'vitest';
import { ApiError } from '../../graphql/errors.ts';
import { deferred, fakeRun } from '../../test/fake-run.ts';
import { ArchiveController, type ArchiveRow } from './archive.controller.ts';

function row(id: string): ArchiveRow {
  return {
    id,
    reference: `940-2026-${id.padStart(6, '0')}`,
    kind: 'INCIDENT',
    channel: 'WHATSAPP',
    priority: 'NORMAL',
    status: 'RESOLVED',
    overdue: false,
    description: 'حفرة',
    receivedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    category: { code: 'POTHOLE' },
    location: { municipality: { code: 'KHOBAR' } },
  };
}

function page(ids: string[], endCursor: string | null, hasNextPage: boolean, totalCount = 3) {
  return { reports: { totalCount, pageInfo: { hasNextPage, endCursor }, edges: ids.map((id) => ({ node: row(id) })) } };
}

describe('the archive list', () => {
  it("shows the address's search and adds the next page with the server's cursor, in the same order", async () => {
    const server = fakeRun({ ArchivePage: (variables) => (variables.after ? page(['3'], 'c3', false) : page(['1', '2'], 'c2', true)) });
    const archive = new ArchiveController(server.run);
    await archive.show('q=pothole&sort=RECEIVED_ASC&department=ROADS_LIGHTING');
    expect(archive.rows.value.map((r) => r.id)).toEqual(['1', '2']);
    expect(archive.total.value).toBe(3);
    expect(archive.hasMore.value).toBe(true);
    await archive.more();
    expect(archive.rows.value.map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(archive.hasMore.value).toBe(false);
    await archive.more();
    expect(server.callsOf('ArchivePage')).toEqual([
      { filter: { text: 'pothole', departmentCodes: ['ROADS_LIGHTING'] }, orderBy: 'RECEIVED_ASC', first: 50, after: null },
      { filter: { text: 'pothole', departmentCodes: ['ROADS_LIGHTING'] }, orderBy: 'RECEIVED_ASC', first: 50, after: 'c2' },
    ]);
  });

  it('keeps only the latest search when an older answer comes late', async () => {
    const slow = deferred<unknown>();
    const server = fakeRun({ ArchivePage: () => slow.promise });
    const archive = new ArchiveController(server.run);
    const first = archive.show('q=first');
    server.handlers.ArchivePage = () => page(['9'], null, false, 1);
    await archive.show('q=second');
    slow.resolve(page(['1', '2'], 'c2', true));
    await first;
    expect(archive.rows.value.map((r) => r.id)).toEqual(['9']);
    expect(archive.filter.value.text).toBe('second');
    expect(archive.loading.value).toBe(false);
  });

  it("shows the server's refusal of a value with its field", async () => {
    const server = fakeRun({
      ArchivePage: () => {
        throw new ApiError({ code: 'BAD_USER_INPUT', message: 'filter.reporterPhone is not a phone number', field: 'filter.reporterPhone' });
      },
    });
    const archive = new ArchiveController(server.run);
    await archive.show('phone=call-me');
    expect(archive.failure.value?.field).toBe('filter.reporterPhone');
    expect(archive.rows.value).toEqual([]);
    expect(archive.loading.value).toBe(false);
  });
});
