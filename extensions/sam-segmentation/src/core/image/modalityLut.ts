/** The modality LUT: stored values → modality values (Hounsfield units for CT). */
import type { StoredValues } from './slicePixels';

/**
 * `value * slope + intercept` (DICOM's linear modality LUT). Writes into `out` when given; the result
 * is float32, exact for the integer HU of CT.
 */
export function applyModalityLut(
  values: StoredValues,
  slope = 1,
  intercept = 0,
  out: Float32Array = new Float32Array(values.length),
): Float32Array {
  if (!Number.isFinite(slope) || slope === 0 || !Number.isFinite(intercept)) {
    throw new Error(`Invalid modality LUT: rescale slope ${slope}, intercept ${intercept}.`);
  }
  if (out.length < values.length) throw new Error(`Output holds ${out.length} values, need ${values.length}.`);
  const n = values.length;
  for (let i = 0; i < n; i++) out[i] = values[i]! * slope + intercept;
  return out;
}
