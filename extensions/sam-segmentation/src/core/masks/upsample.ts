/**
 * Low-resolution logits (model frame) → logits and masks on the original image grid, bilinear on logits:
 *  - letterbox (official SAM, Transformers.js): 256 → S, crop the resized region newH x newW, → H x W;
 *  - stretch (SAM 2, MedSAM): 256 → H x W directly.
 * Each step is half-pixel bilinear (PyTorch `align_corners=False`); the steps are composed into one
 * table per axis, so the upsampling is a single pass. A mask is logit > 0 (MedSAM's sigmoid > 0.5).
 */
import type { ModelFrame } from '../geometry/modelFrame';
import {
  bilinearTable,
  composeTables,
  cropTable,
  packedPlane,
  resamplePlane,
  type ResampleTable,
} from '../image/resample';
import type { MaskCandidate } from './candidates';

function axisTable(lowRes: number, frame: ModelFrame, resized: number, image: number): ResampleTable {
  if (frame.resize === 'stretch') return bilinearTable(lowRes, image);
  const toInput = cropTable(bilinearTable(lowRes, frame.inputSize), resized);
  return composeTables(toInput, bilinearTable(resized, image));
}

/** Upsampling for one image and one low-resolution size; build once per image, use for every candidate. */
export class LogitUpsampler {
  readonly frame: ModelFrame;
  private readonly tableX: ResampleTable;
  private readonly tableY: ResampleTable;
  private readonly scratch: Float32Array;

  constructor(frame: ModelFrame, lowResWidth = 256, lowResHeight = 256) {
    this.frame = frame;
    this.tableX = axisTable(lowResWidth, frame, frame.resizedWidth, frame.imageWidth);
    this.tableY = axisTable(lowResHeight, frame, frame.resizedHeight, frame.imageHeight);
    this.scratch = new Float32Array(lowResHeight * frame.imageWidth);
  }

  // lowRes: float32[h*w] → float32[H*W]
  upsample(lowRes: Float32Array, out = new Float32Array(this.frame.imageWidth * this.frame.imageHeight)): Float32Array {
    const expected = this.tableX.inSize * this.tableY.inSize;
    if (lowRes.length !== expected) {
      throw new Error(
        `Low-resolution logits have ${lowRes.length} values; expected ${this.tableX.inSize}x${this.tableY.inSize}.`,
      );
    }
    resamplePlane(
      lowRes,
      packedPlane(this.tableX.inSize),
      out,
      packedPlane(this.frame.imageWidth),
      this.tableX,
      this.tableY,
      this.scratch,
    );
    return out;
  }
}

/** Foreground where the logit is above 0: 1, else 0. */
export function logitsToMask(logits: Float32Array, out = new Uint8Array(logits.length)): Uint8Array {
  for (let i = 0, n = logits.length; i < n; i++) out[i] = logits[i]! > 0 ? 1 : 0;
  return out;
}

/** A candidate's logits on the image grid: the graph's own when it gave them, else upsampled. */
export function candidateLogits(candidate: MaskCandidate, upsampler: LogitUpsampler): Float32Array {
  return candidate.fullResLogits ?? upsampler.upsample(candidate.lowResLogits);
}

/** A candidate's binary mask on the image grid (rows x columns, 1 = foreground). */
export function candidateMask(candidate: MaskCandidate, upsampler: LogitUpsampler): Uint8Array {
  return logitsToMask(candidateLogits(candidate, upsampler));
}
