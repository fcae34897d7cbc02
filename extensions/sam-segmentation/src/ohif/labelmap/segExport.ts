/**
 * DICOM SEG export through OHIF's own path: the cornerstone-dicom-seg extension's
 * `generateSegmentation` command (context SEGMENTATION) builds the SEG with Cornerstone's adapters,
 * taking each segment's SegmentAlgorithmType / SegmentAlgorithmName from the segment's
 * `algorithmType` / `algorithmName` (which an accept sets). `exportSeg` returns the Part 10 bytes
 * without any dialog; `downloadSeg` is OHIF's own download (`downloadSegmentation`).
 */
import type { ViewerHost, Segmentation } from '../host/hostTypes';

const SEG_CONTEXT = 'SEGMENTATION';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface SegmentSequenceItem {
  SegmentNumber?: string | number;
  SegmentLabel?: string;
  SegmentAlgorithmType?: string;
  SegmentAlgorithmName?: string;
}

/** The naturalized dataset OHIF's generateSegmentation returns (dcmjs keywords). */
export interface SegDataset {
  SOPInstanceUID?: string;
  TransferSyntaxUID?: string;
  SegmentSequence?: SegmentSequenceItem | SegmentSequenceItem[];
  _meta?: { TransferSyntaxUID?: string | { Value?: string[] } };
  [keyword: string]: unknown;
}

export interface SegExport {
  /** The SEG as a DICOM Part 10 file. */
  bytes: ArrayBuffer;
  fileName: string;
  segmentationId: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  segments: SegmentSequenceItem[];
}

/** The part of dcmjs used to write a Part 10 file, as OHIF's own datasetToDicomPart10Buffer does. */
interface DcmjsWriter {
  data: {
    datasetToDict(dataset: SegDataset): {
      meta: Record<string, { vr: string; Value: unknown[] }>;
      write(options: { allowInvalidVRLength: boolean; fragmentMultiframe: boolean }): ArrayBuffer;
    };
  };
}

export async function exportSeg(host: ViewerHost, segmentationId: string): Promise<SegExport> {
  const segmentation = await prepareSegExport(host, segmentationId);
  const generated = host.commandsManager.runCommand('generateSegmentation', { segmentationId }, SEG_CONTEXT) as
    { dataset?: SegDataset } | undefined;
  const dataset = generated?.dataset;
  if (!dataset) throw new Error("OHIF's DICOM SEG extension did not generate the SEG (is it loaded?).");
  const segments = asArray(dataset.SegmentSequence);
  checkAlgorithmFields(segmentation, segments);
  const transferSyntaxUID = transferSyntaxOf(dataset);
  const dcmjs = (await import(/* webpackChunkName: "dcmjs" */ 'dcmjs')).default as unknown as DcmjsWriter;
  const dict = dcmjs.data.datasetToDict(dataset);
  // datasetToDict reads the transfer syntax from a denaturalized _meta only: set it, as OHIF does.
  dict.meta['00020010'] = { vr: 'UI', Value: [transferSyntaxUID] };
  return {
    bytes: dict.write({ allowInvalidVRLength: false, fragmentMultiframe: false }),
    fileName: `${segmentation.label || 'segmentation'}.dcm`,
    segmentationId,
    sopInstanceUID: String(dataset.SOPInstanceUID ?? ''),
    transferSyntaxUID,
    segments,
  };
}

/** OHIF's download of a segmentation as a DICOM SEG file (it also lists the SEG in the study). */
export async function downloadSeg(host: ViewerHost, segmentationId: string): Promise<void> {
  await prepareSegExport(host, segmentationId);
  host.commandsManager.runCommand('downloadSegmentation', { segmentationId }, SEG_CONTEXT);
}

/**
 * OHIF's export needs every referenced source image in Cornerstone's cache ("Referenced source
 * image not in cache"): load the ones not scrolled through yet.
 */
export async function prepareSegExport(host: ViewerHost, segmentationId: string): Promise<Segmentation> {
  const segmentation = host.services.segmentationService.getSegmentation(segmentationId);
  if (!segmentation) throw new Error(`Segmentation ${segmentationId} does not exist.`);
  if (host.commandsManager.getCommand && !host.commandsManager.getCommand('generateSegmentation', SEG_CONTEXT)) {
    throw new Error("DICOM SEG export needs OHIF's cornerstone-dicom-seg extension in the mode.");
  }
  const data = segmentation.representationData.Labelmap;
  const referenced = new Set([
    ...(data?.referencedImageIds ?? []),
    ...Object.values(data?.labelmaps ?? {}).flatMap((layer) => layer.referencedImageIds ?? []),
  ]);
  const { cache, imageLoader } = host.cornerstone;
  await Promise.all([...referenced].filter((id) => !cache.getImage(id)).map((id) => imageLoader.loadAndCacheImage(id)));
  return segmentation;
}

/** Each segment SAM wrote must carry its algorithm fields into the SEG; fail loudly if OHIF's mapping changes. */
export function checkAlgorithmFields(segmentation: Segmentation, items: SegmentSequenceItem[]): void {
  for (const segment of Object.values(segmentation.segments)) {
    if (!segment?.algorithmType) continue;
    const item = items.find((i) => Number(i.SegmentNumber) === segment.segmentIndex);
    if (!item) continue; // an empty segment may be left out of the SEG
    if (item.SegmentAlgorithmType !== segment.algorithmType || item.SegmentAlgorithmName !== segment.algorithmName) {
      throw new Error(
        `The SEG's segment ${segment.segmentIndex} has SegmentAlgorithmType ${item.SegmentAlgorithmType} / ` +
          `SegmentAlgorithmName ${item.SegmentAlgorithmName}, expected ${segment.algorithmType} / ${segment.algorithmName}.`,
      );
    }
  }
}

function transferSyntaxOf(dataset: SegDataset): string {
  const meta = dataset._meta?.TransferSyntaxUID;
  if (typeof meta === 'string') return meta;
  return meta?.Value?.[0] ?? dataset.TransferSyntaxUID ?? EXPLICIT_VR_LITTLE_ENDIAN;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
