/**
 * A volume reference (NRRD / NIfTI image + label map, or a DICOM series + SEG) as a whole volume, for the
 * 3D modes (run/evaluateVolume.ts): every slice along the slice axis, not only the kept ones, read one at
 * a time on demand, and the objects of the whole volume.
 *
 * Slices are those of the 2D loaders, in the same order and with the same pixels, window and spacing
 * (volumeSlices.ts: the slice axis by `chooseSliceAxis`; dicomSeries.ts: sorted along the slice normal),
 * so slice k here is the 2D image `<key>#z=<k>`.
 *
 * An object is a label value of the label map (a segment of a SEG) over the whole volume, connected or
 * not, all its voxels. It is evaluated when its largest slice has more than MIN_OBJECT_PIXELS pixels (the
 * study's 50-pixel rule: it has at least one slice the 2D protocol keeps). Its ground truth is built on
 * demand (`truth`), one object at a time.
 */
import {
  PROTOCOL_PERCENTILE_WINDOW,
  type SlicePixels,
  type VoiSetting,
} from '../../../extensions/sam-segmentation/src/core';
import { checkTransferSyntax, firstString, readDicom } from './dicomRead';
import {
  columnRowSpacing,
  countPixels,
  openSeries,
  seriesWindow,
  slicePixelsOf,
  type DicomSeriesRef,
} from './dicomSeries';
import { labelName } from './loadRef';
import { MIN_OBJECT_PIXELS, type ImageRef, type WindowChoice } from './types';
import {
  chooseSliceAxis,
  countLabels,
  readVolumePair,
  sliceGeometry,
  volumeSlicePixels,
  volumeWindow,
  type VolumeRef,
} from './volumeSlices';

export interface VolumeObject {
  /** Position among the volume's evaluated objects (seeds derive from it). */
  index: number;
  name: string;
  /** The label value (a SEG: the segment number). */
  label: number;
  /** Foreground pixels on each slice. */
  areas: Int32Array;
}

export interface EvalVolume {
  dataset: string;
  /** The reference key; slice k is the image `<key>#z=<k>`. */
  key: string;
  modality: string;
  width: number;
  height: number;
  /** Slices along the slice axis. */
  depth: number;
  /** [column spacing, row spacing] in mm, when the files say. */
  spacing?: readonly [number, number];
  /** Objects with a slice of more than MIN_OBJECT_PIXELS pixels, in label order. */
  objects: VolumeObject[];
  /** Slice k's pixels, read now. */
  slice(k: number): SlicePixels;
  /** The window slice k is segmented at. */
  voi(k: number): VoiSetting;
  /** The object's voxels: uint8[depth * height * width], slice after slice, row-major. */
  truth(object: VolumeObject): Uint8Array;
}

/** The objects worth evaluating out of per-label slice areas, numbered in label order. */
function keptObjects<T extends Omit<VolumeObject, 'index'>>(list: T[]): (T & { index: number })[] {
  return list.filter((o) => o.areas.some((n) => n > MIN_OBJECT_PIXELS)).map((o, index) => ({ ...o, index }));
}

function fileVolume(ref: VolumeRef, window: WindowChoice): EvalVolume {
  const { image, label } = readVolumePair(ref);
  const geometry = sliceGeometry(image.dims, chooseSliceAxis(image.dims, image.spacing));
  const { offsets, rows: height, columns: width, step, count: depth, columnAxis, rowAxis } = geometry;
  const byLabel = new Map<number, Int32Array>();
  for (let k = 0; k < depth; k++) {
    for (const [value, pixels] of countLabels(label.data, k * step, offsets)) {
      let areas = byLabel.get(value);
      if (!areas) byLabel.set(value, (areas = new Int32Array(depth)));
      areas[k] = pixels;
    }
  }
  const objects = keptObjects(
    [...byLabel]
      .sort(([a], [b]) => a - b)
      .map(([value, areas]) => ({ name: labelName(value, ref.labels), label: value, areas })),
  );
  const voi = volumeWindow(window);
  const plane = width * height;
  return {
    dataset: ref.dataset,
    key: ref.key,
    modality: ref.modality,
    width,
    height,
    depth,
    spacing: [image.spacing[columnAxis], image.spacing[rowAxis]],
    objects,
    slice: (k) => volumeSlicePixels(image, geometry, k),
    voi: () => voi,
    truth: (object) => {
      const mask = new Uint8Array(depth * plane);
      for (let k = 0; k < depth; k++) {
        if (object.areas[k] === 0) continue;
        const base = k * step;
        for (let i = 0; i < plane; i++) if (label.data[base + offsets[i]!] === object.label) mask[k * plane + i] = 1;
      }
      return mask;
    },
  };
}

function seriesVolume(ref: DicomSeriesRef, window: WindowChoice): EvalVolume {
  const { images, segs, nameOf } = openSeries(ref);
  const first = images[0]!;
  const other = images.find((i) => i.rows !== first.rows || i.columns !== first.columns);
  if (other) {
    throw new Error(
      `${other.path} is ${other.columns} x ${other.rows}, ${first.path} ${first.columns} x ${first.rows}: ` +
        'the 3D modes need every slice of the series on one grid.',
    );
  }
  const depth = images.length;
  const width = first.columns;
  const height = first.rows;
  const plane = width * height;
  // Slice areas of every (SEG, segment), decoding each SEG image once.
  const areas = segs.map(() => new Map<number, Int32Array>());
  segs.forEach((seg, j) => {
    for (const k of seg.images) {
      for (const [number, mask] of seg.masksOn(k)) {
        let a = areas[j]!.get(number);
        if (!a) areas[j]!.set(number, (a = new Int32Array(depth)));
        a[k] = countPixels(mask);
      }
    }
  });
  const objects = keptObjects(
    segs.flatMap((seg, j) =>
      seg.segments.flatMap((segment) => {
        const a = areas[j]!.get(segment.number);
        return a ? [{ name: nameOf(j, segment), label: segment.number, areas: a, seg: j }] : [];
      }),
    ),
  );
  const segOf = new Map(objects.map((o) => [o.index, o.seg]));
  const header = readDicom(first.path, { headerOnly: true }).dataset;
  const spacing = columnRowSpacing(header);
  return {
    dataset: ref.dataset,
    key: ref.key,
    modality: ref.modality ?? firstString(header.Modality) ?? 'unknown',
    width,
    height,
    depth,
    ...(spacing && { spacing }),
    objects,
    slice: (k) => {
      const file = readDicom(images[k]!.path);
      checkTransferSyntax(file);
      return slicePixelsOf(file);
    },
    voi: (k) =>
      window === 'file'
        ? seriesWindow(readDicom(images[k]!.path, { headerOnly: true }), window)
        : PROTOCOL_PERCENTILE_WINDOW,
    truth: (object) => {
      const seg = segs[segOf.get(object.index)!]!;
      const mask = new Uint8Array(depth * plane);
      for (const k of seg.images) {
        const m = seg.masksOn(k).get(object.label);
        if (m) mask.set(m, k * plane);
      }
      return mask;
    },
  };
}

/** Reads a volume or series reference as a whole volume; throws with the file and the reason. */
export function loadVolume3d(ref: Exclude<ImageRef, { kind: 'image2d' }>, window: WindowChoice): EvalVolume {
  return ref.kind === 'volume' ? fileVolume(ref, window) : seriesVolume(ref, window);
}
