/** Stored slice values → the encoder input, in one call: display image, then the family's preprocessing. */
import type { ModelFamily } from '../families';
import { toDisplayImage } from './displayImage';
import { preprocessImage, type ModelInput, type PreprocessBuffers } from './preprocess';
import type { SlicePixels } from './slicePixels';
import type { VoiRange, VoiSetting } from './voiWindow';

export function prepareSlice(
  slice: SlicePixels,
  voi: VoiSetting,
  family: ModelFamily,
  buffers?: PreprocessBuffers,
): ModelInput & { voiRange?: VoiRange; windowNote?: string } {
  const { image, voiRange, windowNote } = toDisplayImage(slice, voi);
  return {
    ...preprocessImage(image, family.preprocess, buffers),
    ...(voiRange ? { voiRange } : {}),
    ...(windowNote ? { windowNote } : {}),
  };
}
