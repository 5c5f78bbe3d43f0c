import { MediaKind } from './media.enums.js';

/** The timeline note of an attach: what was added, e.g. "2 photos, 1 voice note". */
export function describeMedia(media: readonly { kind: MediaKind }[]): string {
  const photos = media.filter((item) => item.kind === MediaKind.PHOTO).length;
  const voice = media.length - photos;
  const parts = [photos ? `${photos} photo${photos === 1 ? '' : 's'}` : '', voice ? `${voice} voice note${voice === 1 ? '' : 's'}` : ''];
  return parts.filter(Boolean).join(', ');
}
