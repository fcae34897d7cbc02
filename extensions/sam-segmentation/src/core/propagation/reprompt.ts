/**
 * Propagation by re-prompting, for models with no memory of their own (SAM, MobileSAM, SlimSAM, MedSAM,
 * the offline default): the mask on one slice prompts the next. Pure: masks in, prompt and verdicts out.
 *
 * - The prompt for the next slice: the previous mask's box, grown by a margin (a structure grows or
 *   moves a little between slices), and an include point at the previous mask's deepest pixel (inside
 *   even for a crescent), for families that take points.
 * - The continuation: of the decoder's candidates, the one that overlaps the previous mask most (IoU),
 *   the predicted IoU breaking ties ('overlap'); or simply the highest predicted IoU ('predicted-iou').
 * - When to stop: the mask vanished, the model doubts it (predicted IoU below a threshold), it grew
 *   beyond a ratio of the previous one in one slice (a leak into a neighbour; small structures may grow
 *   by a few pixels more, see `growthSlack`), or it no longer overlaps the previous one (the overlap
 *   coefficient, intersection over the smaller mask: a structure that shrinks towards its end still
 *   overlaps fully; one that jumped to a neighbour does not).
 */
import { maskBounds } from '../masks/bounds';
import { deepestPoint } from '../masks/deepestPoint';
import type { Prompt } from '../prompts/prompt';

export interface RepromptOptions {
  /** Margin around the previous mask's box, as a fraction of its width and height (at least 1 pixel). */
  boxMargin: number;
  /** Add an include point at the previous mask's deepest pixel (families that take points). */
  interiorPoint: boolean;
  /** How a candidate is chosen: most overlap with the previous mask, or highest predicted IoU. */
  choose: 'overlap' | 'predicted-iou';
  /** Feed the previous slice's low-resolution logits as the decoder's mask input (same-size slices). */
  maskInput: boolean;
}

export interface StopThresholds {
  /** Fewer pixels than this and the structure has ended. */
  minPixels: number;
  /** A predicted IoU below this and the model does not believe its own mask. */
  minPredictedIou: number;
  /** More than this many times the previous area in one slice (plus `growthSlack`): a leak. */
  maxGrowth: number;
  /** Growth always allowed, as a fraction of the image's pixels (a 3-pixel sphere may double). */
  growthSlack: number;
  /** An overlap coefficient with the previous mask below this: another structure. */
  minOverlap: number;
}

export type StopReason = 'vanished' | 'uncertain' | 'grew' | 'jumped';

/** Defaults; docs/propagation.md gives the measurements behind them. */
export const DEFAULT_REPROMPT: RepromptOptions = {
  boxMargin: 0.05,
  interiorPoint: true,
  choose: 'predicted-iou',
  maskInput: false,
};
export const DEFAULT_STOP: StopThresholds = {
  minPixels: 8,
  minPredictedIou: 0.5,
  maxGrowth: 1.8,
  growthSlack: 0.001,
  minOverlap: 0.5,
};

/** The prompt for the next slice from the mask on this one (uint8[H*W]); undefined for an empty mask. */
export function nextSlicePrompt(
  previous: Uint8Array,
  width: number,
  height: number,
  options: RepromptOptions & { acceptsPoints: boolean },
): Prompt | undefined {
  const { count, x0, y0, x1, y1 } = maskBounds(previous, width, height);
  if (count === 0) return undefined;
  const mx = Math.max(1, (x1 - x0 + 1) * options.boxMargin);
  const my = Math.max(1, (y1 - y0 + 1) * options.boxMargin);
  const box = {
    x0: Math.max(-0.5, x0 - mx),
    y0: Math.max(-0.5, y0 - my),
    x1: Math.min(width - 0.5, x1 + mx),
    y1: Math.min(height - 0.5, y1 + my),
  };
  const deepest = options.interiorPoint && options.acceptsPoints ? deepestPoint(previous, width, height) : undefined;
  return { points: deepest ? [{ x: deepest.x, y: deepest.y, label: 'include' }] : [], box };
}

/** Pixels of each mask and of both. */
function overlapCounts(a: Uint8Array, b: Uint8Array): { a: number; b: number; both: number } {
  let na = 0;
  let nb = 0;
  let both = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x) na++;
    if (y) nb++;
    if (x && y) both++;
  }
  return { a: na, b: nb, both };
}

/** Intersection over union of two binary masks of one size; 0 when both are empty. */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  const { a: na, b: nb, both } = overlapCounts(a, b);
  const union = na + nb - both;
  return union === 0 ? 0 : both / union;
}

export interface ScoredMask {
  mask: Uint8Array;
  predictedIou: number;
}

/** Which candidate continues the previous mask (see RepromptOptions.choose). */
export function chooseContinuation(
  candidates: readonly ScoredMask[],
  previous: Uint8Array,
  rule: RepromptOptions['choose'] = 'overlap',
): number {
  if (candidates.length === 0) throw new Error('No candidates to continue the mask with.');
  const score = (c: ScoredMask) => (rule === 'overlap' ? maskIou(c.mask, previous) : c.predictedIou);
  let best = 0;
  let bestScore = -1;
  candidates.forEach((c, i) => {
    const s = score(c);
    const tie = Math.abs(s - bestScore) <= 1e-9;
    if ((!tie && s > bestScore) || (tie && c.predictedIou > candidates[best]!.predictedIou)) {
      best = i;
      bestScore = s;
    }
  });
  return best;
}

/** Why propagation stops at this slice (its mask is not kept), or undefined to keep it and go on. */
export function stopReason(previous: Uint8Array, next: ScoredMask, thresholds: StopThresholds): StopReason | undefined {
  const { a: area, b: previousArea, both } = overlapCounts(next.mask, previous);
  if (area < thresholds.minPixels) return 'vanished';
  if (next.predictedIou < thresholds.minPredictedIou) return 'uncertain';
  const slack = thresholds.growthSlack * next.mask.length;
  if (previousArea > 0 && area > thresholds.maxGrowth * previousArea + slack) return 'grew';
  if (previousArea > 0 && both / Math.min(area, previousArea) < thresholds.minOverlap) return 'jumped';
  return undefined;
}
