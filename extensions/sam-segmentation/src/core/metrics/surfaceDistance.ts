/**
 * Surface (boundary) distances between two binary masks of the same grid (uint8[H*W], row-major,
 * non-zero = foreground): the study protocol's HD95, maximum Hausdorff distance and average surface
 * distances, in pixels or, with a pixel spacing [sx, sy], in mm.
 *
 * Conventions (those of MedPy's `hd`, `hd95` and `assd`, except `asd` below):
 *  - The boundary of a mask is its foreground pixels that have a 4-neighbour background pixel or lie on
 *    the image edge (the mask minus its erosion by a cross, with background outside the image).
 *  - Distances are Euclidean between pixel centres, from each boundary pixel of one mask to the nearest
 *    boundary pixel of the other, in both directions. The two directed sets are pooled into one.
 *  - HD95 is the 95th percentile of the pooled set, with linear interpolation between order statistics
 *    (numpy's default: rank 0.95 (n - 1) over the sorted values). This is MedPy's `hd95`; MONAI's
 *    `compute_hausdorff_distance(percentile=95)` instead takes the larger of the two directed 95th
 *    percentiles, which can differ when the two boundaries have very different lengths.
 *  - hdMax is the largest pooled distance (the Hausdorff distance).
 *  - asd is the mean of the pooled set (every boundary pixel of both masks weighs the same), assd the
 *    mean of the two directed means (MedPy's `assd`: each direction weighs half). They differ when the
 *    two boundaries have different lengths.
 *
 * An empty mask has no boundary, so no distance: such cases are reported apart (`kind` names which) and
 * never scored as 0, unlike the authors' released code, which returns 0 and so rewards a failure.
 */

// Module-level aliases: global lookups (Math.*, Infinity) are slow in hot loops inside jest's sandbox.
const { sqrt, floor } = Math;
const INF = Number.POSITIVE_INFINITY;

/** Pixel size [sx, sy]: horizontal (between columns) and vertical (between rows), e.g. in mm. */
export type PixelSpacing = readonly [number, number];

export type SurfaceDistanceResult =
  | { kind: 'scored'; hd95: number; hdMax: number; asd: number; assd: number }
  | { kind: 'empty-prediction' }
  | { kind: 'empty-reference' }
  | { kind: 'both-empty' };

function checkGrid(mask: Uint8Array, width: number, height: number, name = 'Mask'): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`A mask needs positive integer width and height, got ${width} x ${height}.`);
  }
  if (mask.length !== width * height) {
    throw new Error(`${name} has ${mask.length} pixels; ${width} x ${height} needs ${width * height}.`);
  }
}

function checkSpacing([sx, sy]: PixelSpacing): void {
  if (!(sx > 0 && sy > 0 && Number.isFinite(sx) && Number.isFinite(sy))) {
    throw new Error(`Pixel spacing must be two positive finite numbers, got [${sx}, ${sy}].`);
  }
}

/**
 * The boundary of a mask: 1 at foreground pixels with a background 4-neighbour or on the image edge,
 * 0 elsewhere.
 */
export function boundaryPixels(mask: Uint8Array, width: number, height: number): Uint8Array {
  checkGrid(mask, width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (!mask[i]) continue;
      if (
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        !mask[i - 1] ||
        !mask[i + 1] ||
        !mask[i - width] ||
        !mask[i + width]
      ) {
        out[i] = 1;
      }
    }
  }
  return out;
}

/**
 * One-dimensional squared distance transform (Felzenszwalb & Huttenlocher 2012) of `f` sampled at
 * n points spaced 1 apart, with the squared step scaled by `w`: d[q] = min_p w (q - p)² + f[p].
 * Infinite samples are left out of the lower envelope; with none finite, every output is Infinity.
 * `v` (int32[n]) and `z` (float64[n + 1]) are work buffers.
 */
function transform1d(f: Float64Array, d: Float64Array, n: number, w: number, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q]!;
    if (fq === INF) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -INF;
      z[1] = INF;
      continue;
    }
    const hq = fq + w * q * q;
    // z[0] = -Infinity and s is finite, so this stops at k = 0 at the latest.
    let p = v[k]!;
    let s = (hq - (f[p]! + w * p * p)) / (2 * w * (q - p));
    while (s <= z[k]!) {
      k--;
      p = v[k]!;
      s = (hq - (f[p]! + w * p * p)) / (2 * w * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  if (k < 0) {
    d.fill(INF, 0, n);
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1]! < q) j++;
    const p = v[j]!;
    const dq = q - p;
    d[q] = w * dq * dq + f[p]!;
  }
}

/**
 * Exact squared Euclidean distance from every pixel to the nearest pixel where `features` is non-zero
 * (0 on a feature pixel; Infinity everywhere when there is none), in squared spacing units. Separable
 * (columns, then rows), linear time in the number of pixels.
 */
export function squaredDistanceTransform(
  features: Uint8Array,
  width: number,
  height: number,
  spacing: PixelSpacing = [1, 1],
): Float64Array {
  checkGrid(features, width, height, 'Feature mask');
  checkSpacing(spacing);
  const [sx, sy] = spacing;
  const n = width * height;
  const out = new Float64Array(n);
  const longest = width > height ? width : height;
  const f = new Float64Array(longest);
  const d = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  // Columns: distance along y to the nearest feature pixel in the same column.
  const wy = sy * sy;
  for (let x = 0; x < width; x++) {
    for (let y = 0, i = x; y < height; y++, i += width) f[y] = features[i] ? 0 : INF;
    transform1d(f, d, height, wy, v, z);
    for (let y = 0, i = x; y < height; y++, i += width) out[i] = d[y]!;
  }
  // Rows: combine with the horizontal offset.
  const wx = sx * sx;
  for (let y = 0, row = 0; y < height; y++, row += width) {
    for (let x = 0; x < width; x++) f[x] = out[row + x]!;
    transform1d(f, d, width, wx, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x]!;
  }
  return out;
}

/** Euclidean distance to the nearest feature pixel (square root of `squaredDistanceTransform`). */
export function distanceTransform(
  features: Uint8Array,
  width: number,
  height: number,
  spacing: PixelSpacing = [1, 1],
): Float64Array {
  const out = squaredDistanceTransform(features, width, height, spacing);
  for (let i = 0, n = out.length; i < n; i++) out[i] = sqrt(out[i]!);
  return out;
}

/** The p-th percentile (0-100) of ascending-sorted values, linear interpolation (numpy's default). */
export function percentileOfSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('No values to take a percentile of.');
  if (!(p >= 0 && p <= 100)) throw new Error(`Percentile must be within 0..100, got ${p}.`);
  const rank = (p / 100) * (n - 1);
  const lo = floor(rank);
  const hi = lo + 1 < n ? lo + 1 : lo;
  const a = sorted[lo]!;
  return a + (rank - lo) * (sorted[hi]! - a);
}

/**
 * HD95, maximum Hausdorff distance and average symmetric surface distance between the boundaries of
 * `predicted` and `reference` (see the file header for the conventions), in the units of `spacing`
 * (default [1, 1]: pixels). Empty masks are reported by `kind` instead of a number.
 */
export function surfaceDistances(
  predicted: Uint8Array,
  reference: Uint8Array,
  width: number,
  height: number,
  spacing: PixelSpacing = [1, 1],
): SurfaceDistanceResult {
  checkGrid(predicted, width, height, 'Predicted mask');
  checkGrid(reference, width, height, 'Reference mask');
  checkSpacing(spacing);
  const predictedBoundary = boundaryPixels(predicted, width, height);
  const referenceBoundary = boundaryPixels(reference, width, height);
  let np = 0;
  let nr = 0;
  for (let i = 0, n = width * height; i < n; i++) {
    np += predictedBoundary[i]!;
    nr += referenceBoundary[i]!;
  }
  // A non-empty mask always has a boundary pixel (its topmost row), so no boundary = empty mask.
  if (np === 0 && nr === 0) return { kind: 'both-empty' };
  if (np === 0) return { kind: 'empty-prediction' };
  if (nr === 0) return { kind: 'empty-reference' };

  const toReference = squaredDistanceTransform(referenceBoundary, width, height, spacing);
  const toPredicted = squaredDistanceTransform(predictedBoundary, width, height, spacing);
  const pooled = new Float64Array(np + nr);
  let k = 0;
  let fromPredicted = 0; // sum of the predicted boundary's distances to the reference's
  let fromReference = 0;
  for (let i = 0, n = width * height; i < n; i++) {
    if (predictedBoundary[i]) {
      const dist = sqrt(toReference[i]!);
      pooled[k++] = dist;
      fromPredicted += dist;
    }
    if (referenceBoundary[i]) {
      const dist = sqrt(toPredicted[i]!);
      pooled[k++] = dist;
      fromReference += dist;
    }
  }
  pooled.sort();
  return {
    kind: 'scored',
    hd95: percentileOfSorted(pooled, 95),
    hdMax: pooled[pooled.length - 1]!,
    asd: (fromPredicted + fromReference) / pooled.length,
    assd: (fromPredicted / np + fromReference / nr) / 2,
  };
}
