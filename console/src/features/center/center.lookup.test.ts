import { describe, expect, it } from 'vitest';
import { ApiError } from '../../graphql/errors.ts';
import { report } from '../../test/builders.ts';
import { deferred, fakeRun } from '../../test/fake-run.ts';
import { LookupController, type HistoryReport } from './center.lookup.ts';

function history(overrides: Partial<HistoryReport> = {}): HistoryReport {
  return {
    ...report({ status: 'CLOSED', open: false }),
    reporter: { name: 'Fahad', phone: '+966500000001', beneficiaryType: 'CITIZEN' },
    answer: null,
    followUp: { id: 'f-1', status: 'REACHED', satisfaction: 4, fixed: 'YES' },
    ...overrides,
  };
}

/** A lookup over a fake server answering every number with `reports`; translations are the keys. */
function setup(reports: HistoryReport[]) {
  const server = fakeRun({
    ReporterHistory: () => ({ reporterHistory: reports }),
    AddReportNote: (variables) => ({ addReportNote: { id: variables.reportId, version: 3 } }),
  });
  const lookup = new LookupController({ run: server.run, t: (key) => key });
  return { server, lookup };
}

describe('the caller lookup', () => {
  it("lists the caller's reports for the number typed, and greets them by the name they gave", async () => {
    const newest = history({ reporter: { name: null, phone: '+966500000001', beneficiaryType: null } });
    const older = history();
    const { server, lookup } = setup([newest, older]);
    lookup.phone.value = ' 0500000001 ';
    await lookup.search();
    expect(server.callsOf('ReporterHistory')).toEqual([{ phone: '0500000001' }]);
    expect(lookup.results.value?.map((r) => r.id)).toEqual([newest.id, older.id]);
    expect(lookup.searched.value).toBe('0500000001');
    expect(lookup.callerName.value).toBe('Fahad');
    expect(lookup.searching.value).toBe(false);
  });

  it("shows the server's word on a number it cannot read, and asks for one when none is typed", async () => {
    const { server, lookup } = setup([]);
    await lookup.search();
    expect(lookup.failure.value).toEqual({ code: 'BAD_USER_INPUT', message: 'center.lookup.needPhone', field: 'phone' });
    expect(server.calls).toEqual([]);

    server.handlers.ReporterHistory = () => {
      throw new ApiError({ code: 'BAD_USER_INPUT', message: 'Not a Saudi mobile number', field: 'phone' });
    };
    lookup.phone.value = '12';
    await lookup.search();
    expect(lookup.failure.value).toEqual({ code: 'BAD_USER_INPUT', message: 'Not a Saudi mobile number', field: 'phone' });
    expect(lookup.results.value).toBeNull();
  });

  it('shows the answer to the latest search when an earlier one answers last', async () => {
    const { server, lookup } = setup([]);
    const first = deferred<{ reporterHistory: HistoryReport[] }>();
    const second = deferred<{ reporterHistory: HistoryReport[] }>();
    const answers = [first.promise, second.promise];
    server.handlers.ReporterHistory = () => answers.shift();
    lookup.phone.value = '0500000001';
    const one = lookup.search();
    lookup.phone.value = '0500000002';
    const two = lookup.search();
    const latest = history();
    second.resolve({ reporterHistory: [latest] });
    first.resolve({ reporterHistory: [history(), history()] });
    await Promise.all([one, two]);
    expect(lookup.results.value?.map((r) => r.id)).toEqual([latest.id]);
    expect(lookup.searched.value).toBe('0500000002');
  });

  it('adds a note to one of the reports, and sends none without words', async () => {
    const older = history();
    const { server, lookup } = setup([older]);
    lookup.phone.value = '0500000001';
    await lookup.search();
    lookup.toggleNote(older.id);
    expect(lookup.noting.value).toBe(older.id);
    await lookup.addNote(older);
    expect(lookup.noteFailure.value?.message).toBe('center.lookup.needNote');
    expect(server.callsOf('AddReportNote')).toEqual([]);

    lookup.notes[older.id] = ' The light is out again since yesterday ';
    await lookup.addNote(older);
    expect(server.callsOf('AddReportNote')).toEqual([{ reportId: older.id, note: 'The light is out again since yesterday' }]);
    expect(lookup.noted.value).toBe(older.reference);
    expect(lookup.noting.value).toBeNull();
    expect(lookup.notes[older.id]).toBeUndefined();
  });

  it("keeps the note and shows the server's refusal", async () => {
    const older = history();
    const { server, lookup } = setup([older]);
    server.handlers.AddReportNote = () => {
      throw new ApiError({ code: 'FORBIDDEN', message: 'Not allowed' });
    };
    lookup.toggleNote(older.id);
    lookup.notes[older.id] = 'note';
    await lookup.addNote(older);
    expect(lookup.noteFailure.value?.message).toBe('Not allowed');
    expect(lookup.notes[older.id]).toBe('note');
    expect(lookup.noteBusy.value).toBe(false);
  });

  it('opens and closes the call-taker form for the caller', () => {
    const { lookup } = setup([]);
    lookup.toggleFiling();
    expect(lookup.filing.value).toBe(true);
    lookup.toggleFiling();
    expect(lookup.filing.value).toBe(false);
  });
});
