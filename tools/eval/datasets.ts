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
import { labelComponents } from '../../extensions/sam-segmentation/src/core';
import { loadDicomSeriesRef } from './sources/dicomSeries';
import { IDENTITY_WINDOW, loadImage8, loadMask } from './sources/image2d';
import { MIN_OBJECT_PIXELS, type EvalImage, type EvalObject } from './sources/types';

export { IDENTITY_WINDOW, MIN_OBJECT_PIXELS, loadImage8, loadMask, type EvalImage, type EvalObject };

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAM_MED2D_DIR = join(ROOT, 'test', 'data', 'sam-med2d', 'data_demo');
export const CXR_LUNG_DIR = join(ROOT, 'test', 'data', 'cxr-lung', 'Data');
export const DCMQI_LIVER_DIR = join(ROOT, 'viewer', 'samples', 'dcmqi-liver-ct');

export type DatasetId = 'sam-med2d' | 'cxr-lung' | 'cxr-lung-pair' | 'dcmqi-liver';
export const DATASET_IDS: readonly DatasetId[] = ['sam-med2d', 'cxr-lung', 'cxr-lung-pair', 'dcmqi-liver'];

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

/**
 * The dcmqi CT slices with the liver segment of `liver.dcm`, through the evaluation's DICOM series loader
 * (sources/dicomSeries.ts), at the CT's own window; named after their files (dcmqi-01 … -03).
 */
export function loadDcmqiLiver(dir = DCMQI_LIVER_DIR): EvalImage[] {
  const files = ['01', '02', '03'].map((name) => join(dir, `${name}.dcm`));
  const ref = {
    kind: 'dicom-series' as const,
    key: 'dcmqi',
    dataset: 'dcmqi-liver',
    files,
    segs: [join(dir, 'liver.dcm')],
  };
  return [...loadDicomSeriesRef(ref, 'file')]
    .map((image) => ({
      ...image,
      id: `dcmqi-${basename(image.source!, '.dcm')}`,
      objects: image.objects.map((o) => ({ ...o, name: 'liver' })),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
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
