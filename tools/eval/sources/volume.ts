/**
 * A 3D image on a voxel grid as the NRRD and NIfTI readers return it, and the byte → typed-array step
 * both share. Plain data: voxel (i, j, k) is `data[i + j * dims[0] + k * dims[0] * dims[1]]` (x fastest).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { StoredValues } from '../../../extensions/sam-segmentation/src/core';

export type Vec3 = readonly [number, number, number];

/** The voxel types both formats share (NRRD's names). 64-bit integers are not supported. */
export type VoxelType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float' | 'double';

export interface Volume {
  /** Voxels along [x, y, z]; a 2D file has z = 1. */
  dims: Vec3;
  data: StoredValues;
  /** Voxel size along [x, y, z] in mm (1 where the file does not say). */
  spacing: Vec3;
  /** Unit direction of each voxel axis in the file's world space, when the file says. */
  direction?: readonly [Vec3, Vec3, Vec3];
  /** World position of voxel (0, 0, 0) in mm, when the file says. */
  origin?: Vec3;
  /** The world space's name, e.g. "left-posterior-superior" (NRRD) or "RAS" (NIfTI). */
  space?: string;
}

/** The grid of a volume without its voxels: what a header alone says. */
export type VolumeGrid = Omit<Volume, 'data'> & { type: VoxelType };

const BYTES: Record<VoxelType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float: 4,
  double: 8,
};

export const bytesPerVoxel = (type: VoxelType) => BYTES[type];

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function allocate(type: VoxelType, buffer: ArrayBuffer): StoredValues {
  switch (type) {
    case 'int8':
      return new Int8Array(buffer);
    case 'uint8':
      return new Uint8Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'uint16':
      return new Uint16Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'uint32':
      return new Uint32Array(buffer);
    case 'float':
      return new Float32Array(buffer);
    case 'double':
      return new Float64Array(buffer);
  }
}

/**
 * `count` voxels of `type` from `bytes` (any alignment), copied into a typed array of their own and
 * byte-swapped when the file's byte order differs from this machine's.
 */
export function voxelsFromBytes(
  bytes: Uint8Array,
  type: VoxelType,
  count: number,
  littleEndian: boolean,
): StoredValues {
  const size = BYTES[type];
  if (bytes.length < count * size) throw new Error(`${bytes.length} bytes hold fewer than ${count} ${type} values.`);
  const copy = new Uint8Array(count * size);
  copy.set(bytes.subarray(0, count * size));
  if (size > 1 && littleEndian !== HOST_IS_LITTLE_ENDIAN) {
    for (let o = 0; o < copy.length; o += size) {
      for (let a = o, b = o + size - 1; a < b; a++, b--) {
        const t = copy[a]!;
        copy[a] = copy[b]!;
        copy[b] = t;
      }
    }
  }
  return allocate(type, copy.buffer);
}

/** Throws unless dims are positive integers whose product is a sane voxel count. */
export function checkDims(dims: readonly number[], path: string): void {
  if (dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${path}: voxel counts must be positive integers, got ${dims.join(' x ')}.`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > 2 ** 31) throw new Error(`${path}: ${dims.join(' x ')} voxels is too large to load.`);
}

export const voxelCount = (dims: Vec3) => dims[0] * dims[1] * dims[2];

/** The first `maxBytes` of a file (fewer when the file is shorter): enough for a header. */
export function readFileHead(path: string, maxBytes: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(maxBytes);
    let filled = 0;
    while (filled < maxBytes) {
      const n = readSync(fd, head, filled, maxBytes - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return head.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/** An empty typed array of the same type as `data`. */
export function emptyLike(data: StoredValues, length: number): StoredValues {
  return new (data.constructor as new (length: number) => StoredValues)(length);
}
