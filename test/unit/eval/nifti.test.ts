/**
 * The NIfTI reader on files written by the test's own writer: NIfTI-1 and -2, .nii and .nii.gz, both
 * byte orders, every supported datatype, scl_slope / scl_inter, spacing units, qform and sform.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNifti, readNiftiHeader } from '../../../tools/eval/sources/nifti';
import { niftiFile, type NiftiSpec } from './volumeWriters';

const dir = mkdtempSync(join(tmpdir(), 'nifti-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let written = 0;
const write = (spec: NiftiSpec, name = `v${written++}${spec.gzip ? '.nii.gz' : '.nii'}`) => {
  const path = join(dir, name);
  writeFileSync(path, niftiFile(spec));
  return path;
};

const VALUES = Array.from({ length: 24 }, (_, i) => i * 3 - 20); // 4 x 3 x 2, negatives included
const INT16: NiftiSpec = { dims: [4, 3, 2], datatype: 4, data: Int16Array.from(VALUES), pixdim: [1, 0.7, 0.8, 2.5] };

describe('readNifti', () => {
  it.each([
    ['NIfTI-1 .nii, little endian', {}],
    ['NIfTI-1 .nii.gz, little endian', { gzip: true }],
    ['NIfTI-1 .nii, big endian', { littleEndian: false }],
    ['NIfTI-1 .nii.gz, big endian', { littleEndian: false, gzip: true }],
    ['NIfTI-2 .nii, little endian', { version: 2 }],
    ['NIfTI-2 .nii.gz, big endian', { version: 2, littleEndian: false, gzip: true }],
  ] as const)('round-trips int16 voxels and pixdim spacing (%s)', (_, options) => {
    const volume = readNifti(write({ ...INT16, ...options }));
    expect(volume.dims).toEqual([4, 3, 2]);
    expect(volume.data).toBeInstanceOf(Int16Array);
    expect(Array.from(volume.data)).toEqual(VALUES);
    expect(volume.spacing[0]).toBeCloseTo(0.7, 6);
    expect(volume.spacing[1]).toBeCloseTo(0.8, 6);
    expect(volume.spacing[2]).toBeCloseTo(2.5, 6);
    expect(volume.direction).toBeUndefined(); // no qform or sform
  });

  it.each([
    [2, Uint8Array, [0, 1, 200, 255]],
    [256, Int8Array, [-128, -1, 0, 127]],
    [512, Uint16Array, [0, 1, 40000, 65535]],
    [8, Int32Array, [-2e9, -1, 0, 2e9]],
    [768, Uint32Array, [0, 1, 3e9, 4e9]],
    [16, Float32Array, [-1.5, 0, 0.25, 1e6]],
    [64, Float64Array, [-1e-300, 0, Math.PI, 1e300]],
  ] as const)('reads datatype %i into the matching typed array, big endian', (datatype, Type, values) => {
    const volume = readNifti(write({ dims: [2, 2], datatype, data: Type.from(values), littleEndian: false }));
    expect(volume.dims).toEqual([2, 2, 1]);
    expect(volume.data).toBeInstanceOf(Type);
    expect(Array.from(volume.data)).toEqual(values);
  });

  it('applies scl_slope and scl_inter to image intensities, not to label maps, and ignores a slope of 0', () => {
    const path = write({ ...INT16, sclSlope: 2, sclInter: -1024, gzip: true, littleEndian: false });
    const image = readNifti(path);
    expect(image.data).toBeInstanceOf(Float32Array);
    expect(Array.from(image.data)).toEqual(VALUES.map((v) => 2 * v - 1024));
    const label = readNifti(path, { applyScaling: false });
    expect(label.data).toBeInstanceOf(Int16Array);
    expect(Array.from(label.data)).toEqual(VALUES);
    const unscaled = readNifti(write({ ...INT16, sclSlope: 0, sclInter: 5 }));
    expect(Array.from(unscaled.data)).toEqual(VALUES);
  });

  it('converts spacing in metres or microns to mm', () => {
    expect(readNifti(write({ ...INT16, units: 1, pixdim: [1, 0.001, 0.002, 0.003] })).spacing).toEqual([
      expect.closeTo(1, 6),
      expect.closeTo(2, 6),
      expect.closeTo(3, 6),
    ]);
    expect(readNifti(write({ ...INT16, units: 3, pixdim: [1, 500, 500, 1000] })).spacing).toEqual([0.5, 0.5, 1]);
  });

  it('reads the orientation from the qform (with qfac) and prefers the sform', () => {
    const s = Math.SQRT1_2; // a 90-degree turn about z: b = c = 0, d = sin 45°
    const q = readNifti(write({ ...INT16, pixdim: [-1, 1, 1, 1], qform: [0, 0, s, 10, 20, 30] }));
    expect(q.space).toBe('RAS');
    expect(q.origin).toEqual([10, 20, 30]);
    const near = (v: readonly number[]) => v.map((x) => Math.round(x * 1e6) / 1e6 + 0);
    expect(q.direction?.map(near)).toEqual([
      [0, 1, 0],
      [-1, 0, 0],
      [0, 0, -1], // qfac -1 flips the third axis
    ]);
    const both = readNifti(
      write({
        ...INT16,
        qform: [0, 0, s, 0, 0, 0],
        sform: [
          [0, -2, 0, 1],
          [3, 0, 0, 2],
          [0, 0, 4, 3],
        ],
      }),
    );
    expect(both.direction).toEqual([
      [0, 1, 0],
      [-1, 0, 0],
      [0, 0, 1],
    ]);
    expect(both.origin).toEqual([1, 2, 3]);
  });

  it('reads the header alone from the start of a .nii.gz', () => {
    const path = write({ ...INT16, version: 2, gzip: true, dims: [4, 3, 2, 1], littleEndian: false });
    expect(readNiftiHeader(path)).toMatchObject({ version: 2, dims: [4, 3, 2], type: 'int16', littleEndian: false });
  });

  it('says what is wrong with files it cannot read', () => {
    const fourD = write({ ...INT16, dims: [2, 2, 3, 2] });
    expect(() => readNifti(fourD)).toThrow(`${fourD}: NIfTI dim[4] = 2: only 2D and 3D images are supported`);
    expect(() => readNifti(write({ ...INT16, datatype: 128 }))).toThrow('datatype 128 (RGB24) is not supported');
    const pair = join(dir, 'pair.nii');
    writeFileSync(pair, Buffer.from(niftiFile(INT16).toString('latin1').replace('n+1\0', 'ni1\0'), 'latin1'));
    expect(() => readNifti(pair)).toThrow('.hdr/.img pairs are not supported');
    const short = join(dir, 'short.nii');
    writeFileSync(short, niftiFile(INT16).subarray(0, 352 + 20));
    expect(() => readNifti(short)).toThrow(
      '20 bytes of voxel data after vox_offset 352; 4 x 3 x 2 int16 voxels need 48',
    );
    const text = join(dir, 'text.nii');
    writeFileSync(text, 'x'.repeat(400));
    expect(() => readNifti(text)).toThrow('not a NIfTI file');
    const broken = join(dir, 'broken.nii.gz');
    writeFileSync(broken, niftiFile({ ...INT16, gzip: true }).subarray(0, 30));
    expect(() => readNifti(broken)).toThrow('gzip stream could not be decompressed');
  });
});
