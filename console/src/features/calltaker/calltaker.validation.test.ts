// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { failureText, fieldLabelKey } from '../../graphql/errors.ts';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import { validateCall } from './calltaker.validation.ts';

const { t, te } = i18n.global;
const EMPTY = { categoryCode: '', description: '  ', phone: '', point: null };
const ARABIC_ONLY = /^[^A-Za-z]+$/;

describe('the call-taker form’s own checks, in the console’s language', () => {
  it('names every missing field of an empty call, in Arabic words without a field’s internal name', () => {
    setLocale('ar');
    const errors = validateCall(EMPTY);
    expect(Object.keys(errors).sort()).toEqual(['category', 'description', 'location']);
    const messages = Object.values(errors).map((key) => t(key));
    expect(messages).toEqual(['اختر تصنيف البلاغ.', 'اكتب ما يبلّغ عنه المتصل.', 'حدّد موقع المشكلة بالنقر على الخريطة.']);
    for (const message of [...messages, t('validation.summary')]) expect(message).toMatch(ARABIC_ONLY);
  });

  it('says the same in English when the console is in English', () => {
    setLocale('en');
    expect(Object.values(validateCall(EMPTY)).map((key) => t(key))).toEqual(["Choose the report's category.", 'Write what the caller reports.', 'Mark where the problem is by clicking the map.']);
    setLocale('ar');
  });

  it.each([
    ['0501234567', false],
    ['+966 50 123 4567', false],
    ['00966-50-1234567', false],
    ['05O1234567', true],
    ['call me', true],
    ['12', true],
  ])('checks a typed phone %s (wrong: %s)', (phone, wrong) => {
    const errors = validateCall({ categoryCode: 'POTHOLE', description: 'حفرة', phone, point: { lat: 26.3, lng: 50.2 } });
    expect(errors.phone === 'validation.phone').toBe(wrong);
  });

  it('files a complete call without a message', () => {
    expect(validateCall({ categoryCode: 'POTHOLE', description: 'حفرة', phone: '', point: { lat: 26.3, lng: 50.2 } })).toEqual({});
  });
});

describe('the server’s refusals, in the console’s language', () => {
  it('names the field the server points at by its label, never its path', () => {
    setLocale('ar');
    const text = failureText({ code: 'BAD_USER_INPUT', message: 'reporter.phone is not a phone number', field: 'input.reporter.phone' }, t, te);
    expect(text).toBe('تحقق من: رقم الجوال');
    expect(failureText({ code: 'BAD_USER_INPUT', message: 'location is required', field: 'location' }, t, te)).toBe('تحقق من: الموقع');
    expect(failureText({ code: 'FORBIDDEN', message: 'Only staff may do this' }, t, te)).toBe('لا تملك صلاحية هذا الإجراء.');
    expect(failureText({ code: 'BAD_USER_INPUT', message: 'bad', field: 'input.somethingNew' }, t, te)).toMatch(ARABIC_ONLY);
  });

  it('has a label in both languages for every field it maps', () => {
    for (const field of ['description', 'location.lat', 'location.address', 'categoryCode', 'reporter.name', 'reporter.phone', 'mediaIds', 'reason', 'duplicateOf', 'note']) {
      const key = fieldLabelKey(`input.${field}`);
      expect(key).not.toBeNull();
      expect(te(key!, 'ar') && te(key!, 'en')).toBe(true);
    }
    expect(fieldLabelKey(undefined)).toBeNull();
  });
});

describe('a refusal the console already worded', () => {
  it('shows the console’s own words as they are', () => {
    setLocale('ar');
    expect(failureText({ code: 'NOT_FOUND', message: 'لا يوجد بلاغ بهذا الرقم المرجعي.', field: 'duplicateOf', localized: true }, t, te)).toBe('لا يوجد بلاغ بهذا الرقم المرجعي.');
    expect(failureText({ code: 'BAD_USER_INPUT', message: 'reason is required', field: 'reason' }, t, te)).toBe('تحقق من: السبب');
  });
});
