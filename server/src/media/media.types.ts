import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { MediaKind, MediaPurpose } from './media.enums.js';

@ObjectType('Media', { description: 'A photo or voice note on a report, or a crew’s after-photo. Links are signed for the caller and expire (MEDIA_URL_TTL_SECONDS).' })
export class MediaView {
  @Field(() => ID, { description: 'Media id, as POST /media answered it' })
  id!: string;

  @Field(() => MediaKind, { description: 'PHOTO or VOICE, from its bytes' })
  kind!: MediaKind;

  @Field(() => MediaPurpose, { nullable: true, description: 'REPORT or AFTER_WORK; null while not attached' })
  purpose!: MediaPurpose | null;

  @Field(() => String, { description: 'The sniffed type of the upload, e.g. image/jpeg or audio/ogg' })
  contentType!: string;

  @Field(() => Int, { description: 'Size of the upload in bytes' })
  bytes!: number;

  @Field(() => Int, { nullable: true, description: 'Photo width in pixels, as displayed (after its orientation); null for voice' })
  width!: number | null;

  @Field(() => Int, { nullable: true, description: 'Photo height in pixels, as displayed; null for voice' })
  height!: number | null;

  @Field(() => Float, { nullable: true, description: 'Voice note length in seconds; null for photos' })
  durationSeconds!: number | null;

  @Field(() => Date, { description: 'When it was uploaded' })
  uploadedAt!: Date;

  @Field(() => String, { nullable: true, description: 'Signed link to what to show or play: a photo’s display copy (≤ 1600 px, metadata stripped), a voice note as uploaded' })
  url!: string | null;

  @Field(() => String, { nullable: true, description: 'Signed link to a photo’s thumbnail (≤ 320 px); null for voice' })
  thumbnailUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Signed link to a photo as uploaded, metadata included: staff and the uploader only (null for others, and for voice, whose url is the upload)' })
  originalUrl!: string | null;
}

/** What `POST /media` answers: the stored upload, before it is attached. */
export interface UploadedMedia {
  id: string;
  kind: MediaKind;
  contentType: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
}
