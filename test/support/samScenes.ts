/**
 * Synthetic scenes for the SAM-family model tests: bright discs on a dark background, rendered into a
 * model's 1024x1024 input (letterboxed or stretched) straight from their geometry, plus the masks
 * they should give on any output grid and the metrics to compare them. Independent of the extension's
 * core layer on purpose: the models are checked against plain geometry.
 */

export interface Disc {
  /** Centre and radius in continuous coordinates of the original image (pixel i spans [i, i + 1)). */
  cx: number;
  cy: number;
  r: number;
}

export interface Scene {
  /** Original image size. */
  height: number;
  width: number;
  /** discs[0] is the target; the others are look-alikes elsewhere. */
  discs: Disc[];
}

export type Placement = 'letterbox' | 'stretch';

export interface Normalisation {
  /** Per channel, on the 0-255 scale. */
  mean: [number, number, number];
  std: [number, number, number];
}

export const SAM_NORMALISATION: Normalisation = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] };
export const IMAGENET_NORMALISATION: Normalisation = {
  mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
  std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
};

const FRAME = 1024;

/** Scale from original pixels to the 1024 frame, per axis, and the size of the image inside the frame. */
export function frameMapping(scene: Scene, placement: Placement) {
  if (placement === 'stretch') {
    return { sx: FRAME / scene.width, sy: FRAME / scene.height, innerWidth: FRAME, innerHeight: FRAME };
  }
  const s = FRAME / Math.max(scene.height, scene.width);
  // As the official code: int(size * s + 0.5).
  return {
    sx: s,
    sy: s,
    innerWidth: Math.floor(scene.width * s + 0.5),
    innerHeight: Math.floor(scene.height * s + 0.5),
  };
}

function insideAny(discs: Disc[], u: number, v: number): boolean {
  return discs.some((d) => (u - d.cx) ** 2 + (v - d.cy) ** 2 <= d.r * d.r);
}

/** The model input [1,3,1024,1024]: discs 255, background 0, normalised, padding 0 after normalisation. */
export function renderInput(scene: Scene, placement: Placement, norm: Normalisation): Float32Array {
  const { sx, sy, innerWidth, innerHeight } = frameMapping(scene, placement);
  const plane = FRAME * FRAME;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < innerHeight; y++) {
    for (let x = 0; x < innerWidth; x++) {
      const value = insideAny(scene.discs, (x + 0.5) / sx, (y + 0.5) / sy) ? 255 : 0;
      for (let c = 0; c < 3; c++) out[c * plane + y * FRAME + x] = (value - norm.mean[c]!) / norm.std[c]!;
    }
  }
  return out;
}

/** Which cells of a rows x cols grid covering the original image (pixel centres) lie in `disc`. */
export function discOnOriginalGrid(scene: Scene, disc: Disc): Uint8Array {
  const out = new Uint8Array(scene.height * scene.width);
  for (let y = 0; y < scene.height; y++) {
    for (let x = 0; x < scene.width; x++) {
      out[y * scene.width + x] = (x + 0.5 - disc.cx) ** 2 + (y + 0.5 - disc.cy) ** 2 <= disc.r * disc.r ? 1 : 0;
    }
  }
  return out;
}

/** Which cells of the 256x256 low-resolution grid (over the 1024 frame) lie in `disc`. */
export function discOnLowResGrid(scene: Scene, placement: Placement, disc: Disc, size = 256): Uint8Array {
  const { sx, sy } = frameMapping(scene, placement);
  const cell = FRAME / size;
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = ((x + 0.5) * cell) / sx;
      const v = ((y + 0.5) * cell) / sy;
      out[y * size + x] = (u - disc.cx) ** 2 + (v - disc.cy) ** 2 <= disc.r * disc.r ? 1 : 0;
    }
  }
  return out;
}

/** A point of the original image in the 1024 frame, as SAM takes it (coordinates times the scale). */
export function toFrame(scene: Scene, placement: Placement, x: number, y: number): [number, number] {
  const { sx, sy } = frameMapping(scene, placement);
  return [x * sx, y * sy];
}

/** Foreground = logit > 0, of plane `index` of a [..., rows, cols] logits tensor. */
export function binaryPlane(logits: Float32Array, index: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = logits[index * size + i]! > 0 ? 1 : 0;
  return out;
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! & b[i]!;
    sum += a[i]! + b[i]!;
  }
  return sum === 0 ? 1 : (2 * both) / sum;
}

/** Fraction of `region` that `mask` covers. */
export function coverage(mask: Uint8Array, region: Uint8Array): number {
  let covered = 0;
  let total = 0;
  for (let i = 0; i < region.length; i++) {
    if (region[i]) {
      total++;
      covered += mask[i]!;
    }
  }
  return total === 0 ? 0 : covered / total;
}

export function area(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export function argmax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from;
  for (let i = from; i < to; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Bilinear resize of one [rows, cols] plane, half-pixel centres, edges clamped: what torch's
 * `F.interpolate(mode='bilinear', align_corners=False)` and ONNX Resize (linear, half_pixel) compute.
 * Reads the top-left `rows` x `cols` of a plane `stride` wide (a crop), writes `outRows` x `outCols`.
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  rows: number,
  cols: number,
  outRows: number,
  outCols: number,
  stride = cols,
): Float32Array {
  const out = new Float32Array(outRows * outCols);
  const axis = (n: number, outN: number) =>
    Array.from({ length: outN }, (_, i) => {
      const p = Math.min(Math.max(((i + 0.5) * n) / outN - 0.5, 0), n - 1);
      const lo = Math.floor(p);
      return { lo, hi: Math.min(lo + 1, n - 1), t: p - lo };
    });
  const ys = axis(rows, outRows);
  const xs = axis(cols, outCols);
  for (let y = 0; y < outRows; y++) {
    const { lo: y0, hi: y1, t: ty } = ys[y]!;
    for (let x = 0; x < outCols; x++) {
      const { lo: x0, hi: x1, t: tx } = xs[x]!;
      const top = src[y0 * stride + x0]! * (1 - tx) + src[y0 * stride + x1]! * tx;
      const bottom = src[y1 * stride + x0]! * (1 - tx) + src[y1 * stride + x1]! * tx;
      out[y * outCols + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * The official SAM decoder's mask post-processing, in plain TypeScript: low-resolution logits
 * [256, 256] → 1024 x 1024 → crop the letterboxed region (int(size * 1024 / longest + 0.5)) → [H, W].
 */
export function officialPostprocess(lowRes: ArrayLike<number>, height: number, width: number): Float32Array {
  const up = resizeBilinear(lowRes, 256, 256, 1024, 1024);
  const s = 1024 / Math.max(height, width);
  const innerHeight = Math.floor(height * s + 0.5);
  const innerWidth = Math.floor(width * s + 0.5);
  return resizeBilinear(up, innerHeight, innerWidth, height, width, 1024);
}
