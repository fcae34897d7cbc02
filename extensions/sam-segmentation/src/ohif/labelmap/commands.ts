/**
 * Commands for the toolbar, hotkeys and other extensions, to merge into getCommandsModule's
 * definitions: accept a mask, add a new segment to write into or rename it, undo the last accept, export, download or store (to the data source,
 * STOW-RS) the SAM segmentation as DICOM SEG. They report failures in
 * OHIF's notifications instead of leaving a rejected promise.
 */
import type { AcceptOptions, AcceptResult, MaskOnImage } from './acceptMask';
import type { SegExport } from './segExport';
import type { SegStoreRequest, SegStoreResult } from './segStore';
import type { NewSegmentOptions, NewSegmentResult, SegmentEdit, SegTarget, UndoneAccept } from './SamLabelmap';

/** What SamService offers for the labelmap (see docs in SamLabelmap). */
export interface SamLabelmapApi {
  acceptMask(result: MaskOnImage, options?: Partial<AcceptOptions>): Promise<AcceptResult>;
  undoLastAccept(): UndoneAccept | undefined;
  newSegment(options?: NewSegmentOptions): Promise<NewSegmentResult>;
  editSegment(edit: SegmentEdit): Promise<void>;
  exportSeg(choice?: Partial<SegStoreRequest>, target?: SegTarget): Promise<SegExport>;
  downloadSeg(choice?: Partial<SegStoreRequest>, target?: SegTarget): Promise<SegExport>;
  storeSeg(choice?: Partial<SegStoreRequest>, target?: SegTarget): Promise<SegStoreResult>;
}

export interface Notifier {
  show(notification: { title: string; message: string; type: 'error' | 'info' | 'success' | 'warning' }): void;
}

type SegCommandOptions = Partial<SegStoreRequest> & SegTarget;
type AcceptCommandOptions = Partial<AcceptOptions> & { result: MaskOnImage };

export function samLabelmapCommands(sam: SamLabelmapApi, notifications?: Notifier) {
  const reported =
    <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R> | R) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await fn(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        console.warn(`[SAM] ${what} failed: ${message}`);
        notifications?.show({ title: 'Segment Anything', message: `${what} failed: ${message}`, type: 'error' });
        return undefined;
      }
    };
  return {
    acceptSamMask: {
      commandFn: reported('Accept', ({ result, ...options }: AcceptCommandOptions) => sam.acceptMask(result, options)),
    },
    /** Adds a segment ({ label }: default the next free "SAM n") and makes it the one Accept writes into. */
    newSamSegment: {
      commandFn: reported('New segment', (options: NewSegmentOptions = {}) => sam.newSegment(options)),
    },
    /** Renames and/or recolours ({ label, color }) the segment Accept writes into. */
    editSamSegment: {
      commandFn: reported('Renaming the segment', (edit: SegmentEdit = {}) => sam.editSegment(edit)),
    },
    undoSamAccept: { commandFn: reported('Undo', () => sam.undoLastAccept()) },
    /** Options: the SEG's { seriesDescription, contentCreatorName, encoding } and which { segmentationId, viewportId }. */
    exportSamSeg: {
      commandFn: reported('DICOM SEG export', (o: SegCommandOptions = {}) => sam.exportSeg(o, o)),
    },
    downloadSamSeg: {
      commandFn: reported('DICOM SEG download', (o: SegCommandOptions = {}) => sam.downloadSeg(o, o)),
    },
    storeSamSeg: { commandFn: reported('DICOM SEG store', (o: SegCommandOptions = {}) => sam.storeSeg(o, o)) },
  };
}
