/**
 * A small zip reader for model archives (SAM ViT-L / ViT-H are published only as zips): the central
 * directory, ZIP64 (members and offsets past 4 GiB: ViT-H's archive holds a 2.5 GB member), and members
 * stored or deflated, streamed to disk through node:zlib with their CRC-32 checked. Encrypted members,
 * other compression methods and multi-disk archives are refused with a message.
 * Layout: PKWARE APPNOTE.TXT, sections 4.3 (structure) and 4.5.3 (ZIP64 extra field).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_END = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA_ID = 0x0001;
const END_SIZE = 22;
const MAX_COMMENT = 0xffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate (others are listed but cannot be extracted). */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the member's local header starts. */
  localHeaderOffset: number;
}

/** A 64-bit little-endian field as a number, refused past 2^53 (no real archive gets there). */
function u64(buf: Buffer, offset: number, what: string): number {
  const v = buf.readBigUInt64LE(offset);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError(`${what} is ${v}, too large to be real`);
  return Number(v);
}

async function readAt(handle: FileHandle, position: number, length: number, what: string): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  if (bytesRead !== length) throw new ZipFormatError(`truncated archive: ${what} at byte ${position} is cut off`);
  return buf;
}

interface Directory {
  entries: number;
  size: number;
  offset: number;
}

/** The end of central directory record, and its ZIP64 counterpart when the archive has one. */
async function findDirectory(handle: FileHandle, fileSize: number): Promise<Directory> {
  const tailLength = Math.min(fileSize, END_SIZE + MAX_COMMENT);
  const tail = await readAt(handle, fileSize - tailLength, tailLength, 'the end of the archive');
  let at = -1;
  // The record is the last one whose comment length reaches exactly the end of the file.
  for (let i = tailLength - END_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_END && i + END_SIZE + tail.readUInt16LE(i + 20) === tailLength) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipFormatError('not a zip archive (no end of central directory record)');
  const endOffset = fileSize - tailLength + at;
  const disk = tail.readUInt16LE(at + 4);
  const directoryDisk = tail.readUInt16LE(at + 6);
  let directory: Directory = {
    entries: tail.readUInt16LE(at + 10),
    size: tail.readUInt32LE(at + 12),
    offset: tail.readUInt32LE(at + 16),
  };
  let multiDisk = disk !== 0 || directoryDisk !== 0;

  if (endOffset >= 20) {
    const locator = await readAt(handle, endOffset - 20, 20, 'the ZIP64 locator');
    if (locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      const zip64EndOffset = u64(locator, 8, 'the ZIP64 end record offset');
      multiDisk ||= locator.readUInt32LE(16) > 1;
      const end64 = await readAt(handle, zip64EndOffset, 56, 'the ZIP64 end of central directory record');
      if (end64.readUInt32LE(0) !== SIG_ZIP64_END) {
        throw new ZipFormatError(`no ZIP64 end of central directory record at byte ${zip64EndOffset}`);
      }
      multiDisk ||= end64.readUInt32LE(16) !== 0 || end64.readUInt32LE(20) !== 0;
      directory = {
        entries: u64(end64, 32, 'the number of entries'),
        size: u64(end64, 40, 'the central directory size'),
        offset: u64(end64, 48, 'the central directory offset'),
      };
    }
  }
  if (multiDisk) throw new ZipFormatError('multi-part (spanned) archives are not supported');
  if (directory.offset + directory.size > endOffset) {
    throw new ZipFormatError('truncated or damaged archive: the central directory lies past its end record');
  }
  return directory;
}

/** Applies a central directory entry's ZIP64 extra field (APPNOTE 4.5.3): only the fields that overflowed. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer, diskStart: number): void {
  const needs = {
    uncompressed: entry.uncompressedSize === 0xffffffff,
    compressed: entry.compressedSize === 0xffffffff,
    offset: entry.localHeaderOffset === 0xffffffff,
    disk: diskStart === 0xffff,
  };
  if (!needs.uncompressed && !needs.compressed && !needs.offset && !needs.disk) return;
  for (let i = 0; i + 4 <= extra.length;) {
    const id = extra.readUInt16LE(i);
    const size = extra.readUInt16LE(i + 2);
    const body = extra.subarray(i + 4, i + 4 + size);
    i += 4 + size;
    if (id !== ZIP64_EXTRA_ID) continue;
    let p = 0;
    const next = (what: string) => {
      if (p + 8 > body.length) throw new ZipFormatError(`member "${entry.name}": ZIP64 extra field lacks ${what}`);
      const v = u64(body, p, `member "${entry.name}" ${what}`);
      p += 8;
      return v;
    };
    if (needs.uncompressed) entry.uncompressedSize = next('the uncompressed size');
    if (needs.compressed) entry.compressedSize = next('the compressed size');
    if (needs.offset) entry.localHeaderOffset = next('the local header offset');
    return;
  }
  throw new ZipFormatError(`member "${entry.name}" has 32-bit fields set to 0xFFFFFFFF but no ZIP64 extra field`);
}

/** The members of a zip archive, from its central directory. */
export async function readZipDirectory(path: string): Promise<ZipEntry[]> {
  const handle = await open(path, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    const directory = await findDirectory(handle, fileSize);
    const buf = await readAt(handle, directory.offset, directory.size, 'the central directory');
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < directory.entries; n++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== SIG_CENTRAL) {
        throw new ZipFormatError(`damaged central directory: entry ${n + 1} of ${directory.entries} is not there`);
      }
      const flags = buf.readUInt16LE(p + 8);
      const nameLength = buf.readUInt16LE(p + 28);
      const extraLength = buf.readUInt16LE(p + 30);
      const commentLength = buf.readUInt16LE(p + 32);
      const diskStart = buf.readUInt16LE(p + 34);
      const nameBytes = buf.subarray(p + 46, p + 46 + nameLength);
      // Bit 11: the name is UTF-8; otherwise CP437, read here as Latin-1 (manifest names are ASCII).
      const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
      const entry: ZipEntry = {
        name,
        method: buf.readUInt16LE(p + 10),
        flags,
        crc32: buf.readUInt32LE(p + 16),
        compressedSize: buf.readUInt32LE(p + 20),
        uncompressedSize: buf.readUInt32LE(p + 24),
        localHeaderOffset: buf.readUInt32LE(p + 42),
      };
      applyZip64Extra(entry, buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), diskStart);
      entries.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

export interface ExtractProgress {
  writtenBytes: number;
  totalBytes: number;
}

/** Counts, hashes (SHA-256 and CRC-32) and reports what passes through. */
class Meter extends Transform {
  bytes = 0;
  crc = 0;
  readonly hash = createHash('sha256');

  constructor(private readonly onChunk: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.crc = crc32(chunk, this.crc);
    this.hash.update(chunk);
    this.onChunk(this.bytes);
    callback(null, chunk);
  }
}

/**
 * Writes one member to `destination`, checking its size and CRC-32 against the archive; returns its size
 * and SHA-256 (computed on the way, so a 2.5 GB member is read once). A damaged member throws ZipFormatError
 * and leaves a partial `destination` for the caller to delete.
 */
export async function extractZipEntry(
  zipPath: string,
  entry: ZipEntry,
  destination: string,
  onProgress?: (p: ExtractProgress) => void,
): Promise<{ bytes: number; sha256: string }> {
  const what = `member "${entry.name}"`;
  if (entry.flags & 0x1) throw new ZipFormatError(`${what} is encrypted`);
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
    throw new ZipFormatError(
      `${what} uses compression method ${entry.method}; only stored (0) and deflate (8) are read`,
    );
  }
  if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
    throw new ZipFormatError(
      `${what} is stored but its sizes differ (${entry.compressedSize} / ${entry.uncompressedSize})`,
    );
  }
  const fileSize = (await stat(zipPath)).size;
  const handle = await open(zipPath, 'r');
  let dataStart: number;
  try {
    const local = await readAt(handle, entry.localHeaderOffset, 30, `the local header of ${what}`);
    if (local.readUInt32LE(0) !== SIG_LOCAL) {
      throw new ZipFormatError(`${what}: no local header at byte ${entry.localHeaderOffset}`);
    }
    // The local name and extra field may differ in length from the central directory's.
    dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await handle.close();
  }
  if (dataStart + entry.compressedSize > fileSize) {
    throw new ZipFormatError(`truncated archive: ${what} runs past the end of the file`);
  }

  const source =
    entry.compressedSize === 0
      ? Readable.from([])
      : createReadStream(zipPath, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const decode = entry.method === METHOD_DEFLATE ? createInflateRaw() : new PassThrough();
  const meter = new Meter((writtenBytes) => onProgress?.({ writtenBytes, totalBytes: entry.uncompressedSize }));
  try {
    await pipeline(source, decode, meter, createWriteStream(destination));
  } catch (err) {
    throw new ZipFormatError(`${what} could not be decompressed (${(err as Error).message}): the archive is damaged`);
  }
  if (meter.bytes !== entry.uncompressedSize) {
    throw new ZipFormatError(`${what} gave ${meter.bytes} bytes, the archive says ${entry.uncompressedSize}: damaged`);
  }
  if (meter.crc >>> 0 !== entry.crc32 >>> 0) {
    const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
    throw new ZipFormatError(
      `${what} fails its CRC-32 check (${hex(meter.crc)}, expected ${hex(entry.crc32)}): damaged`,
    );
  }
  return { bytes: meter.bytes, sha256: meter.hash.digest('hex') };
}
