/**
 * A slice's stored values → the 8-bit image a SAM model sees: grey through the modality LUT and the
 * VOI window (MONOCHROME1 inverted), colour converted to RGB.
 */
import { paletteToRgb8, threeSamplesToRgb8 } from './colour';
import { applyModalityLut } from './modalityLut';
import { checkSlice, type SlicePixels } from './slicePixels';
import { PROTOCOL_PERCENTILE_WINDOW, resolveVoiRange, windowTo8Bit, type VoiRange, type VoiSetting } from './voiWindow';

/** 8-bit pixels, interleaved when there are 3 channels. */
export interface DisplayImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export interface DisplayImageResult {
  image: DisplayImage;
  /** The modality-value range mapped to 0-255 (grey images only), e.g. to show the automatic window. */
  voiRange?: VoiRange;
  /**
   * Set when the model sees the image otherwise than it was asked to: the given window showed it as
   * one flat grey level, so the study protocol's percentile window was used instead (says so, for the user).
   */
  windowNote?: string;
}

/** A display with at least this share of its pixels on one grey level shows nothing to prompt on. */
export const FLAT_DISPLAY_SHARE = 0.99;

/** The most common grey level of an 8-bit image and its share of the pixels. */
export function dominantLevel(data: Uint8Array): { level: number; share: number } {
  const counts = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) counts[data[i]!]!++;
  let level = 0;
  for (let v = 1; v < 256; v++) if (counts[v]! > counts[level]!) level = v;
  return { level, share: data.length ? counts[level]! / data.length : 1 };
}

const levelName = (level: number) => (level === 0 ? 'black' : level === 255 ? 'white' : `grey level ${level}`);

const round = (x: number) => Math.round(x * 10) / 10;

/** `voi` is used for grey images only; colour images ignore it. */
export function toDisplayImage(slice: SlicePixels, voi: VoiSetting): DisplayImageResult {
  const interpretation = checkSlice(slice);
  const width = slice.columns;
  const height = slice.rows;
  const pixelCount = width * height;
  switch (interpretation) {
    case 'MONOCHROME1':
    case 'MONOCHROME2': {
      const modality = applyModalityLut(slice.values, slice.rescaleSlope ?? 1, slice.rescaleIntercept ?? 0);
      const invert = interpretation === 'MONOCHROME1';
      const voiRange = resolveVoiRange(voi, modality);
      const data = windowTo8Bit(modality, voiRange, invert);
      const shown = { image: { width, height, channels: 1 as const, data }, voiRange };
      if (voi.kind !== 'window') return shown;
      // A window that shows the slice as one flat level (e.g. a CT at a level far outside its values)
      // would have the model answer with confidence on nothing: the protocol's window, if it shows more.
      const flat = dominantLevel(data);
      if (flat.share < FLAT_DISPLAY_SHARE) return shown;
      const ownRange = resolveVoiRange(PROTOCOL_PERCENTILE_WINDOW, modality);
      const own = windowTo8Bit(modality, ownRange, invert);
      if (dominantLevel(own).share >= FLAT_DISPLAY_SHARE) return shown; // the image itself is flat
      return {
        image: { width, height, channels: 1, data: own },
        voiRange: ownRange,
        windowNote:
          `The display window (centre ${round(voi.center)}, width ${round(voi.width)}) shows ` +
          `${Math.round(flat.share * 1000) / 10}% of this image as ${levelName(flat.level)}: SAM sees it with its ` +
          `own intensity range (${PROTOCOL_PERCENTILE_WINDOW.lowerPercentile}-${PROTOCOL_PERCENTILE_WINDOW.upperPercentile} percentile) ` +
          'instead. Set a window (W/L) that shows the structure to see what it sees.',
      };
    }
    case 'PALETTE COLOR':
      return { image: { width, height, channels: 3, data: paletteToRgb8(slice.values, slice.palette) } };
    case 'RGB':
    case 'YBR_FULL':
    case 'YBR_FULL_422': {
      const planar = (slice.planarConfiguration ?? 0) === 1;
      const ybr = interpretation !== 'RGB';
      const data = threeSamplesToRgb8(slice.values, pixelCount, planar, ybr, slice.bitsStored);
      return { image: { width, height, channels: 3, data } };
    }
  }
}
