/**
 * The SAM segmentation as a DICOM SEG dataset, built from what the viewer holds: each labelmap image
 * (every layer, so overlapping segments stay apart) over the source image it labels, the source's
 * header from OHIF's metadata, and each segment's label, colour, coded type and provenance. The
 * encoding (core/dicomSeg/buildSeg) is ours, not OHIF's generator: a SEG must reference frames of a
 * multi-frame ultrasound, carry the algorithm's identification and be the SOP class a PACS stores.
 */
import packageJson from '../../../package.json';
import {
  buildSeg,
  type SegEncoding,
  type SegSegment,
  type SegSlice,
  type SegSourceImage,
} from '../../core/dicomSeg/buildSeg';
import type { Segmentation, ViewerHost } from '../host/hostTypes';
import { DEFAULT_SEGMENT_TYPE, type CodedConcept } from '../../core/dicomSeg/segmentCodes';
import type { SegmentRecords } from './segmentRecords';

/** What the user and the deployment decide about a stored SEG. */
export interface SegStoreRequest {
  /** SeriesDescription of the SEG series. */
  seriesDescription: string;
  /** ContentCreatorName: the person who made it ("Family^Given"), empty when not known. */
  contentCreatorName: string;
  /** `binary` (Segmentation Storage, default) or `labelmap` (Label Map Segmentation Storage). */
  encoding: SegEncoding;
}

export const SEG_EQUIPMENT = {
  manufacturer: 'OHIF SAM segmentation (open source)',
  manufacturerModelName: packageJson.name,
  softwareVersions: packageJson.version,
  deviceSerialNumber: 'none',
};

/** A segment shown without a colour on any viewport gets this one (OHIF's first segment colour). */
const FALLBACK_COLOUR = [221, 84, 84];

/**
 * OHIF builds a SEG only from source images in Cornerstone's cache: load those not scrolled through
 * yet, so the SEG has every slice the user segmented.
 */
export async function loadSourceImages(host: ViewerHost, segmentation: Segmentation): Promise<void> {
  const data = segmentation.representationData.Labelmap;
  const referenced = new Set([
    ...(data?.referencedImageIds ?? []),
    ...Object.values(data?.labelmaps ?? {}).flatMap((layer) => layer.referencedImageIds ?? []),
  ]);
  const { cache, imageLoader } = host.cornerstone;
  await Promise.all([...referenced].filter((id) => !cache.getImage(id)).map((id) => imageLoader.loadAndCacheImage(id)));
}

/** The SEG of a segmentation; throws, saying why, what cannot be one (nothing drawn, images missing). */
export async function samSegDataset(
  host: ViewerHost,
  records: SegmentRecords,
  segmentationId: string,
  request: SegStoreRequest,
): Promise<Record<string, unknown>> {
  const segmentation = host.services.segmentationService.getSegmentation(segmentationId);
  if (!segmentation) throw new Error(`Segmentation ${segmentationId} does not exist.`);
  await loadSourceImages(host, segmentation);
  return buildSeg(labelmapSlices(host, segmentation), describeSegments(host, records, segmentation), {
    encoding: request.encoding,
    seriesDescription: request.seriesDescription,
    seriesNumber: nextSeriesNumber(host),
    contentCreatorName: request.contentCreatorName,
    ...SEG_EQUIPMENT,
    uid: () => uuidToUid(host.cornerstone.utilities.uuidv4()),
    now: new Date(),
  });
}

/** Each labelmap image with any voxel, as segment numbers over its source image. */
export function labelmapSlices(host: ViewerHost, segmentation: Segmentation): SegSlice[] {
  const data = segmentation.representationData.Labelmap;
  if (!data) throw new Error(`Segmentation "${segmentation.label}" has no labelmap.`);
  const layers = data.labelmaps && Object.keys(data.labelmaps).length > 0 ? Object.values(data.labelmaps) : [data];
  const slices: SegSlice[] = [];
  for (const layer of layers) {
    const toSegment = 'labelToSegmentIndex' in layer ? layer.labelToSegmentIndex : undefined;
    (layer.imageIds ?? []).forEach((labelmapImageId, i) => {
      const image = host.cornerstone.cache.getImage(labelmapImageId);
      const sourceId = image?.referencedImageId ?? layer.referencedImageIds?.[i];
      if (!image || !sourceId) return;
      const values = image.getPixelData();
      const labels = new Uint16Array(values.length);
      let any = false;
      for (let p = 0; p < values.length; p++) {
        const v = values[p]!;
        if (v === 0) continue;
        labels[p] = toSegment?.[v] ?? v;
        any = true;
      }
      if (any) slices.push({ source: sourceImage(host, sourceId), labels });
    });
  }
  return slices;
}

/** A source image's header (OHIF's naturalized instance) and where it lies, if it has patient coordinates. */
export function sourceImage(host: ViewerHost, imageId: string): SegSourceImage {
  const instance = host.cornerstone.metaData.get('instance', imageId);
  if (!instance?.SOPInstanceUID) {
    throw new Error(`The header of image ${imageId} is not loaded: open the series again, then store.`);
  }
  const frames = Number(instance.NumberOfFrames ?? 1);
  const source: SegSourceImage = { instance };
  if (frames > 1) source.frameNumber = frameOfImageId(imageId);
  // Only real patient coordinates: Cornerstone invents a plane for images without one (ultrasound).
  const hasGeometry =
    instance.ImagePositionPatient !== undefined || instance.PerFrameFunctionalGroupsSequence !== undefined;
  if (hasGeometry) {
    const plane = host.cornerstone.metaData.get('imagePlaneModule', imageId) as
      | { imagePositionPatient?: number[]; rowCosines?: number[]; columnCosines?: number[]; sliceThickness?: number }
      | undefined;
    if (plane?.imagePositionPatient?.length === 3) source.imagePositionPatient = plane.imagePositionPatient.map(Number);
    if (plane?.rowCosines && plane.columnCosines) {
      source.imageOrientationPatient = [...plane.rowCosines, ...plane.columnCosines].map(Number);
    }
    if (plane?.sliceThickness) source.sliceThickness = Number(plane.sliceThickness);
  }
  const spacing = instance.PixelSpacing;
  if (Array.isArray(spacing) && spacing.length === 2) source.pixelSpacing = spacing.map(Number);
  return source;
}

/** 1-based frame of a multi-frame image id: `…/frames/3` (WADO-RS) or `…?frame=3` (WADO-URI); 0-based `frame=` for dicomfile ids. */
export function frameOfImageId(imageId: string): number {
  const rs = /\/frames\/(\d+)/.exec(imageId);
  if (rs) return Number(rs[1]);
  const uri = /[?&]frame=(\d+)/.exec(imageId);
  if (uri) return imageId.startsWith('dicomfile:') ? Number(uri[1]) + 1 : Number(uri[1]);
  throw new Error(`Cannot tell which frame of its instance the image ${imageId} is.`);
}

function describeSegments(host: ViewerHost, records: SegmentRecords, segmentation: Segmentation): SegSegment[] {
  const { segmentationService, viewportGridService } = host.services;
  const viewports = [...viewportGridService.getState().viewports.keys()];
  const colourOf = (segmentIndex: number): number[] => {
    for (const viewportId of viewports) {
      try {
        const c = segmentationService.getSegmentColor?.(viewportId, segmentation.segmentationId, segmentIndex);
        if (c) return Array.from(c).slice(0, 3);
      } catch {
        // not shown on that viewport
      }
    }
    return FALLBACK_COLOUR;
  };
  const loaded = loadedSegmentCodes(host, segmentation.segmentationId);
  return Object.values(segmentation.segments)
    .filter((s) => s !== undefined)
    .map((segment) => {
      const { segmentIndex } = segment;
      // A segment OHIF loaded from a SEG keeps that SEG's algorithm fields in cachedStats.
      const stats = segment.cachedStats ?? {};
      const type = segment.algorithmType ?? stats.algorithmType;
      const name = segment.algorithmName ?? stats.algorithmName;
      const details = records.algorithmDetails(segmentation.segmentationId, segmentIndex);
      return {
        number: segmentIndex,
        label: segment.label || `Segment ${segmentIndex}`,
        color: colourOf(segmentIndex),
        type:
          records.chosenType(segmentation.segmentationId, segmentIndex) ??
          loaded.get(segmentIndex) ??
          DEFAULT_SEGMENT_TYPE,
        algorithm: {
          type: type === 'AUTOMATIC' || type === 'SEMIAUTOMATIC' ? type : 'MANUAL',
          name: typeof name === 'string' && name ? name : 'OHIF brush',
          ...details,
        },
      };
    });
}

/** A code sequence's item as dcmjs naturalizes it (an array, or one item), when it is a whole code. */
function codeOf(sequence: unknown): CodedConcept | undefined {
  const item = (Array.isArray(sequence) ? sequence[0] : sequence) as Partial<CodedConcept> | undefined;
  const { CodeValue, CodingSchemeDesignator, CodeMeaning } = item ?? {};
  return typeof CodeValue === 'string' && typeof CodingSchemeDesignator === 'string' && typeof CodeMeaning === 'string'
    ? { CodeValue, CodingSchemeDesignator, CodeMeaning }
    : undefined;
}

/**
 * The coded category and type of each segment of the SEG a segmentation was loaded from (OHIF names
 * such a segmentation after the SEG's display set), so storing it again keeps what that SEG said
 * instead of the default Tissue; empty for a segmentation made in the viewer.
 */
export function loadedSegmentCodes(
  host: ViewerHost,
  segmentationId: string,
): Map<number, { category: CodedConcept; type: CodedConcept }> {
  const displaySet = host.services.displaySetService.getDisplaySetByUID(segmentationId) as
    { instance?: { SegmentSequence?: unknown } } | undefined;
  const sequence = displaySet?.instance?.SegmentSequence;
  const items = (Array.isArray(sequence) ? sequence : sequence ? [sequence] : []) as Array<Record<string, unknown>>;
  const codes = new Map<number, { category: CodedConcept; type: CodedConcept }>();
  for (const item of items) {
    const category = codeOf(item.SegmentedPropertyCategoryCodeSequence);
    const type = codeOf(item.SegmentedPropertyTypeCodeSequence);
    const number = Number(item.SegmentNumber);
    if (category && type && Number.isInteger(number)) codes.set(number, { category, type });
  }
  return codes;
}

/** One more than the highest series number the study shows (a SEG series comes after what is there). */
function nextSeriesNumber(host: ViewerHost): number {
  const numbers = host.services.displaySetService
    .getActiveDisplaySets()
    .map((d) => Number((d as { SeriesNumber?: unknown }).SeriesNumber))
    .filter((n) => Number.isFinite(n));
  return Math.max(899, ...numbers) + 1;
}

/** A UUID as a DICOM UID (2.25.<the UUID as a decimal integer>, PS3.5 B.2). */
export function uuidToUid(uuid: string): string {
  return `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`).toString()}`;
}
