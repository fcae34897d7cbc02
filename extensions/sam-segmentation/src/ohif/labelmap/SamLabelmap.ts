/**
 * The labelmap side of SAM in one object, for SamService to hold: accept a mask, undo the last
 * accept, export, download or store the SAM segmentation as DICOM SEG. It keeps which segmentation SAM
 * made for which display set and the accepts that can be undone.
 */
import { AcceptHistory } from './acceptHistory';
import { acceptMask, type AcceptOptions, type AcceptResult, type MaskOnImage } from './acceptMask';
import type { ViewerHost } from '../host/hostTypes';
import { SamSegmentations } from './samSegmentation';
import { downloadSeg, exportSeg, type SegExport } from './segExport';
import { storeSeg, type SegStoreResult } from './segStore';

export interface UndoneAccept {
  segmentationId: string;
  segmentIndex: number;
  labelmapImageId: string;
}

/** Which segmentation to export: the given one, else SAM's for the viewport's series, else the last accepted into. */
export interface SegTarget {
  segmentationId?: string;
  viewportId?: string;
}

export class SamLabelmap {
  private readonly segmentations: SamSegmentations;
  private readonly history: AcceptHistory;
  private lastSegmentationId: string | undefined;
  /** Accepts run one after the other: two at once would both create the display set's segmentation. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: ViewerHost) {
    this.segmentations = new SamSegmentations(host);
    this.history = new AcceptHistory(host.cornerstone.utilities.HistoryMemo.DefaultHistoryMemo);
  }

  accept(result: MaskOnImage, options: AcceptOptions): Promise<AcceptResult> {
    const run = async () => {
      const deps = { host: this.host, segmentations: this.segmentations, history: this.history };
      const accepted = await acceptMask(deps, result, options);
      this.lastSegmentationId = accepted.segmentationId;
      return accepted;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Undoes the newest accept still applied (also when other edits came after it); undefined if none. */
  undoLastAccept(): UndoneAccept | undefined {
    const memo = this.history.undoLast();
    if (!memo) return undefined;
    const { segmentationId, segmentIndex, labelmapImageId } = memo.record;
    return { segmentationId, segmentIndex, labelmapImageId };
  }

  exportSeg(target: SegTarget = {}): Promise<SegExport> {
    return exportSeg(this.host, this.segmentationToExport(target));
  }

  downloadSeg(target: SegTarget = {}): Promise<void> {
    return downloadSeg(this.host, this.segmentationToExport(target));
  }

  storeSeg(target: SegTarget = {}): Promise<SegStoreResult> {
    return storeSeg(this.host, this.segmentationToExport(target));
  }

  /** Stops watching the segmentation state (see SegmentGuard); call when the mode is left. */
  dispose(): void {
    this.segmentations.dispose();
  }

  /** The SAM segmentation of the series shown in a viewport (the active one by default). */
  segmentationFor(viewportId?: string): string | undefined {
    const { viewportGridService } = this.host.services;
    const id = viewportId ?? viewportGridService.getActiveViewportId();
    const uids = (id && viewportGridService.getState().viewports.get(id)?.displaySetInstanceUIDs) || [];
    return uids.map((uid) => this.segmentations.forDisplaySet(uid)).find((s) => s !== undefined);
  }

  private segmentationToExport({ segmentationId, viewportId }: SegTarget): string {
    const id = segmentationId ?? this.segmentationFor(viewportId) ?? this.lastSegmentationId;
    if (!id) throw new Error('Nothing to export: no mask has been accepted yet.');
    return id;
  }
}
