/**
 * The SEG writer on the sources hospitals have: a CT series (patient coordinates) and a multi-frame
 * ultrasound cine (no coordinates, one instance, frames referenced by number) whose header carries a
 * legacy ACR-NEMA date. Each SEG is written to a Part 10 file with dcmjs and read back independently.
 */
import dcmjs from 'dcmjs';
import {
  buildSeg,
  dicomLabToRgb,
  normaliseDate,
  normaliseTime,
  rgbToDicomLab,
  segPart10,
  segmentType,
  SEG_SOP_CLASS,
  type DcmjsWriter,
  type SegOptions,
  type SegSegment,
  type SegSlice,
} from '../../../extensions/sam-segmentation/src/core';
import { readSeg } from '../../e2e/support/segFile';

let uidCounter = 0;
const options = (encoding: SegOptions['encoding']): SegOptions => ({
  encoding,
  seriesDescription: 'SAM liver',
  seriesNumber: 901,
  contentCreatorName: 'Doe^Jane',
  manufacturer: 'OHIF SAM',
  manufacturerModelName: 'sam-segmentation',
  softwareVersions: '0.1.0',
  deviceSerialNumber: '0',
  uid: () => `2.25.${++uidCounter}`,
  now: new Date(2026, 11, 4, 9, 30, 5),
});

const W = 8;
const H = 6;
const study = {
  StudyInstanceUID: '1.2.3',
  PatientName: [{ Alphabetic: 'Test^Patient' }],
  PatientID: 'P1',
  PatientBirthDate: '1950.01.02',
  StudyDate: '1993.04.30',
  StudyTime: '10:21:08',
  AccessionNumber: 'A1',
  StudyID: 'S1',
};

function ctSlice(z: number, labels: number[]): SegSlice {
  return {
    source: {
      instance: {
        ...study,
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
        SOPInstanceUID: `1.2.3.4.${z}`,
        SeriesInstanceUID: '1.2.3.4',
        FrameOfReferenceUID: '1.2.3.9',
        Rows: H,
        Columns: W,
      },
      imagePositionPatient: [0, 0, z],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      pixelSpacing: [0.8, 0.8],
      sliceThickness: 1,
    },
    labels,
  };
}

function labels(fill: (x: number, y: number) => number): number[] {
  return Array.from({ length: W * H }, (_, i) => fill(i % W, Math.floor(i / W)));
}

const segment = (number: number, label: string, typeId: string): SegSegment => ({
  number,
  label,
  color: [221, 84, 84],
  type: segmentType(typeId),
  algorithm: {
    type: 'SEMIAUTOMATIC',
    name: 'MobileSAM v1',
    version: 'mobile-sam v1',
    parameters: 'prompts: point, box',
  },
});

function roundTrip(dataset: Record<string, unknown>) {
  return readSeg(new Uint8Array(segPart10(dcmjs as unknown as DcmjsWriter, dataset)));
}

const liver = labels((x, y) => (x >= 2 && x < 6 && y >= 1 && y < 4 ? 1 : 0));
const lesionAndLiver = labels((x, y) => (x === 3 && y === 2 ? 2 : x >= 2 && x < 6 && y >= 1 && y < 4 ? 1 : 0));
const empty = labels(() => 0);
const ct = [ctSlice(0, empty), ctSlice(1, liver), ctSlice(2, lesionAndLiver)];
const segments = [segment(1, 'Liver', 'liver'), segment(2, 'Lesion', 'lesion')];

describe('a binary SEG (Segmentation Storage) of a CT series', () => {
  const { seg, frames, segments: items, transferSyntax } = roundTrip(buildSeg(ct, segments, options('binary')));

  it('is the classic SOP class, SEMIAUTOMATIC, with creator, equipment and the model as its algorithm', () => {
    expect(seg.SOPClassUID).toBe(SEG_SOP_CLASS.binary);
    expect(transferSyntax).toBe('1.2.840.10008.1.2.1');
    expect(seg).toMatchObject({
      Modality: 'SEG',
      SegmentationType: 'BINARY',
      BitsAllocated: 1,
      Manufacturer: 'OHIF SAM',
      ManufacturerModelName: 'sam-segmentation',
      SoftwareVersions: '0.1.0',
      SeriesDescription: 'SAM liver',
      StudyInstanceUID: '1.2.3',
      FrameOfReferenceUID: '1.2.3.9',
    });
    expect(seg.ContentCreatorName).toEqual([{ Alphabetic: 'Doe^Jane' }]);
    expect(items.map((s) => [s.SegmentNumber, s.SegmentLabel, s.SegmentAlgorithmType, s.SegmentAlgorithmName])).toEqual(
      [
        [1, 'Liver', 'SEMIAUTOMATIC', 'MobileSAM v1'],
        [2, 'Lesion', 'SEMIAUTOMATIC', 'MobileSAM v1'],
      ],
    );
    const algorithm = (items[0]!.SegmentationAlgorithmIdentificationSequence as Array<Record<string, unknown>>)[0]!;
    expect(algorithm).toMatchObject({
      AlgorithmName: 'MobileSAM v1',
      AlgorithmVersion: 'mobile-sam v1',
      AlgorithmParameters: 'prompts: point, box',
    });
    expect((algorithm.AlgorithmFamilyCodeSequence as Array<Record<string, unknown>>)[0]).toMatchObject({
      CodeValue: '123110',
      CodingSchemeDesignator: 'DCM',
    });
  });

  it('codes each segment as the user chose (SNOMED CT category and type)', () => {
    const code = (item: Record<string, unknown>, key: string) =>
      (item[key] as Array<Record<string, unknown>>)[0]!.CodeMeaning;
    expect(
      items.map((s) => [
        code(s, 'SegmentedPropertyCategoryCodeSequence'),
        code(s, 'SegmentedPropertyTypeCodeSequence'),
      ]),
    ).toEqual([
      ['Anatomical Structure', 'Liver'],
      ['Morphologically Abnormal Structure', 'Lesion'],
    ]);
    expect(
      dicomLabToRgb(items[0]!.RecommendedDisplayCIELabValue as number[]).map(
        (v, i) => Math.abs(v - [221, 84, 84][i]!) <= 1,
      ),
    ).toEqual([true, true, true]);
  });

  it('writes a frame per segment and slice it is on, each referencing its CT slice, with the voxels', () => {
    // Liver on slices 1 and 2, lesion on slice 2; the empty slice 0 has no frame.
    expect(frames.map((f) => f.referencedSopInstanceUID)).toEqual(['1.2.3.4.1', '1.2.3.4.2', '1.2.3.4.2']);
    const frame = (f: number) => Array.from(frames[f]!.pixels);
    expect(frame(0)).toEqual(liver);
    expect(frame(1)).toEqual(lesionAndLiver.map((v) => (v === 1 ? 1 : 0)));
    expect(frame(2)).toEqual(lesionAndLiver.map((v) => (v === 2 ? 1 : 0)));
    const perFrame = seg.PerFrameFunctionalGroupsSequence as Array<Record<string, Array<Record<string, unknown>>>>;
    expect(perFrame.map((g) => g.SegmentIdentificationSequence![0]!.ReferencedSegmentNumber)).toEqual([1, 1, 2]);
    expect(perFrame.map((g) => g.PlanePositionSequence![0]!.ImagePositionPatient)).toEqual([
      [0, 0, 1],
      [0, 0, 2],
      [0, 0, 2],
    ]);
  });

  it('normalises inherited legacy dates and times instead of failing on them', () => {
    expect(seg).toMatchObject({ StudyDate: '19930430', PatientBirthDate: '19500102', StudyTime: '102108' });
    expect(seg.ContentDate).toBe('20261204');
  });
});

describe('a SEG of a multi-frame ultrasound (one instance, no patient coordinates)', () => {
  const instance = {
    ...study,
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.3.1',
    SOPInstanceUID: '1.2.3.7.1',
    SeriesInstanceUID: '1.2.3.7',
    NumberOfFrames: 10,
    Rows: H,
    Columns: W,
  };
  const cine: SegSlice[] = [
    { source: { instance, frameNumber: 4 }, labels: liver },
    { source: { instance, frameNumber: 7 }, labels: liver },
  ];

  it('references each frame by number, indexes frames without positions, and reads back', () => {
    const { seg, frames } = roundTrip(buildSeg(cine, [segment(1, 'Liver', 'liver')], options('binary')));
    expect(frames.map((f) => f.referencedSopInstanceUID)).toEqual(['1.2.3.7.1', '1.2.3.7.1']);
    const perFrame = seg.PerFrameFunctionalGroupsSequence as Array<Record<string, Array<Record<string, unknown>>>>;
    const source = (g: Record<string, Array<Record<string, unknown>>>) =>
      (g.DerivationImageSequence![0]!.SourceImageSequence as Array<Record<string, unknown>>)[0]!;
    expect(perFrame.map((g) => source(g).ReferencedFrameNumber)).toEqual([4, 7]);
    expect(perFrame.every((g) => g.PlanePositionSequence === undefined)).toBe(true);
    expect(seg.FrameOfReferenceUID).toBeUndefined();
    expect(
      (seg.DimensionIndexSequence as Array<Record<string, unknown>>).map((d) => d.DimensionDescriptionLabel),
    ).toEqual(['ReferencedSegmentNumber', 'ReferencedFrameNumber']);
  });
});

describe('a Label Map SEG (the setting)', () => {
  it('writes one 8-bit frame per slice holding the segment numbers', () => {
    const { seg, frames } = roundTrip(buildSeg(ct, segments, options('labelmap')));
    expect(seg).toMatchObject({ SOPClassUID: SEG_SOP_CLASS.labelmap, SegmentationType: 'LABELMAP', BitsAllocated: 8 });
    expect(frames.map((f) => Array.from(f.pixels))).toEqual([liver, lesionAndLiver]);
  });
});

describe('what cannot become a SEG is refused with the reason', () => {
  it('no voxels at all', () => {
    expect(() => buildSeg([ctSlice(0, empty)], segments, options('binary'))).toThrow('no voxels');
  });
  it('voxels of a segment nobody described', () => {
    expect(() => buildSeg([ctSlice(1, lesionAndLiver)], [segments[0]!], options('binary'))).toThrow('segment 2');
  });
  it('an unknown segment type', () => {
    expect(() => segmentType('spleenish')).toThrow('Unknown segment type "spleenish"');
  });
});

describe('DICOM values', () => {
  it('dates: YYYYMMDD kept, legacy dotted or dashed converted, nonsense dropped', () => {
    expect(['19930430', '1993.04.30', '1993-04-30', '30/04/1993', ''].map(normaliseDate)).toEqual([
      '19930430',
      '19930430',
      '19930430',
      '',
      '',
    ]);
  });
  it('times: colons removed, fractions kept to 6 digits', () => {
    expect(['102108', '10:21:08', '10:21:08.1234567', '1021', 'x'].map(normaliseTime)).toEqual([
      '102108',
      '102108',
      '102108.123456',
      '1021',
      '',
    ]);
  });
  it('colours survive the CIELab round trip', () => {
    for (const rgb of [
      [255, 0, 0],
      [0, 128, 255],
      [12, 200, 40],
      [0, 0, 0],
      [255, 255, 255],
    ]) {
      expect(dicomLabToRgb(rgbToDicomLab(rgb))).toEqual(rgb);
    }
  });
});

describe('writing the Part 10 file', () => {
  it('leaves the dataset as it was: the same SEG can be written twice (Store, then Download)', () => {
    const dataset = buildSeg(ct, segments, options('binary'));
    const metaBefore = JSON.stringify(dataset._meta);
    const first = new Uint8Array(segPart10(dcmjs as unknown as DcmjsWriter, dataset));
    expect(JSON.stringify(dataset._meta)).toBe(metaBefore);
    expect(new Uint8Array(segPart10(dcmjs as unknown as DcmjsWriter, dataset))).toEqual(first);
  });
});
