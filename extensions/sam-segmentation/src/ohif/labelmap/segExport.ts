/**
 * The SAM segmentation as a DICOM SEG file (segDataset.ts builds it): `exportSeg` gives its Part 10
 * bytes, `downloadSeg` saves them as a file in the browser — what the panel offers whenever storing
 * is not possible or failed, so the work is never lost.
 */
import { sequenceItems } from '../../core/dicomSeg/buildSeg';
import { segPart10, type DcmjsWriter } from '../../core/dicomSeg/segFile';
import type { ViewerHost } from '../host/hostTypes';
import { samSegDataset, type SegStoreRequest } from './segDataset';
import type { SegmentRecords } from './segmentRecords';

export interface SegmentSequenceItem {
  SegmentNumber?: string | number;
  SegmentLabel?: string;
  SegmentAlgorithmType?: string;
  SegmentAlgorithmName?: string;
}

export interface SegExport {
  /** The SEG as a DICOM Part 10 file. */
  bytes: ArrayBuffer;
  fileName: string;
  segmentationId: string;
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  segments: SegmentSequenceItem[];
}

export async function loadDcmjs(): Promise<DcmjsWriter> {
  return (await import(/* webpackChunkName: "dcmjs" */ 'dcmjs')).default as unknown as DcmjsWriter;
}

/** A SEG dataset as a file, named after its series. */
export async function segFileOf(dataset: Record<string, unknown>, segmentationId: string): Promise<SegExport> {
  const bytes = segPart10(await loadDcmjs(), dataset);
  const transferSyntaxUID = (dataset._meta as { TransferSyntaxUID: { Value: string[] } }).TransferSyntaxUID.Value[0]!;
  const name = String(dataset.SeriesDescription || 'segmentation').replace(/[^\w.-]+/g, '_');
  return {
    bytes,
    fileName: `${name}.dcm`,
    segmentationId,
    sopClassUID: String(dataset.SOPClassUID),
    sopInstanceUID: String(dataset.SOPInstanceUID),
    transferSyntaxUID,
    segments: sequenceItems<SegmentSequenceItem>(dataset.SegmentSequence),
  };
}

export async function exportSeg(
  host: ViewerHost,
  records: SegmentRecords,
  segmentationId: string,
  request: SegStoreRequest,
): Promise<SegExport> {
  return segFileOf(await samSegDataset(host, records, segmentationId, request), segmentationId);
}

/** Saves the SEG as a file (the browser's download), and returns what it saved. */
export async function downloadSeg(
  host: ViewerHost,
  records: SegmentRecords,
  segmentationId: string,
  request: SegStoreRequest,
): Promise<SegExport> {
  const file = await exportSeg(host, records, segmentationId, request);
  saveFile(file);
  return file;
}

export function saveFile(file: SegExport): void {
  const url = URL.createObjectURL(new Blob([file.bytes], { type: 'application/dicom' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started from the link; the URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
