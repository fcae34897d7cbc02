/**
 * The pure bookkeeping of the volume modes (run/evaluateVolume.ts): per-slice overlap of a predicted
 * volume with the object's voxels, 3D Dice and IoU, per-slice Dice by signed distance from the start
 * slice (the drift plot), where propagation stopped early or ran past the object, the slice a
 * corrective click goes on, which masks a correction invalidates, and NoC-3D. No model here.
 *
 * Volumes are uint8[depth * plane], slice after slice; slice k is `[k * plane, (k + 1) * plane)`.
 */
import {
  diceFromCounts,
  iouFromCounts,
  overlapCounts,
  type OverlapCounts,
} from '../../../extensions/sam-segmentation/src/core';

/** Overlap counts of every slice. */
export function sliceOverlaps(predicted: Uint8Array, truth: Uint8Array, plane: number): OverlapCounts[] {
  if (predicted.length !== truth.length || truth.length % plane !== 0) {
    throw new Error(`Volumes of ${predicted.length} and ${truth.length} voxels are not slices of ${plane} pixels.`);
  }
  const depth = truth.length / plane;
  return Array.from({ length: depth }, (_, k) =>
    overlapCounts(predicted.subarray(k * plane, (k + 1) * plane), truth.subarray(k * plane, (k + 1) * plane)),
  );
}

/** 3D Dice and IoU: the slices' counts summed (1 when both volumes are empty, exact: no smoothing). */
export function volumeOverlap(slices: readonly OverlapCounts[]): { dice: number; iou: number; predicted: number } {
  const total: OverlapCounts = { predicted: 0, reference: 0, intersection: 0 };
  for (const s of slices) {
    total.predicted += s.predicted;
    total.reference += s.reference;
    total.intersection += s.intersection;
  }
  return { dice: diceFromCounts(total), iou: iouFromCounts(total), predicted: total.predicted };
}

const hasAny = (s: OverlapCounts) => s.predicted > 0 || s.reference > 0;

/** [signed distance from `start` in slices, Dice] of every slice where the object or the mask has pixels. */
export function sliceDiceByDistance(slices: readonly OverlapCounts[], start: number): [number, number][] {
  const out: [number, number][] = [];
  slices.forEach((s, k) => {
    if (hasAny(s)) out.push([k - start, diceFromCounts(s)]);
  });
  return out;
}

/** The slice with the most object pixels (the lowest index among equals). */
export function largestSlice(areas: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < areas.length; k++) if (areas[k]! > areas[best]!) best = k;
  return best;
}

export interface PropagationReach {
  /** Object slices beyond the last propagated slice, towards higher (up) and lower (down) indices. */
  earlyUp: number;
  earlyDown: number;
  /** Slices with a mask and no object, above and below the start slice. */
  overrunUp: number;
  overrunDown: number;
}

/**
 * Where one propagation fell short or ran on: `kept` slices were propagated each way from `start`
 * (propagateSeries' outcome). Stopped early: object pixels on a slice beyond the last propagated one
 * (the object, connected or not, continues); ran past: a mask on a slice without the object.
 */
export function propagationReach(
  slices: readonly OverlapCounts[],
  start: number,
  kept: { up: number; down: number },
): PropagationReach {
  const reach: PropagationReach = { earlyUp: 0, earlyDown: 0, overrunUp: 0, overrunDown: 0 };
  slices.forEach((s, k) => {
    if (k === start) return;
    const up = k > start;
    if (s.reference > 0 && (up ? k > start + kept.up : k < start - kept.down)) reach[up ? 'earlyUp' : 'earlyDown']++;
    if (s.predicted > 0 && s.reference === 0) reach[up ? 'overrunUp' : 'overrunDown']++;
  });
  return reach;
}

/**
 * The slice of the next corrective click: the lowest Dice among the slices a click can improve, i.e.
 * those with a mask or with more than `minObjectPixels` object pixels (the study prompts no object of
 * 50 pixels or fewer, so a sliver the mask missed is not clicked), and not perfect. Equal Dice (the
 * slices a propagation ran on past the object, or those it missed, all score 0): the nearest to
 * `start` (where a walk first went wrong), then the most wrong pixels, then the lower index. Undefined
 * when no slice is left to click.
 */
export function worstSlice(
  slices: readonly OverlapCounts[],
  start: number,
  minObjectPixels: number,
): number | undefined {
  let best: number | undefined;
  let bestKey: [number, number, number] = [Infinity, 0, 0];
  slices.forEach((s, k) => {
    if (!(s.predicted > 0 || s.reference > minObjectPixels)) return;
    const dice = diceFromCounts(s);
    if (dice >= 1) return;
    const key: [number, number, number] = [
      dice,
      Math.abs(k - start),
      -(s.predicted + s.reference - 2 * s.intersection),
    ];
    const i = key.findIndex((v, j) => v !== bestKey[j]);
    if (i >= 0 && key[i]! < bestKey[i]!) [best, bestKey] = [k, key];
  });
  return best;
}

/**
 * NoC-3D at `threshold`: the corrective clicks after which the 3D Dice first reaches it, given the Dice
 * after 0, 1, 2, … clicks (0 when the start already does), or `budget` when it is never reached.
 */
export function noc3d(diceAfterClicks: readonly number[], threshold: number, budget: number): number {
  const limit = Math.min(diceAfterClicks.length - 1, budget);
  for (let k = 0; k <= limit; k++) if (diceAfterClicks[k]! >= threshold) return k;
  return budget;
}

/**
 * Where each slice's mask came from, to tell which masks a correction invalidates and how far a walk
 * may go: none, decoded on the slice itself (the seed, a box on that slice, a corrective click: a
 * prompted slice), or propagated from slice `from` in direction `dir`. A mask propagated through slice
 * w (from a slice at or before w in its direction of travel, to a slice beyond w) was made from w's
 * mask: when w is corrected and propagated again, such a mask that the new walk does not reach is
 * cleared, since it continued the mask that was corrected. A walk never passes a prompted slice.
 */
export class SliceOrigins {
  private readonly from: Int32Array;
  private readonly dir: Int8Array;

  constructor(depth: number) {
    this.from = new Int32Array(depth).fill(-1);
    this.dir = new Int8Array(depth);
  }

  copy(): SliceOrigins {
    const copy = new SliceOrigins(this.from.length);
    copy.from.set(this.from);
    copy.dir.set(this.dir);
    return copy;
  }

  decoded(k: number): void {
    this.from[k] = k;
    this.dir[k] = 0;
  }

  propagated(k: number, from: number, dir: 1 | -1): void {
    this.from[k] = from;
    this.dir[k] = dir;
  }

  clear(k: number): void {
    this.from[k] = -1;
    this.dir[k] = 0;
  }

  isDecoded(k: number): boolean {
    return this.dir[k] === 0 && this.from[k] === k;
  }

  /** The mask on k continued the mask on w (it was propagated through w, towards k). */
  continues(k: number, w: number): boolean {
    const d = this.dir[k]!;
    return d !== 0 && this.from[k]! >= 0 && (k - w) * d > 0 && (w - this.from[k]!) * d >= 0;
  }

  /** How many slices a walk from w may take in direction `dir`: up to the next prompted slice (all when none). */
  reach(w: number, dir: 1 | -1): number | undefined {
    for (let k = w + dir, n = 0; k >= 0 && k < this.from.length; k += dir, n++) if (this.isDecoded(k)) return n;
    return undefined;
  }

  /**
   * The slices beyond `last` in direction `dir`, up to the next prompted slice, whose masks continued
   * w's: to clear once w has been propagated again (its walk ended at `last`).
   */
  staleBeyond(w: number, last: number, dir: 1 | -1): number[] {
    const stale: number[] = [];
    for (let k = last + dir; k >= 0 && k < this.from.length && !this.isDecoded(k); k += dir)
      if (this.continues(k, w)) stale.push(k);
    return stale;
  }
}
