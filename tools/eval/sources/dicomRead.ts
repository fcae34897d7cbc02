/**
 * Reading DICOM Part 10 files for the evaluation, through dcmjs: the header alone (stops at the pixel data,
 * for discovery and sorting) or the whole file, with the transfer syntax checked first. Only native
 * (uncompressed) little-endian pixel data is supported; a compressed file gets an error that names its
 * transfer syntax, rather than a wrong decode.
 */
import { readFileSync } from 'node:fs';
import dcmjs, { type NaturalizedDataset } from 'dcmjs';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

// Implicit-VR files make dcmjs log "Invalid vr type" for pixel data it then reads correctly.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export type DicomDataset = NaturalizedDataset;

export interface DicomFile {
  path: string;
  transferSyntax: string;
  dataset: DicomDataset;
}

export const DICOM_PREAMBLE_LENGTH = 128;
const PIXEL_DATA_TAG = '7FE00010';

/** True when the bytes hold "DICM" after the 128-byte preamble (a Part 10 file). */
export const hasDicomPreamble = (head: Uint8Array) =>
  head.length >= DICOM_PREAMBLE_LENGTH + 4 &&
  String.fromCharCode(...head.subarray(DICOM_PREAMBLE_LENGTH, DICOM_PREAMBLE_LENGTH + 4)) === 'DICM';

const NATIVE_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
};
const OTHER_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** Why a transfer syntax cannot be read, or null when it can. */
export function unsupportedTransferSyntax(uid: string): string | null {
  if (uid in NATIVE_TRANSFER_SYNTAXES) return null;
  const name = OTHER_TRANSFER_SYNTAXES[uid] ?? 'unknown, probably compressed';
  return (
    `transfer syntax ${uid} (${name}) is not supported: only uncompressed little-endian pixel data is ` +
    `(${Object.keys(NATIVE_TRANSFER_SYNTAXES).join(', ')}). Decompress the files first, e.g. with gdcmconv --raw.`
  );
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Parses a Part 10 file. `headerOnly` stops before the pixel data (PixelData is then present with the
 * value 0, which still says the file has pixels). Throws with the path for unreadable files.
 */
export function readDicom(path: string, options: { headerOnly?: boolean } = {}): DicomFile {
  let dict: ReturnType<typeof DicomMessage.readFile>;
  try {
    const bytes = toArrayBuffer(readFileSync(path));
    dict = DicomMessage.readFile(bytes, options.headerOnly ? { untilTag: PIXEL_DATA_TAG } : undefined);
  } catch (error) {
    throw new Error(`${path}: not a readable DICOM file (${(error as Error).message}).`);
  }
  const meta = DicomMetaDictionary.naturalizeDataset(dict.meta);
  const transferSyntax = String(meta.TransferSyntaxUID ?? '');
  return { path, transferSyntax, dataset: DicomMetaDictionary.naturalizeDataset(dict.dict) };
}

/** Throws when the file's pixel data cannot be decoded here. */
export function checkTransferSyntax(file: DicomFile): void {
  const problem = unsupportedTransferSyntax(file.transferSyntax);
  if (problem) throw new Error(`${file.path}: ${problem}`);
}

/** A sequence's items (dcmjs gives an array, a lone item as an object, or nothing). */
export function items(value: unknown): DicomDataset[] {
  if (Array.isArray(value)) return value as DicomDataset[];
  return value && typeof value === 'object' ? [value as DicomDataset] : [];
}

/** A multi-valued attribute as numbers (empty when absent). */
export function numbers(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
  return list.map(Number);
}

/** The first value of an attribute as a number, or undefined when absent or not a number. */
export function firstNumber(value: unknown): number | undefined {
  const n = numbers(value)[0];
  return n === undefined || Number.isNaN(n) ? undefined : n;
}

/** The first value of an attribute as a trimmed string, or undefined. */
export function firstString(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined;
}

/** The pixel data bytes of a whole-file read, one buffer for all frames. */
export function pixelDataBytes(file: DicomFile): Uint8Array {
  const value = file.dataset.PixelData;
  const buffers = (Array.isArray(value) ? value : [value]).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  if (buffers.length === 0) throw new Error(`${file.path}: no pixel data.`);
  if (buffers.length === 1) return new Uint8Array(buffers[0]!);
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  buffers.reduce((offset, b) => (out.set(new Uint8Array(b), offset), offset + b.byteLength), 0);
  return out;
}
