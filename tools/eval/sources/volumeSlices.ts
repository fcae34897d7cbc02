/**
 * A volume and its label map → the 2D images the evaluation scores, one per slice along the main viewing
 * plane (the study protocol slices volumes that way).
 *
 * The slice axis is the acquisition's slice direction, read from the voxel spacing (`chooseSliceAxis`):
 * in-plane pixels are square in nearly every acquisition while the slice step differs, so the axis whose
 * spacing differs from the two equal ones is the slice axis, whether it is coarser (MR, 0.8 x 0.8 x 6.5 mm)
 * or finer (thin-slice CT, 0.9 x 0.9 x 0.625 mm, where "largest spacing" would wrongly cut sagittal
 * slices). With no equal pair the largest spacing wins (the slice step is then usually the coarsest);
 * isotropic voxels keep the file's own third axis, which is the acquisition's slice order for
 * DICOM-converted volumes. An axis with a single voxel is always the slice axis (a 2D file).
 *
 * A slice's pixels: row-major, columns along the first in-plane axis, rows along the second (so an axial
 * slice is x by y, a coronal one x by z, a sagittal one y by z; no flipping). Each label value on the slice
 * is an object named from `labels` (value → name) or "label_<v>"; objects of MIN_OBJECT_PIXELS or fewer
 * are dropped, and a slice without any object left is not returned. Image id: `<key>#z=<k>`, k the
 * zero-based slice index along the slice axis.
 */
import {
  PROTOCOL_PERCENTILE_WINDOW,
  type SlicePixels,
  type VoiSetting,
} from '../../../extensions/sam-segmentation/src/core';
import { readVolume } from './readVolume';
import { MIN_OBJECT_PIXELS, type EvalImage, type EvalObject, type ImageRef, type WindowChoice } from './types';
import { emptyLike, type Vec3, type Volume } from './volume';

const { abs, max, round } = Math;

export type VolumeRef = Extract<ImageRef, { kind: 'volume' }>;
export type Axis = 0 | 1 | 2;

/** Spacings within 1 % of each other count as equal (headers store rounded or float32 values). */
const EQUAL_SPACING_TOLERANCE = 0.01;
const sameSpacing = (a: number, b: number) => abs(a - b) <= EQUAL_SPACING_TOLERANCE * max(a, b);

/** The axis to slice along (see the file's comment for the rule and why). */
export function chooseSliceAxis(dims: Vec3, spacing: Vec3): Axis {
  const single = ([0, 1, 2] as const).filter((a) => dims[a] === 1);
  if (single.length === 1) return single[0]!;
  const [sx, sy, sz] = spacing;
  if (sameSpacing(sx, sy)) return 2; // also the isotropic case
  if (sameSpacing(sx, sz)) return 1;
  if (sameSpacing(sy, sz)) return 0;
  return sz >= sx && sz >= sy ? 2 : sy >= sx ? 1 : 0;
}

export interface VolumeSliceOptions {
  dataset: string;
  /** The reference key; image ids are `<key>#z=<k>`. */
  key: string;
  modality: string;
  /** Label value → object name; values not listed are named "label_<v>". */
  labels?: Record<string, string>;
  voi: VoiSetting;
  /** Defaults to `chooseSliceAxis`. */
  axis?: Axis;
}

/** Volume index of each pixel of slice 0 (row-major), and the step from one slice to the next. */
export function sliceGeometry(dims: Vec3, axis: Axis) {
  const strides = [1, dims[0], dims[0] * dims[1]] as const;
  const [columnAxis, rowAxis] = ([0, 1, 2] as const).filter((a) => a !== axis) as [Axis, Axis];
  const columns = dims[columnAxis];
  const rows = dims[rowAxis];
  const offsets = new Int32Array(rows * columns);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++, i++) offsets[i] = r * strides[rowAxis] + c * strides[columnAxis];
  }
  return { offsets, rows, columns, columnAxis, rowAxis, step: strides[axis], count: dims[axis] };
}

export type SliceGeometry = ReturnType<typeof sliceGeometry>;

/** A volume's voxels are grey values as stored (the NIfTI reader has applied its scaling already). */
const VOLUME_SLICE = {
  samplesPerPixel: 1,
  photometricInterpretation: 'MONOCHROME2',
  rescaleSlope: 1,
  rescaleIntercept: 0,
} as const;

/** Slice k of an image volume as the core's pixels. */
export function volumeSlicePixels(image: Volume, geometry: SliceGeometry, k: number): SlicePixels {
  const { offsets, rows, columns, step } = geometry;
  const base = k * step;
  const values = emptyLike(image.data, offsets.length);
  for (let i = 0; i < offsets.length; i++) values[i] = image.data[base + offsets[i]!]!;
  return { values, rows, columns, ...VOLUME_SLICE };
}

/** Foreground pixel count of each non-zero label value on one slice. */
export function countLabels(labels: ArrayLike<number>, base: number, offsets: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < offsets.length; i++) {
    const v = labels[base + offsets[i]!]!;
    if (v !== 0) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/** One EvalImage per slice with at least one object of more than MIN_OBJECT_PIXELS pixels, in slice order. */
export function* volumeSlices(image: Volume, label: Volume, options: VolumeSliceOptions): Generator<EvalImage> {
  if (image.dims.some((d, a) => d !== label.dims[a])) {
    throw new Error(
      `${options.key}: the label map's grid ${label.dims.join(' x ')} differs from ` +
        `the image's ${image.dims.join(' x ')}.`,
    );
  }
  const axis = options.axis ?? chooseSliceAxis(image.dims, image.spacing);
  const geometry = sliceGeometry(image.dims, axis);
  const { offsets, columnAxis, rowAxis, step, count } = geometry;
  const n = offsets.length;
  const spacing = [image.spacing[columnAxis], image.spacing[rowAxis]] as const;
  for (let k = 0; k < count; k++) {
    const base = k * step;
    const counts = countLabels(label.data, base, offsets);
    const kept = [...counts].filter(([, pixels]) => pixels > MIN_OBJECT_PIXELS).sort(([a], [b]) => a - b);
    if (kept.length === 0) continue;
    const objects: EvalObject[] = kept.map(([value, pixels]) => {
      const mask = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (label.data[base + offsets[i]!] === value) mask[i] = 1;
      return { name: options.labels?.[String(value)] ?? `label_${value}`, label: value, mask, pixels };
    });
    yield {
      dataset: options.dataset,
      id: `${options.key}#z=${k}`,
      modality: options.modality,
      slice: volumeSlicePixels(image, geometry, k),
      voi: options.voi,
      spacing,
      objects,
    };
  }
}

/** Throws when a label map holds a non-integer or non-finite value (a probability map, not labels). */
function checkIntegerLabels(label: Volume, path: string): void {
  const { data } = label;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== round(v)) {
      throw new Error(`${path}: a label map must hold integer labels; voxel ${i} holds ${v}.`);
    }
  }
}

/**
 * The window a volume's slices are shown at. Volume files store no window, so 'file' falls back to
 * the protocol's percentile window, as the WindowChoice contract says.
 */
export const volumeWindow = (_choice: WindowChoice): VoiSetting => PROTOCOL_PERCENTILE_WINDOW;

/** Reads a volume reference's image and label map, checked to share one grid and to hold integer labels. */
export function readVolumePair(ref: VolumeRef): { image: Volume; label: Volume } {
  const image = readVolume(ref.image, 'image');
  const label = readVolume(ref.labelMap, 'label');
  if (image.dims.some((d, a) => d !== label.dims[a])) {
    throw new Error(
      `${ref.labelMap}: the label map is ${label.dims.join(' x ')} voxels; its image ${ref.image} is ` +
        `${image.dims.join(' x ')}. They must share one grid.`,
    );
  }
  checkIntegerLabels(label, ref.labelMap);
  return { image, label };
}

/** Reads a volume reference's image and label map (once) and yields its kept slices one at a time. */
export function* loadVolumeRef(ref: VolumeRef, window: WindowChoice): Generator<EvalImage> {
  const { image, label } = readVolumePair(ref);
  const options: VolumeSliceOptions = {
    dataset: ref.dataset,
    key: ref.key,
    modality: ref.modality,
    voi: volumeWindow(window),
  };
  if (ref.labels) options.labels = ref.labels;
  yield* volumeSlices(image, label, options);
}
