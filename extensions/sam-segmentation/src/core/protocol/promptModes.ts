/**
 * The prompt modes of the study protocol ("Segment Anything Model for Medical Images?", Huang et al.
 * 2024; see docs of the evaluation), each a function of one object's binary ground-truth mask
 * (uint8[H*W], row-major, non-zero = foreground) returning the core's `Prompt` in image pixels:
 *
 *  S2 1 point     the centroid (image moments, truncated to integer pixels). If it falls outside the
 *                 mask, the paper's text says all points come from uniform sampling instead: one mask
 *                 pixel drawn uniformly (seeded).
 *  S3 5 points    the centroid plus 4 mask pixels: the released code's row-major list of foreground
 *                 pixels at indices step, 2 step, 3 step, 4 step with step = floor(n / 5). Centroid
 *                 outside the mask: 5 distinct mask pixels drawn uniformly (seeded).
 *  S4 5 + 5       S3 plus 5 exclude points drawn uniformly (seeded) from the background pixels inside the
 *                 tight box scaled by 2 about its centre and clipped to the image (never a foreground
 *                 pixel: the released code's bug of a positive labelled negative is not reproduced).
 *  S5 1 box       the tight box [xmin, ymin, xmax, ymax], inclusive pixel indices, no margin, no jitter.
 *  S6 box + point S5 plus the S2 point.
 *
 * Randomness comes only from `options.seed` (default 0), so prompts are reproducible.
 */
import type { Prompt, PromptBox, PromptPoint } from '../prompts/prompt';
import { maskBounds } from '../masks/bounds';
import { sampleDistinct, seededRandom } from './random';

export type PromptModeId = 'S2' | 'S3' | 'S4' | 'S5' | 'S6';

export interface PromptModeOptions {
  /** Seed of the uniform sampling (fallback points, S4's exclude points). Default 0. */
  seed?: number;
}

interface Pixel {
  x: number;
  y: number;
}

function checkMask(mask: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`A mask needs positive integer width and height, got ${width} x ${height}.`);
  }
  if (mask.length !== width * height) {
    throw new Error(`Mask has ${mask.length} pixels; ${width} x ${height} needs ${width * height}.`);
  }
}

/** The foreground pixels in row-major order (the released code's `np.argwhere` order). */
export function foregroundPixels(mask: Uint8Array, width: number, height: number): Pixel[] {
  checkMask(mask, width, height);
  const pixels: Pixel[] = [];
  for (let y = 0, i = 0; y < height; y++) for (let x = 0; x < width; x++, i++) if (mask[i]) pixels.push({ x, y });
  if (pixels.length === 0) throw new Error('The mask is empty: no prompt can be derived from it.');
  return pixels;
}

/** The centroid (first-order image moments over the zeroth), truncated to integer pixel indices. */
export function maskCentroid(mask: Uint8Array, width: number, height: number): Pixel {
  checkMask(mask, width, height);
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (!mask[i]) continue;
      n++;
      sx += x;
      sy += y;
    }
  }
  if (n === 0) throw new Error('The mask is empty: no prompt can be derived from it.');
  return { x: Math.trunc(sx / n), y: Math.trunc(sy / n) };
}

/** The tight bounding box, inclusive pixel indices. */
export function maskBox(mask: Uint8Array, width: number, height: number): PromptBox {
  checkMask(mask, width, height);
  const { count, x0, y0, x1, y1 } = maskBounds(mask, width, height);
  if (count === 0) throw new Error('The mask is empty: no prompt can be derived from it.');
  return { x0, y0, x1, y1 };
}

const include = ({ x, y }: Pixel): PromptPoint => ({ x, y, label: 'include' });
const exclude = ({ x, y }: Pixel): PromptPoint => ({ x, y, label: 'exclude' });

/** The centroid if it lies on the mask, else null. */
function centroidOnMask(mask: Uint8Array, width: number, height: number): Pixel | null {
  const c = maskCentroid(mask, width, height);
  return mask[c.y * width + c.x] ? c : null;
}

/** S2: the centroid, or one uniformly drawn mask pixel when the centroid is off the mask. */
export function onePointPrompt(
  mask: Uint8Array,
  width: number,
  height: number,
  options: PromptModeOptions = {},
): Prompt {
  const centroid = centroidOnMask(mask, width, height);
  if (centroid) return { points: [include(centroid)] };
  const random = seededRandom(options.seed ?? 0);
  return { points: sampleDistinct(foregroundPixels(mask, width, height), 1, random).map(include) };
}

/** S3: the centroid and 4 evenly strided mask pixels; 5 uniformly drawn ones when the centroid is off the mask. */
export function fivePointPrompt(
  mask: Uint8Array,
  width: number,
  height: number,
  options: PromptModeOptions = {},
): Prompt {
  const pixels = foregroundPixels(mask, width, height);
  const centroid = centroidOnMask(mask, width, height);
  if (!centroid) {
    return { points: sampleDistinct(pixels, 5, seededRandom(options.seed ?? 0)).map(include) };
  }
  const step = Math.floor(pixels.length / 5);
  const strided = [1, 2, 3, 4].map((k) => pixels[Math.min(k * step, pixels.length - 1)]!);
  return { points: [include(centroid), ...strided.map(include)] };
}

/** S4: S3 plus 5 exclude points from the background inside the doubled tight box. */
export function fivePlusFivePointPrompt(
  mask: Uint8Array,
  width: number,
  height: number,
  options: PromptModeOptions = {},
): Prompt {
  const positives = fivePointPrompt(mask, width, height, options).points;
  const box = maskBox(mask, width, height);
  // Doubling the width w = x1 - x0 + 1 about the centre adds w / 2 on each side.
  const padX = Math.round((box.x1 - box.x0 + 1) / 2);
  const padY = Math.round((box.y1 - box.y0 + 1) / 2);
  const xs = [Math.max(0, box.x0 - padX), Math.min(width - 1, box.x1 + padX)] as const;
  const ys = [Math.max(0, box.y0 - padY), Math.min(height - 1, box.y1 + padY)] as const;
  const background: Pixel[] = [];
  for (let y = ys[0]; y <= ys[1]; y++)
    for (let x = xs[0]; x <= xs[1]; x++) if (!mask[y * width + x]) background.push({ x, y });
  // A stream of its own, so the negatives do not depend on whether the positives were sampled.
  const random = seededRandom(((options.seed ?? 0) ^ 0x5f3759df) >>> 0);
  return { points: [...positives, ...sampleDistinct(background, 5, random).map(exclude)] };
}

/** S5: the tight box. */
export function boxPrompt(mask: Uint8Array, width: number, height: number): Prompt {
  return { points: [], box: maskBox(mask, width, height) };
}

/** S6: the tight box and the S2 point. */
export function boxAndPointPrompt(
  mask: Uint8Array,
  width: number,
  height: number,
  options: PromptModeOptions = {},
): Prompt {
  return { points: onePointPrompt(mask, width, height, options).points, box: maskBox(mask, width, height) };
}

export interface PromptMode {
  id: PromptModeId;
  name: string;
  build(mask: Uint8Array, width: number, height: number, options?: PromptModeOptions): Prompt;
}

export const PROMPT_MODES: Readonly<Record<PromptModeId, PromptMode>> = {
  S2: { id: 'S2', name: '1 point', build: onePointPrompt },
  S3: { id: 'S3', name: '5 points', build: fivePointPrompt },
  S4: { id: 'S4', name: '5 points + 5 exclude points', build: fivePlusFivePointPrompt },
  S5: { id: 'S5', name: '1 box', build: boxPrompt },
  S6: { id: 'S6', name: 'box + 1 point', build: boxAndPointPrompt },
};
