/**
 * Separable bilinear resampling with precomputed weight tables.
 *
 * Output sample i of an axis sits at input coordinate (i + 0.5) * in/out - 0.5 (half-pixel centres), as
 * in PyTorch `interpolate(mode='bilinear', align_corners=False)`, OpenCV `INTER_LINEAR` and PIL.
 * With `antialias` and a shrinking axis the triangle filter is widened by the scale, as PIL and
 * torchvision `antialias=True` do; enlarging is identical either way. Edge samples clamp to the border.
 *
 * Tables compose: resizing twice (or cropping in between) is one table per axis, so the official mask
 * post-processing (256 → 1024, crop, → H×W) runs as a single pass.
 */

const { floor, max, min, abs } = Math;

/** One axis of a resampling: output i = Σ_k weights[i*taps + k] * input[start[i] + k]. */
export interface ResampleTable {
  inSize: number;
  outSize: number;
  taps: number;
  start: Int32Array;
  weights: Float32Array;
}

interface TableRow {
  start: number;
  weights: ArrayLike<number>;
}

/** Packs rows of varying length into fixed-width rows that stay inside the input. */
function packRows(inSize: number, rows: TableRow[]): ResampleTable {
  let taps = 1;
  for (const row of rows) taps = max(taps, row.weights.length);
  taps = min(taps, inSize);
  const outSize = rows.length;
  const start = new Int32Array(outSize);
  const weights = new Float32Array(outSize * taps);
  rows.forEach((row, i) => {
    const s = min(row.start, inSize - taps);
    start[i] = s;
    for (let k = 0; k < row.weights.length; k++) weights[i * taps + row.start - s + k] = row.weights[k]!;
  });
  return { inSize, outSize, taps, start, weights };
}

/** Drops zero weights at both ends of a row. */
function trimRow(start: number, weights: number[]): TableRow {
  let lo = 0;
  let hi = weights.length;
  while (lo < hi - 1 && weights[lo] === 0) lo++;
  while (hi > lo + 1 && weights[hi - 1] === 0) hi--;
  return { start: start + lo, weights: weights.slice(lo, hi) };
}

export function bilinearTable(inSize: number, outSize: number, antialias = false): ResampleTable {
  if (!(inSize >= 1 && outSize >= 1)) throw new Error(`Cannot resample ${inSize} samples to ${outSize}.`);
  const scale = inSize / outSize;
  const filterScale = antialias ? max(scale, 1) : 1;
  const support = filterScale; // the triangle's half-width is 1 input pixel, widened when shrinking
  const rows: TableRow[] = [];
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = max(0, floor(centre - support + 0.5));
    const hi = min(inSize, floor(centre + support + 0.5));
    const weights: number[] = [];
    let sum = 0;
    for (let x = lo; x < hi; x++) {
      const w = max(0, 1 - abs((x + 0.5 - centre) / filterScale));
      weights.push(w);
      sum += w;
    }
    // The window always holds the sample nearest the centre, so sum > 0; edge windows are renormalised.
    rows.push(
      trimRow(
        lo,
        weights.map((w) => w / sum),
      ),
    );
  }
  return packRows(inSize, rows);
}

/** The first `count` outputs of a table: a crop of the resampled axis. */
export function cropTable(table: ResampleTable, count: number): ResampleTable {
  if (count > table.outSize) throw new Error(`Cannot crop ${count} of ${table.outSize} samples.`);
  return {
    ...table,
    outSize: count,
    start: table.start.slice(0, count),
    weights: table.weights.slice(0, count * table.taps),
  };
}

/** `second ∘ first`: resampling by `first`, then by `second`, as one table. */
export function composeTables(first: ResampleTable, second: ResampleTable): ResampleTable {
  if (second.inSize !== first.outSize) {
    throw new Error(`Cannot compose resampling tables: ${first.outSize} outputs feed ${second.inSize} inputs.`);
  }
  const rows: TableRow[] = [];
  for (let i = 0; i < second.outSize; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < second.taps; j++) {
      const m = second.start[i]! + j;
      lo = min(lo, first.start[m]!);
      hi = max(hi, first.start[m]! + first.taps);
    }
    const acc = new Array<number>(hi - lo).fill(0);
    for (let j = 0; j < second.taps; j++) {
      const w2 = second.weights[i * second.taps + j]!;
      if (w2 === 0) continue;
      const m = second.start[i]! + j;
      for (let k = 0; k < first.taps; k++) acc[first.start[m]! - lo + k]! += w2 * first.weights[m * first.taps + k]!;
    }
    rows.push(trimRow(lo, acc));
  }
  return packRows(first.inSize, rows);
}

/** Where a plane's samples are in a flat array. */
export interface PlaneLayout {
  /** Index of sample (0, 0). */
  offset: number;
  /** Elements between horizontally adjacent samples (3 for one channel of interleaved RGB). */
  pixelStride: number;
  /** Elements between vertically adjacent samples. */
  rowStride: number;
}

export const packedPlane = (width: number): PlaneLayout => ({ offset: 0, pixelStride: 1, rowStride: width });

/**
 * Resamples one plane: horizontally into `scratch` (in rows × out columns), then vertically into `dst`.
 * `scratch` needs `tableY.inSize * tableX.outSize` elements; pass one to avoid an allocation per call.
 */
export function resamplePlane(
  src: ArrayLike<number>,
  srcLayout: PlaneLayout,
  dst: Float32Array,
  dstLayout: PlaneLayout,
  tableX: ResampleTable,
  tableY: ResampleTable,
  scratch?: Float32Array,
): void {
  const inRows = tableY.inSize;
  const outW = tableX.outSize;
  const tmp =
    scratch && scratch.length >= inRows * outW ? scratch.subarray(0, inRows * outW) : new Float32Array(inRows * outW);
  const { taps: tx, start: sx, weights: wx } = tableX;
  const { offset: so, pixelStride: sp, rowStride: sr } = srcLayout;
  // Two taps (every enlargement) get unrolled loops: about twice as fast as the general loop.
  for (let y = 0; y < inRows; y++) {
    const rowBase = so + y * sr;
    const outBase = y * outW;
    if (tx === 2) {
      for (let x = 0; x < outW; x++) {
        const s = rowBase + sx[x]! * sp;
        tmp[outBase + x] = wx[2 * x]! * src[s]! + wx[2 * x + 1]! * src[s + sp]!;
      }
      continue;
    }
    for (let x = 0; x < outW; x++) {
      let s = rowBase + sx[x]! * sp;
      let acc = 0;
      for (let k = x * tx, end = k + tx; k < end; k++, s += sp) acc += wx[k]! * src[s]!;
      tmp[outBase + x] = acc;
    }
  }
  const { taps: ty, start: sy, weights: wy } = tableY;
  const { offset: dOff, pixelStride: dp, rowStride: dr } = dstLayout;
  for (let y = 0; y < tableY.outSize; y++) {
    const r0 = sy[y]! * outW;
    const d = dOff + y * dr;
    if (ty === 2) {
      const a = wy[2 * y]!;
      const b = wy[2 * y + 1]!;
      const r1 = r0 + outW;
      for (let x = 0, di = d; x < outW; x++, di += dp) dst[di] = a * tmp[r0 + x]! + b * tmp[r1 + x]!;
      continue;
    }
    for (let x = 0, di = d; x < outW; x++, di += dp) {
      let acc = 0;
      for (let k = y * ty, end = k + ty, r = r0 + x; k < end; k++, r += outW) acc += wy[k]! * tmp[r]!;
      dst[di] = acc;
    }
  }
}
