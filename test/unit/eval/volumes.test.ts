/**
 * Volumes → 2D evaluation images: the slice-axis rule, slice geometry, the 50-pixel rule and object
 * naming with known answers on small built volumes, then the real pyradiomics brain MRI and prostate
 * phantom (NRRD) and a NIfTI pair through `loadVolumeRef`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_PERCENTILE_WINDOW } from '../../../extensions/sam-segmentation/src/core';
import type { Volume } from '../../../tools/eval/sources/volume';
import { chooseSliceAxis, loadVolumeRef, volumeSlices, type VolumeRef } from '../../../tools/eval/sources/volumeSlices';
import { niftiFile } from './volumeWriters';

const PYRADIOMICS = join(__dirname, '../../data/pyradiomics');
const dir = mkdtempSync(join(tmpdir(), 'volumes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS = { dataset: 'd', key: 'k', modality: 'MR', voi: PROTOCOL_PERCENTILE_WINDOW };

function volume(
  dims: [number, number, number],
  spacing: [number, number, number],
  value: (x: number, y: number, z: number) => number,
): Volume {
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let z = 0, i = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++, i++) data[i] = value(x, y, z);
  return { dims, spacing, data };
}

describe('chooseSliceAxis', () => {
  it.each([
    ['thick-slice MR, slices along z', [0.78, 0.78, 6.5], 2],
    ['thin-slice CT: the odd spacing is z even though it is the smallest', [0.9, 0.9, 0.625], 2],
    ['a sagittal acquisition stored in RAS order', [3, 0.5, 0.5], 0],
    ['a coronal acquisition', [0.6, 4, 0.6], 1],
    ['isotropic voxels keep the third axis', [1, 1, 1], 2],
    ['spacings equal within 1 % count as equal', [1, 1.004, 0.996], 2],
    ['no equal pair: the largest spacing', [0.7, 2.5, 0.9], 1],
  ] as const)('%s', (_, spacing, axis) => {
    expect(chooseSliceAxis([64, 64, 64], spacing)).toBe(axis);
  });

  it('slices a single-slice volume along its axis of size 1, whatever the spacing', () => {
    expect(chooseSliceAxis([64, 64, 1], [1, 1, 1])).toBe(2);
    expect(chooseSliceAxis([1, 64, 64], [0.5, 0.5, 0.5])).toBe(0);
  });
});

describe('volumeSlices', () => {
  // 12 x 10 x 3. Slice 0: label 1 has 51 pixels (kept), label 2 has 50 (dropped); slice 1: label 3 has
  // 50 pixels only (the slice is dropped); slice 2: nothing.
  const dims: [number, number, number] = [12, 10, 3];
  const image = volume(dims, [0.5, 0.6, 2], (x, y, z) => 1000 * z + 12 * y + x);
  const label = volume(dims, [0.5, 0.6, 2], (x, y, z) => {
    const i = 12 * y + x;
    if (z === 0) return i < 51 ? 1 : i < 101 ? 2 : 0;
    return z === 1 && i < 50 ? 3 : 0;
  });

  it('keeps slices with an object of more than 50 pixels, and only those objects, named from the map', () => {
    const images = [...volumeSlices(image, label, { ...OPTIONS, labels: { 1: 'tumour', 2: 'oedema' } })];
    expect(images.map((i) => i.id)).toEqual(['k#z=0']);
    const [first] = images;
    expect(first!.objects.map((o) => [o.name, o.label, o.pixels])).toEqual([['tumour', 1, 51]]);
    expect(first!.objects[0]!.mask.reduce((a, b) => a + b, 0)).toBe(51);
    expect(first!.objects[0]!.mask[50]).toBe(1);
    expect(first!.objects[0]!.mask[51]).toBe(0);
  });

  it('gives an axial slice x by y, row-major, with [column, row] spacing and a plain MONOCHROME2 slice', () => {
    const [first] = [...volumeSlices(image, label, OPTIONS)];
    expect(first!.slice).toMatchObject({
      rows: 10,
      columns: 12,
      samplesPerPixel: 1,
      photometricInterpretation: 'MONOCHROME2',
      rescaleSlope: 1,
      rescaleIntercept: 0,
    });
    expect(first!.slice.values).toBeInstanceOf(Int16Array);
    expect(first!.slice.values[12 * 3 + 5]).toBe(12 * 3 + 5);
    expect(first!.spacing).toEqual([0.5, 0.6]);
    expect(first!.voi).toEqual(PROTOCOL_PERCENTILE_WINDOW);
    expect(first!.objects[0]!.name).toBe('label_1');
    expect(first!.dataset).toBe('d');
    expect(first!.modality).toBe('MR');
  });

  it('cuts a sagittal slice (slice axis x) as columns y by rows z', () => {
    // 4 x 60 x 70, spacing 3 x 0.5 x 0.4: x is the odd axis. Voxel value encodes (x, y, z).
    const sagittal = volume([4, 60, 70], [3, 0.5, 0.4], (x, y, z) => 10000 * x + 100 * z + y);
    const labels = volume([4, 60, 70], [3, 0.5, 0.4], (x, y, z) => (x === 2 && y < 10 && z < 10 ? 7 : 0));
    const images = [...volumeSlices(sagittal, labels, OPTIONS)];
    expect(images.map((i) => i.id)).toEqual(['k#z=2']);
    const { slice, spacing, objects } = images[0]!;
    expect([slice.columns, slice.rows]).toEqual([60, 70]);
    expect(spacing).toEqual([0.5, 0.4]);
    expect(slice.values[60 * 33 + 17]).toBe(20000 + 100 * 33 + 17); // row 33 = z, column 17 = y
    expect(objects.map((o) => [o.name, o.pixels])).toEqual([['label_7', 100]]);
    expect(objects[0]!.mask[60 * 9 + 9]).toBe(1);
    expect(objects[0]!.mask[60 * 10 + 9]).toBe(0);
  });

  it('refuses a label map on another grid', () => {
    const other = volume([12, 10, 4], [0.5, 0.6, 2], () => 0);
    expect(() => [...volumeSlices(image, other, OPTIONS)]).toThrow("12 x 10 x 4 differs from the image's 12 x 10 x 3");
  });
});

describe('loadVolumeRef', () => {
  const ref = (image: string, labelMap: string, labels?: Record<string, string>): VolumeRef => ({
    kind: 'volume',
    key: image,
    dataset: 'pyradiomics',
    modality: 'MR',
    image: join(PYRADIOMICS, image),
    labelMap: join(PYRADIOMICS, labelMap),
    ...(labels && { labels }),
  });

  it('keeps the brain tumour slices 11-17 of brain1 (counts checked independently with Python)', () => {
    const images = [...loadVolumeRef(ref('brain1_image.nrrd', 'brain1_label.nrrd', { 1: 'tumour' }), 'file')];
    expect(images.map((i) => [i.id, i.objects.map((o) => `${o.name}:${o.pixels}`).join()])).toEqual([
      ['brain1_image.nrrd#z=11', 'tumour:378'],
      ['brain1_image.nrrd#z=12', 'tumour:524'],
      ['brain1_image.nrrd#z=13', 'tumour:626'],
      ['brain1_image.nrrd#z=14', 'tumour:247'],
      ['brain1_image.nrrd#z=15', 'tumour:842'],
      ['brain1_image.nrrd#z=16', 'tumour:984'],
      ['brain1_image.nrrd#z=17', 'tumour:536'],
    ]);
    const [first] = images;
    expect([first!.slice.columns, first!.slice.rows]).toEqual([256, 256]);
    expect(first!.spacing![0]).toBeCloseTo(0.78125, 10);
    expect(first!.voi).toEqual(PROTOCOL_PERCENTILE_WINDOW); // 'file': volumes store no window
  });

  it('drops the prostate phantom labels 1 and 7 (at most 28 pixels a slice) and keeps 8 and 9 on all 13 slices', () => {
    const images = [
      ...loadVolumeRef(ref('prostate_phantom_subvolume.nrrd', 'prostate_phantom_subvolume-label.nrrd'), 'protocol'),
    ];
    expect(images).toHaveLength(13);
    expect(images[0]!.objects.map((o) => [o.name, o.label, o.pixels])).toEqual([
      ['label_8', 8, 207],
      ['label_9', 9, 1585],
    ]);
    expect(images[12]!.objects.map((o) => o.pixels)).toEqual([845, 945]);
    expect(images[0]!.slice.values).toBeInstanceOf(Uint16Array);
    expect([images[0]!.slice.columns, images[0]!.slice.rows]).toEqual([82, 67]);
  });

  it('reads a NIfTI pair: scaled image intensities, integer labels', () => {
    const dims = [8, 8, 2];
    const labels = new Uint8Array(128).fill(3, 64, 128); // slice 1 all label 3 (64 pixels)
    const imagePath = join(dir, 'case_image.nii.gz');
    const labelPath = join(dir, 'case_seg.nii.gz');
    const values = Int16Array.from({ length: 128 }, (_, i) => i);
    writeFileSync(imagePath, niftiFile({ dims, datatype: 4, data: values, sclSlope: 2, sclInter: -10, gzip: true }));
    writeFileSync(labelPath, niftiFile({ dims, datatype: 2, data: labels, sclSlope: 5, gzip: true }));
    const images = [
      ...loadVolumeRef(
        { kind: 'volume', key: 'case', dataset: 'd', modality: 'CT', image: imagePath, labelMap: labelPath },
        'protocol',
      ),
    ];
    expect(images.map((i) => i.id)).toEqual(['case#z=1']);
    expect(images[0]!.objects.map((o) => [o.name, o.label, o.pixels])).toEqual([['label_3', 3, 64]]);
    expect(images[0]!.slice.values).toBeInstanceOf(Float32Array);
    expect(images[0]!.slice.values[0]).toBe(2 * 64 - 10);
  });

  it('names both files when the grids differ, and refuses a probability map as labels', () => {
    const imagePath = join(dir, 'a.nii');
    const labelPath = join(dir, 'a_label.nii');
    writeFileSync(imagePath, niftiFile({ dims: [4, 4, 2], datatype: 4, data: new Int16Array(32) }));
    writeFileSync(labelPath, niftiFile({ dims: [4, 4, 3], datatype: 2, data: new Uint8Array(48) }));
    const pair = {
      kind: 'volume',
      key: 'a',
      dataset: 'd',
      modality: 'CT',
      image: imagePath,
      labelMap: labelPath,
    } as const;
    expect(() => [...loadVolumeRef(pair, 'protocol')]).toThrow(
      `${labelPath}: the label map is 4 x 4 x 3 voxels; its image ${imagePath} is 4 x 4 x 2.`,
    );
    writeFileSync(labelPath, niftiFile({ dims: [4, 4, 2], datatype: 16, data: new Float32Array(32).fill(0.25) }));
    expect(() => [...loadVolumeRef(pair, 'protocol')]).toThrow(`${labelPath}: a label map must hold integer labels`);
  });
});
