/**
 * Volume references as whole volumes for the volume modes (tools/eval/sources/volume3d.ts): every
 * slice, the objects of the whole volume (the 50-pixel rule on the largest slice) with their slice
 * areas and voxels, and slices identical to the 2D loaders' images of the same index. On a built NIfTI
 * pair, the pyradiomics brain MRI (NRRD) and the dcmqi CT series with its liver SEG.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_PERCENTILE_WINDOW, type SlicePixels } from '../../../extensions/sam-segmentation/src/core';
import { loadDicomSeriesRef } from '../../../tools/eval/sources/dicomSeries';
import type { ImageRef } from '../../../tools/eval/sources/types';
import { loadVolume3d } from '../../../tools/eval/sources/volume3d';
import { loadVolumeRef } from '../../../tools/eval/sources/volumeSlices';
import { niftiFile } from './volumeWriters';

const ROOT = join(__dirname, '../../..');
const PYRADIOMICS = join(ROOT, 'test/data/pyradiomics');
const DCMQI = join(ROOT, 'viewer/samples/dcmqi-liver-ct');
const dir = mkdtempSync(join(tmpdir(), 'volume3d-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
/** Same bytes (jest's deep equality is slow on 512 x 512 arrays). */
const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const sameSlice = (a: SlicePixels, b: SlicePixels) => {
  const { values: va, ...ra } = a;
  const { values: vb, ...rb } = b;
  expect(ra).toEqual(rb);
  expect(va.constructor).toBe(vb.constructor);
  expect(bytes(va).equals(bytes(vb))).toBe(true);
};

describe('loadVolume3d on a label map', () => {
  // 8 x 8 x 4: label 1 has 10, 60, 10 and 0 pixels on slices 0-3 (an object: slice 1 has more than 50);
  // label 2 has 30 pixels on slice 3 only (never more than 50: not an object).
  const dims = [8, 8, 4];
  const labels = new Uint8Array(256);
  labels.fill(1, 0, 10);
  labels.fill(1, 64, 124);
  labels.fill(1, 128, 138);
  labels.fill(2, 192, 222);
  const values = Int16Array.from({ length: 256 }, (_, i) => i - 100);
  const image = join(dir, 'case_image.nii.gz');
  const labelMap = join(dir, 'case_seg.nii.gz');
  writeFileSync(image, niftiFile({ dims, datatype: 4, data: values, gzip: true, pixdim: [1, 0.7, 0.7, 3] }));
  writeFileSync(labelMap, niftiFile({ dims, datatype: 2, data: labels, gzip: true, pixdim: [1, 0.7, 0.7, 3] }));
  const ref: ImageRef = { kind: 'volume', key: 'case', dataset: 'd', modality: 'CT', image, labelMap };

  it('gives every slice, and the objects of the whole volume with their slice areas and voxels', () => {
    const volume = loadVolume3d(ref, 'protocol');
    expect(volume).toMatchObject({ dataset: 'd', key: 'case', modality: 'CT', width: 8, height: 8, depth: 4 });
    expect(volume.spacing![0]).toBeCloseTo(0.7, 6);
    expect(volume.objects.map((o) => [o.index, o.name, o.label, Array.from(o.areas)])).toEqual([
      [0, 'label_1', 1, [10, 60, 10, 0]],
    ]);
    const truth = volume.truth(volume.objects[0]!);
    expect(truth).toHaveLength(256);
    expect(sum(truth)).toBe(80);
    expect(truth[9]).toBe(1);
    expect(truth[10]).toBe(0);
    expect(volume.voi(0)).toEqual(PROTOCOL_PERCENTILE_WINDOW);
  });

  it('cuts the slices the 2D loader cuts, even those it does not keep', () => {
    const volume = loadVolume3d(ref, 'protocol');
    const [kept] = [...loadVolumeRef(ref, 'protocol')];
    expect(kept!.id).toBe('case#z=1');
    expect(volume.slice(1)).toEqual(kept!.slice);
    expect(Array.from(volume.slice(3).values.slice(0, 3))).toEqual([92, 93, 94]);
  });
});

describe('loadVolume3d on the project data', () => {
  it('reads brain1 as 25 slices with one tumour of 4,137 voxels on slices 11-17', () => {
    const ref: ImageRef = {
      kind: 'volume',
      key: 'brain1',
      dataset: 'pyradiomics',
      modality: 'MR',
      image: join(PYRADIOMICS, 'brain1_image.nrrd'),
      labelMap: join(PYRADIOMICS, 'brain1_label.nrrd'),
      labels: { 1: 'tumour' },
    };
    const volume = loadVolume3d(ref, 'protocol');
    expect([volume.width, volume.height, volume.depth]).toEqual([256, 256, 25]);
    const [tumour] = volume.objects;
    expect(volume.objects).toHaveLength(1);
    expect(tumour!.name).toBe('tumour');
    expect(Array.from(tumour!.areas.slice(11, 18))).toEqual([378, 524, 626, 247, 842, 984, 536]);
    expect(sum(tumour!.areas)).toBe(4137);
    expect(sum(volume.truth(tumour!))).toBe(4137);
    const slice16 = [...loadVolumeRef(ref, 'protocol')].find((i) => i.id === 'brain1#z=16')!;
    sameSlice(volume.slice(16), slice16.slice);
  });

  it('reads the dcmqi CT series with its liver SEG: the 2D loader’s slices and masks, in its order', () => {
    const ref: ImageRef = {
      kind: 'dicom-series',
      key: 'dcmqi',
      dataset: 'dcmqi',
      files: ['01', '02', '03'].map((n) => join(DCMQI, `${n}.dcm`)),
      segs: [join(DCMQI, 'liver.dcm')],
    };
    const volume = loadVolume3d(ref, 'file');
    expect([volume.width, volume.height, volume.depth, volume.modality]).toEqual([512, 512, 3, 'CT']);
    expect(volume.objects.map((o) => o.name)).toEqual(['Liver']);
    const truth = volume.truth(volume.objects[0]!);
    const plane = 512 * 512;
    for (const image of loadDicomSeriesRef(ref, 'file')) {
      const k = Number(image.id.split('#z=')[1]);
      sameSlice(volume.slice(k), image.slice);
      expect(volume.voi(k)).toEqual(image.voi);
      expect(bytes(truth.subarray(k * plane, (k + 1) * plane)).equals(bytes(image.objects[0]!.mask))).toBe(true);
    }
    expect(volume.spacing).toBeDefined();
  });
});
