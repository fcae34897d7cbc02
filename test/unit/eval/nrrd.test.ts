/**
 * The NRRD reader: volumes written by the test's own writer (raw and gzip, both byte orders, detached
 * header, 2D) come back voxel for voxel, with spacing and orientation; the pyradiomics brain MRI reads
 * with the grid its header states; unsupported files fail with a message that says what is wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNrrd, readNrrdHeader } from '../../../tools/eval/sources/nrrd';
import { nrrdData, nrrdFile, nrrdHeader, type NrrdSpec } from './volumeWriters';

const PYRADIOMICS = join(__dirname, '../../data/pyradiomics');
const dir = mkdtempSync(join(tmpdir(), 'nrrd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Buffer | string) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

// 4 x 3 x 2 voxels, value = 100 * z + 10 * y + x, so every voxel says where it is.
const DIMS = [4, 3, 2] as const;
const ramp = <T extends Int16Array | Float64Array | Uint8Array>(make: (n: number) => T): T => {
  const data = make(24);
  for (let z = 0, i = 0; z < 2; z++)
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++, i++) data[i] = 100 * z + 10 * y + x;
  return data;
};
const GEOMETRY = [
  'space: left-posterior-superior',
  'space directions: (0,-0.5,0) (0.8,0,0) (0,0,3)',
  'space origin: (1,2,3)',
];

describe('readNrrd', () => {
  it.each([
    ['raw, little endian', { encoding: 'raw', endian: 'little' }],
    ['gzip, little endian', { encoding: 'gzip', endian: 'little' }],
    ['raw, big endian', { encoding: 'raw', endian: 'big' }],
    ['gzip, big endian', { encoding: 'gzip', endian: 'big' }],
  ] as const)('round-trips int16 voxels (%s) with spacing, direction and origin', (_, options) => {
    const data = ramp((n) => new Int16Array(n));
    const path = write(
      `ramp-${options.encoding}-${options.endian}.nrrd`,
      nrrdFile({ type: 'short', sizes: [...DIMS], data, fields: GEOMETRY, ...options }),
    );
    const volume = readNrrd(path);
    expect(volume.dims).toEqual([4, 3, 2]);
    expect(volume.data).toBeInstanceOf(Int16Array);
    expect(Array.from(volume.data)).toEqual(Array.from(data));
    expect(volume.spacing).toEqual([0.5, 0.8, 3]);
    expect(volume.direction).toEqual([
      [0, -1, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
    expect(volume.origin).toEqual([1, 2, 3]);
    expect(volume.space).toBe('left-posterior-superior');
  });

  it.each([
    ['signed char', Int8Array],
    ['uchar', Uint8Array],
    ['unsigned short', Uint16Array],
    ['int', Int32Array],
    ['uint32_t', Uint32Array],
    ['float', Float32Array],
    ['double', Float64Array],
  ] as const)('reads type "%s" into the matching typed array', (type, Type) => {
    const data = Type.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    const path = write(
      `type-${type}.nrrd`,
      nrrdFile({ type, sizes: [...DIMS], data, encoding: 'gzip', endian: 'big' }),
    );
    const volume = readNrrd(path);
    expect(volume.data).toBeInstanceOf(Type);
    expect(Array.from(volume.data)).toEqual(Array.from(data));
    expect(volume.spacing).toEqual([1, 1, 1]);
    expect(volume.direction).toBeUndefined();
  });

  it('reads a detached header (.nhdr + data file) with line and byte skips', () => {
    const data = ramp((n) => new Float64Array(n));
    const spec: NrrdSpec = { type: 'double', sizes: [...DIMS], data, encoding: 'raw', fields: ['spacings: 2 2.5 4'] };
    write('ramp.raw', Buffer.concat([Buffer.from('a line to skip\n'), Buffer.alloc(5), nrrdData(spec)]));
    const fields = [...spec.fields!, 'data file: ramp.raw', 'line skip: 1', 'byte skip: 5'];
    const path = write('ramp.nhdr', `${nrrdHeader({ ...spec, fields })}\n`);
    const volume = readNrrd(path);
    expect(Array.from(volume.data)).toEqual(Array.from(data));
    expect(volume.spacing).toEqual([2, 2.5, 4]);
    expect(readNrrdHeader(path)).toMatchObject({ dims: [4, 3, 2], type: 'double', dataFile: join(dir, 'ramp.raw') });
  });

  it('reads raw data at the end of the file with "byte skip: -1"', () => {
    const data = ramp((n) => new Uint8Array(n));
    const path = write('tail.nrrd', nrrdFile({ type: 'uint8', sizes: [...DIMS], data, fields: ['byte skip: -1'] }));
    expect(Array.from(readNrrd(path).data)).toEqual(Array.from(data));
  });

  it('reads a 2D image as one slice, and drops a trailing axis of size 1', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const flat = readNrrd(
      write('flat.nrrd', nrrdFile({ type: 'uchar', sizes: [3, 2], data, fields: ['spacings: 0.5 0.7'] })),
    );
    expect(flat.dims).toEqual([3, 2, 1]);
    expect(flat.spacing).toEqual([0.5, 0.7, 1]);
    const fourD = readNrrd(write('4d.nrrd', nrrdFile({ type: 'uchar', sizes: [3, 2, 1, 1], data })));
    expect(fourD.dims).toEqual([3, 2, 1]);
  });

  it('reads the pyradiomics brain MRI with the grid its header states', () => {
    const image = readNrrd(join(PYRADIOMICS, 'brain1_image.nrrd'));
    expect(image.dims).toEqual([256, 256, 25]);
    expect(image.data).toBeInstanceOf(Int16Array);
    expect(image.data).toHaveLength(256 * 256 * 25);
    expect(image.spacing[0]).toBeCloseTo(0.78125, 10);
    expect(image.spacing[1]).toBeCloseTo(0.78125, 10);
    expect(image.spacing[2]).toBeCloseTo(6.5, 10);
    expect(image.direction?.[1]).toEqual([0, -1, 0]);
    expect(image.origin?.[2]).toBeCloseTo(-78, 10);
    // Checked independently (Python gzip + struct): slice 12's sum and one voxel.
    let sum = 0;
    const slice = image.data.subarray(12 * 65536, 13 * 65536);
    for (let i = 0; i < slice.length; i++) sum += slice[i]!;
    expect(sum).toBe(27497983);
    expect(slice[100 * 256 + 120]).toBe(511);
    const label = readNrrd(join(PYRADIOMICS, 'brain1_label.nrrd'));
    expect(label.data).toBeInstanceOf(Int32Array);
    let tumour = 0;
    for (let i = 0; i < label.data.length; i++) tumour += label.data[i]!;
    expect(tumour).toBe(4137);
  });

  it.each([
    [
      'an unsupported encoding',
      { type: 'short', encoding: 'bzip2' },
      /encoding "bzip2" is not supported. Should be raw or gzip/,
    ],
    ['a 64-bit type', { type: 'long long' }, /type "long long" is not supported/],
    ['a missing endian', { type: 'short', endian: null }, /needs an "endian" field/],
  ])('rejects %s with a clear message', (_, change, message) => {
    const header = nrrdHeader({ type: 'short', sizes: [...DIMS], data: new Int16Array(24) })
      .replace('type: short', `type: ${change.type}`)
      .replace('encoding: raw', `encoding: ${'encoding' in change ? change.encoding : 'raw'}`)
      .replace(/endian: little\n/, 'endian' in change ? '' : 'endian: little\n');
    const path = write('bad.nrrd', Buffer.concat([Buffer.from(`${header}\n\n`), Buffer.alloc(48)]));
    expect(() => readNrrd(path)).toThrow(message);
    expect(() => readNrrd(path)).toThrow(path);
  });

  it('says how many bytes are missing from truncated data, and rejects vector images', () => {
    const short = write(
      'short.nrrd',
      Buffer.concat([
        Buffer.from(`${nrrdHeader({ type: 'short', sizes: [...DIMS], data: new Int16Array(0) })}\n\n`),
        Buffer.alloc(40),
      ]),
    );
    expect(() => readNrrd(short)).toThrow('40 bytes of voxel data; 4 x 3 x 2 int16 voxels need 48');
    const vector = nrrdFile({
      type: 'uchar',
      sizes: [3, 4, 3, 2],
      data: new Uint8Array(72),
      fields: ['space directions: none (1,0,0) (0,1,0) (0,0,1)'],
    });
    expect(() => readNrrd(write('rgb.nrrd', vector))).toThrow('only 2D and 3D scalar NRRD images are supported');
    expect(() => readNrrd(write('text.nrrd', 'P5 not a nrrd'))).toThrow('not a NRRD file');
  });
});
