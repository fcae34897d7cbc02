// The phantom as a CT Image Storage series: one Part 10 file per slice, in memory.

import type { NaturalizedDataset } from 'dcmjs';

import { encodeDicom } from './dicomFile';
import { renderSlice, slicePositionMm, type PhantomSpec } from './phantom';
import { phantomUids, type PhantomUids } from './uids';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Fixed study identity: a generated sample must not carry today's date. */
export const PHANTOM_STUDY = {
  PatientName: 'SAM^Phantom',
  PatientID: 'SAM-PHANTOM-001',
  PatientSex: 'O',
  PatientAge: '040Y',
  StudyDescription: 'SAM phantom CT',
  StudyDate: '20240917',
  StudyTime: '120000',
  AccessionNumber: 'SAMPH0001',
  StudyID: '1',
  Manufacturer: 'ohif-sam',
  ManufacturerModelName: 'synthetic CT phantom',
} as const;

export const CT_SERIES_NUMBER = 1;

export interface EncodedFile {
  /** File name inside the series folder, e.g. 0001.dcm. */
  fileName: string;
  bytes: Uint8Array;
}

export function ctFileName(k: number): string {
  return `${String(k + 1).padStart(4, '0')}.dcm`;
}

/** Patient, study, frame of reference and equipment attributes shared by the CT and the SEG. */
export function phantomCommonAttributes(uids: PhantomUids): NaturalizedDataset {
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    PatientName: PHANTOM_STUDY.PatientName,
    PatientID: PHANTOM_STUDY.PatientID,
    PatientBirthDate: '',
    PatientSex: PHANTOM_STUDY.PatientSex,
    PatientAge: PHANTOM_STUDY.PatientAge,
    StudyInstanceUID: uids.study,
    StudyDate: PHANTOM_STUDY.StudyDate,
    StudyTime: PHANTOM_STUDY.StudyTime,
    StudyID: PHANTOM_STUDY.StudyID,
    StudyDescription: PHANTOM_STUDY.StudyDescription,
    AccessionNumber: PHANTOM_STUDY.AccessionNumber,
    ReferringPhysicianName: '',
    FrameOfReferenceUID: uids.frameOfReference,
    PositionReferenceIndicator: '',
    Manufacturer: PHANTOM_STUDY.Manufacturer,
    ManufacturerModelName: PHANTOM_STUDY.ManufacturerModelName,
    DeviceSerialNumber: '1',
    SoftwareVersions: '1',
  };
}

/** The naturalized CT dataset of slice k around already rendered stored values. */
export function buildCtSliceDataset(
  spec: PhantomSpec,
  k: number,
  storedValues: Int16Array,
  uids: PhantomUids = phantomUids(spec.seed),
): NaturalizedDataset {
  const g = spec.geometry;
  if (storedValues.length !== g.rows * g.columns) {
    throw new Error(`Slice ${k}: expected ${g.rows * g.columns} values, got ${storedValues.length}`);
  }
  const position = slicePositionMm(g, k);
  // DICOM pixel data is little endian, as are the typed arrays of every platform we target.
  const pixelBytes = storedValues.buffer.slice(
    storedValues.byteOffset,
    storedValues.byteOffset + storedValues.byteLength,
  );
  return {
    ...phantomCommonAttributes(uids),
    _vrMap: { PixelData: 'OW' },
    ImageType: ['DERIVED', 'SECONDARY', 'AXIAL'],
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: uids.ctInstance(k),
    SeriesInstanceUID: uids.ctSeries,
    SeriesDate: PHANTOM_STUDY.StudyDate,
    SeriesTime: PHANTOM_STUDY.StudyTime,
    ContentDate: PHANTOM_STUDY.StudyDate,
    ContentTime: PHANTOM_STUDY.StudyTime,
    Modality: 'CT',
    SeriesDescription: `Phantom CT ${g.sliceSpacingMm} mm (seed ${spec.seed})`,
    SeriesNumber: CT_SERIES_NUMBER,
    BodyPartExamined: 'ABDOMEN',
    PatientPosition: 'HFS',
    KVP: 120,
    SliceThickness: g.sliceSpacingMm,
    AcquisitionNumber: 1,
    InstanceNumber: k + 1,
    ImagePositionPatient: [...position],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    SliceLocation: position[2],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: g.rows,
    Columns: g.columns,
    PixelSpacing: [...g.pixelSpacingMm],
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    WindowCenter: 40,
    WindowWidth: 400,
    RescaleIntercept: spec.rescaleIntercept,
    RescaleSlope: 1,
    RescaleType: 'HU',
    PixelData: pixelBytes,
  };
}

/** Renders and encodes every slice; slice k becomes ctFileName(k). */
export function encodePhantomCtSeries(spec: PhantomSpec): EncodedFile[] {
  const g = spec.geometry;
  const uids = phantomUids(spec.seed);
  const sliceSize = g.rows * g.columns;
  const pixels = new Int16Array(sliceSize);
  const labelScratch = new Uint8Array(sliceSize);
  const files: EncodedFile[] = [];
  for (let k = 0; k < g.slices; k++) {
    renderSlice(spec, k, pixels, labelScratch);
    files.push({ fileName: ctFileName(k), bytes: encodeDicom(buildCtSliceDataset(spec, k, pixels, uids)) });
  }
  return files;
}
