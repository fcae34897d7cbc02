/**
 * DICOM SEG → one binary mask per (source image, segment), decoded one image at a time. Supports BINARY
 * (1 bit, frames packed back to back, least significant bit first), FRACTIONAL (8 bit; foreground where
 * the value is at least half of MaximumFractionalValue) and LABELMAP (8 or 16 bit; the pixel value is the
 * segment number).
 *
 * A frame belongs to the image its DerivationImageSequence > SourceImageSequence references by
 * SOPInstanceUID (per-frame, or the shared group's when it names a single image); when that is missing
 * or names no image of the series, to the image at its PlanePositionSequence position (within
 * POSITION_TOLERANCE_MM). A frame with foreground that matches no image is an error: the ground truth
 * would be incomplete. Frames of one segment on one image are merged.
 */
import {
  checkTransferSyntax,
  firstNumber,
  firstString,
  items,
  numbers,
  pixelDataBytes,
  type DicomDataset,
  type DicomFile,
} from './dicomRead';
import type { Vec3 } from './volume';

const { hypot } = Math;

/** SEG frame positions are written with fewer digits than the images'; slices are ≥ 0.1 mm apart. */
export const POSITION_TOLERANCE_MM = 0.05;

/** What a SEG needs to know of the series' images. */
export interface SegTarget {
  sopInstanceUid: string;
  /** ImagePositionPatient, when the image has one. */
  position?: Vec3;
  rows: number;
  columns: number;
  path: string;
}

export interface SegSegment {
  number: number;
  /** SegmentLabel, or "segment_<n>" when it has none. */
  name: string;
}

export interface SegIndex {
  path: string;
  /** By segment number; a number used by frames but missing from SegmentSequence is added when met. */
  segments: SegSegment[];
  /** Indexes (in the `images` given) of the images that have frames, ascending. */
  images: number[];
  /** Segment number → mask (uint8[rows*columns], 1 = foreground) of the segments with foreground on an image. */
  masksOn(image: number): Map<number, Uint8Array>;
}

type FrameDecoder = (frame: number, segment: number | undefined) => Map<number, Uint8Array>;

/** Decodes one frame into its segments' masks; empty masks are left out. */
function frameDecoder(file: DicomFile, frameSize: number, frames: number): FrameDecoder {
  const { dataset: seg, path } = file;
  const bytes = pixelDataBytes(file);
  const type = String(seg.SegmentationType ?? '').toUpperCase();
  const bits = Number(seg.BitsAllocated);
  const need = (bitsPerPixel: number) => {
    if (bytes.length * 8 < frames * frameSize * bitsPerPixel) {
      throw new Error(
        `${path}: ${bytes.length} bytes of pixel data; ${frames} frames of ${frameSize} pixels need more.`,
      );
    }
  };
  const single = (segment: number | undefined, fill: (mask: Uint8Array) => number): Map<number, Uint8Array> => {
    if (segment === undefined) throw new Error(`${path}: a frame has no ReferencedSegmentNumber.`);
    const mask = new Uint8Array(frameSize);
    return fill(mask) > 0 ? new Map([[segment, mask]]) : new Map();
  };
  if (type === 'BINARY' && bits === 1) {
    need(1);
    return (f, segment) =>
      single(segment, (mask) => {
        let count = 0;
        for (let i = 0, bit = f * frameSize; i < frameSize; i++, bit++) {
          mask[i] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
          count += mask[i]!;
        }
        return count;
      });
  }
  if (type === 'FRACTIONAL' && bits === 8) {
    need(8);
    const max = firstNumber(seg.MaximumFractionalValue) ?? 255;
    if (!(max > 0)) throw new Error(`${path}: MaximumFractionalValue must be positive, got ${max}.`);
    return (f, segment) =>
      single(segment, (mask) => {
        let count = 0;
        for (let i = 0, o = f * frameSize; i < frameSize; i++, o++) {
          mask[i] = bytes[o]! * 2 >= max ? 1 : 0;
          count += mask[i]!;
        }
        return count;
      });
  }
  if (type === 'LABELMAP' && (bits === 8 || bits === 16)) {
    need(bits);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return (f) => {
      const masks = new Map<number, Uint8Array>();
      for (let i = 0, o = f * frameSize; i < frameSize; i++, o++) {
        const value = bits === 8 ? bytes[o]! : view.getUint16(2 * o, true);
        if (value === 0) continue;
        let mask = masks.get(value);
        if (!mask) masks.set(value, (mask = new Uint8Array(frameSize)));
        mask[i] = 1;
      }
      return masks;
    };
  }
  throw new Error(
    `${path}: SegmentationType ${type || '(none)'} with BitsAllocated ${bits} is not supported. ` +
      `Should be BINARY (1 bit), FRACTIONAL (8 bit) or LABELMAP (8 or 16 bit).`,
  );
}

/** The series image a frame belongs to (see the file comment), or undefined. */
function imageOfFrame(
  frame: DicomDataset,
  shared: DicomDataset,
  images: readonly SegTarget[],
  bySop: Map<string, number>,
): { image?: number; described: string } {
  const sources = (group: DicomDataset) =>
    items(group.DerivationImageSequence)
      .flatMap((d) => items(d.SourceImageSequence))
      .map((s) => firstString(s.ReferencedSOPInstanceUID))
      .filter((uid): uid is string => uid !== undefined);
  const own = sources(frame);
  const candidates = own.length ? own : sources(shared);
  const matched = [...new Set(candidates.map((uid) => bySop.get(uid)).filter((i) => i !== undefined))];
  if (matched.length === 1) return { image: matched[0]!, described: `SOP instance ${candidates.join(', ')}` };
  const plane = items(frame.PlanePositionSequence)[0] ?? items(shared.PlanePositionSequence)[0];
  const position = numbers(plane?.ImagePositionPatient);
  const described =
    (candidates.length ? `SOP instance ${candidates.join(', ')}` : 'no source image') +
    (position.length === 3 ? `, position (${position.join(', ')})` : ', no position');
  if (position.length !== 3) return { described };
  let best: number | undefined;
  let bestDistance = POSITION_TOLERANCE_MM;
  images.forEach((image, i) => {
    if (!image.position) return;
    const d = hypot(
      image.position[0] - position[0]!,
      image.position[1] - position[1]!,
      image.position[2] - position[2]!,
    );
    if (d <= bestDistance) [best, bestDistance] = [i, d];
  });
  return best === undefined ? { described } : { image: best, described };
}

/**
 * Indexes a SEG file (read whole) against the images of the series it segments: which frames lie on which
 * image. Masks are decoded per image on demand (`masksOn`), so a long series with many segments never
 * holds all its masks at once.
 */
export function indexSeg(file: DicomFile, images: readonly SegTarget[]): SegIndex {
  const { dataset: seg, path } = file;
  checkTransferSyntax(file);
  if (seg.Modality !== 'SEG') throw new Error(`${path}: not a DICOM SEG (Modality ${String(seg.Modality)}).`);
  const rows = Number(seg.Rows);
  const columns = Number(seg.Columns);
  const frames = firstNumber(seg.NumberOfFrames) ?? 1;
  if (!(rows > 0 && columns > 0 && frames > 0)) throw new Error(`${path}: bad Rows, Columns or NumberOfFrames.`);
  const decode = frameDecoder(file, rows * columns, frames);

  const segments = items(seg.SegmentSequence)
    .map((s) => {
      const number = firstNumber(s.SegmentNumber) ?? 0;
      return { number, name: firstString(s.SegmentLabel) || `segment_${number}` };
    })
    .sort((a, b) => a.number - b.number);
  const bySop = new Map(images.map((image, i) => [image.sopInstanceUid, i]));
  const shared = items(seg.SharedFunctionalGroupsSequence)[0] ?? {};
  const perFrame = items(seg.PerFrameFunctionalGroupsSequence);
  const framesOn = new Map<number, { frame: number; segment: number | undefined }[]>();

  for (let f = 0; f < frames; f++) {
    const frame = perFrame[f] ?? {};
    const identification =
      items(frame.SegmentIdentificationSequence)[0] ?? items(shared.SegmentIdentificationSequence)[0];
    const segment = firstNumber(identification?.ReferencedSegmentNumber);
    const { image, described } = imageOfFrame(frame, shared, images, bySop);
    if (image === undefined) {
      if (decode(f, segment).size === 0) continue; // an empty frame off the series changes nothing
      throw new Error(`${path}: frame ${f + 1} has foreground but matches no image of the series (${described}).`);
    }
    const target = images[image]!;
    if (target.rows !== rows || target.columns !== columns) {
      throw new Error(
        `${path}: frames are ${columns} x ${rows}; ${target.path} is ${target.columns} x ${target.rows}.`,
      );
    }
    framesOn.set(image, [...(framesOn.get(image) ?? []), { frame: f, segment }]);
  }

  const masksOn = (image: number) => {
    const masks = new Map<number, Uint8Array>();
    for (const { frame, segment } of framesOn.get(image) ?? []) {
      for (const [number, mask] of decode(frame, segment)) {
        const existing = masks.get(number);
        if (existing) for (let i = 0; i < mask.length; i++) existing[i] = existing[i]! | mask[i]!;
        else masks.set(number, mask);
        if (!segments.some((s) => s.number === number)) segments.push({ number, name: `segment_${number}` });
      }
    }
    return masks;
  };
  return { path, segments, images: [...framesOn.keys()].sort((a, b) => a - b), masksOn };
}
