/**
 * Stand-ins for SAM 2's video modules (memory attention, memory encoder) and their two constants,
 * with exactly the inputs and outputs of the split that runs in onnxruntime-web (the family's
 * `propagation.memory`, core/families.ts): for tests; NOT SAM 2 (no learned weights, no attention).
 * With the SAM 2 stand-in's encoder and decoder (sam2Model.ts) they carry a mask through a series:
 *
 * Memory encoder: `pix_feat` [1,256,64,64] (the stand-in's packed features), `pred_masks_high_res`
 * [1,1,1024,1024] (the mask as SAM 2 scales it: 20·p − 10) → `maskmem_features` [1,64,64,64]: the mask
 * on the 256 grid (packed, channels 0-15) and the mask times each of the 3 features (16-63);
 * `maskmem_pos_enc` zeros; `maskmem_tpos_enc` [7,1,1,64] whose channel 0 is each row's log-weight
 * (the previous slice 0, older ones lower, the conditioning slice −2).
 *
 * Memory attention: `memory` [M·4096,1,64] and `memory_pos` (position + temporal rows) → the slots
 * mixed by softmax of their log-weights: a prior mask and the object's mean feature. On the slice's
 * features (`curr` [4096,1,256]) each cell is scored as the object's when its features are nearer the
 * remembered object's than the prior's surroundings' on this slice; into channels the stand-in's
 * features leave free go the decoder's prior (`MEMORY_CHANNELS`): pooling weights = prior × that
 * likeness, a proximity map = the prior dilated by a few cells × likeness, a flag (1: memory-
 * conditioned) and the evidence that the object is still there (the pooling weights' sum, clipped).
 * The decoder (sam2DecoderGraph) segments what is similar to the pooled feature inside the proximity
 * map and gives an empty mask when the evidence is gone (SAM 2's object score below 0).
 */
import { GraphBuilder } from './graphBuilder';
import { attr, encodeModel, type Graph } from './onnxModel';
import {
  BLOCK,
  EMBED_CHANNELS,
  EMBED_GRID,
  FEATURES,
  FRAME,
  GRID,
  blockMean,
  convAttributes,
  packFeatures,
  unpackFeatures,
} from './samLikeCore';

export const SAM2_MEMORY_ATTENTION_FILE = 'test/sam2.memory_attention.onnx';
export const SAM2_MEMORY_ENCODER_FILE = 'test/sam2.memory_encoder.onnx';

const POSITIONS = EMBED_GRID * EMBED_GRID;
const MEMORY_DIM = 64;
const PACKED = BLOCK * BLOCK; // channels per packed 256-grid map
/** Channels of the conditioned features the stand-in decoder reads its prior from (free in the encoder's output). */
export const MEMORY_CHANNELS = {
  pool: FEATURES * PACKED, // 48..63
  proximity: FEATURES * PACKED + PACKED, // 64..79
  flag: FEATURES * PACKED + 2 * PACKED, // 80
  evidence: FEATURES * PACKED + 2 * PACKED + 1, // 81
  end: FEATURES * PACKED + 2 * PACKED + 2,
} as const;

/** Log-weights of the temporal rows: row t-1 for the slice t back, the last row the conditioning slice. */
const ROW_LOG_WEIGHTS = [0, -1, -2, -3, -4, -5, -2];
/** Logits per unit of class margin (+1 at the object's mean feature, -1 at the surroundings'). */
const LIKENESS_GAIN = 6;
/** Side (cells) of the mean the class margin is averaged over. */
const LIKENESS_SMOOTHING = 5;
/** Cells of the 256 grid the proximity map reaches past the prior (a 9x9 mean, times 4, clipped). */
const DILATION = { kernel: 9, gain: 4 };
/** The surroundings whose mean feature is the other class: a 17x17 mean, times 4, outside the prior. */
const SURROUND = { kernel: 17, gain: 4 };
/** Pooling weight (cells) at which the object counts as present. */
const MIN_EVIDENCE = 4;
/** Logits taken off every cell when the object is gone, and outside the proximity map. */
const ABSENT_WEIGHT = 20;
const OUTSIDE_WEIGHT = 10;

const METADATA = {
  family: 'sam2',
  purpose: "test stand-in with the I/O of SAM 2's video modules; not Segment Anything",
};

/** no_mem_embed [256]: small values on channels nothing reads, so that subtracting it is visible and harmless. */
export function sam2NoMemEmbed(): Float32Array {
  const v = new Float32Array(EMBED_CHANNELS);
  for (let c = 128; c < EMBED_CHANNELS; c++) v[c] = 0.01 * ((c % 7) - 3);
  return v;
}

/** vision_pos_embed [4096·256], position-major: a 2D sine encoding (read by nothing but its shape). */
export function sam2VisionPosEmbed(): Float32Array {
  const v = new Float32Array(POSITIONS * EMBED_CHANNELS);
  for (let p = 0; p < POSITIONS; p++) {
    const y = Math.floor(p / EMBED_GRID);
    const x = p % EMBED_GRID;
    for (let c = 0; c < EMBED_CHANNELS; c++) {
      const f = 1 / 10000 ** ((2 * Math.floor((c % 128) / 2)) / 128);
      const t = (c < 128 ? y : x) * f;
      v[p * EMBED_CHANNELS + c] = c % 2 === 0 ? Math.sin(t) : Math.cos(t);
    }
  }
  return v;
}

/** The constants' bytes as the manifest's files hold them (raw little-endian float32). */
export function sam2MemoryConstants(): { noMemEmbed: Uint8Array; visionPosEmbed: Uint8Array } {
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return { noMemEmbed: bytes(sam2NoMemEmbed()), visionPosEmbed: bytes(sam2VisionPosEmbed()) };
}

/** The image's feature variance (summed over features) as the decoder normalises distances: [1,1,1,1]. */
function featureVariance(g: GraphBuilder, features: string): string {
  const mean = g.reduceMean(features, [2, 3], true);
  const meanOfSquares = g.reduceMean(g.square(features), [2, 3], true);
  return g.clip(g.reduceSum(g.sub(meanOfSquares, g.square(mean)), [1], true), 1e-2);
}

export function sam2MemoryEncoderGraph(): Graph {
  const g = new GraphBuilder();
  const mask = g.clip(g.scale(g.add('pred_masks_high_res', g.f32(10)), 1 / 20), 0, 1); // back to 0..1
  const onGrid = blockMean(g, mask, FRAME / GRID, 1); // [1,1,256,256]
  const features = unpackFeatures(g, 'pix_feat'); // [1,3,256,256]
  const masked = g.mul(features, onGrid);
  const maps = g.op('Concat', [onGrid, masked], { axis: attr.int(1) }, 'memory_maps'); // [1,4,256,256]
  const memory = packFeatures(g, maps, 1 + FEATURES, MEMORY_DIM); // [1,64,64,64]
  const positions = g.scale(memory, 0);
  // Computed (+ 0 × the mask), not an initializer passed through: ORT's WebGPU backend has no Identity.
  const rows = ROW_LOG_WEIGHTS.flatMap((w) => [w, ...new Array<number>(MEMORY_DIM - 1).fill(0)]);
  const zero = g.scale(g.reduceSum(onGrid, [0, 1, 2, 3], true), 0);
  const temporal = g.add(g.f32(rows, [ROW_LOG_WEIGHTS.length, 1, 1, MEMORY_DIM], 'tpos'), zero);
  g.output('maskmem_features', memory);
  g.output('maskmem_pos_enc', positions);
  g.output('maskmem_tpos_enc', temporal);
  return g.graph(
    'sam2_test_memory_encoder',
    [
      { name: 'pix_feat', type: 'float32', shape: [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID] },
      { name: 'pred_masks_high_res', type: 'float32', shape: [1, 1, FRAME, FRAME] },
    ],
    [
      { name: 'maskmem_features', type: 'float32', shape: [1, MEMORY_DIM, EMBED_GRID, EMBED_GRID] },
      { name: 'maskmem_pos_enc', type: 'float32', shape: [1, MEMORY_DIM, EMBED_GRID, EMBED_GRID] },
      { name: 'maskmem_tpos_enc', type: 'float32', shape: [ROW_LOG_WEIGHTS.length, 1, 1, MEMORY_DIM] },
    ],
  );
}

export function sam2MemoryAttentionGraph(): Graph {
  const g = new GraphBuilder();
  // The bank's slots [S,4096,64], weighted by the softmax of their log-weights (channel 0 of memory_pos).
  const slots = g.reshape('memory', [-1, POSITIONS, MEMORY_DIM]);
  const logWeights = g.slice(g.slice(g.reshape('memory_pos', [-1, POSITIONS, MEMORY_DIM]), 0, 1, 1), 0, 1, 2);
  const shifted = g.op('Exp', [
    g.sub(logWeights, g.op('ReduceMax', [logWeights], { axes: attr.ints([0]), keepdims: attr.int(1) })),
  ]);
  const weights = g.div(shifted, g.reduceSum(shifted, [0], true)); // [S,1,1]
  const mixed = g.reduceSum(g.mul(slots, weights), [0], false); // [4096,64]
  const mixedMaps = g.reshape(g.transpose(mixed, [1, 0]), [1, MEMORY_DIM, EMBED_GRID, EMBED_GRID]);
  const prior = unpackFeatures(g, mixedMaps, 1); // [1,1,256,256]
  const maskedFeatures = unpackFeatures(g, g.slice(mixedMaps, PACKED, MEMORY_DIM, 1), FEATURES); // [1,3,256,256]
  const objectFeature = g.div(
    g.reduceSum(maskedFeatures, [2, 3], true),
    g.add(g.reduceSum(prior, [2, 3], true), g.f32(1e-6)),
  ); // [1,3,1,1]

  // The slice's features, channels first; each cell is the object's when its features are nearer the
  // remembered object's than those of the prior's surroundings on this slice (a two-class nearest mean).
  const current = g.reshape(g.transpose('curr', [1, 2, 0]), [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID]);
  const features = unpackFeatures(g, current);
  const dilate = (map: string, kernel: number, gain: number) => {
    const w = g.f32(new Array(kernel * kernel).fill(1 / (kernel * kernel)), [1, 1, kernel, kernel], 'dilate_w');
    return g.clip(
      g.scale(g.op('Conv', [map, w], convAttributes(kernel, 1, 1, (kernel - 1) / 2), 'dilate'), gain),
      0,
      1,
    );
  };
  const ring = g.mul(dilate(prior, SURROUND.kernel, SURROUND.gain), g.sub(g.f32(1), g.clip(prior, 0, 1)));
  const surroundFeature = g.div(
    g.reduceSum(g.mul(features, ring), [2, 3], true),
    g.add(g.reduceSum(ring, [2, 3], true), g.f32(1e-6)),
  );
  const variance = featureVariance(g, features);
  const distanceTo = (feature: string) => g.div(g.reduceSum(g.square(g.sub(features, feature)), [1], true), variance);
  // In units of the two classes' own distance (a faint lesion counts as much as bone), and averaged over
  // a few cells first: one cell's noise can be as large as a lesion's contrast.
  const contrast = g.add(
    g.div(g.reduceSum(g.square(g.sub(objectFeature, surroundFeature)), [1], true), variance),
    g.f32(1e-4),
  );
  const margin = g.div(g.sub(distanceTo(surroundFeature), distanceTo(objectFeature)), contrast);
  const k = LIKENESS_SMOOTHING;
  const smoothW = g.f32(new Array(k * k).fill(1 / (k * k)), [1, 1, k, k], 'smooth_w');
  const smoothed = g.op('Conv', [margin, smoothW], convAttributes(k, 1, 1, (k - 1) / 2), 'smooth');
  const like = g.op('Sigmoid', [g.scale(smoothed, LIKENESS_GAIN)]);
  const pool = g.mul(prior, like);
  const proximity = g.mul(dilate(prior, DILATION.kernel, DILATION.gain), like);
  const evidence = g.clip(g.scale(g.reduceSum(pool, [2, 3], true), 1 / MIN_EVIDENCE), 0, 1); // [1,1,1,1]
  const plane = (value: string) => g.mul(g.f32(new Array(POSITIONS).fill(1), [1, 1, EMBED_GRID, EMBED_GRID]), value);

  const conditioned = g.op(
    'Concat',
    [
      g.slice(current, 0, MEMORY_CHANNELS.pool, 1),
      packFeatures(g, pool, 1, PACKED),
      packFeatures(g, proximity, 1, PACKED),
      plane(g.f32(1)),
      plane(evidence),
      g.slice(current, MEMORY_CHANNELS.end, EMBED_CHANNELS, 1),
    ],
    { axis: attr.int(1) },
    'conditioned',
  );
  // Back to sequence first; the position encodings and the pointer count only pass through (×0).
  const unused = g.add(
    g.scale(g.reduceSum('curr_pos', [0, 1, 2], true), 0),
    g.scale(g.toFloat('num_obj_ptr_tokens'), 0),
  );
  const sequence = g.transpose(g.reshape(conditioned, [1, EMBED_CHANNELS, POSITIONS]), [2, 0, 1]);
  g.output('pix_feat', g.add(sequence, unused));
  return g.graph(
    'sam2_test_memory_attention',
    [
      { name: 'curr', type: 'float32', shape: [POSITIONS, 1, EMBED_CHANNELS] },
      { name: 'memory', type: 'float32', shape: ['memory_length', 1, MEMORY_DIM] },
      { name: 'curr_pos', type: 'float32', shape: [POSITIONS, 1, EMBED_CHANNELS] },
      { name: 'memory_pos', type: 'float32', shape: ['memory_length', 1, MEMORY_DIM] },
      { name: 'num_obj_ptr_tokens', type: 'int64', shape: [] },
    ],
    [{ name: 'pix_feat', type: 'float32', shape: [POSITIONS, 1, EMBED_CHANNELS] }],
  );
}

/**
 * The stand-in decoder's prior, read from the channels memory attention wrote (all zero in the
 * encoder's own `image_embed`, so prompted decodes are unchanged): `embed` [1,256,64,64].
 */
export function memoryPrior(g: GraphBuilder, embed: string): { pool: string; proximity: string; logits: string } {
  const map = (from: number) => unpackFeatures(g, g.slice(embed, from, from + PACKED, 1), 1); // [1,1,256,256]
  const scalar = (channel: number) => g.reduceMean(g.slice(embed, channel, channel + 1, 1), [2, 3], true);
  const flag = scalar(MEMORY_CHANNELS.flag);
  const absent = g.sub(g.f32(1), scalar(MEMORY_CHANNELS.evidence));
  const proximity = map(MEMORY_CHANNELS.proximity);
  const outside = g.mul(flag, g.sub(g.f32(1), proximity));
  const logits = g.scale(g.add(g.scale(g.mul(flag, absent), ABSENT_WEIGHT), g.scale(outside, OUTSIDE_WEIGHT)), -1);
  return { pool: map(MEMORY_CHANNELS.pool), proximity, logits };
}

export function buildSam2MemoryEncoder(): Uint8Array {
  return encodeModel(sam2MemoryEncoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test memory encoder, SAM 2 video-module format (not SAM 2)',
    metadata: METADATA,
  });
}

export function buildSam2MemoryAttention(): Uint8Array {
  return encodeModel(sam2MemoryAttentionGraph(), {
    opset: 17,
    docString: 'ohif-sam test memory attention, SAM 2 video-module format (not SAM 2)',
    metadata: METADATA,
  });
}
