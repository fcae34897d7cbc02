// dcmjs's parsed dataset (DicomMessage.readFile().dict) as the DICOM JSON model of PS3.18 F.2,
// the form every DICOMweb JSON response uses: 8-hex-digit tags, `vr`, `Value`, and binary
// values replaced by a `BulkDataURI` that the server answers from the bytes kept aside here.

import type { DenaturalizedDataset } from 'dcmjs';

export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
}

export type DicomJsonDataset = Record<string, DicomJsonElement>;

export interface ConvertedDataset {
  json: DicomJsonDataset;
  /** Binary values by bulk data path: `7FE00010`, or `52009230.0.00089124.0.00420011` when nested. */
  bulk: Map<string, Uint8Array>;
}

const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

function concatBytes(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** An AT value (dcmjs gives a number such as 0x0062000B) as DICOM JSON's "0062000B". */
function attributeTag(value: unknown): string | null {
  if (typeof value === 'number') return value.toString(16).toUpperCase().padStart(8, '0');
  return typeof value === 'string' && value !== '' ? value.toUpperCase() : null;
}

function personName(value: unknown): Record<string, string> | null {
  if (typeof value === 'string') return value === '' ? null : { Alphabetic: value };
  if (typeof value !== 'object' || value === null) return null;
  const groups: Record<string, string> = {};
  for (const key of ['Alphabetic', 'Ideographic', 'Phonetic']) {
    const group = (value as Record<string, unknown>)[key];
    if (typeof group === 'string' && group !== '') groups[key] = group;
  }
  return Object.keys(groups).length ? groups : null;
}

function plainValue(value: unknown): unknown {
  if (value === undefined || value === '') return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/**
 * Converts one dataset. Group length elements (gggg,0000) are left out, as PS3.18 requires;
 * elements without a value keep only their `vr`; `bulkDataUri(path)` names each binary value.
 */
export function toDicomJson(dataset: DenaturalizedDataset, bulkDataUri: (path: string) => string): ConvertedDataset {
  const bulk = new Map<string, Uint8Array>();

  function convert(source: DenaturalizedDataset, pathPrefix: string): DicomJsonDataset {
    const out: DicomJsonDataset = {};
    for (const rawTag of Object.keys(source).sort()) {
      const tag = rawTag.toUpperCase();
      const element = source[rawTag];
      if (!element || tag.endsWith('0000') || !/^[0-9A-F]{8}$/.test(tag)) continue;
      const vr = element.vr;
      const values = Array.isArray(element.Value) ? element.Value : [];
      const path = pathPrefix + tag;

      if (BINARY_VRS.has(vr) || values.some(isBinary)) {
        const chunks = values.filter(isBinary).map(bytesOf);
        const bytes = concatBytes(chunks);
        if (bytes.length === 0) {
          out[tag] = { vr };
        } else {
          bulk.set(path, bytes);
          out[tag] = { vr, BulkDataURI: bulkDataUri(path) };
        }
        continue;
      }

      let converted: unknown[];
      if (vr === 'SQ') {
        converted = values.map((item, i) => convert(item as DenaturalizedDataset, `${path}.${i}.`));
      } else if (vr === 'PN') {
        converted = values.map(personName);
      } else if (vr === 'AT') {
        converted = values.map(attributeTag);
      } else {
        converted = values.map(plainValue);
      }
      out[tag] = converted.some((v) => v !== null) ? { vr, Value: converted } : { vr };
    }
    return out;
  }

  return { json: convert(dataset, ''), bulk };
}

/** The first value of an element, if any. */
export function firstValue(dataset: DicomJsonDataset, tag: string): unknown {
  return dataset[tag]?.Value?.[0] ?? undefined;
}

export function stringValue(dataset: DicomJsonDataset, tag: string): string | undefined {
  const value = firstValue(dataset, tag);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return (value as Record<string, string>).Alphabetic;
  return String(value);
}

export function numberValue(dataset: DicomJsonDataset, tag: string): number | undefined {
  const value = firstValue(dataset, tag);
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
