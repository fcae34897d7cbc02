/**
 * S1 "Everything" of the study protocol ("Segment Anything Model for Medical Images?", Huang et al.
 * 2024): SAM's automatic mask generator (segment-anything's `SamAutomaticMaskGenerator`) with the
 * protocol's settings and a single crop (the whole image):
 *
 *  1. Grid: `build_point_grid(n)`, n x n points (32 by default, 8..256), row by row (y outer, x inner).
 *     SAM puts grid point (i, j) at ((i + 0.5) / n * W, (j + 0.5) / n * H) and hands that to its
 *     predictor's `apply_coords` unchanged. The predictor's coordinates are the core's (a point at c means
 *     pixel c; the prompt encoder adds the half pixel itself, see geometry/modelFrame.ts), so the default
 *     'sam' convention keeps those numbers as they are: the decoder sees exactly SAM's prompts. The
 *     'pixel-centre' convention subtracts 0.5, putting each point at the geometric centre of its grid cell
 *     in the core's pixel-index convention (half an image pixel up-left of SAM's). Either is clamped to
 *     the image (-0.5 … W - 0.5), which only bites when n > W or n > H.
 *  2. Every point is decoded on its own as one include point; all candidates the decoder gives (the 3
 *     multimask outputs) are kept for filtering.
 *  3. A candidate survives when its predicted IoU > 0.88 and its stability score ≥ 0.95, compared in
 *     float32 as PyTorch does (SAM's code: strict for the IoU, not for the stability; the protocol writes
 *     ≥ for both, which differs only at a score exactly equal to float32(0.88)). Stability is SAM's
 *     `calculate_stability_score` on the full-resolution logits: count(logit > t + o) / count(logit > t - o)
 *     with t = 0 and o = 1, the IoU of the two thresholded masks (the first lies inside the second).
 *  4. Mask = logit > 0; box = its tight box [x0, y0, x1, y1] in inclusive pixel indices (SAM's
 *     `batched_mask_to_box`); greedy box NMS at IoU 0.7, highest predicted IoU first, a box dropped when
 *     its IoU with a kept one is > 0.7 (torchvision's `nms`, box area (x1 - x0) * (y1 - y0) as torchvision
 *     computes it on these boxes, so a one-pixel-wide box has area 0 and overlaps nothing). Equal scores
 *     keep decoding order. The kept masks come out in that order (highest predicted IoU first).
 *  No crops, no small-region post-processing (SAM's defaults), and no crop-edge filter (with one crop
 *  the crop edge is the image edge, where SAM keeps boxes anyway).
 *
 * Memory: logits are never stored; a candidate that passes the thresholds is kept as its binary mask
 * cropped to its box, and only the NMS survivors are expanded to full image masks.
 *
 * Scoring against ground truth:
 *  - `matchObjectsToMasks`, the protocol's oracle: per object the generated mask with the highest Dice
 *    (one mask may serve several objects).
 *  - `selectMasksByPredictedIou` (`selectEverythingMaskByIou` for one object), the deployable
 *    counterpart (ours; the protocol defines none for S1): per object, among the kept masks that cover
 *    the object's S2 point (the centroid, or the seeded uniform mask pixel when the centroid is off the
 *    object, as `onePointPrompt`), the one with the highest predicted IoU; none when no mask covers it.
 *    It mimics a user clicking the object in the Everything result.
 *  Either gives maskIndex -1 and Dice 0 when no mask overlaps the object (for the oracle: the best Dice
 *  is 0), so the caller can report such objects apart.
 */
import { maskBounds, type MaskBounds } from '../masks/bounds';
import { diceFromCounts } from '../metrics/overlap';
import type { PromptBox, PromptPoint } from '../prompts/prompt';
import { onePointPrompt } from './promptModes';

// Aliased once: global look-ups in the hot loops are slow under jest's module wrapper.
const { fround, min: mathMin, max: mathMax, floor } = Math;

/** The protocol's grid density: 32 points per side by default, a parameter in 8..256. */
export const EVERYTHING_POINTS_PER_SIDE = { default: 32, min: 8, max: 256 } as const;

/** SAM's automatic-mask-generator settings used by the protocol. */
export const EVERYTHING_DEFAULTS = {
  predIouThreshold: 0.88,
  stabilityThreshold: 0.95,
  stabilityOffset: 1,
  maskThreshold: 0,
  boxNmsThreshold: 0.7,
} as const;

/** 'sam': SAM's numbers as they are (the default); 'pixel-centre': 0.5 less (see the file header). */
export type GridConvention = 'sam' | 'pixel-centre';

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`An image needs positive integer width and height, got ${width} x ${height}.`);
  }
}

/** Refuses a grid density outside the protocol's 8..256 points per side. */
export function checkPointsPerSide(pointsPerSide: number): void {
  const { min, max } = EVERYTHING_POINTS_PER_SIDE;
  if (!Number.isInteger(pointsPerSide) || pointsPerSide < min || pointsPerSide > max) {
    throw new Error(`Points per side must be an integer in ${min}..${max} (SAM's default 32), got ${pointsPerSide}.`);
  }
}

/** SAM's `build_point_grid` scaled to the image, as include points, row by row. */
export function everythingGrid(
  width: number,
  height: number,
  pointsPerSide: number,
  convention: GridConvention = 'sam',
): PromptPoint[] {
  checkSize(width, height);
  if (!Number.isInteger(pointsPerSide) || pointsPerSide < 1) {
    throw new Error(`Points per side must be a positive integer, got ${pointsPerSide}.`);
  }
  if (convention !== 'sam' && convention !== 'pixel-centre') {
    throw new Error(`Unknown grid convention "${String(convention)}"; use "sam" or "pixel-centre".`);
  }
  const n = pointsPerSide;
  const shift = convention === 'sam' ? 0 : 0.5;
  // (2k + 1) / (2n) is SAM's offset + k / n; clamped into -0.5 … size - 0.5 (only needed when n > size).
  const axis = (size: number) =>
    Array.from({ length: n }, (_, k) => mathMin(size - 0.5, mathMax(-0.5, ((2 * k + 1) * size) / (2 * n) - shift)));
  const xs = axis(width);
  const ys = axis(height);
  const points: PromptPoint[] = [];
  for (const y of ys) for (const x of xs) points.push({ x, y, label: 'include' });
  return points;
}

/**
 * SAM's stability score: count(logit > threshold + offset) / count(logit > threshold - offset), the IoU
 * of the mask at the two shifted thresholds. 0 when nothing is above threshold - offset (SAM: 0 / 0).
 */
export function stabilityScore(logits: Float32Array, threshold = 0, offset = 1): number {
  const hi = threshold + offset;
  const lo = threshold - offset;
  let inner = 0;
  let outer = 0;
  for (let i = 0, n = logits.length; i < n; i++) {
    const v = logits[i]!;
    if (v > hi) inner++;
    if (v > lo) outer++;
  }
  return outer === 0 ? 0 : inner / outer;
}

/** One candidate of one decoded point: logits on the image grid (float32[H*W]) and its predicted IoU. */
export interface EverythingCandidate {
  logits: Float32Array;
  predictedIou: number;
}

export type DecodePoint = (point: PromptPoint) => Promise<readonly EverythingCandidate[]>;

export interface EverythingOptions {
  /** Keep a candidate when its predicted IoU is above this (0.88). */
  predIouThreshold?: number;
  /** …and its stability score is at least this (0.95). */
  stabilityThreshold?: number;
  /** Stability thresholds: maskThreshold ± stabilityOffset (1). */
  stabilityOffset?: number;
  /** Mask = logit > this (0). */
  maskThreshold?: number;
  /** Drop a box whose IoU with a higher-scoring kept box is above this (0.7). */
  boxNmsThreshold?: number;
}

export interface EverythingMask {
  /** uint8[H*W], 1 = foreground. */
  mask: Uint8Array;
  /** Tight box, inclusive pixel indices. */
  box: PromptBox;
  predictedIou: number;
  stability: number;
  /** Foreground pixels. */
  area: number;
  /** The grid point that produced it, and the candidate's position among that point's outputs. */
  point: PromptPoint;
  candidateIndex: number;
}

/** How many candidates each step let through (for the harness's report). */
export interface EverythingCounts {
  points: number;
  candidates: number;
  passedIou: number;
  passedStability: number;
  kept: number;
}

interface Survivor extends Omit<EverythingMask, 'mask'> {
  /** The mask cropped to its box, row-major. */
  crop: Uint8Array;
}

/** SAM's (torchvision's) box IoU on inclusive-index boxes: areas (x1 - x0) * (y1 - y0), 0 for 0 / 0. */
function torchBoxIou(a: PromptBox, b: PromptBox): number {
  const iw = mathMin(a.x1, b.x1) - mathMax(a.x0, b.x0);
  const ih = mathMin(a.y1, b.y1) - mathMax(a.y0, b.y0);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  // float32 quotient as torchvision's kernel computes it.
  return union > 0 ? fround(inter / union) : 0;
}

/**
 * Greedy NMS: visits boxes by descending score (equal scores: lower index first), keeps a box unless its
 * IoU with an already kept box is above `iouThreshold`. Returns the kept indices in visiting order.
 */
export function boxNms(boxes: readonly PromptBox[], scores: readonly number[], iouThreshold: number): number[] {
  if (boxes.length !== scores.length) throw new Error(`NMS got ${boxes.length} boxes and ${scores.length} scores.`);
  const order = boxes.map((_, i) => i).sort((i, j) => scores[j]! - scores[i]! || i - j);
  const kept: number[] = [];
  for (const i of order) {
    const box = boxes[i]!;
    if (kept.every((k) => !(torchBoxIou(boxes[k]!, box) > iouThreshold))) kept.push(i);
  }
  return kept;
}

/**
 * The generator fed one decoded point at a time (`add`), so a caller can batch or schedule the decoding
 * itself; `finish` runs NMS and returns the kept masks, highest predicted IoU first.
 */
export class EverythingMaskGenerator {
  readonly width: number;
  readonly height: number;
  private readonly settings: Required<EverythingOptions>;
  private readonly survivors: Survivor[] = [];
  private readonly tally: EverythingCounts = { points: 0, candidates: 0, passedIou: 0, passedStability: 0, kept: 0 };

  constructor(width: number, height: number, options: EverythingOptions = {}) {
    checkSize(width, height);
    this.width = width;
    this.height = height;
    this.settings = { ...EVERYTHING_DEFAULTS, ...options };
    const { stabilityOffset } = this.settings;
    if (!(stabilityOffset >= 0)) throw new Error(`The stability offset must be ≥ 0, got ${stabilityOffset}.`);
  }

  get counts(): EverythingCounts {
    return { ...this.tally };
  }

  add(point: PromptPoint, candidates: readonly EverythingCandidate[]): void {
    const { width, height } = this;
    const { predIouThreshold, stabilityThreshold, stabilityOffset, maskThreshold } = this.settings;
    const size = width * height;
    const hi = maskThreshold + stabilityOffset;
    const lo = maskThreshold - stabilityOffset;
    this.tally.points++;
    candidates.forEach(({ logits, predictedIou }, candidateIndex) => {
      this.tally.candidates++;
      if (logits.length !== size) {
        throw new Error(
          `Candidate ${candidateIndex} has ${logits.length} logits; a ${width}x${height} image needs ${size}.`,
        );
      }
      // Filters in SAM's order and float32 comparisons (see the file header).
      if (!(fround(predictedIou) > fround(predIouThreshold))) return;
      this.tally.passedIou++;
      // One pass: both stability counts, and the area and box of logit > maskThreshold.
      let inner = 0;
      let outer = 0;
      let area = 0;
      let x0 = width;
      let y0 = height;
      let x1 = -1;
      let y1 = -1;
      for (let y = 0, i = 0; y < height; y++) {
        let first = -1;
        let last = -1;
        for (let x = 0; x < width; x++, i++) {
          // Nested as lo ≤ maskThreshold ≤ hi: most pixels are background and cost one comparison.
          const v = logits[i]!;
          if (v > lo) {
            outer++;
            if (v > maskThreshold) {
              area++;
              if (first < 0) first = x;
              last = x;
              if (v > hi) inner++;
            }
          }
        }
        if (first >= 0) {
          if (y0 > y) y0 = y;
          y1 = y;
          if (first < x0) x0 = first;
          if (last > x1) x1 = last;
        }
      }
      const stability = outer === 0 ? 0 : inner / outer;
      if (!(fround(stability) >= fround(stabilityThreshold))) return;
      this.tally.passedStability++;
      // An empty mask cannot pass (its inner count is 0); SAM's box for it would be [0, 0, 0, 0].
      if (area === 0) return;
      const bw = x1 - x0 + 1;
      const crop = new Uint8Array(bw * (y1 - y0 + 1));
      for (let y = y0, j = 0; y <= y1; y++) {
        for (let x = x0, i = y * width + x0; x <= x1; x++, i++, j++) crop[j] = logits[i]! > maskThreshold ? 1 : 0;
      }
      this.survivors.push({ box: { x0, y0, x1, y1 }, predictedIou, stability, area, point, candidateIndex, crop });
    });
  }

  finish(): EverythingMask[] {
    const { width, height, survivors } = this;
    const kept = boxNms(
      survivors.map((s) => s.box),
      survivors.map((s) => s.predictedIou),
      this.settings.boxNmsThreshold,
    );
    this.tally.kept = kept.length;
    return kept.map((k) => {
      const { crop, ...rest } = survivors[k]!;
      const { x0, y0, x1, y1 } = rest.box;
      const bw = x1 - x0 + 1;
      const mask = new Uint8Array(width * height);
      for (let y = y0; y <= y1; y++) mask.set(crop.subarray((y - y0) * bw, (y - y0 + 1) * bw), y * width + x0);
      return { mask, ...rest };
    });
  }
}

/**
 * S1: decodes every point (one at a time, in order) and returns the kept masks, highest predicted IoU
 * first. `onProgress(done, total)` is called after each point.
 */
export async function generateEverythingMasks(
  points: readonly PromptPoint[],
  decodePoint: DecodePoint,
  width: number,
  height: number,
  options: EverythingOptions & { onProgress?: (done: number, total: number) => void } = {},
): Promise<EverythingMask[]> {
  const { onProgress, ...settings } = options;
  const generator = new EverythingMaskGenerator(width, height, settings);
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    generator.add(point, await decodePoint(point));
    onProgress?.(i + 1, points.length);
  }
  return generator.finish();
}

/** Which generated mask an object got, and its Dice; maskIndex -1 (Dice 0) when none. */
export interface MaskMatch {
  maskIndex: number;
  dice: number;
}

/** Foreground count and tight box of a mask laid out as rows of `width`; x1 < x0 when empty. */
type Footprint = MaskBounds;

const footprint = (mask: Uint8Array, width: number): Footprint => maskBounds(mask, width, floor(mask.length / width));

/** Pixels foreground in both, counted only over the intersection of the two boxes. */
function intersection(a: Uint8Array, fa: Footprint, b: Uint8Array, fb: Footprint, width: number): number {
  const x0 = mathMax(fa.x0, fb.x0);
  const x1 = mathMin(fa.x1, fb.x1);
  const y0 = mathMax(fa.y0, fb.y0);
  const y1 = mathMin(fa.y1, fb.y1);
  let both = 0;
  for (let y = y0; y <= y1; y++) {
    for (let i = y * width + x0, end = y * width + x1; i <= end; i++) if (a[i] !== 0 && b[i] !== 0) both++;
  }
  return both;
}

function diceOf(a: Uint8Array, fa: Footprint, b: Uint8Array, fb: Footprint, width: number): number {
  const both = intersection(a, fa, b, fb, width);
  return diceFromCounts({ predicted: fb.count, reference: fa.count, intersection: both });
}

/** Checks equal sizes and non-empty objects; returns the objects' footprints. */
function objectFootprints(objects: readonly Uint8Array[], masks: readonly Uint8Array[], width: number): Footprint[] {
  const size = objects[0]?.length ?? masks[0]?.length ?? 0;
  if (!Number.isInteger(width) || width < 1 || size % width !== 0) {
    throw new Error(`Masks of ${size} pixels cannot be laid out in rows of ${width}.`);
  }
  for (const [what, list] of [
    ['Object', objects],
    ['Mask', masks],
  ] as const) {
    list.forEach((m, i) => {
      if (m.length !== size) throw new Error(`${what} ${i} has ${m.length} pixels; the others have ${size}.`);
    });
  }
  return objects.map((o, i) => {
    const f = footprint(o, width);
    if (f.count === 0) throw new Error(`Object ${i} is empty: there is nothing to match.`);
    return f;
  });
}

/** A generated mask with its tight box and area, as `EverythingMask` (they spare a pass over the mask). */
export interface BoxedMask {
  mask: Uint8Array;
  box: PromptBox;
  area: number;
}

/**
 * The protocol's Everything matching: per object the mask with the highest Dice (ties: the lower index;
 * -1 and Dice 0 when no mask overlaps it). With `width`, masks whose boxes miss the object's box are
 * skipped in 2-D and a `BoxedMask`'s box and area are used as given; without it the masks are read as
 * one row, which still skips disjoint row-major spans.
 */
export function matchObjectsToMasks(
  objects: readonly Uint8Array[],
  masks: readonly (Uint8Array | BoxedMask)[],
  width?: number,
): MaskMatch[] {
  const planes = masks.map((m) => (m instanceof Uint8Array ? m : m.mask));
  const w = width ?? (objects[0]?.length || planes[0]?.length || 1);
  const objectPrints = objectFootprints(objects, planes, w);
  const maskPrints = masks.map((m, i): Footprint => {
    if (m instanceof Uint8Array || width === undefined) return footprint(planes[i]!, w);
    return { count: m.area, ...m.box };
  });
  return objects.map((object, o) => {
    const fo = objectPrints[o]!;
    let best: MaskMatch = { maskIndex: -1, dice: 0 };
    planes.forEach((mask, m) => {
      const fm = maskPrints[m]!;
      if (fm.x0 > fo.x1 || fm.x1 < fo.x0 || fm.y0 > fo.y1 || fm.y1 < fo.y0) return; // disjoint boxes: Dice 0
      const d = diceOf(object, fo, mask, fm, w);
      if (d > best.dice) best = { maskIndex: m, dice: d };
    });
    return best;
  });
}

function coveringMaskWithHighestIou(
  object: Uint8Array,
  width: number,
  height: number,
  generated: readonly { mask: Uint8Array; predictedIou: number }[],
  seed: number | undefined,
): number {
  const point = onePointPrompt(object, width, height, { seed: seed ?? 0 }).points[0]!;
  const at = point.y * width + point.x;
  let chosen = -1;
  generated.forEach((g, m) => {
    if (g.mask[at] !== 0 && (chosen < 0 || g.predictedIou > generated[chosen]!.predictedIou)) chosen = m;
  });
  return chosen;
}

/**
 * The deployable S1 selection for one object (see the file header): the index of the mask with the
 * highest predicted IoU among those covering the object's S2 point (ties: the lower index), -1 when none.
 * `seed` as for `onePointPrompt`, used only when the centroid is off the object.
 */
export function selectEverythingMaskByIou(
  object: Uint8Array,
  width: number,
  height: number,
  generated: readonly { mask: Uint8Array; predictedIou: number }[],
  seed = 0,
): number {
  checkSize(width, height);
  if (object.length !== width * height) {
    throw new Error(`The object has ${object.length} pixels; ${width} x ${height} needs ${width * height}.`);
  }
  generated.forEach((g, i) => {
    if (g.mask.length !== object.length)
      throw new Error(`Mask ${i} has ${g.mask.length} pixels; the object has ${object.length}.`);
  });
  return coveringMaskWithHighestIou(object, width, height, generated, seed);
}

/**
 * The deployable S1 selection (see the file header): per object, the mask with the highest predicted IoU
 * among those covering the object's S2 point (`seed` as for `onePointPrompt`); ties: the lower index.
 */
export function selectMasksByPredictedIou(
  objects: readonly Uint8Array[],
  generated: readonly { mask: Uint8Array; predictedIou: number }[],
  width: number,
  height: number,
  options: { seed?: number } = {},
): MaskMatch[] {
  checkSize(width, height);
  const masks = generated.map((g) => g.mask);
  const size = objects[0]?.length ?? masks[0]?.length ?? width * height;
  if (size !== width * height)
    throw new Error(`Masks have ${size} pixels; ${width} x ${height} needs ${width * height}.`);
  const objectPrints = objectFootprints(objects, masks, width);
  const maskPrints: (Footprint | undefined)[] = [];
  return objects.map((object, o) => {
    const chosen = coveringMaskWithHighestIou(object, width, height, generated, options.seed);
    if (chosen < 0) return { maskIndex: -1, dice: 0 };
    const mask = masks[chosen]!;
    const fm = (maskPrints[chosen] ??= footprint(mask, width));
    return { maskIndex: chosen, dice: diceOf(object, objectPrints[o]!, mask, fm, width) };
  });
}
