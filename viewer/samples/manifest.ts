// OHIF `dicomjson` manifests (the shape written by OHIF's .scripts/dicom-json-generator.js)
// from naturalized DICOM datasets.
//
// What OHIF 3.13 does with one (read from @ohif/app 3.13.2's bundle):
// - every `metadata` object becomes an instance in DicomMetadataStore, spread together with
//   its series' and study's summary fields (which win on a clash), so those must agree;
// - `url` is the Cornerstone imageId; `dicomweb:<http url>` loads the whole Part 10 file;
// - the SEG handler reads ReferencedSeriesSequence, SegmentSequence, the functional group
//   sequences, NumberOfFrames, Rows/Columns and BitsStored from this metadata, not from the
//   file, so instances carry every public attribute except binary ones (PixelData);
// - person names must be plain strings: formatPN(name) shows `name.Alphabetic ?? name`,
//   which is empty for dcmjs's `[{ Alphabetic }]`.
// Multi-frame files get ONE entry (the generator's one-entry-per-frame `?frame=` expansion
// would give the SEG handler several instances with one SOPInstanceUID).

import dcmjs, { type NaturalizedDataset } from 'dcmjs';

import { sampleImageId } from './samplesBase';

export type JsonValue = string | number | boolean | JsonValue[] | { [key: string]: JsonValue };
export type InstanceMetadata = { [keyword: string]: JsonValue };

export interface ManifestInstance {
  metadata: InstanceMetadata;
  url: string;
}

export interface ManifestSeries {
  SeriesInstanceUID: string;
  SeriesDescription?: string;
  SeriesNumber?: number;
  SeriesDate?: string;
  SeriesTime?: string;
  Modality: string;
  SliceThickness?: number;
  instances: ManifestInstance[];
}

export interface ManifestStudy {
  StudyInstanceUID: string;
  StudyDate?: string;
  StudyTime?: string;
  PatientName: string;
  PatientID: string;
  AccessionNumber?: string;
  PatientAge?: string;
  PatientSex?: string;
  StudyDescription?: string;
  /** Manifest entries in the study (a multi-frame file counts once). */
  NumInstances: number;
  /** Modalities of the series, in series order, joined by '/' as OHIF's generator does. */
  Modalities: string;
  series: ManifestSeries[];
}

export interface DicomJsonManifest {
  studies: ManifestStudy[];
}

export interface ManifestSource {
  /** Posix path of the file relative to viewer/samples; becomes `dicomweb:${SAMPLES_BASE}/<path>`. */
  relativePath: string;
  dataset: NaturalizedDataset;
}

export interface ManifestOptions {
  /** StudyDescription for studies whose files have none (the study list shows it). */
  fallbackStudyDescription?: string;
}

const { nameMap } = dcmjs.data.DicomMetaDictionary;

function isBinary(value: unknown): boolean {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isBinary(value);
}

/** A PN value as a plain string: dcmjs gives `[{ Alphabetic }]`, one item per value. */
function personName(value: unknown): string {
  const items = Array.isArray(value) ? value : [value];
  return items
    .map((item) => (typeof item === 'string' ? item : isPlainObject(item) ? item.Alphabetic : ''))
    .map((name) => (typeof name === 'string' ? name : ''))
    .join('\\');
}

function toJson(keyword: string, value: unknown): JsonValue | undefined {
  if (value === undefined || value === null || isBinary(value)) return undefined;
  if (nameMap[keyword]?.vr === 'PN') return personName(value);
  if (Array.isArray(value)) {
    if (value.some(isBinary)) return undefined;
    const items: JsonValue[] = [];
    for (const item of value) {
      const converted = isPlainObject(item) ? toManifestMetadata(item) : toJson(keyword, item);
      if (converted !== undefined) items.push(converted);
    }
    return items;
  }
  if (isPlainObject(value)) return toManifestMetadata(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return undefined;
}

/**
 * Every public attribute of a naturalized dataset, JSON-safe: drops binary values
 * (PixelData, OB/OW/UN), private and unknown tags (kept by dcmjs under hex keys, as are
 * group lengths) and dcmjs's own `_vrMap`/`_meta`; flattens person names to strings.
 */
export function toManifestMetadata(dataset: Record<string, unknown>): InstanceMetadata {
  const metadata: InstanceMetadata = {};
  for (const [keyword, value] of Object.entries(dataset)) {
    if (keyword.startsWith('_') || !nameMap[keyword]) continue;
    const converted = toJson(keyword, value);
    if (converted !== undefined) metadata[keyword] = converted;
  }
  return metadata;
}

function requireString(metadata: InstanceMetadata, keyword: string, where: string): string {
  const value = metadata[keyword];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${where}: ${keyword} is missing`);
  }
  return value;
}

const optionalString = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;
const optionalNumber = (value: JsonValue | undefined): number | undefined =>
  typeof value === 'number' ? value : undefined;

const compareNumbers = (a: number | undefined, b: number | undefined): number =>
  (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);

/** Non-image series go after the images they refer to, as OHIF's local data source orders them. */
const DERIVED_MODALITIES = new Set(['SEG', 'SR', 'RTSTRUCT', 'PR', 'KO', 'DOC']);
const isDerived = (series: ManifestSeries): number => (DERIVED_MODALITIES.has(series.Modality) ? 1 : 0);

function createStudy(metadata: InstanceMetadata, options: ManifestOptions): ManifestStudy {
  const description = optionalString(metadata.StudyDescription);
  return {
    StudyInstanceUID: metadata.StudyInstanceUID as string,
    StudyDate: optionalString(metadata.StudyDate),
    StudyTime: optionalString(metadata.StudyTime),
    PatientName: optionalString(metadata.PatientName) ?? '',
    // OHIF groups studies by PatientID; its generator warns an empty one breaks the list.
    PatientID: optionalString(metadata.PatientID) || 'UNKNOWN',
    AccessionNumber: optionalString(metadata.AccessionNumber),
    PatientAge: optionalString(metadata.PatientAge),
    PatientSex: optionalString(metadata.PatientSex),
    StudyDescription: description ? description : (options.fallbackStudyDescription ?? description),
    NumInstances: 0,
    Modalities: '',
    series: [],
  };
}

function createSeries(metadata: InstanceMetadata): ManifestSeries {
  return {
    SeriesInstanceUID: metadata.SeriesInstanceUID as string,
    SeriesDescription: optionalString(metadata.SeriesDescription),
    SeriesNumber: optionalNumber(metadata.SeriesNumber),
    SeriesDate: optionalString(metadata.SeriesDate),
    SeriesTime: optionalString(metadata.SeriesTime),
    Modality: metadata.Modality as string,
    SliceThickness: optionalNumber(metadata.SliceThickness),
    instances: [],
  };
}

/** Groups the files by study and series: images first, then by series number, then instance number. */
export function buildManifest(sources: readonly ManifestSource[], options: ManifestOptions = {}): DicomJsonManifest {
  const studies = new Map<string, ManifestStudy>();
  const seriesByUid = new Map<string, ManifestSeries>();
  const sopInstanceUids = new Set<string>();

  for (const { relativePath, dataset } of sources) {
    const metadata = toManifestMetadata(dataset);
    const studyUid = requireString(metadata, 'StudyInstanceUID', relativePath);
    const seriesUid = requireString(metadata, 'SeriesInstanceUID', relativePath);
    const sopUid = requireString(metadata, 'SOPInstanceUID', relativePath);
    requireString(metadata, 'Modality', relativePath);
    if (sopInstanceUids.has(sopUid)) {
      throw new Error(`${relativePath}: SOPInstanceUID ${sopUid} appears twice`);
    }
    sopInstanceUids.add(sopUid);

    let study = studies.get(studyUid);
    if (!study) {
      study = createStudy(metadata, options);
      studies.set(studyUid, study);
    }
    let series = seriesByUid.get(seriesUid);
    if (!series) {
      series = createSeries(metadata);
      seriesByUid.set(seriesUid, series);
      study.series.push(series);
    }
    series.instances.push({ metadata, url: sampleImageId(relativePath) });
  }

  for (const study of studies.values()) {
    study.series.sort(
      (a, b) =>
        isDerived(a) - isDerived(b) ||
        compareNumbers(a.SeriesNumber, b.SeriesNumber) ||
        a.SeriesInstanceUID.localeCompare(b.SeriesInstanceUID),
    );
    for (const series of study.series) {
      series.instances.sort(
        (a, b) =>
          compareNumbers(optionalNumber(a.metadata.InstanceNumber), optionalNumber(b.metadata.InstanceNumber)) ||
          String(a.metadata.SOPInstanceUID).localeCompare(String(b.metadata.SOPInstanceUID)),
      );
    }
    study.NumInstances = study.series.reduce((n, s) => n + s.instances.length, 0);
    study.Modalities = [...new Set(study.series.map((s) => s.Modality))].join('/');
  }
  return { studies: [...studies.values()] };
}

/** One manifest listing the studies of several (for the study list). */
export function mergeManifests(manifests: readonly DicomJsonManifest[]): DicomJsonManifest {
  const studies = manifests.flatMap((m) => m.studies);
  const uids = studies.map((s) => s.StudyInstanceUID);
  const duplicate = uids.find((uid, i) => uids.indexOf(uid) !== i);
  if (duplicate) throw new Error(`Study ${duplicate} is in more than one manifest`);
  return { studies };
}
