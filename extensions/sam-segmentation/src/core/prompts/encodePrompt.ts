/**
 * A prompt → the decoder feeds of a family (the runtime adds the image embeddings). Everything that
 * differs between families is read from `family.prompt` and the decoder's tensor specs:
 *  - official SAM: points, then box corners labelled 2 and 3; without a box the padding point (0,0)
 *    label -1; float32 labels; `mask_input`, `has_mask_input`, `orig_im_size` (H, W).
 *  - SAM 2: box corners first, no padding point (the graph adds it); L = 1.
 *  - Transformers.js: `input_points [1,1,n,2]`, int64 `input_labels [1,1,n]`, the box in `input_boxes
 *    [1,1,4]`; a box alone comes with one placeholder point labelled -10, which the model ignores.
 *  - MedSAM: box only, in the stretched 1024 frame.
 */
import type { ModelFamily } from '../families';
import type { ModelFrame } from '../geometry/modelFrame';
import type { Dim, FeedTensor, Feeds, TensorSpec } from '../tensors';
import { checkPrompt, maskInputSize, orderedBox, type Prompt } from './prompt';

/** SAM's point labels. */
export const POINT_LABEL = { exclude: 0, include: 1, boxTopLeft: 2, boxBottomRight: 3, padding: -1 } as const;

interface LabelledPoint {
  x: number;
  y: number;
  label: number;
}

/** Leading dims of a spec set to 1 (batch, point batch), followed by `tail`. */
function withUnitBatch(spec: TensorSpec, tail: number[]): number[] {
  const lead = spec.dims.length - tail.length;
  if (lead < 0) throw new Error(`Decoder input "${spec.name}" has rank ${spec.dims.length}, below ${tail.length}.`);
  return [...new Array<number>(lead).fill(1), ...tail];
}

function tensor(spec: TensorSpec, values: ArrayLike<number>, dims: number[]): FeedTensor {
  return spec.dtype === 'int64'
    ? { type: 'int64', data: BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims }
    : { type: 'float32', data: Float32Array.from(values), dims };
}

const fixedDims = (spec: TensorSpec): number[] => spec.dims.map((d: Dim) => (typeof d === 'number' ? d : 1));

export interface EncodePromptOptions {
  /** The loaded decoder's input names: a prompt needing an optional input the graph lacks is refused. */
  decoderInputNames?: readonly string[];
  /**
   * No prompt at all (`prompt` has no points or box): SAM 2 on a memory-conditioned slice, where the
   * mask comes from the memory; the decoder gets one padding point, as SAM2Base._forward_sam_heads does.
   */
  withoutPrompt?: boolean;
}

export function encodePrompt(
  prompt: Prompt,
  family: ModelFamily,
  frame: ModelFrame,
  options: EncodePromptOptions = {},
): Feeds {
  if (options.withoutPrompt) {
    if (prompt.points.length > 0 || prompt.box) throw new Error('A decode without a prompt was given one.');
  } else checkPrompt(prompt, frame.imageWidth, frame.imageHeight, family);
  const { decoder, prompt: rules } = family;
  const { decoderInputNames } = options;
  if (prompt.box && decoder.boxes && decoderInputNames && !decoderInputNames.includes(decoder.boxes.name)) {
    throw new Error(
      `This ${family.label} decoder has no "${decoder.boxes.name}" input, so it cannot take a box; use points.`,
    );
  }
  const toModel = (x: number, y: number, label: number): LabelledPoint => ({ ...frame.imageToModel(x, y), label });

  const clicked = prompt.points.map((p) => toModel(p.x, p.y, POINT_LABEL[p.label]));
  const box = prompt.box ? orderedBox(prompt.box) : undefined;
  const corners = box
    ? [toModel(box.x0, box.y0, POINT_LABEL.boxTopLeft), toModel(box.x1, box.y1, POINT_LABEL.boxBottomRight)]
    : [];

  let points: LabelledPoint[];
  const feeds: Feeds = {};
  if (decoder.boxes) {
    points = clicked;
    if (box) {
      const [a, b] = corners;
      feeds[decoder.boxes.name] = tensor(decoder.boxes, [a!.x, a!.y, b!.x, b!.y], withUnitBatch(decoder.boxes, [4]));
    } else if (decoderInputNames?.includes(decoder.boxes.name)) {
      // ONNX has no optional inputs: a graph that lists the box input gets an empty box batch, [1,0,4].
      feeds[decoder.boxes.name] = tensor(decoder.boxes, [], withUnitBatch(decoder.boxes, [0, 4]));
    }
  } else {
    points = rules.boxCornersPosition === 'before-points' ? [...corners, ...clicked] : [...clicked, ...corners];
  }
  if ((!box && rules.paddingPointWithoutBox) || options.withoutPrompt) {
    points.push({ x: 0, y: 0, label: POINT_LABEL.padding });
  }
  if (points.length === 0) {
    if (rules.placeholderLabel === null) throw new Error(`${family.label}: the prompt gives the decoder no point.`);
    points.push({ x: 0, y: 0, label: rules.placeholderLabel });
  }

  const n = points.length;
  feeds[decoder.pointCoords.name] = tensor(
    decoder.pointCoords,
    points.flatMap((p) => [p.x, p.y]),
    withUnitBatch(decoder.pointCoords, [n, 2]),
  );
  feeds[decoder.pointLabels.name] = tensor(
    decoder.pointLabels,
    points.map((p) => p.label),
    withUnitBatch(decoder.pointLabels, [n]),
  );

  if (decoder.maskInput) {
    // mask_input: float32[1,1,256,256], zeros unless refining a previous answer
    const size = maskInputSize(decoder.maskInput.dims);
    const data = prompt.previousMask ? Float32Array.from(prompt.previousMask) : new Float32Array(size);
    feeds[decoder.maskInput.name] = { type: 'float32', data, dims: fixedDims(decoder.maskInput) };
  }
  if (decoder.hasMaskInput) {
    // has_mask_input: float32[1]
    feeds[decoder.hasMaskInput.name] = tensor(
      decoder.hasMaskInput,
      [prompt.previousMask ? 1 : 0],
      fixedDims(decoder.hasMaskInput),
    );
  }
  if (decoder.origImSize) {
    // orig_im_size: float32[2] = (H, W)
    feeds[decoder.origImSize.name] = tensor(decoder.origImSize, [frame.imageHeight, frame.imageWidth], [2]);
  }
  return feeds;
}
