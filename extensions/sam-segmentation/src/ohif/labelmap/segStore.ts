/**
 * Storing the SAM segmentation as a DICOM SEG through OHIF's own path: the cornerstone-dicom-seg
 * extension's `storeSegmentation` command (context SEGMENTATION). In OHIF 3.13 it takes
 * `{ segmentationId, modality }` and shows OHIF's "Store Segmentation" dialog (series name, new
 * or existing series, Save or Download); the dialog decides the data source, which is the active
 * one unless the viewer offers several (`allowMultiSelectExport`), so a `dataSource` argument would
 * be ignored. It then builds the SEG with `generateSegmentation` (each segment's
 * SegmentAlgorithmType / SegmentAlgorithmName from the segment, set by accept) and stores it with
 * `createStoreFunction`: STOW-RS to a dicomweb data source. It returns the stored dataset, or
 * nothing when the user cancels.
 */
import type { ViewerHost } from '../host/hostTypes';
import {
  asArray,
  checkAlgorithmFields,
  prepareSegExport,
  type SegDataset,
  type SegmentSequenceItem,
} from './segExport';

const SEG_CONTEXT = 'SEGMENTATION';

export type SegStoreResult =
  | { stored: false }
  | {
      /** Stored to the data source (or downloaded, when the user chose Download in OHIF's dialog). */
      stored: true;
      studyInstanceUID: string;
      seriesInstanceUID: string;
      sopInstanceUID: string;
      seriesDescription: string;
      segments: SegmentSequenceItem[];
    };

export async function storeSeg(host: ViewerHost, segmentationId: string): Promise<SegStoreResult> {
  const segmentation = await prepareSegExport(host, segmentationId);
  if (host.commandsManager.getCommand && !host.commandsManager.getCommand('storeSegmentation', SEG_CONTEXT)) {
    throw new Error("Storing a SEG needs OHIF's cornerstone-dicom-seg extension with its storeSegmentation command.");
  }
  const dataset = (await host.commandsManager.runCommand('storeSegmentation', { segmentationId }, SEG_CONTEXT)) as
    SegDataset | undefined;
  if (!dataset) return { stored: false };
  const segments = asArray(dataset.SegmentSequence);
  try {
    checkAlgorithmFields(segmentation, segments);
  } catch (error) {
    throw new Error(`The SEG was stored, but with wrong algorithm fields: ${(error as Error).message}`);
  }
  return {
    stored: true,
    studyInstanceUID: String(dataset.StudyInstanceUID ?? ''),
    seriesInstanceUID: String(dataset.SeriesInstanceUID ?? ''),
    sopInstanceUID: String(dataset.SOPInstanceUID ?? ''),
    seriesDescription: String(dataset.SeriesDescription ?? ''),
    segments,
  };
}
