/**
 * Accept: a decoded mask becomes voxels of a labelmap segment. The mask is written into the
 * labelmap image of the image it was decoded on (not necessarily the slice shown now), voxels of
 * other segments are kept unless `overwrite` is asked for (never those of a locked segment), the
 * change goes on the viewer's undo history, and Cornerstone is told the data changed so it renders.
 */
import { AcceptMemo, type AcceptHistory, type ImageChange } from './acceptHistory';
import type { ViewerHost } from '../host/hostTypes';
import { restoreChange, writeMask } from './maskWrite';
import { displaySetOfImage, labelmapTarget, type SamSegmentations, type SegmentChoice } from './samSegmentation';
import type { PromptKind } from './segmentRecords';

/** The part of a SAM result an accept needs: uint8[height*width], row-major, 1 = inside. */
export interface MaskOnImage {
  mask: ArrayLike<number>;
  width: number;
  height: number;
  imageId: string;
  viewportId: string;
  /** What prompted it (recorded for the SEG's algorithm parameters). */
  prompt?: PromptKind;
}

export interface AcceptOptions extends SegmentChoice {
  /** SegmentAlgorithmName recorded on the segment (see algorithmNameFor): model name and version. */
  algorithmName: string;
  /** Also write over voxels of other (unlocked) segments. Default false: they are kept. */
  overwrite?: boolean;
  /** What prompted the mask, when the mask does not say (a propagation run). */
  prompt?: PromptKind;
}

export interface AcceptResult {
  segmentationId: string;
  segmentIndex: number;
  /** Voxels now holding the segment that did not before. */
  voxelsWritten: number;
  /** Mask voxels kept by another segment. */
  voxelsSkipped: number;
  /** Mask voxels that already held the segment. */
  voxelsUnchanged: number;
  labelmapImageId: string;
  createdSegmentation: boolean;
  createdSegment: boolean;
}

export interface AcceptDeps {
  host: ViewerHost;
  segmentations: SamSegmentations;
  history: AcceptHistory;
}

export async function acceptMask(deps: AcceptDeps, result: MaskOnImage, options: AcceptOptions): Promise<AcceptResult> {
  const { mask, width, height, imageId, viewportId } = result;
  if (!Array.prototype.some.call(mask, (v: number) => v !== 0))
    throw new Error('The mask is empty: nothing to accept.');
  const writer = await SegmentWriter.open(deps, viewportId, imageId, options);
  const write = writer.write(imageId, mask, width, height);
  writer.commit();
  return {
    segmentationId: writer.segmentationId,
    segmentIndex: writer.segmentIndex,
    voxelsWritten: write.written,
    voxelsSkipped: write.skipped,
    voxelsUnchanged: write.unchanged,
    labelmapImageId: write.labelmapImageId,
    createdSegmentation: writer.createdSegmentation,
    createdSegment: writer.createdSegment,
  };
}

/**
 * Writes masks of one segment into the labelmap images of a series (one image for an accept, every
 * slice of a propagation run), and records them as one undoable action on commit, or puts every voxel
 * back on discard. Voxels of other segments are kept unless `overwrite` (never those of a locked one).
 */
export class SegmentWriter {
  private readonly changes: ImageChange[] = [];
  /** Quiet writes Cornerstone has not been told of yet. */
  private unannounced = false;

  private constructor(
    private readonly deps: AcceptDeps,
    readonly segmentationId: string,
    readonly segmentIndex: number,
    readonly createdSegmentation: boolean,
    readonly createdSegment: boolean,
    private readonly overwrite: boolean,
  ) {}

  /** Makes (or finds) the series' SAM segmentation and the segment to write, as an accept does. */
  static async open(
    deps: AcceptDeps,
    viewportId: string,
    imageId: string,
    options: AcceptOptions,
  ): Promise<SegmentWriter> {
    if (!options.algorithmName) throw new Error('An accepted mask needs the algorithm (model) that made it.');
    const { host, segmentations } = deps;
    const displaySet = displaySetOfImage(host, viewportId, imageId);
    const { segmentationId, created } = await segmentations.ensure(displaySet, viewportId, options.algorithmName);
    const segment = segmentations.chooseSegment(segmentationId, options, options.algorithmName, created);
    return new SegmentWriter(
      deps,
      segmentationId,
      segment.segmentIndex,
      created,
      segment.created || created,
      options.overwrite === true,
    );
  }

  /**
   * Writes a mask (uint8[height*width]) into the labelmap image of `imageId`. Cornerstone is told
   * (and redraws) unless `quietly`: a propagation run writes slices that are not on screen quietly and
   * tells it once at the end, so the run is not paced by redraws of a slice that did not change.
   */
  write(imageId: string, mask: ArrayLike<number>, width: number, height: number, options: { quietly?: boolean } = {}) {
    const { host, segmentations } = this.deps;
    if (mask.length !== width * height) {
      throw new Error(`The mask has ${mask.length} values for a ${width}x${height} image.`);
    }
    const segmentation = segmentations.segmentation(this.segmentationId);
    const target = labelmapTarget(host, segmentation, this.segmentIndex, imageId);
    const image = host.cornerstone.cache.getImage(target.labelmapImageId);
    if (!image) throw new Error(`The labelmap image ${target.labelmapImageId} is not loaded.`);
    if (image.columns !== width || image.rows !== height) {
      throw new Error(`The mask is ${width}x${height} but the labelmap image is ${image.columns}x${image.rows}.`);
    }
    const locked = (value: number) => segmentation.segments[target.segmentOfValue(value)]?.locked === true;
    const write = writeMask(image.voxelManager, mask, target.labelValue, (v) => this.overwrite && !locked(v));
    if (write.written > 0)
      this.changes.push({ imageId, labelmapImageId: target.labelmapImageId, change: write.change });
    if (options.quietly) this.unannounced ||= write.written > 0;
    else this.modified();
    return {
      written: write.written,
      skipped: write.skipped,
      unchanged: write.unchanged,
      labelmapImageId: target.labelmapImageId,
    };
  }

  /** Images written so far. */
  get imagesWritten(): number {
    return this.changes.length;
  }

  /** One entry on the viewer's undo history for everything written. */
  commit(): void {
    if (this.unannounced) this.modified();
    if (this.changes.length === 0) return;
    const { host, history } = this.deps;
    const record = { segmentationId: this.segmentationId, segmentIndex: this.segmentIndex, changes: [...this.changes] };
    history.record(new AcceptMemo(host.cornerstone.utilities.uuidv4(), record, host));
    this.changes.length = 0;
  }

  /**
   * Puts back every voxel written (voxels edited since are left as they are), but on the images of
   * `keep`; what is kept still needs a commit to go on the history.
   */
  discard(keep: readonly string[] = []): void {
    const { host } = this.deps;
    const kept = this.changes.filter((c) => keep.includes(c.imageId));
    for (const { imageId, labelmapImageId, change } of this.changes) {
      if (keep.includes(imageId)) continue;
      const image = host.cornerstone.cache.getImage(labelmapImageId);
      if (image) restoreChange(image.voxelManager, change, true);
    }
    this.changes.splice(0, this.changes.length, ...kept);
    this.modified();
  }

  private modified(): void {
    this.unannounced = false;
    this.deps.host.tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
      this.segmentationId,
      undefined,
      this.segmentIndex,
    );
  }
}
