/** A family's normalisation as one affine map per channel: model value = x * gain[c] + offset[c]. */
import type { Normalisation } from '../families';

export interface ChannelAffine {
  gain: [number, number, number];
  offset: [number, number, number];
}

/**
 * `range` is the min and max of the resized image over all channels, needed by 'min-max' only
 * (MedSAM: `(x - min) / clip(max - min, 1e-8)`).
 */
export function channelAffine(normalisation: Normalisation, range: { min: number; max: number }): ChannelAffine {
  if (normalisation.kind === 'min-max') {
    const gain = 1 / Math.max(range.max - range.min, 1e-8);
    const offset = -range.min * gain;
    return { gain: [gain, gain, gain], offset: [offset, offset, offset] };
  }
  const { scale, mean, std } = normalisation;
  return {
    gain: [scale / std[0], scale / std[1], scale / std[2]],
    offset: [-mean[0] / std[0], -mean[1] / std[1], -mean[2] / std[2]],
  };
}
