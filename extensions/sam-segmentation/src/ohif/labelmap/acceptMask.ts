/**
 * Accept: a decoded mask becomes voxels of a labelmap segment. The mask is written into the
 * labelmap image of the image it was decoded on (not necessarily the slice shown now), voxels of
 * other segments are kept unless `overwrite` is asked for (never those of a locked segment), the
 * change goes on the viewer's undo history, and Cornerstone is told the data changed so it renders.
 */
import { AcceptMemo, type AcceptHistory } from './acceptHistory';
import type { ViewerHost } from '../host/hostTypes';
import { writeMask } from './maskWrite';
import { displaySetOfImage, labelmapTarget, type SamSegmentations, type SegmentChoice } from './samSegmentation';

/** The part of a SAM result an accept needs: uint8[height*width], row-major, 1 = inside. */
export interface MaskOnImage {
  mask: ArrayLike<number>;
  width: number;
  height: number;
  imageId: string;
  viewportId: string;
}

export interface AcceptOptions extends SegmentChoice {
  /** SegmentAlgorithmName recorded on the segment (see algorithmNameFor): model name and version. */
  algorithmName: string;
  /** Also write over voxels of other (unlocked) segments. Default false: they are kept. */
  overwrite?: boolean;
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
  const { host, segmentations, history } = deps;
  const { mask, width, height, imageId, viewportId } = result;
  if (mask.length !== width * height) {
    throw new Error(`The mask has ${mask.length} values for a ${width}x${height} image.`);
  }
  if (!Array.prototype.some.call(mask, (v: number) => v !== 0))
    throw new Error('The mask is empty: nothing to accept.');
  if (!options.algorithmName) throw new Error('An accepted mask needs the algorithm (model) that made it.');

  const displaySet = displaySetOfImage(host, viewportId, imageId);
  const { segmentationId, created } = await segmentations.ensure(displaySet, viewportId, options.algorithmName);
  const segment = segmentations.chooseSegment(segmentationId, options, options.algorithmName, created);
  const segmentation = segmentations.segmentation(segmentationId);
  const target = labelmapTarget(host, segmentation, segment.segmentIndex, imageId);
  const image = host.cornerstone.cache.getImage(target.labelmapImageId);
  if (!image) throw new Error(`The labelmap image ${target.labelmapImageId} is not loaded.`);
  if (image.columns !== width || image.rows !== height) {
    throw new Error(`The mask is ${width}x${height} but the labelmap image is ${image.columns}x${image.rows}.`);
  }

  const locked = (value: number) => segmentation.segments[target.segmentOfValue(value)]?.locked === true;
  const write = writeMask(image.voxelManager, mask, target.labelValue, (v) => options.overwrite === true && !locked(v));
  if (write.written > 0) {
    history.record(
      new AcceptMemo(
        host.cornerstone.utilities.uuidv4(),
        {
          segmentationId,
          segmentIndex: segment.segmentIndex,
          labelmapImageId: target.labelmapImageId,
          change: write.change,
        },
        host,
      ),
    );
  }
  host.tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
    segmentationId,
    undefined,
    segment.segmentIndex,
  );
  return {
    segmentationId,
    segmentIndex: segment.segmentIndex,
    voxelsWritten: write.written,
    voxelsSkipped: write.skipped,
    voxelsUnchanged: write.unchanged,
    labelmapImageId: target.labelmapImageId,
    createdSegmentation: created,
    createdSegment: segment.created || created,
  };
}
