import { describe, expect, it } from 'vitest';
import { shallowRef } from 'vue';
import { ApiError } from '../../graphql/errors.ts';
import { fakeRun } from '../../test/fake-run.ts';
import { reasonText, spokenReasons, SuggestionsController, SUGGESTIONS_SHOWN, type Suggestion } from './suggestions.controller.ts';

function suggestion(id: string, overrides: Partial<Suggestion> = {}): Suggestion {
  return {
    crew: { id, name: `فرقة ${id}`, nameAr: `فرقة ${id}`, nameEn: `Crew ${id}`, status: 'AVAILABLE', onDuty: true },
    score: 1100,
    distanceMeters: 1200,
    locationAgeMinutes: 2,
    locationStale: false,
    etaMinutes: 2,
    busy: false,
    jobsToday: 0,
    currentAssignment: null,
    reasons: [
      { code: 'FREE', textAr: 'متاح الآن', textEn: 'Free now' },
      { code: 'DISTANCE', textAr: 'على بُعد 1.2 كم', textEn: '1.2 km away' },
      { code: 'SKILL', textAr: 'مجهّز لـ«حفرة»', textEn: 'Equipped for Pothole' },
      { code: 'JOBS_TODAY', textAr: 'لا مهام له اليوم', textEn: 'No jobs today' },
    ],
    ...overrides,
  };
}

describe('the assign dialog’s suggestions', () => {
  it('asks the server for the top five of this report and keeps its order', async () => {
    const ranked = [suggestion('b'), suggestion('a')];
    const server = fakeRun({ SuggestCrews: () => ({ suggestCrews: ranked }) });
    const controller = new SuggestionsController('r-1', { run: server.run });
    const loading = controller.load();
    expect(controller.suggestions.value).toBeNull();
    await loading;
    expect(server.callsOf('SuggestCrews')).toEqual([{ reportId: 'r-1', first: SUGGESTIONS_SHOWN }]);
    expect(controller.suggestions.value?.map((s) => s.crew.id)).toEqual(['b', 'a']);
  });

  it('lists the other crews after the suggestions, without the suggested ones, in their own order', async () => {
    const server = fakeRun({ SuggestCrews: () => ({ suggestCrews: [suggestion('b')] }) });
    const controller = new SuggestionsController('r-1', { run: server.run });
    const crews = shallowRef<readonly { id: string }[] | null>(null);
    const others = controller.others(crews);
    expect(others.value).toBeNull();
    crews.value = [{ id: 'c' }, { id: 'b' }, { id: 'a' }];
    await controller.load();
    expect(others.value?.map((crew) => crew.id)).toEqual(['c', 'a']);
  });

  it('says why the ranking failed and still offers every other crew', async () => {
    const server = fakeRun({
      SuggestCrews: () => {
        throw new ApiError({ code: 'FORBIDDEN', message: 'CREW may not do this' });
      },
    });
    const controller = new SuggestionsController('r-1', { run: server.run });
    const others = controller.others(shallowRef([{ id: 'a' }]));
    await controller.load();
    expect(controller.failure.value).toMatchObject({ code: 'FORBIDDEN' });
    expect(controller.suggestions.value).toEqual([]);
    expect(others.value?.map((crew) => crew.id)).toEqual(['a']);
  });

  it('words the reasons in the reader’s language, leaving out what the row shows as figures', () => {
    const shown = spokenReasons(suggestion('a'));
    expect(shown.map((reason) => reason.code)).toEqual(['SKILL', 'JOBS_TODAY']);
    expect(shown.map((reason) => reasonText(reason, 'ar'))).toEqual(['مجهّز لـ«حفرة»', 'لا مهام له اليوم']);
    expect(shown.map((reason) => reasonText(reason, 'en'))).toEqual(['Equipped for Pothole', 'No jobs today']);
  });
});
