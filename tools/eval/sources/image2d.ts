/**
 * 2D image files for the evaluation: 8-bit PNG or JPEG images as the core's `SlicePixels`, binary mask
 * files (first channel > 127 = foreground) and label-map PNGs (pixel value = label; 8 or 16 bit).
 *
 * A file whose pixels are all grey (R = G = B) becomes a MONOCHROME2 slice, so the window (the protocol's
 * percentile window, or the identity window for "as the file is") applies; other files become RGB.
 */
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { SlicePixels, VoiSetting } from '../../../extensions/sam-segmentation/src/core';

/** The identity window: 8-bit values shown as they are. */
export const IDENTITY_WINDOW: VoiSetting = { kind: 'window', center: 128, width: 256 };

/** A file name the 2D loaders read. */
export const IMAGE_2D_FILE = /\.(png|jpe?g)$/i;

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

function checkSize(path: string, decoded: Decoded, width: number, height: number): void {
  if (decoded.width !== width || decoded.height !== height) {
    throw new Error(`${path} is ${decoded.width} x ${decoded.height}; its image is ${width} x ${height}.`);
  }
}

/** A mask image (first channel > 127 = foreground) of the given size. */
export function loadMask(path: string, width: number, height: number): Uint8Array {
  const decoded = decodeFile(path);
  checkSize(path, decoded, width, height);
  const mask = new Uint8Array(width * height);
  for (let i = 0, o = 0; i < mask.length; i++, o += decoded.channels) mask[i] = decoded.data[o]! > 127 ? 1 : 0;
  return mask;
}

/** A label-map PNG (first channel = label value, 8 or 16 bit) of the given size. */
export function loadLabelImage(path: string, width: number, height: number): Uint16Array {
  if (!/\.png$/i.test(path)) throw new Error(`${path}: a label map must be a PNG (JPEG compression alters labels).`);
  const decoded = decodeFile(path, true);
  checkSize(path, decoded, width, height);
  const labels = new Uint16Array(width * height);
  for (let i = 0, o = 0; i < labels.length; i++, o += decoded.channels) labels[i] = decoded.data[o]!;
  return labels;
}
