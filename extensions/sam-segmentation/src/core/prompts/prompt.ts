/**
 * A family-independent prompt in image pixel coordinates (x = column index, y = row index; see
 * geometry/modelFrame.ts), and its checks against the image and the family.
 */
import type { ModelFamily } from '../families';
import type { Dim } from '../tensors';

export type PointLabel = 'include' | 'exclude';

export interface PromptPoint {
  x: number;
  y: number;
  label: PointLabel;
}

/** Corners in pixel indices, inclusive (x1, y1 = last column and row inside), as SAM's mask-to-box. */
export interface PromptBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Prompt {
  points: PromptPoint[];
  box?: PromptBox;
  // previous low-resolution logits: float32[256*256] in the model frame, a decoder's chosen candidate
  previousMask?: Float32Array;
}

/** A box with x0 ≤ x1 and y0 ≤ y1 (a box dragged up or left is the same box). */
export function orderedBox(box: PromptBox): PromptBox {
  return {
    x0: Math.min(box.x0, box.x1),
    y0: Math.min(box.y0, box.y1),
    x1: Math.max(box.x0, box.x1),
    y1: Math.max(box.y0, box.y1),
  };
}

/**
 * Refuses a prompt the family cannot take or that lies outside the image, with a message saying which
 * part and what is allowed. Pixel c spans c - 0.5 … c + 0.5, so the image spans -0.5 … W - 0.5.
 */
export function checkPrompt(prompt: Prompt, imageWidth: number, imageHeight: number, family: ModelFamily): void {
  const { points, box, previousMask } = prompt;
  const xMax = imageWidth - 0.5;
  const yMax = imageHeight - 0.5;
  const size = `${imageWidth}x${imageHeight}`;
  const inside = (x: number, y: number) => x >= -0.5 && x <= xMax && y >= -0.5 && y <= yMax;
  const allowed = `x must be in -0.5..${xMax}, y in -0.5..${yMax}`;

  if (points.length > 0 && !family.prompt.acceptsPoints) {
    throw new Error(
      `${family.label} takes a box prompt only; got ${points.length} point(s). Draw a box around the structure instead.`,
    );
  }
  points.forEach((p, i) => {
    if (p.label !== 'include' && p.label !== 'exclude') {
      throw new Error(`Point ${i + 1} has label "${String(p.label)}"; should be "include" or "exclude".`);
    }
    if (!inside(p.x, p.y)) {
      throw new Error(`Point ${i + 1} (x=${p.x}, y=${p.y}) lies outside the ${size} image (${allowed}).`);
    }
  });
  if (box) {
    const { x0, y0, x1, y1 } = box;
    if (!inside(x0, y0) || !inside(x1, y1)) {
      throw new Error(`Box (x0=${x0}, y0=${y0}, x1=${x1}, y1=${y1}) lies outside the ${size} image (${allowed}).`);
    }
  } else if (!points.some((p) => p.label === 'include')) {
    throw new Error(
      family.prompt.acceptsPoints
        ? 'The prompt has no include point and no box: nothing to segment.'
        : `${family.label} needs a box prompt.`,
    );
  }
  if (previousMask) {
    const spec = family.decoder.maskInput;
    if (!spec) {
      throw new Error(`${family.label} has no mask input: refine with more points instead of a previous mask.`);
    }
    const lowResMaskSize = maskInputSize(spec.dims);
    if (previousMask.length !== lowResMaskSize) {
      throw new Error(`The previous mask has ${previousMask.length} values; mask_input needs ${lowResMaskSize}.`);
    }
  }
}

/** Values in one mask of a `[..., 1, h, w]` mask input (256 x 256 for every family here). */
export function maskInputSize(dims: readonly Dim[]): number {
  const [h, w] = dims.slice(-2);
  if (typeof h !== 'number' || typeof w !== 'number')
    throw new Error(`Mask input dims [${dims.join(', ')}] are not fixed.`);
  return h * w;
}
