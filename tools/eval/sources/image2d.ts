/**
 * 2D image files for the evaluation: 8-bit PNG or JPEG images as the core's `SlicePixels`, binary mask
 * files (first channel > 127 = foreground) and label-map PNGs (pixel value = label; 8 or 16 bit).
 *
 * A file whose pixels are all grey (R = G = B) becomes a MONOCHROME2 slice, so the window (the protocol's
 * percentile window, or the identity window for "as the file is") applies; other files become RGB.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { SlicePixels, VoiSetting } from '../../../extensions/sam-segmentation/src/core';
import { DEFAULT_MAX_PIXELS } from './types';

/** The identity window: 8-bit values shown as they are. */
export const IDENTITY_WINDOW: VoiSetting = { kind: 'window', center: 128, width: 256 };

/** A file name the 2D loaders read. */
export const IMAGE_2D_FILE = /\.(png|jpe?g)$/i;

/** An image refused for its size (before decoding): a data limit, so `pixels` goes on its skipped line. */
export class ImageTooLargeError extends Error {
  constructor(
    readonly pixels: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImageTooLargeError';
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

/** A JPEG's frame size from its SOF marker, walking the marker segments (EXIF and ICC data skipped). */
function jpegSize(fd: number): { width: number; height: number } | undefined {
  let position = 2; // after SOI (FF D8)
  for (let segments = 0; segments < 10_000; segments++) {
    const head = readAt(fd, position, 9);
    if (head.length < 4 || head[0] !== 0xff) return undefined;
    const marker = head[1]!;
    if (marker === 0xff) {
      position++; // a fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      position += 2; // no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): length, precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (head.length < 9) return undefined;
      return { height: head.readUInt16BE(5), width: head.readUInt16BE(7) };
    }
    position += 2 + head.readUInt16BE(2);
  }
  return undefined;
}

/**
 * Width and height from a PNG's IHDR chunk or a JPEG's frame header, read without decoding; undefined
 * when the file starts as neither (its decoder then says what is wrong).
 */
export function imageSize(path: string): { width: number; height: number } | undefined {
  const fd = openSync(path, 'r');
  try {
    const head = readAt(fd, 0, 24);
    if (
      head.length === 24 &&
      PNG_SIGNATURE.every((b, i) => head[i] === b) &&
      head.toString('latin1', 12, 16) === 'IHDR'
    )
      return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
    if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) return jpegSize(fd);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Refuses, from its header, an image of more than `maxPixels` pixels: decoding it would hold the image,
 * its masks and the evaluation's buffers at that size in one worker.
 */
export function checkImagePixels(path: string, maxPixels: number): void {
  const size = imageSize(path);
  if (!size) return;
  const pixels = size.width * size.height;
  if (pixels <= maxPixels) return;
  throw new ImageTooLargeError(
    pixels,
    `the image is ${size.width} x ${size.height} = ${count(pixels)} pixels, above the limit of ` +
      `${count(maxPixels)} (--max-pixels; the default is 4096 x 4096 = ${count(DEFAULT_MAX_PIXELS)}): not decoded. ` +
      'Raise --max-pixels to evaluate it (a worker holds the image and each of its masks at full size).',
  );
}

interface Decoded {
  width: number;
  height: number;
  /** `channels` values per pixel, 8 or 16 bit. */
  data: Uint8Array | Uint16Array;
  channels: number;
}

function decodeFile(path: string, keep16Bit = false): Decoded {
  const bytes = readFileSync(path);
  if (/\.png$/i.test(path)) {
    let png: PNG;
    try {
      png = PNG.sync.read(bytes, keep16Bit ? { skipRescale: true } : {});
    } catch (err) {
      throw new Error(`${path}: not a readable PNG (${err instanceof Error ? err.message : String(err)}).`);
    }
    // pngjs gives RGBA; with skipRescale a 16-bit file comes as 16-bit values.
    const data = png.data as unknown as Uint8Array | Uint16Array;
    return { width: png.width, height: png.height, data, channels: 4 };
  }
  if (/\.jpe?g$/i.test(path)) {
    try {
      const img = jpeg.decode(bytes, { formatAsRGBA: false, useTArray: true });
      return { width: img.width, height: img.height, data: img.data, channels: 3 };
    } catch (err) {
      throw new Error(`${path}: not a readable JPEG (${err instanceof Error ? err.message : String(err)}).`);
    }
  }
  throw new Error(`${path}: not a PNG or JPEG file.`);
}

/** An 8-bit PNG or JPEG as a slice: grey (MONOCHROME2) when every pixel has R = G = B, else RGB. */
export function loadImage8(path: string): SlicePixels {
  const { width, height, data, channels } = decodeFile(path);
  const n = width * height;
  let grey = true;
  for (let i = 0, o = 0; i < n && grey; i++, o += channels) grey = data[o] === data[o + 1] && data[o] === data[o + 2];
  const base = { rows: height, columns: width, rescaleSlope: 1, rescaleIntercept: 0 };
  if (grey) {
    const values = new Uint8Array(n);
    for (let i = 0, o = 0; i < n; i++, o += channels) values[i] = data[o]!;
    return { ...base, values, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2' };
  }
  const values = new Uint8Array(n * 3);
  for (let i = 0, o = 0; i < n; i++, o += channels) {
    values[3 * i] = data[o]!;
    values[3 * i + 1] = data[o + 1]!;
    values[3 * i + 2] = data[o + 2]!;
  }
  return { ...base, values, samplesPerPixel: 3, photometricInterpretation: 'RGB', planarConfiguration: 0 };
}

function checkSize(path: string, decoded: { width: number; height: number }, width: number, height: number): void {
  if (decoded.width !== width || decoded.height !== height) {
    throw new Error(`${path} is ${decoded.width} x ${decoded.height}; its image is ${width} x ${height}.`);
  }
}

/** The header's size is checked first: a mask claiming another (maybe huge) size is never decoded. */
function decodeOfSize(path: string, width: number, height: number, keep16Bit = false): Decoded {
  const header = imageSize(path);
  if (header) checkSize(path, header, width, height);
  const decoded = decodeFile(path, keep16Bit);
  checkSize(path, decoded, width, height);
  return decoded;
}

/** A mask image (first channel > 127 = foreground) of the given size. */
export function loadMask(path: string, width: number, height: number): Uint8Array {
  const decoded = decodeOfSize(path, width, height);
  const mask = new Uint8Array(width * height);
  for (let i = 0, o = 0; i < mask.length; i++, o += decoded.channels) mask[i] = decoded.data[o]! > 127 ? 1 : 0;
  return mask;
}

/** A label-map PNG (first channel = label value, 8 or 16 bit) of the given size. */
export function loadLabelImage(path: string, width: number, height: number): Uint16Array {
  if (!/\.png$/i.test(path)) throw new Error(`${path}: a label map must be a PNG (JPEG compression alters labels).`);
  const decoded = decodeOfSize(path, width, height, true);
  const labels = new Uint16Array(width * height);
  for (let i = 0, o = 0; i < labels.length; i++, o += decoded.channels) labels[i] = decoded.data[o]!;
  return labels;
}
