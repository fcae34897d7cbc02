/**
 * Undo for accepted masks. Each accept, and each propagation run with all its slices, becomes one
 * memo on Cornerstone's DefaultHistoryMemo, the history OHIF's Undo / Redo buttons (commands `undo` /
 * `redo`) replay, so the viewer's own undo takes it back like a brush stroke. `undoLast` undoes the
 * newest one still applied, even when other edits came after it; a memo remembers its state, so
 * undoing it twice does nothing.
 */
import type { HistoryMemo, CornerstoneCore, CornerstoneTools, Memo } from '../host/hostTypes';
import { restoreChange, type VoxelChange } from './maskWrite';

/** What one write changed in one labelmap image. */
export interface ImageChange {
  /** The image labelled, and its labelmap image. */
  imageId: string;
  labelmapImageId: string;
  change: VoxelChange;
}

export interface AcceptRecord {
  segmentationId: string;
  segmentIndex: number;
  /** One image for an accept; every slice written for a propagation run. */
  changes: ImageChange[];
}

export class AcceptMemo implements Memo {
  readonly operationType = 'labelmap';
  state: 'applied' | 'undone' = 'applied';

  constructor(
    readonly id: string,
    readonly record: AcceptRecord,
    private readonly host: { cornerstone: CornerstoneCore; tools: CornerstoneTools },
  ) {}

  /** Cornerstone's memo contract: `undo` true puts the previous voxels back, false writes the mask again. */
  restoreMemo(undo = true): void {
    if ((this.state === 'undone') === undo) return;
    const { segmentationId, segmentIndex, changes } = this.record;
    for (const { labelmapImageId, change } of changes) {
      const image = this.host.cornerstone.cache.getImage(labelmapImageId);
      if (!image) {
        console.warn(`[SAM] cannot ${undo ? 'undo' : 'redo'} an accepted mask: its labelmap image is no longer loaded`);
        continue;
      }
      restoreChange(image.voxelManager, change, undo);
    }
    this.state = undo ? 'undone' : 'applied';
    this.host.tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
      segmentationId,
      undefined,
      segmentIndex,
    );
  }
}

export class AcceptHistory {
  private readonly memos: AcceptMemo[] = [];

  constructor(
    private readonly history: HistoryMemo,
    private readonly limit = 50,
  ) {}

  record(memo: AcceptMemo): void {
    this.history.push(memo);
    this.memos.push(memo);
    if (this.memos.length > this.limit) this.memos.shift();
  }

  /** Undoes the newest accept still applied; undefined when there is none. */
  undoLast(): AcceptMemo | undefined {
    const memo = [...this.memos].reverse().find((m) => m.state === 'applied');
    if (!memo) return undefined;
    // On top of the viewer's history: undo it there, so the viewer's Redo can bring it back.
    if (!this.history.undoIf((item) => item === memo)) memo.restoreMemo(true);
    return memo;
  }
}
