/**
 * Tiny NRRD and NIfTI writers for the reader tests: just enough of each format to write a known volume
 * in either byte order, gzip-compressed or not.
 */
import { gzipSync } from 'node:zlib';

type Numbers =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** The typed array's bytes in the given byte order. */
export function bytesOf(data: Numbers, littleEndian = true): Buffer {
  const bytes = Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const size = data.BYTES_PER_ELEMENT;
  if (!littleEndian && size > 1) {
    for (let o = 0; o < bytes.length; o += size) bytes.subarray(o, o + size).reverse();
  }
  return bytes;
}

export interface NrrdSpec {
  type: string;
  sizes: number[];
  data: Numbers;
  encoding?: 'raw' | 'gzip';
  endian?: 'little' | 'big';
  /** More header lines, e.g. "space directions: (1,0,0) (0,1,0) (0,0,2)". */
  fields?: string[];
}

export function nrrdHeader(spec: NrrdSpec): string {
  return [
    'NRRD0004',
    '# written by the test',
    `type: ${spec.type}`,
    `dimension: ${spec.sizes.length}`,
    `sizes: ${spec.sizes.join(' ')}`,
    `endian: ${spec.endian ?? 'little'}`,
    `encoding: ${spec.encoding ?? 'raw'}`,
    ...(spec.fields ?? []),
  ].join('\n');
}

export function nrrdData(spec: NrrdSpec): Buffer {
  const raw = bytesOf(spec.data, (spec.endian ?? 'little') === 'little');
  return spec.encoding === 'gzip' ? gzipSync(raw) : raw;
}

/** An attached-header .nrrd file. */
export function nrrdFile(spec: NrrdSpec): Buffer {
  return Buffer.concat([Buffer.from(`${nrrdHeader(spec)}\n\n`, 'latin1'), nrrdData(spec)]);
}

export interface NiftiSpec {
  version?: 1 | 2;
  dims: number[];
  datatype: number;
  data: Numbers;
  littleEndian?: boolean;
  gzip?: boolean;
  /** pixdim[0..7]; pixdim[0] is qfac. */
  pixdim?: number[];
  sclSlope?: number;
  sclInter?: number;
  /** xyzt_units (2 = mm, 1 = m). */
  units?: number;
  /** quatern_b, c, d, qoffset_x, y, z with qform_code 1. */
  qform?: number[];
  /** srow_x, srow_y, srow_z with sform_code 1. */
  sform?: number[][];
}

/** A single-file NIfTI (.nii, or .nii.gz with `gzip`). */
export function niftiFile(spec: NiftiSpec): Buffer {
  const v2 = spec.version === 2;
  const size = v2 ? 540 : 348;
  const voxOffset = v2 ? 544 : 352;
  const header = Buffer.alloc(voxOffset);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const le = spec.littleEndian ?? true;
  const real = (offset: number, value: number) =>
    v2 ? view.setFloat64(offset, value, le) : view.setFloat32(offset, value, le);
  const step = v2 ? 8 : 4;
  view.setInt32(0, size, le);
  header.write(v2 ? 'n+2\0\r\n\x1a\n' : 'n+1\0', v2 ? 4 : 344, 'latin1');
  const dims = [spec.dims.length, ...spec.dims];
  dims.forEach((d, i) => (v2 ? view.setBigInt64(16 + 8 * i, BigInt(d), le) : view.setInt16(40 + 2 * i, d, le)));
  view.setInt16(v2 ? 12 : 70, spec.datatype, le);
  view.setInt16(v2 ? 14 : 72, spec.data.BYTES_PER_ELEMENT * 8, le);
  (spec.pixdim ?? [1, 1, 1, 1]).forEach((p, i) => real((v2 ? 104 : 76) + step * i, p));
  if (v2) view.setBigInt64(168, BigInt(voxOffset), le);
  else view.setFloat32(108, voxOffset, le);
  real(v2 ? 176 : 112, spec.sclSlope ?? 0);
  real(v2 ? 184 : 116, spec.sclInter ?? 0);
  if (v2) view.setInt32(500, spec.units ?? 2, le);
  else view.setUint8(123, spec.units ?? 2);
  const code = (offset: number, value: number) =>
    v2 ? view.setInt32(offset, value, le) : view.setInt16(offset, value, le);
  if (spec.qform) {
    code(v2 ? 344 : 252, 1);
    spec.qform.forEach((q, i) => real((v2 ? 352 : 256) + step * i, q));
  }
  if (spec.sform) {
    code(v2 ? 348 : 254, 1);
    spec.sform.forEach((row, r) => row.forEach((x, c) => real((v2 ? 400 : 280) + step * (4 * r + c), x)));
  }
  const file = Buffer.concat([header, bytesOf(spec.data, le)]);
  return spec.gzip ? gzipSync(file) : file;
}
