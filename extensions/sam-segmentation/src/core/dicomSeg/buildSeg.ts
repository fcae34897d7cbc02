/**
 * A DICOM Segmentation (PS3.3 A.51) from labelmap slices, as a naturalized dataset (dcmjs
 * keywords) ready to be written or sent with STOW-RS. Two encodings:
 * - `binary`: Segmentation Storage (1.2.840.10008.5.1.4.1.1.66.4), what PACS in service store and
 *   viewers read: one 1-bit frame per segment and source frame it appears on;
 * - `labelmap`: Label Map Segmentation Storage (…66.7, Supplement 243, 2024): one 8/16-bit frame
 *   per source frame, each pixel the number of its segment.
 * Every frame references the source image it labels (SOP instance, and the frame of a multi-frame
 * source such as an ultrasound cine), with its plane position where the source has one, so that a
 * reader matches frames by reference first. Nothing here needs a viewer: it runs in Node and tests
 * there.
 */
import { dicomDateTime, fitLength, inheritedAttributes } from './dicomValues';
import { rgbToDicomLab } from './displayColour';
import { ARTIFICIAL_INTELLIGENCE, type SegmentType } from './segmentCodes';

export const SEG_SOP_CLASS = {
  binary: '1.2.840.10008.5.1.4.1.1.66.4',
  labelmap: '1.2.840.10008.5.1.4.1.1.66.7',
} as const;
export type SegEncoding = keyof typeof SEG_SOP_CLASS;

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

type Dataset = Record<string, unknown>;

/** One image a SEG frame labels: a single-frame instance, or one frame of a multi-frame one. */
export interface SegSourceImage {
  /** The source instance's attributes, naturalized (dcmjs keywords): UIDs, Patient, Study, geometry. */
  instance: Dataset;
  /** 1-based frame in a multi-frame source instance; absent for a single-frame instance. */
  frameNumber?: number;
  /** Where this image lies, when the source has patient coordinates (CT, MR; not a plain ultrasound). */
  imagePositionPatient?: number[];
  imageOrientationPatient?: number[];
  pixelSpacing?: number[];
  sliceThickness?: number;
}

/** A labelmap slice: the segment number of each pixel (0 = none), row-major, over one source image. */
export interface SegSlice {
  source: SegSourceImage;
  labels: ArrayLike<number>;
}

export interface SegAlgorithm {
  /** SegmentAlgorithmType: SEMIAUTOMATIC for SAM (a model run with the user's prompts), MANUAL for a brush. */
  type: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  /** SegmentAlgorithmName (LO 64): the model's name and version. */
  name: string;
  /** The model's id and version (Algorithm Version). */
  version?: string;
  /** How it was prompted (Algorithm Parameters), e.g. "prompts: point, box; propagation". */
  parameters?: string;
}

export interface SegSegment {
  number: number;
  label: string;
  /** sRGB 0–255. */
  color: readonly number[];
  /** Its coded category and type: one of the panel's list, or those of the SEG it was loaded from. */
  type: Pick<SegmentType, 'category' | 'type'>;
  algorithm: SegAlgorithm;
}

export interface SegOptions {
  encoding: SegEncoding;
  seriesDescription: string;
  seriesNumber: number;
  /** ContentCreatorName (PN): the person who made it. */
  contentCreatorName?: string;
  /** Enhanced General Equipment (all type 1 in a SEG): who made the software that wrote it. */
  manufacturer: string;
  manufacturerModelName: string;
  softwareVersions: string;
  deviceSerialNumber: string;
  /** New UIDs (the viewer's generator). */
  uid: () => string;
  now: Date;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const SOURCE_IMAGE_PURPOSE = {
  CodeValue: '121322',
  CodingSchemeDesignator: 'DCM',
  CodeMeaning: 'Source image for image processing operation',
};
const SEGMENTATION_DERIVATION = { CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' };

/** Data element tags used as dimension index pointers. */
const TAG = {
  ReferencedSegmentNumber: 0x0062000b,
  SegmentIdentificationSequence: 0x0062000a,
  ImagePositionPatient: 0x00200032,
  PlanePositionSequence: 0x00209113,
  ReferencedFrameNumber: 0x00081160,
  DerivationImageSequence: 0x00089124,
};

interface Frame {
  slice: SegSlice;
  /** Segment number (binary encoding) or undefined (labelmap: every segment of the slice). */
  segment?: number;
}

/** The SEG of these slices; refuses, naming the cause, what no PACS could store or read back. */
export function buildSeg(slices: readonly SegSlice[], segments: readonly SegSegment[], options: SegOptions): Dataset {
  const used = slices.filter((s) => hasLabels(s.labels));
  if (used.length === 0) throw new Error('Nothing to store: the segmentation has no voxels.');
  const first = used[0]!.source.instance;
  const rows = Number(first.Rows);
  const columns = Number(first.Columns);
  for (const s of used) {
    if (Number(s.source.instance.Rows) !== rows || Number(s.source.instance.Columns) !== columns) {
      throw new Error('The segmented images differ in size: one SEG holds images of one size only.');
    }
    if (s.labels.length !== rows * columns)
      throw new Error(`A labelmap slice has ${s.labels.length} pixels, its image ${rows * columns}.`);
    if (s.source.instance.StudyInstanceUID !== first.StudyInstanceUID) {
      throw new Error('The segmented images belong to different studies: a SEG belongs to one study.');
    }
  }
  const present = new Set<number>();
  for (const s of used) for (let i = 0; i < s.labels.length; i++) if (s.labels[i]) present.add(s.labels[i]!);
  const described = new Map(segments.map((s) => [s.number, s]));
  const missing = [...present].filter((n) => !described.has(n));
  if (missing.length > 0) throw new Error(`Voxels of segment ${missing.join(', ')} have no segment description.`);
  const stored = segments.filter((s) => present.has(s.number)).sort((a, b) => a.number - b.number);

  const frames: Frame[] =
    options.encoding === 'binary'
      ? stored.flatMap((segment) =>
          used.filter((s) => includes(s.labels, segment.number)).map((slice) => ({ slice, segment: segment.number })),
        )
      : used.map((slice) => ({ slice }));
  const maxLabel = Math.max(...present);
  const positioned = used.every((s) => s.source.imagePositionPatient?.length === 3);
  const orientation = used[0]!.source.imageOrientationPatient;
  const sameOrientation =
    orientation?.length === 6 && used.every((s) => sameNumbers(s.source.imageOrientationPatient, orientation));
  const { date, time } = dicomDateTime(options.now);
  const seriesInstanceUID = options.uid();
  const sopInstanceUID = options.uid();
  const sopClassUID = SEG_SOP_CLASS[options.encoding];
  const dimensionOrganizationUID = options.uid();
  const sourceIndex = new Map(used.map((s, i) => [s, i + 1]));

  const bits = options.encoding === 'binary' ? 1 : maxLabel > 255 ? 16 : 8;
  const dataset: Dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClassUID,
    SOPInstanceUID: sopInstanceUID,
    ...inheritedAttributes(first),
    Modality: 'SEG',
    SeriesInstanceUID: seriesInstanceUID,
    SeriesNumber: options.seriesNumber,
    SeriesDescription: fitLength(options.seriesDescription, 64),
    SeriesDate: date,
    SeriesTime: time,
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ContentLabel: 'SEGMENTATION',
    ContentDescription: fitLength(options.seriesDescription, 64),
    ContentCreatorName: fitLength(options.contentCreatorName ?? '', 64),
    Manufacturer: fitLength(options.manufacturer, 64),
    ManufacturerModelName: fitLength(options.manufacturerModelName, 64),
    SoftwareVersions: fitLength(options.softwareVersions, 64),
    DeviceSerialNumber: fitLength(options.deviceSerialNumber, 64),
    ImageType: ['DERIVED', 'PRIMARY'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: options.encoding === 'binary' ? 'BINARY' : 'LABELMAP',
    NumberOfFrames: frames.length,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUID }],
    DimensionIndexSequence: dimensionIndex(options.encoding, positioned, dimensionOrganizationUID),
    ReferencedSeriesSequence: referencedSeries(used),
    SegmentSequence: stored.map(segmentItem),
    SharedFunctionalGroupsSequence: [sharedGroups(used[0]!.source, sameOrientation)],
    PerFrameFunctionalGroupsSequence: frames.map((frame) =>
      perFrameGroups(frame, positioned, sameOrientation, sourceIndex.get(frame.slice)!),
    ),
    PixelData: pixelData(frames, rows * columns, bits),
    _vrMap: { PixelData: bits === 16 ? 'OW' : 'OB' },
    _meta: {
      FileMetaInformationVersion: { Value: [new Uint8Array([0, 1]).buffer], vr: 'OB' },
      MediaStorageSOPClassUID: { Value: [sopClassUID], vr: 'UI' },
      MediaStorageSOPInstanceUID: { Value: [sopInstanceUID], vr: 'UI' },
      TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN], vr: 'UI' },
    },
  };
  const frameOfReference = first.FrameOfReferenceUID;
  if (typeof frameOfReference === 'string' && frameOfReference) {
    dataset.FrameOfReferenceUID = frameOfReference;
    dataset.PositionReferenceIndicator = '';
  }
  return dataset;
}

function hasLabels(labels: ArrayLike<number>): boolean {
  for (let i = 0; i < labels.length; i++) if (labels[i]) return true;
  return false;
}

function includes(labels: ArrayLike<number>, value: number): boolean {
  for (let i = 0; i < labels.length; i++) if (labels[i] === value) return true;
  return false;
}

function sameNumbers(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return !!a && a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) < 1e-4);
}

/** Frames are indexed by segment and position; without positions, by the source image they label. */
function dimensionIndex(encoding: SegEncoding, positioned: boolean, uid: string): Dataset[] {
  const bySegment = {
    DimensionOrganizationUID: uid,
    DimensionIndexPointer: TAG.ReferencedSegmentNumber,
    FunctionalGroupPointer: TAG.SegmentIdentificationSequence,
    DimensionDescriptionLabel: 'ReferencedSegmentNumber',
  };
  const bySpace = positioned
    ? {
        DimensionOrganizationUID: uid,
        DimensionIndexPointer: TAG.ImagePositionPatient,
        FunctionalGroupPointer: TAG.PlanePositionSequence,
        DimensionDescriptionLabel: 'ImagePositionPatient',
      }
    : {
        DimensionOrganizationUID: uid,
        DimensionIndexPointer: TAG.ReferencedFrameNumber,
        FunctionalGroupPointer: TAG.DerivationImageSequence,
        DimensionDescriptionLabel: 'ReferencedFrameNumber',
      };
  return encoding === 'binary' ? [bySegment, bySpace] : [bySpace];
}

function referencedSeries(slices: readonly SegSlice[]): Dataset[] {
  const bySeries = new Map<string, Map<string, string>>();
  for (const { source } of slices) {
    const series = String(source.instance.SeriesInstanceUID);
    const instances = bySeries.get(series) ?? new Map<string, string>();
    instances.set(String(source.instance.SOPInstanceUID), String(source.instance.SOPClassUID));
    bySeries.set(series, instances);
  }
  return [...bySeries].map(([SeriesInstanceUID, instances]) => ({
    SeriesInstanceUID,
    ReferencedInstanceSequence: [...instances].map(([ReferencedSOPInstanceUID, ReferencedSOPClassUID]) => ({
      ReferencedSOPClassUID,
      ReferencedSOPInstanceUID,
    })),
  }));
}

function segmentItem(segment: SegSegment): Dataset {
  const { algorithm } = segment;
  const item: Dataset = {
    SegmentNumber: segment.number,
    SegmentLabel: fitLength(segment.label, 64),
    SegmentAlgorithmType: algorithm.type,
    SegmentedPropertyCategoryCodeSequence: [segment.type.category],
    SegmentedPropertyTypeCodeSequence: [segment.type.type],
    RecommendedDisplayCIELabValue: rgbToDicomLab(segment.color),
  };
  if (algorithm.type !== 'MANUAL') {
    item.SegmentAlgorithmName = fitLength(algorithm.name, 64);
    item.SegmentationAlgorithmIdentificationSequence = [
      {
        AlgorithmFamilyCodeSequence: [ARTIFICIAL_INTELLIGENCE],
        AlgorithmName: fitLength(algorithm.name, 64),
        AlgorithmVersion: fitLength(algorithm.version ?? '', 64),
        ...(algorithm.parameters && { AlgorithmParameters: algorithm.parameters.slice(0, 10240) }),
      },
    ];
  }
  return item;
}

function sharedGroups(source: SegSourceImage, sameOrientation: boolean): Dataset {
  const shared: Dataset = {};
  if (source.pixelSpacing?.length === 2) {
    shared.PixelMeasuresSequence = [
      {
        PixelSpacing: source.pixelSpacing,
        ...(source.sliceThickness !== undefined &&
          source.sliceThickness > 0 && { SliceThickness: source.sliceThickness }),
      },
    ];
  }
  if (sameOrientation) shared.PlaneOrientationSequence = [{ ImageOrientationPatient: source.imageOrientationPatient }];
  return shared;
}

function perFrameGroups(frame: Frame, positioned: boolean, sameOrientation: boolean, sourceNumber: number): Dataset {
  const { source } = frame.slice;
  const reference: Dataset = {
    ReferencedSOPClassUID: source.instance.SOPClassUID,
    ReferencedSOPInstanceUID: source.instance.SOPInstanceUID,
    PurposeOfReferenceCodeSequence: [SOURCE_IMAGE_PURPOSE],
  };
  if (source.frameNumber !== undefined) reference.ReferencedFrameNumber = source.frameNumber;
  const spatialIndex = positioned ? sourceNumber : (source.frameNumber ?? sourceNumber);
  const groups: Dataset = {
    DerivationImageSequence: [{ SourceImageSequence: [reference], DerivationCodeSequence: [SEGMENTATION_DERIVATION] }],
    FrameContentSequence: [
      { DimensionIndexValues: frame.segment !== undefined ? [frame.segment, spatialIndex] : [spatialIndex] },
    ],
  };
  if (positioned) groups.PlanePositionSequence = [{ ImagePositionPatient: source.imagePositionPatient }];
  if (!sameOrientation && source.imageOrientationPatient?.length === 6) {
    groups.PlaneOrientationSequence = [{ ImageOrientationPatient: source.imageOrientationPatient }];
  }
  if (frame.segment !== undefined) groups.SegmentIdentificationSequence = [{ ReferencedSegmentNumber: frame.segment }];
  return groups;
}

/** Binary: 1 bit per pixel, frames one after another in one bit stream (PS3.5 8.1.1); else 8/16-bit labels. */
function pixelData(frames: readonly Frame[], frameLength: number, bits: number): ArrayBuffer {
  if (bits === 1) {
    const bytes = Math.ceil((frames.length * frameLength) / 8);
    const packed = new Uint8Array(bytes + (bytes % 2)); // OB values have even length
    frames.forEach((frame, f) => {
      const { labels } = frame.slice;
      const offset = f * frameLength;
      for (let i = 0; i < frameLength; i++) {
        if (labels[i] === frame.segment) packed[(offset + i) >> 3]! |= 1 << ((offset + i) & 7);
      }
    });
    return packed.buffer;
  }
  const out = bits === 16 ? new Uint16Array(frames.length * frameLength) : new Uint8Array(frames.length * frameLength);
  frames.forEach((frame, f) => out.set(Array.from(frame.slice.labels), f * frameLength));
  // OB/OW values have even length.
  return out.byteLength % 2 === 0 ? out.buffer : new Uint8Array([...new Uint8Array(out.buffer), 0]).buffer;
}

/** The items of a naturalized sequence (dcmjs gives a single item as an object). */
export function sequenceItems<T = Dataset>(value: unknown): T[] {
  return asArray(value as T | T[] | undefined);
}
