/**
 * NIfTI-1 and NIfTI-2 reader for single files (.nii, and .nii.gz: gzip is recognised by its magic bytes,
 * whatever the name), either byte order (found from sizeof_hdr, 348 or 540).
 *
 * Datatypes uint8, int8, int16, uint16, int32, uint32, float32, float64; 2D and 3D (any further dims
 * must be 1: a 4D series is refused rather than silently cut to its first volume). Spacing = |pixdim|
 * converted to mm by xyzt_units (unknown units are taken as mm). Orientation in NIfTI's RAS world from
 * the sform when sform_code > 0, else the qform (quaternion, qfac = pixdim[0]) when qform_code > 0,
 * else none. scl_slope / scl_inter are applied when asked (image intensities → float values); a slope
 * of 0 means "no scaling" (the standard's rule). .hdr/.img pairs and Analyze 7.5 are not supported.
 */
import { readFileSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import type { StoredValues } from '../../../extensions/sam-segmentation/src/core';
import {
  bytesPerVoxel,
  checkDims,
  readFileHead,
  voxelCount,
  voxelsFromBytes,
  type Vec3,
  type Volume,
  type VolumeGrid,
  type VoxelType,
} from './volume';

const { hypot, sqrt } = Math;

const DATATYPES: Record<number, VoxelType> = {
  2: 'uint8',
  4: 'int16',
  8: 'int32',
  16: 'float',
  64: 'double',
  256: 'int8',
  512: 'uint16',
  768: 'uint32',
};
const UNSUPPORTED_DATATYPES: Record<number, string> = {
  1: 'binary',
  32: 'complex64',
  128: 'RGB24',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'RGBA32',
};
/** xyzt_units & 7 → mm per unit; 0 (unknown) is taken as mm. */
const MM_PER_UNIT: Record<number, number> = { 0: 1, 1: 1000, 2: 1, 3: 0.001 };

export interface NiftiHeader extends VolumeGrid {
  version: 1 | 2;
  littleEndian: boolean;
  /** Byte offset of the voxels in the (decompressed) file. */
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
}

/** Field offsets of the two header layouts (NIfTI-1: 348 bytes, float32 fields; NIfTI-2: 540, float64). */
const LAYOUT = {
  1: { size: 348, magic: 344, dim: 40, datatype: 70, pixdim: 76, voxOffset: 108, slope: 112, inter: 116, units: 123 },
  2: { size: 540, magic: 4, dim: 16, datatype: 12, pixdim: 104, voxOffset: 168, slope: 176, inter: 184, units: 500 },
} as const;
const FORM = {
  1: { qformCode: 252, sformCode: 254, quatern: 256, srow: 280 },
  2: { qformCode: 344, sformCode: 348, quatern: 352, srow: 400 },
} as const;

const isGzip = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Parses the header at the start of a (decompressed) NIfTI file. */
export function parseNiftiHeader(bytes: Uint8Array, path: string): NiftiHeader {
  if (bytes.length < 348) throw new Error(`${path}: ${bytes.length} bytes is too short for a NIfTI header.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizeLe = view.getInt32(0, true);
  const sizeBe = view.getInt32(0, false);
  const version = sizeLe === 348 || sizeBe === 348 ? 1 : sizeLe === 540 || sizeBe === 540 ? 2 : 0;
  if (version === 0) throw new Error(`${path}: not a NIfTI file (sizeof_hdr is neither 348 nor 540).`);
  const le = sizeLe === 348 || sizeLe === 540;
  const at = LAYOUT[version];
  if (bytes.length < at.size) throw new Error(`${path}: the NIfTI-${version} header is cut short.`);
  const magic = String.fromCharCode(...bytes.subarray(at.magic, at.magic + 3));
  if (magic === `ni${version}`) throw new Error(`${path}: NIfTI .hdr/.img pairs are not supported; use a .nii file.`);
  if (magic !== `n+${version}`) throw new Error(`${path}: bad NIfTI magic "${magic}" (Analyze 7.5 is not supported).`);

  const f1 = (o: number) => view.getFloat32(o, le);
  const real = (o: number, i = 0) => (version === 1 ? view.getFloat32(o + 4 * i, le) : view.getFloat64(o + 8 * i, le));
  const integer = (o: number, i = 0) =>
    version === 1 ? view.getInt16(o + 2 * i, le) : Number(view.getBigInt64(o + 8 * i, le));
  const code = (o: number) => (version === 1 ? view.getInt16(o, le) : view.getInt32(o, le));

  const datatype = view.getInt16(at.datatype, le);
  const type = DATATYPES[datatype];
  if (!type) {
    throw new Error(
      `${path}: NIfTI datatype ${datatype} (${UNSUPPORTED_DATATYPES[datatype] ?? 'unknown'}) is not supported. ` +
        `Should be one of: ${Object.values(DATATYPES).join(', ')}.`,
    );
  }
  const ndim = integer(at.dim, 0);
  if (ndim < 1 || ndim > 7) throw new Error(`${path}: bad NIfTI dim[0] = ${ndim}.`);
  const dim = (i: number) => (i <= ndim ? integer(at.dim, i) : 1);
  for (let i = 4; i <= ndim; i++) {
    if (dim(i) !== 1) {
      throw new Error(`${path}: NIfTI dim[${i}] = ${dim(i)}: only 2D and 3D images are supported (one volume).`);
    }
  }
  const dims: Vec3 = [dim(1), dim(2), dim(3)];
  checkDims(dims, path);

  const units = version === 1 ? view.getUint8(at.units) : view.getInt32(at.units, le);
  const mm = MM_PER_UNIT[units & 7] ?? 1;
  const pixdim = (i: number) => real(at.pixdim, i);
  const spacing = [1, 2, 3].map((i) => {
    const s = Math.abs(pixdim(i)) * mm;
    return s > 0 && Number.isFinite(s) ? s : 1;
  });
  const header: NiftiHeader = {
    version,
    type,
    dims,
    spacing: [spacing[0]!, spacing[1]!, spacing[2]!],
    littleEndian: le,
    voxOffset: version === 1 ? f1(at.voxOffset) : Number(view.getBigInt64(at.voxOffset, le)),
    sclSlope: real(at.slope),
    sclInter: real(at.inter),
  };
  const orientation = orientationOf(version, code, real, pixdim(0), mm);
  if (orientation) Object.assign(header, orientation, { space: 'RAS' });
  return header;
}

/** The voxel axes' unit directions and the origin, from the sform or else the qform. */
function orientationOf(
  version: 1 | 2,
  code: (offset: number) => number,
  real: (offset: number, index?: number) => number,
  qfac: number,
  mm: number,
): { direction: [Vec3, Vec3, Vec3]; origin: Vec3 } | null {
  const at = FORM[version];
  const step = version === 1 ? 4 : 8;
  let columns: number[][];
  let origin: number[];
  if (code(at.sformCode) > 0) {
    const row = (r: number) => [0, 1, 2, 3].map((c) => real(at.srow + 4 * step * r, c));
    const rows = [row(0), row(1), row(2)];
    columns = [0, 1, 2].map((c) => rows.map((r) => r[c]!));
    origin = rows.map((r) => r[3]!);
  } else if (code(at.qformCode) > 0) {
    // quatern_b, c, d and qoffset_x, y, z; a from the unit quaternion (nifti1_io's quatern_to_mat44).
    const [b, c, d] = [0, 1, 2].map((i) => real(at.quatern, i)) as [number, number, number];
    const a = sqrt(Math.max(0, 1 - b * b - c * c - d * d));
    const s = qfac < 0 ? -1 : 1;
    columns = [
      [a * a + b * b - c * c - d * d, 2 * (b * c + a * d), 2 * (b * d - a * c)],
      [2 * (b * c - a * d), a * a + c * c - b * b - d * d, 2 * (c * d + a * b)],
      [2 * (b * d + a * c) * s, 2 * (c * d - a * b) * s, (a * a + d * d - c * c - b * b) * s],
    ];
    origin = [3, 4, 5].map((i) => real(at.quatern, i));
  } else {
    return null;
  }
  const unit = (v: number[]): Vec3 => {
    const l = hypot(...v) || 1;
    return [v[0]! / l, v[1]! / l, v[2]! / l];
  };
  return {
    direction: [unit(columns[0]!), unit(columns[1]!), unit(columns[2]!)],
    origin: [origin[0]! * mm, origin[1]! * mm, origin[2]! * mm],
  };
}

function decompress(bytes: Uint8Array, path: string, partial = false): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    // A cut-off stream (the head of a file) decompresses as far as it goes with a sync flush.
    return gunzipSync(bytes, partial ? { finishFlush: constants.Z_SYNC_FLUSH } : {});
  } catch (error) {
    throw new Error(`${path}: the gzip stream could not be decompressed (${(error as Error).message}).`);
  }
}

/** The header only, from the first bytes of the file (decompressed as far as they go). */
export function readNiftiHeader(path: string): NiftiHeader {
  return parseNiftiHeader(decompress(readFileHead(path, 16 * 1024), path, true), path);
}

export interface NiftiReadOptions {
  /** Apply scl_slope and scl_inter (image intensities). False for label maps, read as stored. Default true. */
  applyScaling?: boolean;
}

/** slope · v + inter into float32 (float64 for double data). */
function scaled(values: StoredValues, slope: number, inter: number): StoredValues {
  const out = values instanceof Float64Array ? new Float64Array(values.length) : new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * slope + inter;
  return out;
}

/** Reads a .nii or .nii.gz file. */
export function readNifti(path: string, options: NiftiReadOptions = {}): Volume {
  const bytes = decompress(readFileSync(path), path);
  const header = parseNiftiHeader(bytes, path);
  const { type, dims, spacing, direction, origin, space, voxOffset, sclSlope, sclInter } = header;
  const count = voxelCount(dims);
  const needed = count * bytesPerVoxel(type);
  if (!(voxOffset >= 0) || bytes.length - voxOffset < needed) {
    throw new Error(
      `${path}: ${Math.max(0, bytes.length - voxOffset)} bytes of voxel data after vox_offset ${voxOffset}; ` +
        `${dims.join(' x ')} ${type} voxels need ${needed}.`,
    );
  }
  let data = voxelsFromBytes(bytes.subarray(voxOffset), type, count, header.littleEndian);
  const scale = (options.applyScaling ?? true) && Number.isFinite(sclSlope) && sclSlope !== 0;
  const inter = Number.isFinite(sclInter) ? sclInter : 0;
  if (scale && (sclSlope !== 1 || inter !== 0)) data = scaled(data, sclSlope, inter);
  const volume: Volume = { dims, spacing, data };
  if (direction) volume.direction = direction;
  if (origin) volume.origin = origin;
  if (space) volume.space = space;
  return volume;
}
