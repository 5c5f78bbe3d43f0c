// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import MediaGallery from './MediaGallery.vue';
import type { MediaItem } from './media.operations.ts';

function photo(id: string, purpose: MediaItem['purpose']): MediaItem {
  return {
    id,
    kind: 'PHOTO',
    purpose,
    contentType: 'image/jpeg',
    width: 1600,
    height: 1200,
    durationSeconds: null,
    uploadedAt: '2026-03-01T08:00:00.000Z',
    url: `/media/${id}/display?exp=1&sig=s`,
    thumbnailUrl: `/media/${id}/thumb?exp=1&sig=s`,
    originalUrl: null,
  };
}

const VOICE: MediaItem = {
  ...photo('v-1', 'REPORT'),
  kind: 'VOICE',
  contentType: 'audio/ogg',
  width: null,
  height: null,
  durationSeconds: 65.4,
  url: '/media/v-1/original?exp=1&sig=s',
  thumbnailUrl: null,
};
const MEDIA = [photo('p-1', 'REPORT'), VOICE, photo('p-2', 'REPORT'), photo('a-1', 'AFTER_WORK')];

const press = (key: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key }));

describe("a report's photos and voice notes", () => {
  let wrapper: ReturnType<typeof mount<typeof MediaGallery>>;

  beforeEach(() => setLocale('en'));
  afterEach(() => wrapper?.unmount());

  function mountGallery(media: readonly MediaItem[] = MEDIA) {
    wrapper = mount(MediaGallery, { props: { media }, global: { plugins: [i18n] }, attachTo: document.body });
    return wrapper;
  }

  const lightbox = () => document.querySelector('[data-test=lightbox]');
  const shown = () => document.querySelector('[data-test=lightbox-image]')?.getAttribute('data-media');

  it("shows the reporter's photos as Before beside the crew's as After, thumbnails first, and the voice note with its length", () => {
    const gallery = mountGallery();
    expect(gallery.find('[data-test=media-before] figcaption').text()).toBe('Before');
    expect(gallery.findAll('[data-test=media-before] [data-test=photo]').map((p) => p.attributes('data-media'))).toEqual(['p-1', 'p-2']);
    expect(gallery.find('[data-test=media-after] figcaption').text()).toBe('After');
    expect(gallery.findAll('[data-test=media-after] [data-test=photo]').map((p) => p.attributes('data-media'))).toEqual(['a-1']);
    expect(gallery.find('[data-test=media-before] img').attributes()).toMatchObject({ src: '/media/p-1/thumb?exp=1&sig=s', alt: 'Photo 1 of 3 (Before)' });
    expect(gallery.find('[data-test=voice-duration]').text()).toBe('1:05');
    expect(gallery.find('[data-test=voice-audio]').attributes()).toMatchObject({ src: '/media/v-1/original?exp=1&sig=s', controls: '', preload: 'metadata', 'aria-label': 'Voice note, 1:05 long' });
  });

  it('says so when there is nothing, and shows no After before the crew has sent any', () => {
    expect(mountGallery([]).find('[data-test=no-media]').exists()).toBe(true);
    wrapper.unmount();
    const gallery = mountGallery([photo('p-1', 'REPORT')]);
    expect(gallery.find('[data-test=media-after]').exists()).toBe(false);
    expect(gallery.find('[data-test=no-media]').exists()).toBe(false);
  });

  it('opens the lightbox on a photo and turns through before and after with the arrows, → forward in English; Esc closes it', async () => {
    const gallery = mountGallery();
    await gallery.findAll('[data-test=photo]')[1]!.trigger('click');
    expect(shown()).toBe('p-2');
    expect(document.querySelector('[data-test=lightbox-image]')?.getAttribute('src')).toBe('/media/p-2/display?exp=1&sig=s');
    press('ArrowRight');
    await nextTick();
    expect(shown()).toBe('a-1');
    expect(document.querySelector('[data-test=lightbox-label]')?.textContent).toBe('After');
    expect(document.querySelector('[data-test=lightbox-counter]')?.textContent).toBe('3 of 3');
    press('ArrowRight');
    await nextTick();
    expect(shown()).toBe('a-1');
    press('ArrowLeft');
    press('ArrowLeft');
    await nextTick();
    expect(shown()).toBe('p-1');
    press('Escape');
    await nextTick();
    expect(lightbox()).toBeNull();
  });

  it('turns the other way in Arabic, where the next photo lies to the left', async () => {
    setLocale('ar');
    const gallery = mountGallery();
    await gallery.findAll('[data-test=photo]')[0]!.trigger('click');
    press('ArrowLeft');
    await nextTick();
    expect(shown()).toBe('p-2');
    press('ArrowRight');
    await nextTick();
    expect(shown()).toBe('p-1');
    expect(document.querySelector('[data-test=lightbox-label]')?.textContent).toBe('قبل');
  });

  it('turns with a swipe and with its buttons, and closes with its close button', async () => {
    const gallery = mountGallery();
    await gallery.findAll('[data-test=photo]')[0]!.trigger('click');
    const stage = document.querySelector('.lightbox-stage')!;
    stage.dispatchEvent(new PointerEvent('pointerdown', { pointerId: 1, clientX: 300, clientY: 200, bubbles: true }));
    stage.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, clientX: 180, clientY: 210, bubbles: true }));
    await nextTick();
    expect(shown()).toBe('p-2');
    (document.querySelector('[data-test=lightbox-previous]') as HTMLButtonElement).click();
    await nextTick();
    expect(shown()).toBe('p-1');
    expect((document.querySelector('[data-test=lightbox-previous]') as HTMLButtonElement).disabled).toBe(true);
    (document.querySelector('[data-test=lightbox-close]') as HTMLButtonElement).click();
    await nextTick();
    expect(lightbox()).toBeNull();
  });

  it('asks for fresh links when a photo or the recording fails to load', async () => {
    const gallery = mountGallery();
    await gallery.find('[data-test=media-before] img').trigger('error');
    await gallery.find('[data-test=voice-audio]').trigger('error');
    expect(gallery.emitted('stale')).toHaveLength(2);
  });
});
