/**
 * The model families as data: how each one wants its pixels, prompts and outputs. Everything that
 * differs between SAM ports lives here, so the preprocessing, prompt encoding and mask decoding code
 * reads fields instead of testing family ids. A model manifest overrides the preprocessing fields per
 * model (`withPreprocessing`). Source: shared/docs/sam-formats.md (beside the repository).
 */
import type { Dim, TensorSpec } from './tensors';

export type FamilyId = 'sam' | 'medsam' | 'sam2' | 'transformersjs';

/**
 * 'letterbox': scale the longest side to the input size, keep the aspect ratio, zero-pad bottom/right.
 * 'stretch': scale each axis to the input size independently (no padding).
 */
export type ResizeMode = 'letterbox' | 'stretch';

/**
 * How the resized 8-bit RGB values (0-255) become model inputs.
 * 'mean-std': `(x * scale - mean[c]) / std[c]` per channel (SAM: scale 1 on 0-255; ImageNet: scale 1/255).
 * 'min-max': `(x - min) / max(max - min, 1e-8)` over the whole resized image (MedSAM), giving [0, 1].
 */
export type Normalisation =
  | { kind: 'mean-std'; scale: number; mean: readonly [number, number, number]; std: readonly [number, number, number] }
  | { kind: 'min-max' };

/**
 * How the encoder graph takes its image; see `ENCODER_INPUTS`.
 * 'nchw-normalised': float32 `[B,3,S,S]`, resized, normalised and zero-padded here (most exports).
 * 'hwc-resized-0-255': float32 `[H,W,3]`, RGB 0..255, only resized here (letterbox: longest side S); the graph
 * normalises and pads itself (Acly/MobileSAM's encoder, samexporter's `--use-preprocess` exports).
 */
export type EncoderInputLayout = 'nchw-normalised' | 'hwc-resized-0-255';

export interface EncoderInputInfo {
  /** What the graph's pixel input is, in words (for error messages). */
  description: string;
  /** The encoder's pixel input dims, given the family's batch dim and the model input size. */
  imageDims: (batch: Dim, inputSize: number) => Dim[];
}

/** The encoder input layouts as data: `withPreprocessing` sets the image TensorSpec from here. */
export const ENCODER_INPUTS: Readonly<Record<EncoderInputLayout, EncoderInputInfo>> = {
  'nchw-normalised': {
    description: 'a [1,3,S,S] tensor, normalised and zero-padded before the graph',
    imageDims: (batch, size) => [batch, 3, size, size],
  },
  'hwc-resized-0-255': {
    description: 'an [H,W,3] RGB 0-255 image, resized to the model frame, normalised and padded inside the graph',
    imageDims: () => ['H', 'W', 3],
  },
};

export const ENCODER_INPUT_LAYOUTS = Object.keys(ENCODER_INPUTS) as EncoderInputLayout[];

export interface PreprocessSpec {
  /** Side of the square model input (1024 for most; 512 for EfficientViT-SAM L0-L2). */
  inputSize: number;
  resize: ResizeMode;
  /**
   * Applied here for 'nchw-normalised'. For 'hwc-resized-0-255' the graph normalises itself: this then only
   * records what the graph does, and nothing is applied here.
   */
  normalisation: Normalisation;
  /** The encoder graph's pixel input layout (the family's encoder image spec follows it). */
  encoderInput: EncoderInputLayout;
  /**
   * Widen the bilinear filter when shrinking, as PIL (official SAM) and torchvision (SAM 2) do; no effect
   * when enlarging, where it equals plain half-pixel bilinear.
   */
  antialias: boolean;
}

/** Decoder tensors, by role. Each decoder input named like an encoder output is copied from it by the runtime. */
export interface DecoderSpec {
  /** Inputs taken from the encoder's outputs of the same name (the runtime adds them, not the prompt encoder). */
  embeddings: readonly TensorSpec[];
  pointCoords: TensorSpec;
  pointLabels: TensorSpec;
  /** A separate box input; without it the box is encoded as two corner points labelled 2 and 3. */
  boxes?: TensorSpec;
  maskInput?: TensorSpec;
  hasMaskInput?: TensorSpec;
  origImSize?: TensorSpec;
  /** Masks already brought back to the original image size by the graph (official export). */
  masks?: TensorSpec;
  /** Low-resolution mask logits in the model frame, `[..., K, 256, 256]`. */
  lowResMasks: TensorSpec;
  iouPredictions: TensorSpec;
}

export interface PromptRules {
  /** MedSAM was trained with boxes only. */
  acceptsPoints: boolean;
  /** Where the two box corners go when the box is encoded as points: official SAM after, SAM 2 before. */
  boxCornersPosition: 'after-points' | 'before-points';
  /** The official export needs the padding point (0,0) label -1 fed explicitly when there is no box. */
  paddingPointWithoutBox: boolean;
  /**
   * Label of a placeholder point fed when the prompt has no point but the graph needs a point input
   * (Transformers.js ignores label -10); null when a prompt always yields at least one point.
   */
  placeholderLabel: number | null;
}

export interface OutputRules {
  /**
   * 'full-resolution': use the graph's `masks` output, already cropped and resized to the image (official
   * export, letterbox). 'low-resolution': upsample the 256x256 logits here.
   */
  maskSource: 'full-resolution' | 'low-resolution';
  /** Index of the single-mask token's output (official SAM: 0, followed by the 3 multimask candidates). */
  singleMaskTokenIndex: number | null;
  /** Candidates to expose; null for all (MedSAM is trained for the single mask only). */
  candidateIndices: readonly number[] | null;
}

export interface ModelFamily {
  id: FamilyId;
  label: string;
  preprocess: PreprocessSpec;
  encoder: { image: TensorSpec; outputs: readonly TensorSpec[] };
  decoder: DecoderSpec;
  prompt: PromptRules;
  output: OutputRules;
  propagation: PropagationRules;
}

/**
 * How a mask is carried from slice to slice (runtime/propagation/): 'reprompt' prompts each slice with
 * the previous slice's mask (any image model); 'memory' is SAM 2's memory bank, which needs the video
 * modules (`memory`) besides the image encoder and decoder. `engines` in order of preference: a model
 * runs the first one it has the files for (a SAM 2 image-only export re-prompts).
 */
export interface PropagationRules {
  engines: readonly PropagationEngineName[];
  memory?: MemorySpec;
}

export type PropagationEngineName = 'reprompt' | 'memory';

/**
 * SAM 2's video modules as ONNX graphs, in the split that runs in onnxruntime-web (voxel51/fiftyone's;
 * shared/docs/sam-formats.md), with SAM 2's own per-slice step (facebookresearch/sam2
 * `sam2_base.py`): memory attention conditions a slice's features on the bank of memories, the image
 * decoder (prompted with a padding point only) makes its mask, the memory encoder turns its features
 * and mask into its memory. Two constants come as raw float32 files beside the graphs.
 */
export interface MemorySpec {
  attention: {
    /** The slice's raw features, sequence first [HW,1,C], and their sine position encoding. */
    curr: TensorSpec;
    currPos: TensorSpec;
    /** The bank's memories [M*HW,1,Cm] and their position + temporal encodings, concatenated. */
    memory: TensorSpec;
    memoryPos: TensorSpec;
    /** Object-pointer tokens appended to the memory (int64 scalar): none here. */
    objectPointerTokens: TensorSpec;
    /** The memory-conditioned features [HW,1,C] (or [1,C,H,W]); they replace `image_embed` in the decoder. */
    output: TensorSpec;
  };
  encoder: {
    /** The slice's raw features [1,C,H,W]. */
    features: TensorSpec;
    /** The slice's mask in the model frame, scaled as `maskForMemory` says. */
    mask: TensorSpec;
    memory: TensorSpec;
    memoryPos: TensorSpec;
    /** SAM 2's `maskmem_tpos_enc` [T,...,Cm]: row t-1 for the slice t steps back, the last row for the conditioning slice. */
    temporalPos: TensorSpec;
  };
  /** `no_mem_embed` [C]: what the image encoder added to `image_embed` (removed for the raw features). */
  noMemEmbed: { file: 'noMemEmbed'; length: number };
  /** `vision_pos_embed` [HW*C]: the sine position encoding of the 64x64 features (`curr_pos`). */
  visionPosEmbed: { file: 'visionPosEmbed'; length: number };
  /** The decoder input the conditioned features go to. */
  decoderFeatures: string;
  /** Memories kept besides the conditioning slice's (SAM 2: num_maskmem 7 = 1 + 6). */
  recentMemories: number;
  /** The memory encoder's mask: sigmoid(logits) (a prompted slice's binary mask) times scale plus bias. */
  maskForMemory: { scale: number; bias: number };
}

/** SAM's pixel statistics on the 0-255 scale. */
export const SAM_PIXEL_NORMALISATION: Normalisation = {
  kind: 'mean-std',
  scale: 1,
  mean: [123.675, 116.28, 103.53],
  std: [58.395, 57.12, 57.375],
};

/** ImageNet statistics applied after x/255 (SAM 2, Transformers.js). */
export const IMAGENET_NORMALISATION: Normalisation = {
  kind: 'mean-std',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

const f32 = (name: string, dims: TensorSpec['dims'], extra: Partial<TensorSpec> = {}): TensorSpec => ({
  name,
  dtype: 'float32',
  dims,
  ...extra,
});

// Official SAM ONNX decoder (scripts/export_onnx_model.py), shared by SAM ViT-B/L/H, MobileSAM,
// EfficientViT-SAM and MedSAM exports.
const officialDecoder: DecoderSpec = {
  embeddings: [f32('image_embeddings', [1, 256, 64, 64])],
  pointCoords: f32('point_coords', [1, 'N', 2]),
  pointLabels: f32('point_labels', [1, 'N']),
  maskInput: f32('mask_input', [1, 1, 256, 256]),
  hasMaskInput: f32('has_mask_input', [1]),
  origImSize: f32('orig_im_size', [2]),
  masks: f32('masks', [1, 'K', 'H', 'W']),
  lowResMasks: f32('low_res_masks', [1, 'K', 256, 256]),
  iouPredictions: f32('iou_predictions', [1, 'K']),
};

const officialEncoder = {
  image: f32('input_image', [1, 3, 1024, 1024], { alternativeNames: ['image', 'pixel_values'] }),
  outputs: [f32('image_embeddings', [1, 256, 64, 64])],
};

export const SAM: ModelFamily = {
  id: 'sam',
  label: 'Segment Anything (official export: ViT-B/L/H, MobileSAM, EfficientViT-SAM)',
  preprocess: {
    inputSize: 1024,
    resize: 'letterbox',
    normalisation: SAM_PIXEL_NORMALISATION,
    antialias: true,
    encoderInput: 'nchw-normalised',
  },
  encoder: officialEncoder,
  decoder: officialDecoder,
  prompt: {
    acceptsPoints: true,
    boxCornersPosition: 'after-points',
    paddingPointWithoutBox: true,
    placeholderLabel: null,
  },
  output: { maskSource: 'full-resolution', singleMaskTokenIndex: 0, candidateIndices: null },
  propagation: { engines: ['reprompt'] },
};

export const MEDSAM: ModelFamily = {
  id: 'medsam',
  label: 'MedSAM (SAM ViT-B fine-tuned on medical images; box prompts)',
  preprocess: {
    inputSize: 1024,
    resize: 'stretch',
    normalisation: { kind: 'min-max' },
    antialias: true,
    encoderInput: 'nchw-normalised',
  },
  encoder: officialEncoder,
  // The official decoder graph, but its `masks` output undoes a letterbox, wrong for a stretched image:
  // the low-resolution logits are upsampled here instead.
  decoder: officialDecoder,
  prompt: {
    acceptsPoints: false,
    boxCornersPosition: 'after-points',
    paddingPointWithoutBox: false,
    placeholderLabel: null,
  },
  output: { maskSource: 'low-resolution', singleMaskTokenIndex: 0, candidateIndices: [0] },
  propagation: { engines: ['reprompt'] },
};

export const SAM2: ModelFamily = {
  id: 'sam2',
  label: 'SAM 2 / 2.1',
  preprocess: {
    inputSize: 1024,
    resize: 'stretch',
    normalisation: IMAGENET_NORMALISATION,
    antialias: true,
    encoderInput: 'nchw-normalised',
  },
  encoder: {
    image: f32('image', [1, 3, 1024, 1024], { alternativeNames: ['input_image'] }),
    outputs: [
      f32('high_res_feats_0', [1, 32, 256, 256]),
      f32('high_res_feats_1', [1, 64, 128, 128]),
      f32('image_embed', [1, 256, 64, 64]),
    ],
  },
  decoder: {
    embeddings: [
      f32('image_embed', [1, 256, 64, 64]),
      f32('high_res_feats_0', [1, 32, 256, 256]),
      f32('high_res_feats_1', [1, 64, 128, 128]),
    ],
    pointCoords: f32('point_coords', ['L', 'N', 2]),
    pointLabels: f32('point_labels', ['L', 'N']),
    maskInput: f32('mask_input', ['L', 1, 256, 256]),
    hasMaskInput: f32('has_mask_input', ['L']),
    // Exports differ: some name the 256x256 logits `masks`, others (samexporter) output full-size `masks`
    // next to `low_res_masks`. The preferred name comes first, so `low_res_masks` wins when both exist.
    lowResMasks: f32('low_res_masks', ['L', 3, 256, 256], { alternativeNames: ['masks'] }),
    iouPredictions: f32('iou_predictions', ['L', 3]),
  },
  // SAM 2 merges the box into the points, corners first; the graph adds the padding point itself.
  prompt: {
    acceptsPoints: true,
    boxCornersPosition: 'before-points',
    paddingPointWithoutBox: false,
    placeholderLabel: null,
  },
  output: { maskSource: 'low-resolution', singleMaskTokenIndex: null, candidateIndices: null },
  // Memory propagation where the model has the video modules (SAM 2's per-slice step), else re-prompting.
  propagation: {
    engines: ['memory', 'reprompt'],
    memory: {
      attention: {
        curr: f32('curr', [4096, 1, 256]),
        currPos: f32('curr_pos', [4096, 1, 256]),
        memory: f32('memory', ['M', 1, 64]),
        memoryPos: f32('memory_pos', ['M', 1, 64]),
        objectPointerTokens: { name: 'num_obj_ptr_tokens', dtype: 'int64', dims: [] },
        output: f32('pix_feat', [4096, 1, 256]),
      },
      encoder: {
        features: f32('pix_feat', [1, 256, 64, 64]),
        mask: f32('pred_masks_high_res', [1, 1, 1024, 1024], { alternativeNames: ['masks'] }),
        memory: f32('maskmem_features', [1, 64, 64, 64], { alternativeNames: ['vision_features'] }),
        memoryPos: f32('maskmem_pos_enc', [1, 64, 64, 64], { alternativeNames: ['vision_pos_enc'] }),
        temporalPos: f32('maskmem_tpos_enc', [7, 1, 1, 64]),
      },
      noMemEmbed: { file: 'noMemEmbed', length: 256 },
      visionPosEmbed: { file: 'visionPosEmbed', length: 4096 * 256 },
      decoderFeatures: 'image_embed',
      recentMemories: 6,
      maskForMemory: { scale: 20, bias: -10 },
    },
  },
};

export const TRANSFORMERS_JS: ModelFamily = {
  id: 'transformersjs',
  label: 'Transformers.js SAM exports (sam-vit-base/large/huge, SlimSAM)',
  preprocess: {
    inputSize: 1024,
    resize: 'letterbox',
    normalisation: IMAGENET_NORMALISATION,
    antialias: true,
    encoderInput: 'nchw-normalised',
  },
  encoder: {
    image: f32('pixel_values', ['B', 3, 1024, 1024]),
    outputs: [f32('image_embeddings', ['B', 256, 64, 64]), f32('image_positional_embeddings', ['B', 256, 64, 64])],
  },
  decoder: {
    embeddings: [f32('image_embeddings', ['B', 256, 64, 64]), f32('image_positional_embeddings', ['B', 256, 64, 64])],
    pointCoords: f32('input_points', ['B', 'pb', 'n', 2]),
    pointLabels: { name: 'input_labels', dtype: 'int64', dims: ['B', 'pb', 'n'] },
    boxes: f32('input_boxes', ['B', 'nb', 4], { optional: true }),
    lowResMasks: f32('pred_masks', ['B', 'pb', 3, 256, 256]),
    iouPredictions: f32('iou_scores', ['B', 'pb', 3]),
  },
  // The graph pads points itself when traced without boxes; -10 marks a point it must ignore.
  prompt: {
    acceptsPoints: true,
    boxCornersPosition: 'after-points',
    paddingPointWithoutBox: false,
    placeholderLabel: -10,
  },
  output: { maskSource: 'low-resolution', singleMaskTokenIndex: null, candidateIndices: null },
  propagation: { engines: ['reprompt'] },
};

export const MODEL_FAMILIES: Readonly<Record<FamilyId, ModelFamily>> = {
  sam: SAM,
  medsam: MEDSAM,
  sam2: SAM2,
  transformersjs: TRANSFORMERS_JS,
};

export const FAMILY_IDS = Object.keys(MODEL_FAMILIES) as FamilyId[];

export function getFamily(id: string): ModelFamily {
  const family = (MODEL_FAMILIES as Record<string, ModelFamily | undefined>)[id];
  if (!family) throw new Error(`Unknown model family "${id}". Should be one of: ${FAMILY_IDS.join(', ')}.`);
  return family;
}

/** A family with a model's own preprocessing (from its manifest entry), checked for sense. */
export function withPreprocessing(family: ModelFamily, overrides: Partial<PreprocessSpec>): ModelFamily {
  const preprocess = { ...family.preprocess, ...overrides };
  const { inputSize, resize, normalisation, encoderInput } = preprocess;
  if (!Number.isInteger(inputSize) || inputSize < 1) {
    throw new Error(`Model input size must be a positive integer, got ${inputSize}.`);
  }
  if (resize !== 'letterbox' && resize !== 'stretch') {
    throw new Error(`Unsupported resize mode "${String(resize)}". Should be one of: letterbox, stretch.`);
  }
  if (normalisation.kind === 'mean-std' && normalisation.std.some((s) => !(s > 0))) {
    throw new Error(`Normalisation std must be positive, got [${normalisation.std.join(', ')}].`);
  }
  const layout = (ENCODER_INPUTS as Partial<Record<string, EncoderInputInfo>>)[encoderInput];
  if (!layout) {
    throw new Error(
      `Unsupported encoder input "${String(encoderInput)}". Should be one of: ${ENCODER_INPUT_LAYOUTS.join(', ')}.`,
    );
  }
  // The encoder's pixel input follows the layout and the input size ([B,3,S,S] or [H,W,3]); the batch dim is
  // the family's own, taken from its definition so that overriding an overridden family still finds it.
  const batch = getFamily(family.id).encoder.image.dims[0]!;
  const image = { ...family.encoder.image, dims: layout.imageDims(batch, inputSize) };
  return { ...family, preprocess, encoder: { ...family.encoder, image } };
}

export type GraphSpecs = Record<'encoder' | 'decoder' | 'memoryAttention' | 'memoryEncoder', GraphSpec>;

export interface GraphSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

const NO_GRAPH: GraphSpec = { inputs: [], outputs: [] };

/** The inputs and outputs a loader should find in a family's encoder and decoder graphs. */
export function graphSpecs(family: ModelFamily): GraphSpecs {
  const d = family.decoder;
  const { memory } = family.propagation;
  const present = (...specs: (TensorSpec | undefined)[]) => specs.filter((s): s is TensorSpec => s !== undefined);
  return {
    encoder: { inputs: [family.encoder.image], outputs: [...family.encoder.outputs] },
    decoder: {
      inputs: [
        ...d.embeddings,
        ...present(d.pointCoords, d.pointLabels, d.boxes, d.maskInput, d.hasMaskInput, d.origImSize),
      ],
      outputs: present(d.masks, d.iouPredictions, d.lowResMasks),
    },
    memoryAttention: memory
      ? {
          inputs: [
            memory.attention.curr,
            memory.attention.memory,
            memory.attention.currPos,
            memory.attention.memoryPos,
            memory.attention.objectPointerTokens,
          ],
          outputs: [memory.attention.output],
        }
      : NO_GRAPH,
    memoryEncoder: memory
      ? {
          inputs: [memory.encoder.features, memory.encoder.mask],
          outputs: [memory.encoder.memory, memory.encoder.memoryPos, memory.encoder.temporalPos],
        }
      : NO_GRAPH,
  };
}
