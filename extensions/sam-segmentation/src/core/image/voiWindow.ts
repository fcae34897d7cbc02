/**
 * The VOI window: modality values → 8-bit display values.
 *
 * Either a given window (centre, width) with DICOM's linear function (PS3.3 C.11.2.1.2.1):
 *   x ≤ c - 0.5 - (w-1)/2 → 0;  x > c - 0.5 + (w-1)/2 → 255;  else ((x - (c - 0.5)) / (w-1) + 0.5) * 255,
 * or the study protocol's automatic window: clip at the 0.95th and 99.5th percentiles of the slice, then
 * min-max to 0-255 (the released code calls np.percentile(x, 0.95): the 0.95th, not the 95th, percentile).
 * Both are a linear ramp between a lower and an upper value; results are rounded to the nearest integer.
 */
import { percentiles } from './percentile';

export type VoiSetting =
  | { kind: 'window'; center: number; width: number }
  | { kind: 'percentile'; lowerPercentile: number; upperPercentile: number };

/** The study protocol's automatic window. */
export const PROTOCOL_PERCENTILE_WINDOW: Extract<VoiSetting, { kind: 'percentile' }> = {
  kind: 'percentile',
  lowerPercentile: 0.95,
  upperPercentile: 99.5,
};

/** Values ≤ lower map to 0, values > upper to 255, linearly in between. */
export interface VoiRange {
  lower: number;
  upper: number;
}

/** The linear ramp for a window, or the percentiles of `modalityValues` for the automatic window. */
export function resolveVoiRange(voi: VoiSetting, modalityValues: ArrayLike<number>, scratch?: Float32Array): VoiRange {
  if (voi.kind === 'window') {
    const { center, width } = voi;
    if (!Number.isFinite(center) || !(width >= 1)) {
      throw new Error(
        `A VOI window needs a finite centre and a width of at least 1, got centre ${center}, width ${width}.`,
      );
    }
    return { lower: center - 0.5 - (width - 1) / 2, upper: center - 0.5 + (width - 1) / 2 };
  }
  const { lowerPercentile, upperPercentile } = voi;
  if (!(lowerPercentile < upperPercentile)) {
    throw new Error(`Percentile window needs lower < upper, got ${lowerPercentile} and ${upperPercentile}.`);
  }
  const [lower, upper] = percentiles(modalityValues, [lowerPercentile, upperPercentile], scratch);
  return { lower: lower!, upper: upper! };
}

/**
 * Applies the ramp and writes 0-255 into `out`; `invert` for MONOCHROME1 (high values dark).
 * A degenerate range (upper ≤ lower) is a threshold: ≤ lower → 0, above → 255.
 */
export function windowTo8Bit(
  modalityValues: ArrayLike<number>,
  range: VoiRange,
  invert: boolean,
  out: Uint8Array = new Uint8Array(modalityValues.length),
): Uint8Array {
  const { lower, upper } = range;
  const n = modalityValues.length;
  const span = upper - lower;
  const a = span > 0 ? 255 / span : 0;
  const flip = invert ? 255 : 0;
  for (let i = 0; i < n; i++) {
    const x = modalityValues[i]!;
    let y: number;
    if (x <= lower) y = 0;
    else if (x > upper) y = 255;
    else y = ((x - lower) * a + 0.5) | 0;
    out[i] = flip ? flip - y : y;
  }
  return out;
}
