import { registerEnumType } from 'type-graphql';

/** What a media file is, decided by its bytes (never its name or declared type). */
export enum MediaKind {
  PHOTO = 'PHOTO',
  VOICE = 'VOICE',
}

/** Why it is on a report: the reporter's (or call-taker's) evidence, or the crew's photo of the finished work. */
export enum MediaPurpose {
  REPORT = 'REPORT',
  AFTER_WORK = 'AFTER_WORK',
}

/** The stored copies of a media file: the upload as received (staff only), and a photo's metadata-free display copy and thumbnail. */
export enum MediaVariant {
  ORIGINAL = 'original',
  DISPLAY = 'display',
  THUMB = 'thumb',
}

registerEnumType(MediaKind, {
  name: 'MediaKind',
  description: 'What a media file is, decided from its bytes',
  valuesConfig: { PHOTO: { description: 'JPEG, PNG, WebP or HEIC/HEIF' }, VOICE: { description: 'OGG/Opus, M4A/AAC, MP3 or WebM/Opus' } },
});
registerEnumType(MediaPurpose, {
  name: 'MediaPurpose',
  description: 'Why a media file is on a report',
  valuesConfig: { REPORT: { description: 'Evidence filed with the report or after it (the reporter, a call-taker)' }, AFTER_WORK: { description: 'The crew’s photo of the finished job' } },
});
