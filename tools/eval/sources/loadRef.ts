/**
 * Loads one unit of work (an `ImageRef`) into the 2D images the evaluation scores: a PNG/JPEG with its
 * masks or label map, every kept slice of a volume, or every kept slice of a DICOM series with its SEG.
 * Objects of 50 pixels or fewer are dropped (the protocol's rule); a volume's slice left without objects is
 * not returned, and a 2D image left without objects throws, saying why (so it is reported, not "done" with
 * nothing in it). A 2D image above `limits.maxPixels` is refused from its header, before it is decoded.
 * Throws with the file and the reason when something cannot be read.
 */
import { PROTOCOL_PERCENTILE_WINDOW, type VoiSetting } from '../../../extensions/sam-segmentation/src/core';
import { loadDicomSeriesRef } from './dicomSeries';
import { IDENTITY_WINDOW, checkImagePixels, loadImage8, loadLabelImage, loadMask } from './image2d';
import { loadVolumeRef } from './volumeSlices';
import {
  DEFAULT_MAX_PIXELS,
  MIN_OBJECT_PIXELS,
  type EvalImage,
  type EvalObject,
  type ImageRef,
  type LoadLimits,
  type WindowChoice,
} from './types';

function countPixels(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

/** Label value → object name: the mapping's name, else "label_<v>". */
export function labelName(value: number, labels: Record<string, string> | undefined): string {
  return labels?.[String(value)] ?? `label_${value}`;
}

/** One binary object per non-zero label value, in increasing value order. */
export function objectsOfLabelMap(labels: ArrayLike<number>, names?: Record<string, string>): EvalObject[] {
  const values = new Set<number>();
  for (let i = 0; i < labels.length; i++) if (labels[i]) values.add(labels[i]!);
  return [...values]
    .sort((a, b) => a - b)
    .map((value) => {
      const mask = new Uint8Array(labels.length);
      for (let i = 0; i < labels.length; i++) if (labels[i] === value) mask[i] = 1;
      return { name: labelName(value, names), label: value, mask, pixels: countPixels(mask) };
    });
}

/** Why an image's objects are all dropped: empty ground truth, or nothing above the 50-pixel rule. */
function noObjectReason(ref: Extract<ImageRef, { kind: 'image2d' }>, objects: EvalObject[]): string {
  const largest = objects.reduce((most, o) => Math.max(most, o.pixels), 0);
  if (largest > 0) return `no object above ${MIN_OBJECT_PIXELS} pixels (largest ${largest}; the study's rule).`;
  const masks = Object.keys(ref.masks ?? {}).length;
  if (ref.labelMap) return `no object: ${masks > 0 ? 'the masks and the label map are' : 'the label map is'} empty.`;
  return `no object: ${masks === 1 ? 'the mask is' : `the ${masks} masks are`} empty.`;
}

function loadImage2dRef(
  ref: Extract<ImageRef, { kind: 'image2d' }>,
  window: WindowChoice,
  limits: LoadLimits,
): EvalImage[] {
  checkImagePixels(ref.image, limits.maxPixels ?? DEFAULT_MAX_PIXELS);
  const slice = loadImage8(ref.image);
  const { columns: width, rows: height } = slice;
  const objects: EvalObject[] = [];
  for (const [name, file] of Object.entries(ref.masks ?? {})) {
    const mask = loadMask(file, width, height);
    objects.push({ name, mask, pixels: countPixels(mask) });
  }
  if (ref.labelMap) objects.push(...objectsOfLabelMap(loadLabelImage(ref.labelMap, width, height), ref.labels));
  const voi: VoiSetting = window === 'protocol' ? PROTOCOL_PERCENTILE_WINDOW : IDENTITY_WINDOW;
  const kept = objects.filter((o) => o.pixels > MIN_OBJECT_PIXELS);
  if (kept.length === 0) throw new Error(noObjectReason(ref, objects));
  return [{ dataset: ref.dataset, id: ref.key, modality: ref.modality, slice, voi, objects: kept }];
}

/** The reference's images; a volume's or a series' slices are read one at a time as they are iterated. */
export function loadRef(ref: ImageRef, window: WindowChoice, limits: LoadLimits = {}): Iterable<EvalImage> {
  switch (ref.kind) {
    case 'image2d':
      return loadImage2dRef(ref, window, limits);
    case 'volume':
      return loadVolumeRef(ref, window);
    case 'dicom-series':
      return loadDicomSeriesRef(ref, window);
  }
}
