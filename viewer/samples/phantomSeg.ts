// The phantom's ground truth as a binary DICOM SEG (Segmentation Storage) that references
// the CT slices of writeDicom.ts: segment number = label value, one frame per
// (segment, slice) that holds the segment, frames ordered by segment then slice.

import type { NaturalizedDataset } from 'dcmjs';

import { encodeDicom } from './dicomFile';
import { computeLabelVolume, slicePositionMm, type PhantomObjectKind, type PhantomSpec, type Rgb } from './phantom';
import { phantomUids, type PhantomUids } from './uids';
import { CT_IMAGE_STORAGE, PHANTOM_STUDY, phantomCommonAttributes } from './writeDicom';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
export const SEG_SERIES_NUMBER = 100;

interface Code {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

const sct = (CodeValue: string, CodeMeaning: string): Code => ({
  CodeValue,
  CodingSchemeDesignator: 'SCT',
  CodeMeaning,
});

/** SNOMED CT category and type (DICOM CID 7150 / 7151-ish) of each object kind. */
const SEGMENT_CODES: Record<PhantomObjectKind, { category: Code; type: Code }> = {
  lesion: { category: sct('49755003', 'Morphologically Altered Structure'), type: sct('52988006', 'Lesion') },
  organ: { category: sct('91723000', 'Anatomical Structure'), type: sct('113343008', 'Organ') },
  fat: { category: sct('85756007', 'Tissue'), type: sct('55603005', 'Adipose tissue') },
  vessel: { category: sct('91723000', 'Anatomical Structure'), type: sct('59820001', 'Blood vessel') },
};

/** sRGB (0-255) to DICOM's scaled CIELab (D65; L 0..100 and a, b -128..127 mapped to 0..65535). */
export function rgbToDicomLab([r, g, b]: Rgb): [number, number, number] {
  const linear = (c: number): number => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [lr, lg, lb] = [linear(r), linear(g), linear(b)];
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047;
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / 1.08883;
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const [fx, fy, fz] = [f(x), f(y), f(z)];
  const L = 116 * fy - 16;
  const a = 500 * (fx - fy);
  const bb = 200 * (fy - fz);
  const scale = (v: number, lo: number, hi: number): number =>
    Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * 65535);
  return [scale(L, 0, 100), scale(a, -128, 127), scale(bb, -128, 127)];
}

interface SegFrame {
  label: number;
  slice: number;
}

/** Which slices hold each label, in frame order. */
function listFrames(spec: PhantomSpec, labels: Uint8Array): SegFrame[] {
  const g = spec.geometry;
  const sliceSize = g.rows * g.columns;
  const present = new Uint8Array(256 * g.slices);
  for (let k = 0; k < g.slices; k++) {
    const slice = labels.subarray(k * sliceSize, (k + 1) * sliceSize);
    for (let p = 0; p < sliceSize; p++) present[(slice[p] ?? 0) * g.slices + k] = 1;
  }
  const frames: SegFrame[] = [];
  for (const o of [...spec.objects].sort((a, b) => a.label - b.label)) {
    for (let k = 0; k < g.slices; k++) {
      if (present[o.label * g.slices + k]) frames.push({ label: o.label, slice: k });
    }
  }
  return frames;
}

/** Binary SEG pixel data: one bit per pixel, first pixel in the lowest bit, frames back to back. */
function packFrames(spec: PhantomSpec, labels: Uint8Array, frames: SegFrame[]): ArrayBuffer {
  const sliceSize = spec.geometry.rows * spec.geometry.columns;
  // Even length, as every DICOM value must be.
  const packed = new Uint8Array(Math.ceil((frames.length * sliceSize) / 16) * 2);
  let bit = 0;
  let byte = 0;
  for (const { label, slice } of frames) {
    for (const value of labels.subarray(slice * sliceSize, (slice + 1) * sliceSize)) {
      if (value === label) byte |= 1 << (bit & 7);
      if ((bit & 7) === 7) {
        packed[bit >>> 3] = byte;
        byte = 0;
      }
      bit++;
    }
  }
  if (bit & 7) packed[bit >>> 3] = byte;
  return packed.buffer;
}

function checkSegmentNumbers(spec: PhantomSpec): void {
  // DICOM: segment numbers start at 1 and increase by 1.
  const labels = spec.objects.map((o) => o.label).sort((a, b) => a - b);
  labels.forEach((label, index) => {
    if (label !== index + 1) {
      throw new Error(`SEG needs labels 1..${labels.length}; found ${labels.join(', ')}`);
    }
  });
}

export function buildPhantomSegDataset(
  spec: PhantomSpec,
  labels: Uint8Array = computeLabelVolume(spec),
  uids: PhantomUids = phantomUids(spec.seed),
): NaturalizedDataset {
  checkSegmentNumbers(spec);
  const g = spec.geometry;
  const frames = listFrames(spec, labels);
  const sourceImage = (k: number) => ({
    ReferencedSOPClassUID: CT_IMAGE_STORAGE,
    ReferencedSOPInstanceUID: uids.ctInstance(k),
  });

  return {
    ...phantomCommonAttributes(uids),
    _vrMap: { PixelData: 'OB' },
    ImageType: ['DERIVED', 'PRIMARY'],
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: uids.segInstance,
    SeriesInstanceUID: uids.segSeries,
    SeriesDate: PHANTOM_STUDY.StudyDate,
    SeriesTime: PHANTOM_STUDY.StudyTime,
    ContentDate: PHANTOM_STUDY.StudyDate,
    ContentTime: PHANTOM_STUDY.StudyTime,
    Modality: 'SEG',
    SeriesDescription: 'Phantom ground truth',
    SeriesNumber: SEG_SERIES_NUMBER,
    InstanceNumber: 1,
    ContentLabel: 'GROUND_TRUTH',
    ContentDescription: 'Known geometry of the phantom objects',
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: g.rows,
    Columns: g.columns,
    NumberOfFrames: frames.length,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: uids.ctSeries,
        ReferencedInstanceSequence: Array.from({ length: g.slices }, (_, k) => sourceImage(k)),
      },
    ],
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: uids.dimensionOrganization }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: uids.dimensionOrganization,
        DimensionIndexPointer: 0x0062000b, // ReferencedSegmentNumber
        FunctionalGroupPointer: 0x0062000a, // SegmentIdentificationSequence
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: uids.dimensionOrganization,
        DimensionIndexPointer: 0x00200032, // ImagePositionPatient
        FunctionalGroupPointer: 0x00209113, // PlanePositionSequence
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    SegmentSequence: [...spec.objects]
      .sort((a, b) => a.label - b.label)
      .map((o) => ({
        SegmentNumber: o.label,
        SegmentLabel: o.name,
        SegmentDescription: `${o.shape}, ${o.hu} HU`,
        SegmentAlgorithmType: 'AUTOMATIC',
        SegmentAlgorithmName: 'ohif-sam phantom geometry',
        SegmentedPropertyCategoryCodeSequence: [SEGMENT_CODES[o.kind].category],
        SegmentedPropertyTypeCodeSequence: [SEGMENT_CODES[o.kind].type],
        RecommendedDisplayCIELabValue: rgbToDicomLab(o.color),
      })),
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: [1, 0, 0, 0, 1, 0] }],
        PixelMeasuresSequence: [
          {
            SliceThickness: g.sliceSpacingMm,
            SpacingBetweenSlices: g.sliceSpacingMm,
            PixelSpacing: [...g.pixelSpacingMm],
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: frames.map(({ label, slice }) => ({
      DerivationImageSequence: [
        {
          SourceImageSequence: [
            {
              ...sourceImage(slice),
              PurposeOfReferenceCodeSequence: [
                {
                  CodeValue: '121322',
                  CodingSchemeDesignator: 'DCM',
                  CodeMeaning: 'Source image for image processing operation',
                },
              ],
            },
          ],
          DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
        },
      ],
      FrameContentSequence: [{ DimensionIndexValues: [label, slice + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: [...slicePositionMm(g, slice)] }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: label }],
    })),
    PixelData: packFrames(spec, labels, frames),
  };
}

export function encodePhantomSeg(spec: PhantomSpec, labels?: Uint8Array): Uint8Array {
  return encodeDicom(buildPhantomSegDataset(spec, labels));
}
