/** The pixel count and tight box of a mask: the prompt modes' box, the S1 matcher's and the corrective click's. */

/** Count and box in inclusive pixel indices; count 0 (and x1 < x0) when the mask has no pixel. */
export interface MaskBounds {
  count: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The pixels of a row-major `width` x `height` image that are non-zero, or, with `value`, equal to it
 * (one component of a label image).
 */
export function maskBounds(values: ArrayLike<number>, width: number, height: number, value?: number): MaskBounds {
  let count = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const v = values[i]!;
      if (value === undefined ? v === 0 : v !== value) continue;
      count++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return { count, x0, y0, x1, y1 };
}
