/**
 * A slice's stored values → the 8-bit image a SAM model sees: grey through the modality LUT and the
 * VOI window (MONOCHROME1 inverted), colour converted to RGB.
 */
import { paletteToRgb8, threeSamplesToRgb8 } from './colour';
import { applyModalityLut } from './modalityLut';
import { checkSlice, type SlicePixels } from './slicePixels';
import { resolveVoiRange, windowTo8Bit, type VoiRange, type VoiSetting } from './voiWindow';

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
}

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
      const voiRange = resolveVoiRange(voi, modality);
      const data = windowTo8Bit(modality, voiRange, interpretation === 'MONOCHROME1');
      return { image: { width, height, channels: 1, data }, voiRange };
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
