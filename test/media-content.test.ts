import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseFile } from 'music-metadata';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DISPLAY_PX, maxBytesFor, MediaRefused, probeVoice, processPhoto, sniff, SNIFF_BYTES, THUMB_PX, type Sniffed } from '../server/src/media/media.content.js';
import { MediaKind } from '../server/src/media/media.enums.js';

// Unit-level: what a file is and what is made of it, on the committed fixtures (test/fixtures/media/make.sh).
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/media');
const at = (name: string) => path.join(FIXTURES, name);
const bytes = (name: string) => readFile(at(name));

const LIMITS = { photoMaxBytes: 10 * 1024 * 1024, voiceMaxBytes: 5 * 1024 * 1024, voiceMaxSeconds: 180, photoMaxPixels: 40_000_000 };
/** make.sh pads or cuts the spoken sentence to exactly this long; voice-long.ogg to 190 s. */
const VOICE_SECONDS = 3.5;

/** The refusal `promise` ends with, failing the test if it resolves or throws anything else. */
async function refusal(promise: Promise<unknown>): Promise<MediaRefused> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(MediaRefused);
  return outcome as MediaRefused;
}

async function sniffed(name: string): Promise<Sniffed> {
  return sniff((await bytes(name)).subarray(0, SNIFF_BYTES));
}

/** The RGB of the pixel at (x, y). */
async function pixel(image: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [data[offset], data[offset + 1], data[offset + 2]];
}

const isRed = ([r, g, b]: [number, number, number]) => r > 200 && g < 70 && b < 70;

/** Copies of a photo must carry no metadata at all: sharp finds none, and no telltale bytes remain. */
async function expectNoMetadata(image: Buffer): Promise<void> {
  const meta = await sharp(image).metadata();
  expect(meta.format).toBe('jpeg');
  expect(meta.exif).toBeUndefined();
  expect(meta.orientation).toBeUndefined();
  expect(meta.icc).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.comments).toBeUndefined();
  const text = image.toString('latin1');
  for (const telltale of ['Exif', 'GPS', 'Apple', 'iPhone', 'ICC_PROFILE', 'Artifex', 'http://ns.adobe.com/xap', 'Balagh 940 fixture']) expect(text).not.toContain(telltale);
}

describe('sniff', () => {
  it.each([
    ['photo-gps.jpg', MediaKind.PHOTO, 'image/jpeg', 'jpg'],
    ['photo.png', MediaKind.PHOTO, 'image/png', 'png'],
    ['photo.webp', MediaKind.PHOTO, 'image/webp', 'webp'],
    ['photo.heic', MediaKind.PHOTO, 'image/heic', 'heic'],
    ['photo.avif', MediaKind.PHOTO, 'image/avif', 'avif'],
    ['voice.ogg', MediaKind.VOICE, 'audio/ogg', 'ogg'],
    ['voice-long.ogg', MediaKind.VOICE, 'audio/ogg', 'ogg'],
    ['voice.m4a', MediaKind.VOICE, 'audio/mp4', 'm4a'],
    ['voice.mp3', MediaKind.VOICE, 'audio/mpeg', 'mp3'],
    ['voice.webm', MediaKind.VOICE, 'audio/webm', 'webm'],
    // Sniffing sees only a header: these pass here and are refused by processPhoto or probeVoice below.
    ['polyglot.jpg', MediaKind.PHOTO, 'image/jpeg', 'jpg'],
    ['truncated.jpg', MediaKind.PHOTO, 'image/jpeg', 'jpg'],
    ['bomb.png', MediaKind.PHOTO, 'image/png', 'png'],
    ['video.mp4', MediaKind.VOICE, 'audio/mp4', 'm4a'],
    ['video.webm', MediaKind.VOICE, 'audio/webm', 'webm'],
  ])('%s is %s %s', async (name, kind, contentType, extension) => {
    expect(await sniffed(name)).toEqual({ kind, contentType, extension });
  });

  it('decides from the first SNIFF_BYTES alone, whatever follows', async () => {
    const whole = await bytes('voice.mp3');
    expect(whole.length).toBeGreaterThan(SNIFF_BYTES);
    expect(await sniff(whole)).toEqual(await sniff(whole.subarray(0, SNIFF_BYTES)));
  });

  it.each([
    ['drawing.svg', 415, /not a photo .* or a voice note/],
    ['page.html', 415, /not a photo .* or a voice note/],
    ['document.pdf.jpg', 415, /PDF/],
    ['empty.jpg', 400, /empty/],
  ])('refuses %s with %i', async (name, status, message) => {
    const refused = await refusal(sniffed(name));
    expect(refused.status).toBe(status);
    expect(refused.message).toMatch(message);
  });

  it('refuses AMR (no browser plays it), by its magic number', async () => {
    const amr = Buffer.concat([Buffer.from('#!AMR\n', 'latin1'), Buffer.alloc(64, 0x3c)]);
    const refused = await refusal(sniff(amr));
    expect(refused.status).toBe(415);
    expect(refused.message).toMatch(/AMR .* cannot be played/);
  });

  it('refuses a GIF (an image type not on the list) with 415', async () => {
    const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
    const refused = await refusal(sniff(gif));
    expect(refused.status).toBe(415);
    expect(refused.message).toMatch(/GIF/);
  });
});

describe('maxBytesFor', () => {
  it('takes each kind’s own limit', () => {
    expect(maxBytesFor(MediaKind.PHOTO, { photoMaxBytes: 7, voiceMaxBytes: 3 })).toBe(7);
    expect(maxBytesFor(MediaKind.VOICE, { photoMaxBytes: 7, voiceMaxBytes: 3 })).toBe(3);
  });
});

describe('processPhoto', () => {
  it('turns the EXIF-rotated JPEG upright and strips every piece of metadata from both copies', async () => {
    const original = await bytes('photo-gps.jpg');
    // The fixture does carry what must go, or the checks below could not fail.
    const before = await sharp(original).metadata();
    expect([before.width, before.height, before.orientation, Boolean(before.exif), Boolean(before.icc), Boolean(before.xmp)]).toEqual([1200, 900, 6, true, true, true]);
    expect(original.toString('latin1')).toContain('GPS');

    const photo = await processPhoto(at('photo-gps.jpg'), await sniffed('photo-gps.jpg'), LIMITS);
    expect([photo.width, photo.height, photo.contentType]).toEqual([900, 1200, 'image/jpeg']);
    const display = await sharp(photo.display).metadata();
    expect([display.width, display.height]).toEqual([900, 1200]);
    const thumb = await sharp(photo.thumb).metadata();
    expect([thumb.width, thumb.height]).toEqual([240, THUMB_PX]);
    await expectNoMetadata(photo.display);
    await expectNoMetadata(photo.thumb);
    // The scene's red square is top-left once upright; ignoring the orientation would leave it bottom-left, and
    // turning the wrong way or mirroring would put it in another corner.
    expect(isRed(await pixel(photo.display, 20, 20))).toBe(true);
    expect(isRed(await pixel(photo.display, 20, 1180))).toBe(false);
    expect(isRed(await pixel(photo.display, 880, 20))).toBe(false);
    expect(isRed(await pixel(photo.thumb, 5, 5))).toBe(true);
  });

  it('decodes an HEVC HEIC (iPhone) and scales it to the display and thumbnail sizes', async () => {
    const photo = await processPhoto(at('photo.heic'), await sniffed('photo.heic'), LIMITS);
    expect([photo.width, photo.height]).toEqual([2016, 1512]);
    const display = await sharp(photo.display).metadata();
    expect([display.width, display.height]).toEqual([DISPLAY_PX, 1200]);
    const thumb = await sharp(photo.thumb).metadata();
    expect([thumb.width, thumb.height]).toEqual([THUMB_PX, 240]);
    // The test pattern's red bar is on the left, its cyan one on the right: the channels came through in order.
    expect(isRed(await pixel(photo.display, 20, 20))).toBe(true);
    const [r, g, b] = await pixel(photo.display, 1580, 20);
    expect([r < 70, g > 200, b > 200]).toEqual([true, true, true]);
    await expectNoMetadata(photo.display);
  });

  it('decodes HEIC off the event loop (on a worker thread)', async () => {
    const sniffedHeic = await sniffed('photo.heic');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    await processPhoto(at('photo.heic'), sniffedHeic, LIMITS);
    const elapsed = performance.now() - started;
    delay.disable();
    // Decoding is most of the elapsed time; on the event loop it would stall it nearly that long in one piece.
    expect(delay.max / 1e6).toBeLessThan(elapsed / 3);
  });

  it('flattens a PNG’s transparency onto white', async () => {
    const photo = await processPhoto(at('photo.png'), await sniffed('photo.png'), LIMITS);
    expect([photo.width, photo.height]).toEqual([640, 480]);
    const [r, g, b] = await pixel(photo.display, 320, 460);
    expect(Math.min(r, g, b)).toBeGreaterThan(245);
    await expectNoMetadata(photo.thumb);
  });

  it.each([
    ['photo.webp', 1000, 750],
    ['photo.avif', 800, 600],
  ])('processes %s (%i×%i)', async (name, width, height) => {
    const photo = await processPhoto(at(name), await sniffed(name), LIMITS);
    expect([photo.width, photo.height]).toEqual([width, height]);
    const display = await sharp(photo.display).metadata();
    expect([display.width, display.height]).toEqual([width, height]);
    await expectNoMetadata(photo.display);
  });

  it('refuses the decompression bomb from its header, before decoding, and says why', async () => {
    const started = performance.now();
    const refused = await refusal(processPhoto(at('bomb.png'), await sniffed('bomb.png'), LIMITS));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(refused.status).toBe(413);
    expect(refused.message).toBe('The photo is 10000×10000 pixels (100 megapixels); at most 40 megapixels are accepted');
  });

  it.each([
    ['photo-gps.jpg', 1_000_000],
    ['photo.heic', 2_000_000],
  ])('holds %s to a lower pixel limit from the config too', async (name, photoMaxPixels) => {
    const refused = await refusal(processPhoto(at(name), await sniffed(name), { photoMaxPixels }));
    expect(refused.status).toBe(413);
    expect(refused.message).toMatch(/at most [\d.]+ megapixels/);
  });

  it.each(['polyglot.jpg', 'truncated.jpg'])('refuses %s, which does not decode, with 400', async (name) => {
    const refused = await refusal(processPhoto(at(name), await sniffed(name), LIMITS));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/JPEG image could not be decoded/);
  });

  it('refuses a HEIC cut short (its header intact) with 400, from the worker', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'media-content-'));
    try {
      const file = path.join(dir, 'upload');
      const heic = await bytes('photo.heic');
      await writeFile(file, heic.subarray(0, Math.floor(heic.length * 0.6)));
      const refused = await refusal(processPhoto(file, await sniffed('photo.heic'), LIMITS));
      expect(refused.status).toBe(400);
      expect(refused.message).toMatch(/HEIC image could not be decoded/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file whose decoder disagrees with the sniffer (a PNG body behind a JPEG header)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'media-content-'));
    try {
      const file = path.join(dir, 'upload');
      await writeFile(file, await bytes('photo.png'));
      const refused = await refusal(processPhoto(file, { kind: MediaKind.PHOTO, contentType: 'image/jpeg', extension: 'jpg' }, LIMITS));
      expect(refused.status).toBe(400);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('probeVoice', () => {
  it('voice.webm has no Duration element, like a MediaRecorder recording, so its length must be computed', async () => {
    expect((await parseFile(at('voice.webm'))).format.duration).toBeUndefined();
  });

  it.each(['voice.ogg', 'voice.m4a', 'voice.mp3', 'voice.webm'])('reads the length of %s', async (name) => {
    const { durationSeconds } = await probeVoice(at(name), await sniffed(name), LIMITS);
    expect(Math.abs(durationSeconds - VOICE_SECONDS)).toBeLessThanOrEqual(0.5);
  });

  it('refuses a voice note over the limit with 413', async () => {
    const refused = await refusal(probeVoice(at('voice-long.ogg'), await sniffed('voice-long.ogg'), LIMITS));
    expect(refused.status).toBe(413);
    expect(refused.message).toBe('The voice note is 190 seconds long; at most 180 seconds are accepted');
    const { durationSeconds } = await probeVoice(at('voice-long.ogg'), await sniffed('voice-long.ogg'), { voiceMaxSeconds: 600 });
    expect(Math.abs(durationSeconds - 190)).toBeLessThanOrEqual(0.5);
  });

  it.each(['video.mp4', 'video.webm'])('refuses %s, a video, with 415', async (name) => {
    const refused = await refusal(probeVoice(at(name), await sniffed(name), LIMITS));
    expect(refused.status).toBe(415);
    expect(refused.message).toMatch(/is a video/);
  });

  it('refuses an Ogg that is only a header, with 400', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'media-content-'));
    try {
      const file = path.join(dir, 'upload');
      const ogg = await bytes('voice.ogg');
      await writeFile(file, Buffer.concat([ogg.subarray(0, 200), Buffer.alloc(2000, 0x41)]));
      const refused = await refusal(probeVoice(file, await sniff(ogg.subarray(0, 200)), LIMITS));
      expect(refused.status).toBe(400);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
