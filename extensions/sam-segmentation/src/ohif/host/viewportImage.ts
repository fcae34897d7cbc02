/**
 * The one place where an image on a viewport becomes what the runtime takes: the key of its
 * embedding (SOP Instance UID and frame, the displayed window) and, on demand, its pixels as the
 * core's SlicePixels (plain data the worker can take).
 */
import { PROTOCOL_PERCENTILE_WINDOW, type SlicePixels, type VoiSetting } from '../../core';
import type { ImageSource } from '../../runtime/runtimeSession';
import type { CornerstoneCore, CornerstoneImage, CornerstoneStackViewport } from './hostTypes';

/** The image's identity for the embedding cache: SOP Instance UID and frame, stable across URLs. */
export function imageKey(cornerstone: CornerstoneCore, imageId: string): string {
  const sop = cornerstone.metaData.get('sopCommonModule', imageId)?.sopInstanceUID;
  const frame = /[?&/]frames?[=/](\d+)/.exec(imageId)?.[1] ?? '1';
  return typeof sop === 'string' ? `${sop}#${frame}` : imageId;
}

export function toSlicePixels(cornerstone: CornerstoneCore, image: CornerstoneImage): SlicePixels {
  const pixels = image.getPixelData();
  const { rows, columns } = image;
  if (image.color) {
    // Cornerstone gives colour images as interleaved RGB or RGBA (YBR already converted).
    const components = image.numberOfComponents ?? pixels.length / (rows * columns);
    const rgb = new Uint8Array(rows * columns * 3);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += components) {
      rgb[i] = pixels[j]!;
      rgb[i + 1] = pixels[j + 1]!;
      rgb[i + 2] = pixels[j + 2]!;
    }
    return { values: rgb, rows, columns, samplesPerPixel: 3, photometricInterpretation: 'RGB' };
  }
  const photometric =
    (cornerstone.metaData.get('imagePixelModule', image.imageId)?.photometricInterpretation as string | undefined) ??
    image.photometricInterpretation ??
    'MONOCHROME2';
  // A pre-scaled image already holds modality values: its rescale must not be applied twice.
  const scaled = image.preScale?.scaled === true;
  return {
    values: pixels as SlicePixels['values'],
    rows,
    columns,
    samplesPerPixel: 1,
    photometricInterpretation: photometric,
    rescaleSlope: scaled ? 1 : image.slope,
    rescaleIntercept: scaled ? 0 : image.intercept,
  };
}

const AUTOMATIC_WINDOW = PROTOCOL_PERCENTILE_WINDOW;

/**
 * The viewport's displayed VOI range as a window, and the key it gives the embedding. A degenerate
 * window (width under 1, or not finite: a header's WindowWidth 0 shows a flat image) would give the
 * model a flat or binary image and a confident mask on nothing: the image's own range is used
 * instead, and `note` says so for the panel. (A valid window that shows the pixels flat is caught
 * where the pixels are, in core's toDisplayImage.)
 */
export function viewportVoi(voiRange: { lower: number; upper: number } | undefined): {
  voi: VoiSetting;
  key: string;
  note?: string;
} {
  if (!voiRange) return { voi: AUTOMATIC_WINDOW, key: 'auto' };
  const width = voiRange.upper - voiRange.lower;
  const center = (voiRange.upper + voiRange.lower) / 2;
  if (!(width >= 1) || !Number.isFinite(center)) {
    return {
      voi: AUTOMATIC_WINDOW,
      key: 'auto',
      note:
        `The display window has width ${Number.isFinite(width) ? Math.round(Math.max(0, width) * 10) / 10 : 'none'}: ` +
        `SAM sees this image with its own intensity range (${AUTOMATIC_WINDOW.lowerPercentile}-${AUTOMATIC_WINDOW.upperPercentile} percentile) instead. ` +
        'Set a window (W/L) to see what it sees.',
    };
  }
  return { voi: { kind: 'window', center, width }, key: `w${center.toFixed(1)}/${width.toFixed(1)}` };
}

/** An image as the runtime needs it, windowed as `voiRange` (the viewport's display). */
export function imageSource(
  cornerstone: CornerstoneCore,
  imageId: string,
  voiRange: { lower: number; upper: number } | undefined,
): ImageSource {
  const { voi, key, note } = viewportVoi(voiRange);
  return {
    imageKey: imageKey(cornerstone, imageId),
    preprocessingKey: key,
    voi,
    ...(note && { note }),
    pixels: async () => toSlicePixels(cornerstone, await cornerstone.imageLoader.loadAndCacheImage(imageId)),
  };
}

/** The image on screen in a viewport, windowed as shown. */
export function imageOnViewport(cornerstone: CornerstoneCore, viewport: CornerstoneStackViewport): ImageSource {
  return imageSource(cornerstone, viewport.getCurrentImageId(), viewport.getProperties().voiRange);
}
