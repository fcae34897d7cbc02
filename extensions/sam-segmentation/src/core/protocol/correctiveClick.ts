/**
 * The study protocol's simulated corrective click and its NoC score ("Segment Anything Model for
 * Medical Images?", interactive comparison): the next click goes at the interior point of the largest
 * error region farthest from its boundary, include if that region is missed foreground, exclude if it is
 * false positive; NoC@85 / NoC@90 count the clicks needed to reach 85% / 90% Dice, up to 20.
 *
 * Conventions (the protocol leaves them open):
 *  - Error regions are the 4-connected components of the missed foreground (GT & !pred) and, separately,
 *    of the false positives (pred & !GT). Splitting the two kinds apart keeps every region's label
 *    well-defined where a miss touches a false positive (a boundary that is shifted sideways); it equals
 *    splitting the union (GT xor pred) and cutting it where the two kinds meet. 4-connectivity, because
 *    pixels that touch only at a corner share no edge, and a one-pixel diagonal chain is no region a user
 *    would click "inside".
 *  - "Largest" is the most pixels; equal sizes go to the region met first in row-major order.
 *  - "Farthest from its boundary": the region's deepest point (masks/deepestPoint.ts: the image outside
 *    its edges counts as outside, so an error along the image edge is not clicked on the edge).
 *  - The click is a pixel centre (integer x = column, y = row), the core's prompt convention.
 */
import { labelComponents } from '../masks/connectedComponents';
import type { Connectivity } from '../masks/connectedComponents';
import { deepestPoint } from '../masks/deepestPoint';
import type { PromptPoint } from '../prompts/prompt';

/** The study's click budget: a target never reached scores this many clicks. */
export const NOC_MAX_CLICKS = 20;

export interface CorrectiveClickOptions {
  /** Connectivity of the error regions; default 4 (see the file header). */
  connectivity?: Connectivity;
}

function checkMasks(predicted: Uint8Array, groundTruth: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`A mask needs positive integer width and height, got ${width} x ${height}.`);
  }
  const n = width * height;
  if (predicted.length !== n || groundTruth.length !== n) {
    throw new Error(
      `Masks have ${predicted.length} and ${groundTruth.length} pixels; ${width} x ${height} needs ${n}.`,
    );
  }
}

interface Region {
  label: number;
  size: number;
  first: number;
}

/** The largest component (ties: first pixel earliest in row-major order), or undefined if none. */
function largestRegion(labels: Int32Array, sizes: Int32Array, count: number): Region | undefined {
  if (count === 0) return undefined;
  // Labels are assigned in row-major order of their first pixel, so the lowest label wins a tie.
  let best = 1;
  for (let l = 2; l <= count; l++) if (sizes[l]! > sizes[best]!) best = l;
  const first = labels.indexOf(best);
  return { label: best, size: sizes[best]!, first };
}

/**
 * The simulated corrective click for `predicted` against `groundTruth` (uint8[H*W], row-major, non-zero =
 * foreground), or undefined when they agree everywhere.
 */
export function correctiveClick(
  predicted: Uint8Array,
  groundTruth: Uint8Array,
  width: number,
  height: number,
  options: CorrectiveClickOptions = {},
): PromptPoint | undefined {
  checkMasks(predicted, groundTruth, width, height);
  const connectivity = options.connectivity ?? 4;
  const n = width * height;
  const missed = new Uint8Array(n);
  const falsePositive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = predicted[i] !== 0;
    const g = groundTruth[i] !== 0;
    if (g && !p) missed[i] = 1;
    else if (p && !g) falsePositive[i] = 1;
  }
  const fn = labelComponents(missed, width, height, connectivity);
  const fp = labelComponents(falsePositive, width, height, connectivity);
  const fnBest = largestRegion(fn.labels, fn.sizes, fn.count);
  const fpBest = largestRegion(fp.labels, fp.sizes, fp.count);
  if (!fnBest && !fpBest) return undefined;

  const pickMissed =
    !!fnBest && (!fpBest || fnBest.size > fpBest.size || (fnBest.size === fpBest.size && fnBest.first < fpBest.first));
  const { labels } = pickMissed ? fn : fp;
  const label = (pickMissed ? fnBest : fpBest)!.label;

  const { x, y } = deepestPoint(labels, width, height, label)!;
  return { x, y, label: pickMissed ? 'include' : 'exclude' };
}

/**
 * Number of clicks to reach `threshold` Dice (a fraction: 0.85 for NoC@85, 0.9 for NoC@90), given the
 * Dice after click 1, 2, …: the 1-based index of the first value ≥ threshold among the first `maxClicks`,
 * or `maxClicks` when it is never reached (the study's convention, 20 clicks by default).
 */
export function noc(diceAfterEachClick: readonly number[], threshold: number, maxClicks = NOC_MAX_CLICKS): number {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new Error(`NoC threshold is a Dice fraction in 0..1 (0.85, 0.9), got ${threshold}.`);
  }
  if (!Number.isInteger(maxClicks) || maxClicks < 1) {
    throw new Error(`The click budget must be a positive integer, got ${maxClicks}.`);
  }
  const last = diceAfterEachClick.length < maxClicks ? diceAfterEachClick.length : maxClicks;
  for (let i = 0; i < last; i++) if (diceAfterEachClick[i]! >= threshold) return i + 1;
  return maxClicks;
}
