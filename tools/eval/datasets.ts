/**
 * Node loaders for the evaluation images with ground truth that ship in the project (test/data/ and
 * viewer/samples/; sources and licences in test/data/README.md), as the core's `SlicePixels` with the
 * window to show them at, and their objects as binary masks on the image grid.
 *
 *  - sam-med2d: CT slices as 8-bit PNGs (AMOS, TotalSegmentator via SAM-Med2D's data_demo), one PNG mask
 *    per object; images listed in image2label_train.json and label2image_test.json. amos_0507_31 (MR)
 *    has no masks and so no objects.
 *  - cxr-lung: chest X-rays as 8-bit JPEGs with a both-lung mask each (`N-mask.png`); each lung (a connected
 *    component of that mask) is an object, named by the side of the image it lies on. `cxr-lung-pair`:
 *    the same images with the file's mask as one object (both lungs), as the protocol's one-object-per-label
 *    rule reads it; a box around both lungs is centred on the mediastinum, not on lung.
 *  - dcmqi-liver: 3 CT slices (DICOM, HU through the modality LUT) with the liver from the DICOM SEG
 *    that references them, shown at the CT's own window (centre 40, width 400).
 *
 * 8-bit images are used as they are: a file whose pixels are all grey (R = G = B) becomes a MONOCHROME2
 * slice with the identity window (centre 128, width 256 maps 0..255 onto itself); other files become RGB.
 * A mask pixel > 127 is foreground; objects of 50 pixels or fewer are dropped (the protocol's rule).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { labelComponents, type SlicePixels, type VoiSetting } from '../../extensions/sam-segmentation/src/core';
import { parseDicom } from '../../viewer/samples/dicomFile';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAM_MED2D_DIR = join(ROOT, 'test', 'data', 'sam-med2d', 'data_demo');
export const CXR_LUNG_DIR = join(ROOT, 'test', 'data', 'cxr-lung', 'Data');
export const DCMQI_LIVER_DIR = join(ROOT, 'viewer', 'samples', 'dcmqi-liver-ct');

export type DatasetId = 'sam-med2d' | 'cxr-lung' | 'cxr-lung-pair' | 'dcmqi-liver';
export const DATASET_IDS: readonly DatasetId[] = ['sam-med2d', 'cxr-lung', 'cxr-lung-pair', 'dcmqi-liver'];

/** An object is kept when it has more than this many foreground pixels (the protocol's rule). */
export const MIN_OBJECT_PIXELS = 50;

/** The identity window: 8-bit values shown as they are. */
export const IDENTITY_WINDOW: VoiSetting = { kind: 'window', center: 128, width: 256 };

export interface EvalObject {
  /** e.g. "liver", "lung_lower_lobe_left", "hip_left_001". */
  name: string;
  /** uint8[H*W], 1 = foreground. */
  mask: Uint8Array;
  pixels: number;
}

export interface EvalImage {
  dataset: DatasetId;
  id: string;
  modality: 'CT' | 'MR' | 'CR';
  slice: SlicePixels;
  /** The window the image is segmented at (its own: 8-bit images as they are, CT at its DICOM window). */
  voi: VoiSetting;
  objects: EvalObject[];
}

interface Decoded {
  width: number;
  height: number;
  /** 4 bytes per pixel (RGBA) or 3 (RGB). */
  data: Uint8Array;
  bytesPerPixel: 3 | 4;
}

function decodeFile(path: string): Decoded {
  const bytes = readFileSync(path);
  if (/\.png$/i.test(path)) {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: png.data, bytesPerPixel: 4 };
  }
  if (/\.jpe?g$/i.test(path)) {
    const img = jpeg.decode(bytes, { formatAsRGBA: false, useTArray: true });
    return { width: img.width, height: img.height, data: img.data, bytesPerPixel: 3 };
  }
  throw new Error(`${path}: not a PNG or JPEG file.`);
}

/** An 8-bit PNG or JPEG as a slice: grey (MONOCHROME2) when every pixel has R = G = B, else RGB. */
export function loadImage8(path: string): SlicePixels {
  const { width, height, data, bytesPerPixel } = decodeFile(path);
  const n = width * height;
  let grey = true;
  for (let i = 0, o = 0; i < n && grey; i++, o += bytesPerPixel)
    grey = data[o] === data[o + 1] && data[o] === data[o + 2];
  const base = { rows: height, columns: width, rescaleSlope: 1, rescaleIntercept: 0 };
  if (grey) {
    const values = new Uint8Array(n);
    for (let i = 0, o = 0; i < n; i++, o += bytesPerPixel) values[i] = data[o]!;
    return { ...base, values, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2' };
  }
  const values = new Uint8Array(n * 3);
  for (let i = 0, o = 0; i < n; i++, o += bytesPerPixel) {
    values[3 * i] = data[o]!;
    values[3 * i + 1] = data[o + 1]!;
    values[3 * i + 2] = data[o + 2]!;
  }
  return { ...base, values, samplesPerPixel: 3, photometricInterpretation: 'RGB', planarConfiguration: 0 };
}

/** A mask image (first channel > 127 = foreground) of the given size. */
export function loadMask(path: string, width: number, height: number): Uint8Array {
  const decoded = decodeFile(path);
  if (decoded.width !== width || decoded.height !== height) {
    throw new Error(`${path} is ${decoded.width} x ${decoded.height}; its image is ${width} x ${height}.`);
  }
  const mask = new Uint8Array(width * height);
  for (let i = 0, o = 0; i < mask.length; i++, o += decoded.bytesPerPixel) mask[i] = decoded.data[o]! > 127 ? 1 : 0;
  return mask;
}

function toObject(name: string, mask: Uint8Array): EvalObject | null {
  let pixels = 0;
  for (const v of mask) pixels += v;
  return pixels > MIN_OBJECT_PIXELS ? { name, mask, pixels } : null;
}

const kept = (objects: (EvalObject | null)[]) => objects.filter((o): o is EvalObject => o !== null);

/** SAM-Med2D's data_demo: every image of both lists, each mask an object. */
export function loadSamMed2d(dir = SAM_MED2D_DIR): EvalImage[] {
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  const masksOf = new Map<string, string[]>();
  const add = (image: string, mask: string) => masksOf.set(image, [...(masksOf.get(image) ?? []), mask]);
  for (const [image, masks] of Object.entries(read('image2label_train.json')))
    for (const m of masks as string[]) add(image, m);
  for (const [mask, image] of Object.entries(read('label2image_test.json'))) add(image as string, mask);
  // Paths in the lists start with "data_demo/".
  const local = (p: string) => join(dir, p.replace(/^data_demo\//, ''));
  return [...masksOf.keys()].sort().map((image) => {
    const slice = loadImage8(local(image));
    const id = basename(image).replace(/\.png$/, '');
    const objects = masksOf
      .get(image)!
      .slice()
      .sort()
      .map((m) =>
        toObject(
          basename(m)
            .replace(`${id}_`, '')
            .replace(/\.png$/, ''),
          loadMask(local(m), slice.columns, slice.rows),
        ),
      );
    return { dataset: 'sam-med2d', id, modality: 'CT', slice, voi: IDENTITY_WINDOW, objects: kept(objects) };
  });
}

/** Connected components (8-connected) of a mask as objects, ordered left to right by their first column. */
function componentsOf(mask: Uint8Array, width: number, height: number): Uint8Array[] {
  const { labels, count } = labelComponents(mask, width, height, 8);
  const firstColumn = new Array<number>(count + 1).fill(width);
  labels.forEach((label, i) => {
    if (label) firstColumn[label] = Math.min(firstColumn[label]!, i % width);
  });
  const order = Array.from({ length: count }, (_, k) => k + 1).sort((a, b) => firstColumn[a]! - firstColumn[b]!);
  return order.map((label) => Uint8Array.from(labels, (v) => (v === label ? 1 : 0)));
}

/**
 * The lung-segmentation-2d demo chest X-rays. `pair` false (dataset cxr-lung): each lung an object
 * ("lung_image_left" is the patient's right lung); true (cxr-lung-pair): both lungs one object.
 */
export function loadCxrLung(dir = CXR_LUNG_DIR, pair = false): EvalImage[] {
  return [1, 2, 3, 4].map((k) => {
    const slice = loadImage8(join(dir, `${k}.jpg`));
    const mask = loadMask(join(dir, `${k}-mask.png`), slice.columns, slice.rows);
    const lungs = pair ? [] : componentsOf(mask, slice.columns, slice.rows);
    if (!pair && lungs.length !== 2) throw new Error(`${k}-mask.png has ${lungs.length} lungs; expected 2.`);
    const objects = pair
      ? [toObject('lungs', mask)]
      : [toObject('lung_image_left', lungs[0]!), toObject('lung_image_right', lungs[1]!)];
    return {
      dataset: pair ? 'cxr-lung-pair' : 'cxr-lung',
      id: `cxr-${k}`,
      modality: 'CR',
      slice,
      voi: IDENTITY_WINDOW,
      objects: kept(objects),
    };
  });
}

interface Dataset {
  [keyword: string]: unknown;
}
const items = (v: unknown) => (Array.isArray(v) ? (v as Dataset[]) : []);

/** The dcmqi CT slices with the liver segment of `liver.dcm` (binary SEG, one frame per slice). */
export function loadDcmqiLiver(dir = DCMQI_LIVER_DIR): EvalImage[] {
  const seg = parseDicom(readFileSync(join(dir, 'liver.dcm'))).dataset;
  const rows = seg.Rows as number;
  const columns = seg.Columns as number;
  if (seg.BitsAllocated !== 1) throw new Error('liver.dcm: expected a binary (1 bit) segmentation.');
  const bits = new Uint8Array((seg.PixelData as ArrayBuffer[])[0]!);
  const frameOf = new Map<string, number>();
  items(seg.PerFrameFunctionalGroupsSequence).forEach((frame, f) => {
    const source = items(items(frame.DerivationImageSequence)[0]?.SourceImageSequence)[0];
    if (typeof source?.ReferencedSOPInstanceUID === 'string') frameOf.set(source.ReferencedSOPInstanceUID, f);
  });
  const frameSize = rows * columns;
  return ['01', '02', '03'].map((name) => {
    const ct = parseDicom(readFileSync(join(dir, `${name}.dcm`))).dataset;
    const frame = frameOf.get(ct.SOPInstanceUID as string);
    if (frame === undefined) throw new Error(`liver.dcm has no frame for ${name}.dcm.`);
    if (ct.Rows !== rows || ct.Columns !== columns) throw new Error(`${name}.dcm and liver.dcm differ in size.`);
    const mask = new Uint8Array(frameSize);
    // Binary SEG frames are packed 8 pixels a byte, least significant bit first, frames back to back.
    for (let i = 0; i < frameSize; i++) {
      const bit = frame * frameSize + i;
      mask[i] = (bits[bit >> 3]! >> (bit & 7)) & 1;
    }
    const raw = (ct.PixelData as ArrayBuffer[])[0]!;
    const signed = ct.PixelRepresentation === 1;
    const values = signed ? new Int16Array(raw.slice(0)) : new Uint16Array(raw.slice(0));
    const slice: SlicePixels = {
      values,
      rows,
      columns,
      samplesPerPixel: 1,
      photometricInterpretation: String(ct.PhotometricInterpretation),
      rescaleSlope: Number(ct.RescaleSlope ?? 1),
      rescaleIntercept: Number(ct.RescaleIntercept ?? 0),
    };
    const first = (v: unknown) => Number(Array.isArray(v) ? v[0] : v);
    const voi: VoiSetting = { kind: 'window', center: first(ct.WindowCenter), width: first(ct.WindowWidth) };
    return {
      dataset: 'dcmqi-liver',
      id: `dcmqi-${name}`,
      modality: 'CT',
      slice,
      voi,
      objects: kept([toObject('liver', mask)]),
    };
  });
}

export function loadDataset(id: DatasetId): EvalImage[] {
  switch (id) {
    case 'sam-med2d':
      return loadSamMed2d();
    case 'cxr-lung':
      return loadCxrLung();
    case 'cxr-lung-pair':
      return loadCxrLung(CXR_LUNG_DIR, true);
    case 'dcmqi-liver':
      return loadDcmqiLiver();
  }
}
