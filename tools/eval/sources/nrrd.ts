/**
 * NRRD reader (http://teem.sourceforge.net/nrrd/format.html): a header of "field: value" lines, then the
 * voxels, either in the same file after a blank line (.nrrd) or in the file named by `data file` (.nhdr).
 *
 * Supported: encodings raw and gzip; types int8 … uint32, float, double; 2D and 3D scalar images
 * (trailing axes of size 1 are dropped); `space directions` (spacing = each vector's length, direction =
 * the unit vector) or else `spacings`; `space origin`; `line skip` and `byte skip` (-1 = data at the end,
 * raw only). Not supported, with an error saying so: ascii/hex/bzip2 encodings, 64-bit integers, `block`,
 * vector or colour axes, and `data file: LIST` or file-name patterns (multi-file data).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

const { hypot } = Math;

const TYPE_NAMES: Record<VoxelType, string[]> = {
  int8: ['signed char', 'int8', 'int8_t'],
  uint8: ['uchar', 'unsigned char', 'uint8', 'uint8_t'],
  int16: ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t'],
  uint16: ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t'],
  int32: ['int', 'signed int', 'int32', 'int32_t'],
  uint32: ['uint', 'unsigned int', 'uint32', 'uint32_t'],
  float: ['float'],
  double: ['double'],
};
const VOXEL_TYPE_OF = new Map(
  Object.entries(TYPE_NAMES).flatMap(([type, names]) => names.map((n) => [n, type as VoxelType])),
);

export type NrrdEncoding = 'raw' | 'gzip';
const ENCODING_OF: Record<string, NrrdEncoding> = { raw: 'raw', gzip: 'gzip', gz: 'gzip' };

export interface NrrdHeader extends VolumeGrid {
  encoding: NrrdEncoding;
  littleEndian: boolean;
  /** Absolute path of the detached data file, or undefined when the voxels follow the header. */
  dataFile?: string;
  lineSkip: number;
  byteSkip: number;
  /** Byte offset of the voxels in the header's own file (attached data). */
  dataOffset: number;
}

/** Where the header ends: the byte after its blank line, or -1 when the bytes hold no blank line. */
function headerEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** "(1,0,0)" → [1, 0, 0]; "none" → null. */
function parseVector(text: string, path: string): number[] | null {
  if (text === 'none') return null;
  const match = /^\(([^)]*)\)$/.exec(text);
  const values = match ? match[1]!.split(',').map((v) => Number(v.trim())) : [];
  if (!values.length || values.some((v) => Number.isNaN(v))) throw new Error(`${path}: bad NRRD vector "${text}".`);
  return values;
}

const toVec3 = (v: number[]): Vec3 => [v[0] ?? 0, v[1] ?? 0, v[2] ?? 0];

/** The header's "field: value" lines, keys lower-cased; comments and "key:=value" pairs left out. */
function headerFields(text: string, path: string): Map<string, string> {
  const lines = text.split(/\r?\n/);
  if (!/^NRRD000\d$/.test(lines[0]?.trim() ?? '')) throw new Error(`${path}: not a NRRD file (no "NRRD000x" magic).`);
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (!line.trim() || line.startsWith('#')) continue;
    const sep = line.indexOf(': ');
    const pair = line.indexOf(':=');
    if (sep < 0 || (pair >= 0 && pair < sep)) continue;
    fields.set(line.slice(0, sep).trim().toLowerCase(), line.slice(sep + 2).trim());
  }
  return fields;
}

/**
 * Dims, spacing and direction of the spatial axes. A non-spatial axis ("none" in space directions: vector,
 * colour) is only tolerated with one sample, as are trailing axes beyond the third.
 */
function spatialGrid(sizes: number[], directions: string | undefined, spacings: string | undefined, path: string) {
  const directionTexts = directions?.match(/\([^)]*\)|none/g) ?? null;
  if (directionTexts && directionTexts.length !== sizes.length) {
    throw new Error(`${path}: "space directions" has ${directionTexts.length} entries for ${sizes.length} axes.`);
  }
  const vectors = directionTexts?.map((t) => parseVector(t, path)) ?? null;
  const axes = sizes.map((_, a) => a).filter((a) => !(vectors && vectors[a] === null && sizes[a] === 1));
  while (axes.length > 3 && sizes[axes[axes.length - 1]!] === 1) axes.pop();
  if (axes.length < 2 || axes.length > 3 || (vectors && axes.some((a) => vectors[a] === null))) {
    throw new Error(
      `${path}: only 2D and 3D scalar NRRD images are supported; this one has sizes ${sizes.join(' ')}` +
        (directionTexts ? ` and space directions ${directionTexts.join(' ')}.` : '.'),
    );
  }
  const dims: Vec3 = [sizes[axes[0]!]!, sizes[axes[1]!]!, axes.length === 3 ? sizes[axes[2]!]! : 1];
  checkDims(dims, path);

  const spacing = [1, 1, 1];
  let direction: [Vec3, Vec3, Vec3] | undefined;
  if (vectors) {
    const axisVectors = axes.map((a) => vectors[a]!);
    const lengths = axisVectors.map((v) => hypot(...v));
    if (lengths.some((l) => !(l > 0))) throw new Error(`${path}: a "space directions" vector has zero length.`);
    lengths.forEach((l, i) => (spacing[i] = l));
    const units = axisVectors.map((v, i) => toVec3(v.map((x) => x / lengths[i]!)));
    if (units.length === 3) direction = [units[0]!, units[1]!, units[2]!];
  } else if (spacings) {
    const values = spacings.split(/\s+/).map(Number); // "nan" for an axis without spacing
    axes.forEach((a, i) => {
      const s = Math.abs(values[a] ?? NaN);
      if (s > 0) spacing[i] = s;
    });
  }
  return { dims, spacing: toVec3(spacing), direction };
}

/** Parses a NRRD header (the text up to its blank line). `path` is for messages and `data file`. */
export function parseNrrdHeader(text: string, path: string, dataOffset = 0): NrrdHeader {
  const fields = headerFields(text, path);
  const field = (...names: string[]) => names.map((n) => fields.get(n)).find((v) => v !== undefined);
  const required = (name: string) => {
    const value = fields.get(name);
    if (value === undefined) throw new Error(`${path}: the NRRD header has no "${name}" field.`);
    return value;
  };

  const typeName = required('type').toLowerCase();
  const type = VOXEL_TYPE_OF.get(typeName);
  if (!type) {
    throw new Error(
      `${path}: NRRD type "${typeName}" is not supported. Should be one of: ${Object.keys(TYPE_NAMES).join(', ')} ` +
        `(or their NRRD aliases).`,
    );
  }
  const encodingName = required('encoding').toLowerCase();
  const encoding = ENCODING_OF[encodingName];
  if (!encoding) throw new Error(`${path}: NRRD encoding "${encodingName}" is not supported. Should be raw or gzip.`);
  const endian = field('endian')?.toLowerCase();
  if (bytesPerVoxel(type) > 1 && endian !== 'little' && endian !== 'big') {
    throw new Error(`${path}: NRRD type ${type} needs an "endian" field of little or big, got "${endian ?? ''}".`);
  }

  const dimension = Number(required('dimension'));
  const sizes = required('sizes').split(/\s+/).map(Number);
  if (sizes.length !== dimension) {
    throw new Error(`${path}: "sizes" has ${sizes.length} values for dimension ${dimension}.`);
  }
  const { dims, spacing, direction } = spatialGrid(sizes, field('space directions'), field('spacings'), path);
  const originText = field('space origin');
  const origin = originText ? toVec3(parseVector(originText, path) ?? []) : undefined;

  const dataFileText = field('data file', 'datafile');
  if (dataFileText !== undefined && (/^LIST\b/.test(dataFileText) || dataFileText.includes('%'))) {
    throw new Error(`${path}: multi-file NRRD data ("data file: ${dataFileText}") is not supported.`);
  }
  const lineSkip = Number(field('line skip', 'lineskip') ?? 0);
  const byteSkip = Number(field('byte skip', 'byteskip') ?? 0);
  if (!Number.isInteger(lineSkip) || lineSkip < 0 || !Number.isInteger(byteSkip) || byteSkip < -1) {
    throw new Error(`${path}: bad "line skip" ${lineSkip} or "byte skip" ${byteSkip}.`);
  }
  if (byteSkip === -1 && encoding !== 'raw') throw new Error(`${path}: "byte skip: -1" needs raw encoding.`);

  const header: NrrdHeader = {
    type,
    dims,
    spacing,
    encoding,
    littleEndian: endian !== 'big',
    lineSkip,
    byteSkip,
    dataOffset,
  };
  if (direction) header.direction = direction;
  if (origin) header.origin = origin;
  const space = field('space');
  if (space) header.space = space;
  if (dataFileText !== undefined) {
    header.dataFile = isAbsolute(dataFileText) ? dataFileText : join(dirname(path), dataFileText);
  }
  return header;
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** Splits a NRRD file's bytes into its header and the offset where attached data starts. */
function headerOf(bytes: Uint8Array, path: string): NrrdHeader {
  const end = headerEnd(bytes);
  // A detached header (.nhdr) may end without a blank line.
  const header = parseNrrdHeader(latin1(end < 0 ? bytes : bytes.subarray(0, end)), path, end < 0 ? bytes.length : end);
  if (end < 0 && !header.dataFile) throw new Error(`${path}: the NRRD header has no blank line and no "data file".`);
  return header;
}

/** The header only (reads at most the first 64 KiB): grid, type and encoding, no voxels. */
export function readNrrdHeader(path: string): NrrdHeader {
  return headerOf(readFileHead(path, 64 * 1024), path);
}

function skipLines(bytes: Uint8Array, lines: number, path: string): Uint8Array {
  let offset = 0;
  for (let l = 0; l < lines; l++) {
    const newline = bytes.indexOf(0x0a, offset);
    if (newline < 0) throw new Error(`${path}: "line skip: ${lines}" runs past the end of the data.`);
    offset = newline + 1;
  }
  return bytes.subarray(offset);
}

/** Reads a .nrrd (attached data) or .nhdr (detached data) file. */
export function readNrrd(path: string): Volume {
  const file = readFileSync(path);
  const header = headerOf(file, path);
  const dataPath = header.dataFile ?? path;
  let data: Uint8Array = header.dataFile ? readFileSync(header.dataFile) : file.subarray(header.dataOffset);
  data = skipLines(data, header.lineSkip, dataPath);
  const count = voxelCount(header.dims);
  const needed = count * bytesPerVoxel(header.type);
  if (header.encoding === 'gzip') {
    try {
      data = gunzipSync(data);
    } catch (error) {
      throw new Error(
        `${dataPath}: the gzip-encoded NRRD data could not be decompressed (${(error as Error).message}).`,
      );
    }
  }
  const skip = header.byteSkip === -1 ? data.length - needed : header.byteSkip;
  if (skip < 0 || data.length - skip < needed) {
    throw new Error(
      `${dataPath}: ${Math.max(0, data.length - Math.max(skip, 0))} bytes of voxel data; ${header.dims.join(' x ')} ` +
        `${header.type} voxels need ${needed}.`,
    );
  }
  const { type, littleEndian, dims, spacing, direction, origin, space } = header;
  const volume: Volume = { dims, spacing, data: voxelsFromBytes(data.subarray(skip), type, count, littleEndian) };
  if (direction) volume.direction = direction;
  if (origin) volume.origin = origin;
  if (space) volume.space = space;
  return volume;
}
