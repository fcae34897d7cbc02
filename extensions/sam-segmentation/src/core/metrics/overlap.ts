/**
 * Overlap of two binary masks of the same grid (non-zero = foreground): Dice and IoU (Jaccard), the
 * study protocol's per-object scores, computed exactly (no smoothing term: the authors' released code
 * adds 0.1 to numerator and denominator, the paper's formula does not).
 *
 * Two empty masks agree perfectly: Dice = IoU = 1 (nothing to find, nothing found). One empty mask
 * against a non-empty one scores 0.
 */

export interface OverlapCounts {
  /** Foreground pixels of the prediction, of the reference, and of both. */
  predicted: number;
  reference: number;
  intersection: number;
}

export function overlapCounts(predicted: Uint8Array, reference: Uint8Array): OverlapCounts {
  if (predicted.length !== reference.length) {
    throw new Error(`Masks differ in size: ${predicted.length} and ${reference.length} pixels.`);
  }
  let p = 0;
  let r = 0;
  let both = 0;
  for (let i = 0, n = predicted.length; i < n; i++) {
    const a = predicted[i] !== 0;
    const b = reference[i] !== 0;
    if (a) p++;
    if (b) r++;
    if (a && b) both++;
  }
  return { predicted: p, reference: r, intersection: both };
}

/** 2|P∩G| / (|P| + |G|); 1 when both are empty. */
export function diceFromCounts({ predicted, reference, intersection }: OverlapCounts): number {
  const total = predicted + reference;
  return total === 0 ? 1 : (2 * intersection) / total;
}

/** |P∩G| / |P∪G|; 1 when both are empty. */
export function iouFromCounts({ predicted, reference, intersection }: OverlapCounts): number {
  const union = predicted + reference - intersection;
  return union === 0 ? 1 : intersection / union;
}

export function dice(predicted: Uint8Array, reference: Uint8Array): number {
  return diceFromCounts(overlapCounts(predicted, reference));
}

export function iou(predicted: Uint8Array, reference: Uint8Array): number {
  return iouFromCounts(overlapCounts(predicted, reference));
}
