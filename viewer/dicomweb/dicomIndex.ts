// The studies behind the DICOMweb endpoint: every *.dcm file under the given folders, parsed
// once with dcmjs, grouped into study > series > instance, each instance kept as its DICOM JSON
// metadata (binary values replaced by BulkDataURIs) plus those binary values themselves.
// Instances received by STOW-RS join the same index, held in memory only (never written to disk).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import dcmjs from 'dcmjs';

import { numberValue, toDicomJson, type DicomJsonDataset } from './dicomJson';
import { checkPixelData, NATIVE_TRANSFER_SYNTAXES, type PixelLayout } from './frames';

// Implicit-VR files (such as the dcmqi CT) make dcmjs log "Invalid vr type" for every
// PixelData/PixelPaddingValue it reads, although it then picks the right VR.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export const TAG = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  Modality: '00080060',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  Rows: '00280010',
  Columns: '00280011',
  SamplesPerPixel: '00280002',
  BitsAllocated: '00280100',
  NumberOfFrames: '00280008',
  PixelData: '7FE00010',
} as const;

/** Where an instance's Part 10 bytes are: a file of the served folders, or memory (stored by STOW-RS). */
export type InstanceSource = { kind: 'file'; path: string } | { kind: 'memory'; bytes: Uint8Array };

export interface InstanceRecord {
  studyUID: string;
  seriesUID: string;
  sopUID: string;
  sopClassUID: string;
  transferSyntaxUID: string;
  source: InstanceSource;
  /** DICOM JSON of the whole dataset, binary values as BulkDataURIs. */
  metadata: DicomJsonDataset;
  /** The binary values, by the path that ends their BulkDataURI. */
  bulk: ReadonlyMap<string, Uint8Array>;
  /** Present when PixelData is native (uncompressed little endian), so frames can be cut from it. */
  pixels?: { layout: PixelLayout; data: Uint8Array };
}

export interface SeriesRecord {
  uid: string;
  studyUID: string;
  instances: InstanceRecord[];
}

export interface StudyRecord {
  uid: string;
  series: SeriesRecord[];
}

export interface DicomIndex {
  /** In the order their first file was found (folders in the order given, files by name), then stored. */
  studies: StudyRecord[];
  study(studyUID: string): StudyRecord | undefined;
  series(studyUID: string, seriesUID: string): SeriesRecord | undefined;
  instance(studyUID: string, seriesUID: string, sopUID: string): InstanceRecord | undefined;
  /** The instance with this SOP Instance UID, in whichever study and series. */
  instanceBySop(sopUID: string): InstanceRecord | undefined;
  /** Adds an instance (its SOP Instance UID must be new), keeping series and instances in order. */
  add(instance: InstanceRecord): void;
}

/** `{basePath}/studies/{study}/series/{series}/instances/{sop}`, the instance's WADO-RS URL path. */
export function instancePath(basePath: string, study: string, series: string, sop: string): string {
  return `${basePath}/studies/${study}/series/${series}/instances/${sop}`;
}

function dicomFilesUnder(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(folder, entry.name);
    const stats = entry.isSymbolicLink() ? statSync(full, { throwIfNoEntry: false }) : entry;
    if (stats?.isDirectory()) files.push(...dicomFilesUnder(full));
    else if (stats?.isFile() && /\.dcm$/i.test(entry.name)) files.push(full);
  }
  return files;
}

function pixelsOf(metadata: DicomJsonDataset, bulk: ReadonlyMap<string, Uint8Array>, transferSyntaxUID: string) {
  const data = bulk.get(TAG.PixelData);
  if (!data || !NATIVE_TRANSFER_SYNTAXES.has(transferSyntaxUID)) return undefined;
  const layout: PixelLayout = {
    rows: numberValue(metadata, TAG.Rows) ?? 0,
    columns: numberValue(metadata, TAG.Columns) ?? 0,
    samplesPerPixel: numberValue(metadata, TAG.SamplesPerPixel) ?? 1,
    bitsAllocated: numberValue(metadata, TAG.BitsAllocated) ?? 0,
    numberOfFrames: numberValue(metadata, TAG.NumberOfFrames) ?? 1,
  };
  const problem = checkPixelData(layout, data);
  if (problem) throw new Error(`unusable pixel data: ${problem}`);
  return { layout, data };
}

/** The instance's DICOM Part 10 file, as stored. */
export async function readPart10(instance: InstanceRecord): Promise<Uint8Array> {
  return instance.source.kind === 'file' ? readFile(instance.source.path) : instance.source.bytes;
}

/**
 * Parses a DICOM Part 10 file into an instance record. Throws (with a reason, not naming the
 * source) when dcmjs cannot read it or it lacks the UIDs or transfer syntax the routes need.
 */
export function parseInstance(bytes: Uint8Array, source: InstanceSource, basePath: string): InstanceRecord {
  const file = dcmjs.data.DicomMessage.readFile(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  const transferSyntaxUID = String(file.meta['00020010']?.Value?.[0] ?? '');
  const uids = {
    study: String(file.dict[TAG.StudyInstanceUID]?.Value?.[0] ?? ''),
    series: String(file.dict[TAG.SeriesInstanceUID]?.Value?.[0] ?? ''),
    sop: String(file.dict[TAG.SOPInstanceUID]?.Value?.[0] ?? ''),
  };
  if (!uids.study || !uids.series || !uids.sop || !transferSyntaxUID) {
    throw new Error('needs StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID and a TransferSyntaxUID');
  }
  const bulkBase = `${instancePath(basePath, uids.study, uids.series, uids.sop)}/bulk/`;
  const { json: metadata, bulk } = toDicomJson(file.dict, (path) => bulkBase + path);
  // As PACS such as dcm4chee do (and OHIF's local-file loader): the stored transfer syntax,
  // which tells OHIF's video SOP class handler, among others, what the instance holds.
  metadata['00083002'] ??= { vr: 'UI', Value: [transferSyntaxUID] };
  return {
    studyUID: uids.study,
    seriesUID: uids.series,
    sopUID: uids.sop,
    sopClassUID: String(file.dict[TAG.SOPClassUID]?.Value?.[0] ?? ''),
    transferSyntaxUID,
    source,
    metadata,
    bulk,
    pixels: pixelsOf(metadata, bulk, transferSyntaxUID),
  };
}

const byNumberThenUid =
  <T>(num: (t: T) => number | undefined, uid: (t: T) => string) =>
  (a: T, b: T): number =>
    (num(a) ?? Infinity) - (num(b) ?? Infinity) || uid(a).localeCompare(uid(b));

/** Inserts `item` after the items that sort before or with it (files found later stay later). */
function insertSorted<T>(list: T[], item: T, order: (a: T, b: T) => number): void {
  const at = list.findIndex((other) => order(item, other) < 0);
  list.splice(at < 0 ? list.length : at, 0, item);
}

/** An empty index; `add` fills it. */
export function createDicomIndex(): DicomIndex {
  const studies: StudyRecord[] = [];
  const studyByUid = new Map<string, StudyRecord>();
  const seriesByKey = new Map<string, SeriesRecord>();
  const instances = new Map<string, InstanceRecord>();
  const bySop = new Map<string, InstanceRecord>();

  const instanceOrder = byNumberThenUid<InstanceRecord>(
    (i) => numberValue(i.metadata, TAG.InstanceNumber),
    (i) => i.sopUID,
  );
  const seriesOrder = byNumberThenUid<SeriesRecord>(
    (s) => (s.instances[0] ? numberValue(s.instances[0].metadata, TAG.SeriesNumber) : undefined),
    (s) => s.uid,
  );

  function add(instance: InstanceRecord): void {
    if (bySop.has(instance.sopUID)) throw new Error(`SOP Instance UID ${instance.sopUID} is already indexed`);
    bySop.set(instance.sopUID, instance);
    instances.set(`${instance.studyUID}/${instance.seriesUID}/${instance.sopUID}`, instance);

    let study = studyByUid.get(instance.studyUID);
    if (!study) {
      study = { uid: instance.studyUID, series: [] };
      studyByUid.set(study.uid, study);
      studies.push(study);
    }
    const seriesKey = `${instance.studyUID}/${instance.seriesUID}`;
    let series = seriesByKey.get(seriesKey);
    if (series) {
      // The series is ordered by its first instance's number, which the new one may change.
      study.series.splice(study.series.indexOf(series), 1);
    } else {
      series = { uid: instance.seriesUID, studyUID: instance.studyUID, instances: [] };
      seriesByKey.set(seriesKey, series);
    }
    insertSorted(series.instances, instance, instanceOrder);
    insertSorted(study.series, series, seriesOrder);
  }

  return {
    studies,
    study: (studyUID) => studyByUid.get(studyUID),
    series: (studyUID, seriesUID) => seriesByKey.get(`${studyUID}/${seriesUID}`),
    instance: (studyUID, seriesUID, sopUID) => instances.get(`${studyUID}/${seriesUID}/${sopUID}`),
    instanceBySop: (sopUID) => bySop.get(sopUID),
    add,
  };
}

/**
 * Reads and indexes every *.dcm file under `folders` (recursively). `basePath` is the URL path
 * (or absolute URL) the DICOMweb root is served at; the BulkDataURIs start with it.
 * Throws, naming the file, on a file dcmjs cannot read or a SOP Instance UID seen twice.
 */
export function buildDicomIndex(folders: readonly string[], basePath: string): DicomIndex {
  const index = createDicomIndex();
  for (const folder of folders) {
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`DICOMweb: ${folder} is not a folder`);
    }
    for (const filePath of dicomFilesUnder(folder)) {
      let instance: InstanceRecord;
      try {
        instance = parseInstance(readFileSync(filePath), { kind: 'file', path: filePath }, basePath);
      } catch (error) {
        throw new Error(`DICOMweb: cannot serve ${filePath}: ${(error as Error).message}`);
      }
      const twin = index.instanceBySop(instance.sopUID)?.source;
      if (twin?.kind === 'file') {
        throw new Error(`DICOMweb: ${filePath} and ${twin.path} have the same SOP Instance UID`);
      }
      index.add(instance);
    }
  }
  return index;
}
