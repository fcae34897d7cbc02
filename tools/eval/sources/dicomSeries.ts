/**
 * A DICOM series with its SEG(s) → the 2D images the evaluation scores.
 *
 * The series' files are read header first and sorted along the slice normal (ImagePositionPatient ·
 * (row × column cosines)), or by InstanceNumber when a file lacks position or orientation; ties by
 * InstanceNumber, then path. Image k of that order has the id `<key>#z=<k>`. Each SEG segment is an object
 * (overlapping segments stay separate objects), named by its SegmentLabel (a name met again, in a later
 * SEG or segment, gets "_2", "_3", …) with `label` = SegmentNumber. Objects of MIN_OBJECT_PIXELS or fewer
 * are dropped; only images left with an object have their pixels read.
 *
 * Pixels are the stored values with the file's modality LUT (RescaleSlope / RescaleIntercept) left in
 * `SlicePixels`; `spacing` is PixelSpacing (DICOM's [row, column] turned into [column, row]), or
 * ImagerPixelSpacing when there is none. Window: 'file' uses the first WindowCenter / WindowWidth and falls
 * back to the protocol's percentile window when the file has none.
 */
import {
  PROTOCOL_PERCENTILE_WINDOW,
  type SlicePixels,
  type VoiSetting,
} from '../../../extensions/sam-segmentation/src/core';
import {
  checkTransferSyntax,
  firstNumber,
  firstString,
  numbers,
  pixelDataBytes,
  readDicom,
  type DicomDataset,
  type DicomFile,
} from './dicomRead';
import { indexSeg, type SegIndex, type SegTarget } from './dicomSeg';
import { MIN_OBJECT_PIXELS, type EvalImage, type EvalObject, type ImageRef, type WindowChoice } from './types';
import { voxelsFromBytes, type Vec3, type VoxelType } from './volume';

export type DicomSeriesRef = Extract<ImageRef, { kind: 'dicom-series' }>;

export interface SeriesImage extends SegTarget {
  instanceNumber?: number;
  /** ImageOrientationPatient: row then column direction cosines. */
  orientation?: readonly number[];
}

/** Reads an image file's header and checks it can be decoded here (native pixels, one frame). */
export const readSeriesImage = (path: string): SeriesImage => seriesImageOf(readDicom(path, { headerOnly: true }));

/** An image file's place in its series, from its header; throws when it cannot be decoded here. */
export function seriesImageOf(file: DicomFile): SeriesImage {
  const { dataset, path } = file;
  checkTransferSyntax(file);
  if (!('PixelData' in dataset)) throw new Error(`${path}: no pixel data (Modality ${String(dataset.Modality)}).`);
  const frames = firstNumber(dataset.NumberOfFrames) ?? 1;
  if (frames !== 1) throw new Error(`${path}: multi-frame image files (${frames} frames) are not supported.`);
  const rows = Number(dataset.Rows);
  const columns = Number(dataset.Columns);
  if (!(rows > 0 && columns > 0)) throw new Error(`${path}: bad Rows ${rows} or Columns ${columns}.`);
  const sopInstanceUid = firstString(dataset.SOPInstanceUID);
  if (!sopInstanceUid) throw new Error(`${path}: no SOPInstanceUID.`);
  const image: SeriesImage = { path, sopInstanceUid, rows, columns };
  const position = numbers(dataset.ImagePositionPatient);
  const [x, y, z] = position;
  if (position.length === 3 && position.every(Number.isFinite)) image.position = [x!, y!, z!];
  const orientation = numbers(dataset.ImageOrientationPatient);
  if (orientation.length === 6 && orientation.every(Number.isFinite)) image.orientation = orientation;
  const instanceNumber = firstNumber(dataset.InstanceNumber);
  if (instanceNumber !== undefined) image.instanceNumber = instanceNumber;
  return image;
}

/** The slice normal: row cosines × column cosines. */
function sliceNormal(o: readonly number[]): Vec3 {
  const [rx, ry, rz, cx, cy, cz] = o as [number, number, number, number, number, number];
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

/** The series' images in slice order (see the file comment). */
export function sortSeriesImages(images: readonly SeriesImage[]): SeriesImage[] {
  const orientation = images[0]?.orientation;
  const byPosition = orientation !== undefined && images.every((i) => i.position && i.orientation);
  const normal = orientation ? sliceNormal(orientation) : ([0, 0, 0] as const);
  const along = (i: SeriesImage) =>
    byPosition ? i.position![0] * normal[0] + i.position![1] * normal[1] + i.position![2] * normal[2] : 0;
  const instance = (i: SeriesImage) => i.instanceNumber ?? Number.MAX_SAFE_INTEGER;
  return [...images].sort(
    (a, b) => along(a) - along(b) || instance(a) - instance(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

const STORED_TYPES: Record<number, [VoxelType, VoxelType]> = {
  8: ['uint8', 'int8'],
  16: ['uint16', 'int16'],
  32: ['uint32', 'int32'],
};
const READABLE_INTERPRETATIONS = ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL'];

/** Keeps the low `bitsStored` bits (sign-extended for signed data): old files keep overlays above them. */
function maskStoredBits(values: SlicePixels['values'], bitsStored: number, signed: boolean): void {
  const shift = 32 - bitsStored;
  const low = bitsStored >= 32 ? 0xffffffff : (1 << bitsStored) - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    values[i] = signed ? (v << shift) >> shift : (v & low) >>> 0;
  }
}

/** The stored pixels of a whole-file read, with the attributes to display them. */
export function slicePixelsOf(file: DicomFile): SlicePixels {
  const { dataset: d, path } = file;
  const rows = Number(d.Rows);
  const columns = Number(d.Columns);
  const samplesPerPixel = firstNumber(d.SamplesPerPixel) ?? 1;
  const photometricInterpretation = (firstString(d.PhotometricInterpretation) ?? '').toUpperCase();
  const bitsAllocated = Number(d.BitsAllocated);
  const bitsStored = firstNumber(d.BitsStored) ?? bitsAllocated;
  const signed = d.PixelRepresentation === 1;
  if (!READABLE_INTERPRETATIONS.includes(photometricInterpretation)) {
    throw new Error(
      `${path}: photometric interpretation "${photometricInterpretation}" is not supported. ` +
        `Should be one of: ${READABLE_INTERPRETATIONS.join(', ')}.`,
    );
  }
  const types = STORED_TYPES[bitsAllocated];
  if (!types || (samplesPerPixel !== 1 && bitsAllocated !== 8)) {
    throw new Error(`${path}: ${bitsAllocated}-bit pixels with ${samplesPerPixel} sample(s) are not supported.`);
  }
  const count = rows * columns * samplesPerPixel;
  const bytes = pixelDataBytes(file);
  if (bytes.length < (count * bitsAllocated) / 8) {
    throw new Error(
      `${path}: ${bytes.length} bytes of pixel data; ${rows} x ${columns} x ${samplesPerPixel} need more.`,
    );
  }
  const values = voxelsFromBytes(bytes, types[signed ? 1 : 0], count, true);
  if (bitsStored < bitsAllocated) maskStoredBits(values, bitsStored, signed);
  const slice: SlicePixels = {
    values,
    rows,
    columns,
    samplesPerPixel,
    photometricInterpretation,
    bitsStored,
    rescaleSlope: firstNumber(d.RescaleSlope) ?? 1,
    rescaleIntercept: firstNumber(d.RescaleIntercept) ?? 0,
  };
  if (samplesPerPixel === 3) slice.planarConfiguration = firstNumber(d.PlanarConfiguration) ?? 0;
  return slice;
}

/** The file's own window (first WindowCenter / WindowWidth), when it has a usable one. */
export function fileWindow(d: DicomDataset): VoiSetting | undefined {
  const center = firstNumber(d.WindowCenter);
  const width = firstNumber(d.WindowWidth);
  return center !== undefined && width !== undefined && width >= 1 ? { kind: 'window', center, width } : undefined;
}

/** [column spacing, row spacing] in mm from PixelSpacing ([row, column]), else ImagerPixelSpacing. */
export function columnRowSpacing(d: DicomDataset): readonly [number, number] | undefined {
  for (const value of [d.PixelSpacing, d.ImagerPixelSpacing]) {
    const [row, column] = numbers(value);
    if (row! > 0 && column! > 0) return [column!, row!];
  }
  return undefined;
}

/** Gives each (SEG, segment) an object name, unique within the series: repeats get "_2", "_3", …. */
function segmentNamer() {
  const names = new Map<string, string>();
  const used = new Set<string>();
  return (seg: number, segment: { number: number; name: string }) => {
    const key = `${seg}:${segment.number}`;
    let name = names.get(key);
    if (name === undefined) {
      name = segment.name;
      for (let n = 2; used.has(name); n++) name = `${segment.name}_${n}`;
      names.set(key, name);
      used.add(name);
    }
    return name;
  };
}

export function countPixels(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

/**
 * Reads a DICOM series reference and yields, in slice order, each image that has a SEG object of more than
 * MIN_OBJECT_PIXELS pixels. Throws with the file and the reason for input it cannot use.
 */
/** A series reference's images in slice order, its SEGs indexed against them, and the segments' names. */
export function openSeries(ref: DicomSeriesRef): {
  images: SeriesImage[];
  segs: SegIndex[];
  nameOf: (seg: number, segment: { number: number; name: string }) => string;
} {
  if (ref.files.length === 0) throw new Error(`${ref.key}: the series reference lists no image files.`);
  if (ref.segs.length === 0) throw new Error(`${ref.key}: the series reference lists no SEG file.`);
  const images = sortSeriesImages(ref.files.map(readSeriesImage));
  const segs: SegIndex[] = ref.segs.map((path) => indexSeg(readDicom(path), images));
  // Segment names are fixed in SEG order before any image, so they do not depend on which slices are kept.
  const nameOf = segmentNamer();
  segs.forEach((seg, j) => seg.segments.forEach((segment) => nameOf(j, segment)));
  return { images, segs, nameOf };
}

/** The window an image of a series is segmented at: the file's own ('file', when it has one) or the protocol's. */
export const seriesWindow = (file: DicomFile, window: WindowChoice): VoiSetting =>
  (window === 'file' && fileWindow(file.dataset)) || PROTOCOL_PERCENTILE_WINDOW;

export function* loadDicomSeriesRef(ref: DicomSeriesRef, window: WindowChoice): Generator<EvalImage> {
  const { images, segs, nameOf } = openSeries(ref);

  const withFrames = [...new Set(segs.flatMap((seg) => seg.images))].sort((a, b) => a - b);
  for (const k of withFrames) {
    const objects: EvalObject[] = [];
    segs.forEach((seg, j) => {
      const masks = seg.masksOn(k);
      for (const segment of seg.segments) {
        const mask = masks.get(segment.number);
        if (!mask) continue;
        const pixels = countPixels(mask);
        if (pixels > MIN_OBJECT_PIXELS) objects.push({ name: nameOf(j, segment), label: segment.number, mask, pixels });
      }
    });
    if (objects.length === 0) continue;
    const image = images[k]!;
    const file = readDicom(image.path);
    checkTransferSyntax(file);
    const voi = seriesWindow(file, window);
    const spacing = columnRowSpacing(file.dataset);
    yield {
      dataset: ref.dataset,
      id: `${ref.key}#z=${k}`,
      modality: ref.modality ?? firstString(file.dataset.Modality) ?? 'unknown',
      slice: slicePixelsOf(file),
      voi,
      ...(spacing && { spacing }),
      source: image.path,
      objects,
    };
  }
}
