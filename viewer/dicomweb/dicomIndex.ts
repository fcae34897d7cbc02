// The studies behind the DICOMweb endpoint: every *.dcm file under the given folders, parsed
// once with dcmjs, grouped into study > series > instance, each instance kept as its DICOM JSON
// metadata (binary values replaced by BulkDataURIs) plus those binary values themselves.

import { readdirSync, readFileSync, statSync } from 'node:fs';
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

export interface InstanceRecord {
  studyUID: string;
  seriesUID: string;
  sopUID: string;
  transferSyntaxUID: string;
  filePath: string;
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
  /** In the order their first file was found (folders in the order given, files by name). */
  studies: StudyRecord[];
  study(studyUID: string): StudyRecord | undefined;
  series(studyUID: string, seriesUID: string): SeriesRecord | undefined;
  instance(studyUID: string, seriesUID: string, sopUID: string): InstanceRecord | undefined;
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

function readInstance(filePath: string, basePath: string): InstanceRecord {
  const bytes = readFileSync(filePath);
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
    transferSyntaxUID,
    filePath,
    metadata,
    bulk,
    pixels: pixelsOf(metadata, bulk, transferSyntaxUID),
  };
}

const byNumberThenUid =
  <T>(num: (t: T) => number | undefined, uid: (t: T) => string) =>
  (a: T, b: T): number =>
    (num(a) ?? Infinity) - (num(b) ?? Infinity) || uid(a).localeCompare(uid(b));

/**
 * Reads and indexes every *.dcm file under `folders` (recursively). `basePath` is the URL path
 * (or absolute URL) the DICOMweb root is served at; the BulkDataURIs start with it.
 * Throws, naming the file, on a file dcmjs cannot read or a SOP Instance UID seen twice.
 */
export function buildDicomIndex(folders: readonly string[], basePath: string): DicomIndex {
  const studies = new Map<string, StudyRecord>();
  const series = new Map<string, SeriesRecord>();
  const instances = new Map<string, InstanceRecord>();
  const filesBySop = new Map<string, string>();

  for (const folder of folders) {
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`DICOMweb: ${folder} is not a folder`);
    }
    for (const filePath of dicomFilesUnder(folder)) {
      let instance: InstanceRecord;
      try {
        instance = readInstance(filePath, basePath);
      } catch (error) {
        throw new Error(`DICOMweb: cannot serve ${filePath}: ${(error as Error).message}`);
      }
      const twin = filesBySop.get(instance.sopUID);
      if (twin) throw new Error(`DICOMweb: ${filePath} and ${twin} have the same SOP Instance UID`);
      filesBySop.set(instance.sopUID, filePath);
      instances.set(`${instance.studyUID}/${instance.seriesUID}/${instance.sopUID}`, instance);

      let study = studies.get(instance.studyUID);
      if (!study) studies.set(instance.studyUID, (study = { uid: instance.studyUID, series: [] }));
      const seriesKey = `${instance.studyUID}/${instance.seriesUID}`;
      let seriesRecord = series.get(seriesKey);
      if (!seriesRecord) {
        seriesRecord = { uid: instance.seriesUID, studyUID: instance.studyUID, instances: [] };
        series.set(seriesKey, seriesRecord);
        study.series.push(seriesRecord);
      }
      seriesRecord.instances.push(instance);
    }
  }

  for (const study of studies.values()) {
    for (const s of study.series) {
      s.instances.sort(
        byNumberThenUid(
          (i) => numberValue(i.metadata, TAG.InstanceNumber),
          (i) => i.sopUID,
        ),
      );
    }
    study.series.sort(
      byNumberThenUid(
        (s) => (s.instances[0] ? numberValue(s.instances[0].metadata, TAG.SeriesNumber) : undefined),
        (s) => s.uid,
      ),
    );
  }

  return {
    studies: [...studies.values()],
    study: (studyUID) => studies.get(studyUID),
    series: (studyUID, seriesUID) => series.get(`${studyUID}/${seriesUID}`),
    instance: (studyUID, seriesUID, sopUID) => instances.get(`${studyUID}/${seriesUID}/${sopUID}`),
  };
}
