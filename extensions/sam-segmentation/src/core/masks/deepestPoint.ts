/**
 * The pixel of a region farthest from everything outside it: the study's corrective click goes there,
 * and propagation puts its include point there (a centroid can fall outside a crescent; this cannot).
 * Euclidean distance in pixels to the nearest pixel outside the region, the image outside its edges
 * counting as outside; equal distances go to the smallest y, then the smallest x.
 */
import { squaredDistanceTransform } from '../metrics/surfaceDistance';
import { maskBounds } from './bounds';

export interface DeepestPoint {
  /** Pixel centre: x = column, y = row. */
  x: number;
  y: number;
  /** Distance to the nearest pixel outside the region, in pixels. */
  distance: number;
}

/**
 * The deepest pixel of the region where `values` is non-zero (or, with `value`, equal to it: one
 * component of a label image); undefined when the region is empty.
 */
export function deepestPoint(
  values: ArrayLike<number>,
  width: number,
  height: number,
  value?: number,
): DeepestPoint | undefined {
  const { count, x0, y0, x1, y1 } = maskBounds(values, width, height, value);
  if (count === 0) return undefined;
  // The region's bounding box, grown by one pixel of outside on every side (beyond the image edge too).
  const bw = x1 - x0 + 3;
  const bh = y1 - y0 + 3;
  const outside = new Uint8Array(bw * bh).fill(1);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const v = values[y * width + x]!;
      if (value === undefined ? v !== 0 : v === value) outside[(y - y0 + 1) * bw + (x - x0 + 1)] = 0;
    }
  }
  const dist = squaredDistanceTransform(outside, bw, bh);
  // Row-major scan with a strict comparison: ties keep the smallest y, then the smallest x.
  let best = -1;
  let bestDistance = -1;
  for (let i = 0, m = bw * bh; i < m; i++) {
    if (!outside[i] && dist[i]! > bestDistance) {
      bestDistance = dist[i]!;
      best = i;
    }
  }
  const bx = best % bw;
  const by = (best - bx) / bw;
  return { x: bx - 1 + x0, y: by - 1 + y0, distance: Math.sqrt(bestDistance) };
}
