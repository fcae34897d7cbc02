/**
 * Storing the SAM segmentation as a DICOM SEG in the study's PACS: the SEG (segDataset.ts), written
 * as a Part 10 file, goes to the active data source's `store.dicom` (STOW-RS for a DICOMweb source).
 * Not through OHIF's `createStoreFunction`: that lists the SEG in the study before the PACS has
 * answered, so a refused store would still look stored. Before anything is sent it
 * checks that the data source can store at all — OHIF's local-files source keeps a "stored" SEG in
 * memory only — and after a failure it says what failed in words a radiologist can act on. The
 * segmentation itself is never touched: on any failure it is still in the viewer, and Download
 * saves it as a file.
 */
import type { ViewerHost } from '../host/hostTypes';
import { samSegDataset, type SegStoreRequest } from './segDataset';
import { sequenceItems } from '../../core/dicomSeg/buildSeg';
import type { SegmentRecords } from './segmentRecords';
import { segFileOf, type SegExport, type SegmentSequenceItem } from './segExport';

export type { SegStoreRequest } from './segDataset';

export interface SegStoreResult {
  stored: true;
  dataSource: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  sopClassUID: string;
  seriesDescription: string;
  segments: SegmentSequenceItem[];
}

/** Why a store did not happen; `canDownload`: the SEG could be built, so Download will work. */
export class SegStoreError extends Error {
  constructor(
    message: string,
    readonly reason: 'cannot-store' | 'not-built' | 'refused',
  ) {
    super(message);
    this.name = 'SegStoreError';
  }
}

/** Namespaces of OHIF data sources that cannot send anything to a PACS. */
const READ_ONLY_SOURCES = [/dicomlocal$/, /dicomjson$/];

/** The active data source, if it can store a SEG; else the reason, in words. */
type DicomStore = (part10: ArrayBuffer) => Promise<unknown>;

export function storeTarget(host: ViewerHost): { name: string; store: DicomStore } | { cannot: string } {
  const definition = host.extensionManager?.getActiveDataSourceDefinition?.();
  if (!definition) return { cannot: 'This viewer has no data source to store to.' };
  const { sourceName, namespace } = definition;
  if (READ_ONLY_SOURCES.some((r) => r.test(namespace) || r.test(sourceName))) {
    return {
      cannot:
        `These images come from local files (data source "${sourceName}"): nothing can be stored to a PACS from here. ` +
        'Download SEG saves the segmentation as a file.',
    };
  }
  const source = host.extensionManager?.getDataSources?.(sourceName)?.[0];
  const dicom = source?.store?.dicom;
  if (typeof dicom !== 'function') {
    return {
      cannot: `The data source "${sourceName}" cannot store DICOM. Download SEG saves the segmentation as a file.`,
    };
  }
  return { name: sourceName, store: (part10) => (dicom as DicomStore).call(source!.store, part10) };
}

export async function storeSeg(
  host: ViewerHost,
  records: SegmentRecords,
  segmentationId: string,
  request: SegStoreRequest,
): Promise<SegStoreResult> {
  const target = storeTarget(host);
  if ('cannot' in target) throw new SegStoreError(target.cannot, 'cannot-store');
  let dataset: Record<string, unknown>;
  let file: SegExport;
  try {
    dataset = await samSegDataset(host, records, segmentationId, request);
    file = await segFileOf(dataset, segmentationId);
  } catch (err) {
    throw new SegStoreError(`The SEG could not be made: ${(err as Error).message}`, 'not-built');
  }
  try {
    await target.store(file.bytes);
  } catch (err) {
    throw new SegStoreError(describeStoreFailure(err), 'refused');
  }
  return {
    stored: true,
    dataSource: target.name,
    studyInstanceUID: String(dataset.StudyInstanceUID ?? ''),
    seriesInstanceUID: String(dataset.SeriesInstanceUID),
    sopInstanceUID: String(dataset.SOPInstanceUID),
    sopClassUID: String(dataset.SOPClassUID),
    seriesDescription: String(dataset.SeriesDescription ?? ''),
    segments: sequenceItems<SegmentSequenceItem>(dataset.SegmentSequence),
  };
}

/** The HTTP status of a failed STOW-RS request (dicomweb-client puts it on the error or its request). */
function statusOf(err: unknown): number | undefined {
  const e = err as { status?: unknown; request?: { status?: unknown }; response?: { status?: unknown } } | undefined;
  const status = Number(e?.status ?? e?.request?.status ?? e?.response?.status);
  return Number.isFinite(status) ? status : undefined;
}

/** What went wrong with a store, in words that say what to do. */
export function describeStoreFailure(err: unknown): string {
  const status = statusOf(err);
  const detail =
    err instanceof Error && err.message && !/^request failed$/i.test(err.message) ? ` (${err.message})` : '';
  if (status === undefined || status === 0) {
    return `The PACS could not be reached${detail}: check the network or that the web server passes POST /dicom-web/studies on.`;
  }
  if (status === 401 || status === 403)
    return `The PACS did not allow storing (HTTP ${status}): ask IT for the right to store (STOW-RS).`;
  if (status === 404 || status === 405 || status === 501) {
    return `The server does not accept DICOM uploads at this address (HTTP ${status}): STOW-RS must be enabled and POST passed to the PACS.`;
  }
  if (status === 413)
    return 'The SEG is larger than the web server accepts (HTTP 413): raise its upload limit (nginx client_max_body_size).';
  if (status === 409 || status === 400) return `The PACS refused the SEG (HTTP ${status})${detail}.`;
  if (status >= 500) return `The PACS failed while storing (HTTP ${status}): try again; if it persists, tell IT.`;
  return `Storing failed (HTTP ${status})${detail}.`;
}
