/**
 * Decoder outputs → mask candidates with their predicted IoU. Official export: `masks [1,4,H,W]`
 * (index 0 the single-mask token, 1-3 the multimask candidates), `iou_predictions [1,4]`,
 * `low_res_masks [1,4,256,256]`; SAM 2 and Transformers.js: 3 low-resolution candidates only.
 * An official export made with `--return-single-mask` (K = 1) returns one mask that the graph picked
 * itself (segment_anything/utils/onnx.py `select_masks`): the single-mask token when the prompt has more
 * than 2.5 points counting the padding point and box corners, else the multimask candidate with the
 * highest predicted IoU. Which one it was is not in the outputs, so that mask is 'graph-selected'.
 */
import type { ModelFamily } from '../families';
import type { ModelFrame } from '../geometry/modelFrame';
import type { DecoderOutputs, OutputTensor } from '../tensors';

/**
 * 'single-mask': the token trained for unambiguous prompts; 'multimask': one of the ambiguity candidates;
 * 'graph-selected': the only mask of a decoder that chose among its tokens inside the graph (K = 1 where the
 * family has a single-mask token among several), either of the two.
 */
export type MaskToken = 'single-mask' | 'multimask' | 'graph-selected';

export interface MaskCandidate {
  /** Position on the decoder's mask axis. */
  index: number;
  token: MaskToken;
  predictedIou: number;
  // low-resolution logits: float32[lowResHeight*lowResWidth] in the model frame; feed back as mask_input
  lowResLogits: Float32Array;
  lowResWidth: number;
  lowResHeight: number;
  // logits at the image size: float32[H*W], when the graph already produced them (official export)
  fullResLogits?: Float32Array;
}

function output(outputs: DecoderOutputs, name: string): OutputTensor {
  const t = outputs[name];
  if (!t) throw new Error(`Decoder output "${name}" is missing; got: ${Object.keys(outputs).join(', ') || 'none'}.`);
  return t;
}

/** Splits `[1, …, 1, K, h, w]` into K planes of h*w; every leading dim must be 1 (one prompt per run). */
function planes(t: OutputTensor, name: string): { count: number; h: number; w: number } {
  const dims = t.dims;
  if (dims.length < 3 || dims.slice(0, -3).some((d) => d !== 1)) {
    throw new Error(`Decoder output "${name}" has dims [${dims.join(', ')}]; expected [1, …, K, h, w].`);
  }
  const [count, h, w] = dims.slice(-3) as [number, number, number];
  if (t.data.length !== count * h * w) {
    throw new Error(`Decoder output "${name}" holds ${t.data.length} values for dims [${dims.join(', ')}].`);
  }
  return { count, h, w };
}

export function decodeCandidates(outputs: DecoderOutputs, family: ModelFamily, frame: ModelFrame): MaskCandidate[] {
  const { decoder, output: rules } = family;
  const lowRes = output(outputs, decoder.lowResMasks.name);
  const iou = output(outputs, decoder.iouPredictions.name);
  const low = planes(lowRes, decoder.lowResMasks.name);
  if (iou.data.length !== low.count) {
    throw new Error(
      `Decoder output "${decoder.iouPredictions.name}" has ${iou.data.length} scores for ${low.count} masks.`,
    );
  }

  let fullRes: OutputTensor | undefined;
  if (rules.maskSource === 'full-resolution' && decoder.masks) {
    fullRes = output(outputs, decoder.masks.name);
    const full = planes(fullRes, decoder.masks.name);
    if (full.count !== low.count || full.h !== frame.imageHeight || full.w !== frame.imageWidth) {
      throw new Error(
        `Decoder output "${decoder.masks.name}" is ${full.count} x ${full.h} x ${full.w}; expected ` +
          `${low.count} x ${frame.imageHeight} x ${frame.imageWidth} (candidates x image rows x columns).`,
      );
    }
  }

  const lowSize = low.h * low.w;
  const fullSize = frame.imageWidth * frame.imageHeight;
  const indices = rules.candidateIndices ?? Array.from({ length: low.count }, (_, i) => i);
  // One mask from a family whose graphs carry a single-mask token among several: the graph chose it.
  const graphSelected = low.count === 1 && rules.singleMaskTokenIndex !== null;
  return indices.map((index) => {
    if (index >= low.count) throw new Error(`The decoder returned ${low.count} masks; candidate ${index} is missing.`);
    const candidate: MaskCandidate = {
      index,
      token: graphSelected ? 'graph-selected' : index === rules.singleMaskTokenIndex ? 'single-mask' : 'multimask',
      predictedIou: iou.data[index]!,
      lowResLogits: lowRes.data.subarray(index * lowSize, (index + 1) * lowSize),
      lowResWidth: low.w,
      lowResHeight: low.h,
    };
    if (fullRes) candidate.fullResLogits = fullRes.data.subarray(index * fullSize, (index + 1) * fullSize);
    return candidate;
  });
}
