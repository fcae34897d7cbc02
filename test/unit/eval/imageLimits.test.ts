/**
 * What a 2D reference's loader refuses before it spends memory, and why an image gives no object: an
 * image above --max-pixels is refused from its header (PNG IHDR, JPEG SOF) without being decoded, a mask
 * whose header gives another size is refused before it is decoded, and an image whose masks are empty or
 * hold no object above the study's 50 pixels says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ImageTooLargeError, imageSize } from '../../../tools/eval/sources/image2d';
import { loadRef } from '../../../tools/eval/sources/loadRef';
import { DEFAULT_MAX_PIXELS, type ImageRef } from '../../../tools/eval/sources/types';

const CXR_JPEG = join(__dirname, '..', '..', 'data', 'cxr-lung', 'Data', '1.jpg');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eval-limits-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A grey PNG; `on(x, y)` pixels are 255, the rest 40. */
function png(name: string, width: number, height: number, on: (x: number, y: number) => boolean): string {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      image.data.fill(on(x, y) ? 255 : 40, o, o + 3);
      image.data[o + 3] = 255;
    }
  const path = join(dir, name);
  writeFileSync(path, PNG.sync.write(image));
  return path;
}

/** The signature and IHDR chunk of a PNG claiming `width` x `height`, and nothing after: not decodable. */
function pngHeaderOnly(name: string, width: number, height: number): string {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16); // 8-bit RGB; the CRC (4 bytes) left 0
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]));
  return path;
}

const ref = (image: string, masks: Record<string, string>): ImageRef => ({
  kind: 'image2d',
  key: 'd:image.png',
  dataset: 'd',
  modality: 'CT',
  image,
  masks,
});
const square = (x: number, y: number) => x >= 10 && x < 30 && y >= 10 && y < 30; // 400 pixels

describe('the pixel limit of a 2D image', () => {
  it('reads the size from a PNG header and a JPEG frame header, without decoding', () => {
    expect(imageSize(png('a.png', 64, 48, square))).toEqual({ width: 64, height: 48 });
    expect(imageSize(pngHeaderOnly('huge.png', 100_000, 80_000))).toEqual({ width: 100_000, height: 80_000 });
    expect(imageSize(CXR_JPEG)).toEqual({ width: 512, height: 512 });
    writeFileSync(join(dir, 'text.png'), 'not a png');
    expect(imageSize(join(dir, 'text.png'))).toBeUndefined();
  });

  it('refuses an image whose header claims more pixels than the limit, naming the size, the limit and the option', () => {
    const huge = pngHeaderOnly('huge.png', 100_000, 80_000);
    const mask = png('huge_organ.png', 64, 48, square);
    let error: unknown;
    try {
      Array.from(loadRef(ref(huge, { organ: mask }), 'protocol'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect((error as ImageTooLargeError).pixels).toBe(8_000_000_000);
    expect((error as Error).message).toMatch(
      /^the image is 100000 x 80000 = 8,000,000,000 pixels, above the limit of 16,777,216 \(--max-pixels; the default is 4096 x 4096 = 16,777,216\): not decoded\. Raise --max-pixels/,
    );
    expect(DEFAULT_MAX_PIXELS).toBe(4096 * 4096);
  });

  it('applies a lowered limit to a real image, and evaluates it under the default', () => {
    const image = png('a.png', 64, 48, square);
    const mask = png('a_organ.png', 64, 48, square);
    expect(() => [...loadRef(ref(image, { organ: mask }), 'protocol', { maxPixels: 1000 })]).toThrow(
      /the image is 64 x 48 = 3,072 pixels, above the limit of 1,000 \(--max-pixels/,
    );
    const images = [...loadRef(ref(image, { organ: mask }), 'protocol')];
    expect(images.map((i) => i.objects.map((o) => [o.name, o.pixels]))).toEqual([[['organ', 400]]]);
  });

  it('refuses a mask whose header gives another size than its image, before decoding it', () => {
    const image = png('a.png', 64, 48, square);
    const mask = pngHeaderOnly('a_organ.png', 100_000, 100_000);
    expect(() => [...loadRef(ref(image, { organ: mask }), 'protocol')]).toThrow(
      `${mask} is 100000 x 100000; its image is 64 x 48.`,
    );
  });
});

describe('an image without an object', () => {
  it('says the mask is empty', () => {
    const image = png('a.png', 64, 48, square);
    const empty = png('a_organ.png', 64, 48, () => false);
    expect(() => [...loadRef(ref(image, { organ: empty }), 'protocol')]).toThrow(/^no object: the mask is empty\.$/);
    const other = png('a_spleen.png', 64, 48, () => false);
    expect(() => [...loadRef(ref(image, { organ: empty, spleen: other }), 'protocol')]).toThrow(
      /^no object: the 2 masks are empty\.$/,
    );
  });

  it('says no object is above 50 pixels, with the largest', () => {
    const image = png('a.png', 64, 48, square);
    const small = png('a_organ.png', 64, 48, (x, y) => x < 5 && y < 4); // 20 pixels
    const smaller = png('a_spleen.png', 64, 48, (x, y) => x < 50 && y === 0); // 50 pixels: not above
    expect(() => [...loadRef(ref(image, { organ: small, spleen: smaller }), 'protocol')]).toThrow(
      /^no object above 50 pixels \(largest 50; the study's rule\)\.$/,
    );
  });
});
