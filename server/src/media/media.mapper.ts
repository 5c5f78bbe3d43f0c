import { MediaKind } from './media.enums.js';

/** The timeline parameters of an attach: how many photos and voice notes were added, which the console words in its language. */
export function mediaCounts(media: readonly { kind: MediaKind }[]): { photos: number; voice: number } {
  const photos = media.filter((item) => item.kind === MediaKind.PHOTO).length;
  return { photos, voice: media.length - photos };
}
