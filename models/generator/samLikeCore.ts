/**
 * The shared core of the project's SAM-like graphs (NOT Segment Anything: no learned weights).
 *
 * Encoder idea: the (already normalised) 1024x1024 image is averaged over 4x4 blocks by a depthwise
 * Conv into a feature map of F = 3 channels on a 256x256 grid (one cell per 4x4 pixels, the grid of
 * SAM's low-resolution masks). To fit the families' 64x64 embeddings, the 256x256 map is *packed*
 * space-to-depth: channel `c * 16 + sy * 4 + sx` of the 64x64 embedding holds feature c of cell
 * (4Y + sy, 4X + sx); the channels after F * 16 are zero. The decoder unpacks it, so nothing is lost
 * to the 64x64 layout and masks have 256x256 resolution. (A future default model can put up to 16
 * features — multi-scale intensity, texture — in the same layout.)
 *
 * Decoder idea, per prompt (a "query"), on the 256x256 grid whose cell j is centred on pixel index
 * 4j + 1.5 of the 1024 frame (SAM's convention: a point's coordinate is a pixel index):
 * 1. Pooling weight w: a Gaussian (sigma `poolSigma`) around each positive point, plus for a box a
 *    Gaussian around its centre (sigma a fraction of its size). The prompt's feature vector is the
 *    w-weighted mean of the features.
 * 2. Feature distance d = squared distance of each cell's features to the prompt's, divided by the
 *    image's total feature variance (so the image's overall contrast does not matter). The decoder
 *    works for any number of feature maps; weighting them is the encoder's business.
 * 3. Logits of candidate k (k = tight, medium, loose):
 *      gain * (threshold_k - d)                      similar cells are positive
 *    + spatialWeight * (proximity_k - 1)             proximity_k = clip(sum of Gaussians of sigma_k
 *                                                    around positive points + inside-box, 0, 1)
 *    - negativeWeight * sum of Gaussians around negative points
 *    - boxOutsideWeight * (1 - inside-box)           only when a box is given
 *    all times logitScale (the margin), then + maskInputWeight * clip(previous logits) where
 *    has_mask_input = 1.
 *    Tight / medium / loose differ in threshold and spatial reach: SAM's subpart / part / whole.
 * 4. Predicted IoU: a soft stability score, sum(sigmoid(4(l - 1))) / (sum(sigmoid(4(l + 1))) + 1),
 *    times a per-candidate prior that prefers the medium candidate on ties. An empty mask scores 0.
 * Separable Gaussians are combined with MatMul (rows x columns) so no [points, 256, 256] tensor is
 * ever built. Points with any other label (padding) have weight 0 and change nothing.
 *
 * All constants are in `DecoderParams` (`TEST_DECODER_PARAMS` for the test models), so an offline
 * default model can reuse this decoder with its own features and tuned parameters.
 *
 * Only ops that ORT runs on WASM and WebGPU; every Conv has explicit kernel_shape, strides, pads,
 * dilations and group.
 */
import type { GraphBuilder } from './graphBuilder';
import { attr } from './onnxModel';

/** The model input frame (longest side / stretched size) of every SAM family here. */
export const FRAME = 1024;
/** The decoder's working grid = SAM's low-resolution mask size. */
export const GRID = 256;
/** Pixels of the 1024 frame per grid cell along one axis. */
export const CELL = FRAME / GRID;
/** The families' embedding grid. */
export const EMBED_GRID = 64;
/** Grid cells per embedding cell along one axis (space-to-depth block). */
export const BLOCK = GRID / EMBED_GRID;
/** Channels of the families' image embeddings. */
export const EMBED_CHANNELS = 256;
/** Image features computed by the encoder (one per colour channel). */
export const FEATURES = 3;

export interface DecoderParams {
  /** Sigma (pixels of the 1024 frame) of the pooling Gaussian around a positive point. */
  poolSigma: number;
  /** A box's pooling Gaussian has sigma = this fraction of its width / height (at least `minBoxSigma`). */
  boxPoolFraction: number;
  minBoxSigma: number;
  /** Logits per unit of normalised feature distance. */
  featureGain: number;
  /** Normalised feature distance below which a cell is foreground, per candidate (tight, medium, loose). */
  thresholds: readonly [number, number, number];
  /** Spatial reach (sigma in pixels) of positive points, per candidate. */
  spatialSigmas: readonly [number, number, number];
  /** Logits taken from cells far from every positive point. */
  spatialWeight: number;
  negativeSigma: number;
  negativeWeight: number;
  /** Softness (pixels) of a box's edges. */
  boxEdge: number;
  boxOutsideWeight: number;
  maskInputWeight: number;
  maskInputClip: number;
  /** Multiplies every term but the mask input: the logits' margin, hence how sharp masks and IoU are. */
  logitScale: number;
  /** Multiplies each candidate's stability score (prefers the medium candidate on ties). */
  iouPrior: readonly [number, number, number];
  /** Floor of the image feature variance (all-constant images). */
  varianceFloor: number;
}

export const TEST_DECODER_PARAMS: DecoderParams = {
  poolSigma: 12,
  boxPoolFraction: 1 / 6,
  minBoxSigma: 4,
  featureGain: 2,
  thresholds: [0.5, 1, 2],
  spatialSigmas: [64, 128, 256],
  spatialWeight: 3,
  negativeSigma: 24,
  negativeWeight: 8,
  boxEdge: 4,
  boxOutsideWeight: 10,
  maskInputWeight: 0.5,
  maskInputClip: 20,
  logitScale: 4,
  iouPrior: [0.85, 1, 0.9],
  varianceFloor: 1e-2,
};

/**
 * Every Conv gets all of its attributes: ORT's WebGPU backend refuses Conv without them. Square
 * kernel, equal stride and zero padding `pad` on every side.
 */
export function convAttributes(kernel: number, stride: number, group: number, pad = 0) {
  return {
    kernel_shape: attr.ints([kernel, kernel]),
    strides: attr.ints([stride, stride]),
    pads: attr.ints([pad, pad, pad, pad]),
    dilations: attr.ints([1, 1]),
    group: attr.int(group),
  };
}

/** Depthwise mean over `block` x `block` pixel blocks: [B,F,S,S] → [B,F,S/block,S/block]. */
export function blockMean(g: GraphBuilder, x: string, block: number, channels = FEATURES): string {
  const w = g.f32(new Array(channels * block * block).fill(1 / (block * block)), [channels, 1, block, block], 'mean_w');
  return g.op('Conv', [x, w], convAttributes(block, block, channels), 'block_mean');
}

/** The encoder's feature map: [B,3,1024,1024] normalised image → [B,3,256,256]. */
export function imageFeatures(g: GraphBuilder, image: string): string {
  return blockMean(g, image, CELL);
}

/** Zero channels appended: [B,from,H,W] → [B,to,H,W]. */
export function padChannels(g: GraphBuilder, x: string, from: number, to: number): string {
  return g.op('Pad', [x, g.i64([0, 0, 0, 0, 0, to - from, 0, 0])], { mode: attr.string('constant') }, 'pad');
}

/**
 * Space-to-depth packing of `count` (at most 16) feature maps on the 256x256 grid into the 64x64
 * embedding: [B,count,256,256] → [B,channels,64,64], zero channels after count * 16.
 */
export function packFeatures(g: GraphBuilder, features: string, count = FEATURES, channels = EMBED_CHANNELS): string {
  const split = g.reshape(features, [0, count, EMBED_GRID, BLOCK, EMBED_GRID, BLOCK]); // B,c,Y,sy,X,sx
  const moved = g.transpose(split, [0, 1, 3, 5, 2, 4]); // B,c,sy,sx,Y,X
  const packed = g.reshape(moved, [0, count * BLOCK * BLOCK, EMBED_GRID, EMBED_GRID]);
  return channels === count * BLOCK * BLOCK ? packed : padChannels(g, packed, count * BLOCK * BLOCK, channels);
}

/** Inverse of `packFeatures`: [B,256,64,64] → [B,count,256,256]. */
export function unpackFeatures(g: GraphBuilder, embedding: string, count = FEATURES): string {
  const used = g.slice(embedding, 0, count * BLOCK * BLOCK, 1);
  const split = g.reshape(used, [0, count, BLOCK, BLOCK, EMBED_GRID, EMBED_GRID]); // B,c,sy,sx,Y,X
  const moved = g.transpose(split, [0, 1, 4, 2, 5, 3]); // B,c,Y,sy,X,sx
  return g.reshape(moved, [0, count, GRID, GRID]);
}

/** Prompt tensors in the core's layout: B images, Q queries per image, N points per query. */
export interface PromptTensors {
  /** Point coordinates [B,Q,N] in the 1024 frame (pixel indices, as SAM takes them). */
  x: string;
  y: string;
  /** 1 for a positive (include) point, else 0: [B,Q,N]. */
  positive: string;
  /** 1 for a negative (exclude) point, else 0: [B,Q,N]. */
  negative: string;
  /**
   * Boxes [B,Qb,M] (Qb = Q, or 1 for boxes shared by all queries); `present` is 0 or 1. Keep M >= 1
   * (add an absent box): with M = 0 and B = 2, ORT WASM gave wrong results for the second image.
   */
  boxes: { x1: string; y1: string; x2: string; y2: string; present: string };
  /** The previous low-resolution logits [B,Q,256,256] and whether to use them [B,Q,1,1]. */
  maskInput?: { logits: string; has: string };
  /**
   * A prior from elsewhere (the SAM 2 stand-in's memory): extra pooling weights and proximity [B,1,G,G],
   * and a term [B,1,1,1] or [B,1,G,G] added to every candidate's logits before the scale.
   */
  prior?: { pool: string; proximity: string; logits: string };
}

export interface DecodedPrompts {
  /** [B,Q,3,256,256] logits: tight, medium, loose. */
  logits: string;
  /** [B,Q,3] predicted IoU of each candidate. */
  iou: string;
}

/** Maps on the 256x256 grid built from per-axis profiles (shared with the default model's decoder). */
export class GridMaps {
  /** [1,1,1,G]: the pixel-index coordinate of each grid cell's centre (same for rows and columns). */
  private readonly centres: string;

  constructor(private readonly g: GraphBuilder) {
    const centres = Array.from({ length: GRID }, (_, j) => CELL * j + (CELL - 1) / 2);
    this.centres = g.f32(centres, [1, 1, 1, GRID], 'grid_centres');
  }

  /** Signed offsets [B,Q,N,G] of each grid centre from coordinates [B,Q,N]. */
  offsets(coordinate: string): string {
    return this.g.sub(this.centres, this.g.unsqueeze(coordinate, [3]));
  }

  /** Squared distances [B,Q,N,G] of each grid centre to coordinates [B,Q,N]. */
  squaredDistances(coordinate: string): string {
    return this.g.square(this.offsets(coordinate));
  }

  /**
   * sum over n of weight_n * rowProfile_n(y) * colProfile_n(x) as [B,Q,G,G]: the per-point
   * profiles are [B,Q,N,G]; MatMul sums over N without building [B,Q,N,G,G].
   */
  combine(rowProfiles: string, colProfiles: string, weights: string): string {
    const g = this.g;
    const weighted = g.mul(colProfiles, g.unsqueeze(weights, [3]));
    return g.op('MatMul', [g.transpose(rowProfiles, [0, 1, 3, 2]), weighted], undefined, 'sum_over_points');
  }

  /** exp(squaredDistance * coefficient), coefficient = -1 / (2 sigma^2) (a number or a [B,Q,N,1] tensor). */
  gaussianProfile(squaredDistance: string, sigma: number | string): string {
    const g = this.g;
    const coefficient =
      typeof sigma === 'number'
        ? g.f32(-1 / (2 * sigma * sigma))
        : g.div(g.f32(-0.5), g.unsqueeze(g.square(sigma), [3]));
    return g.op('Exp', [g.mul(squaredDistance, coefficient)]);
  }
}

/** The prompt decoder shared by every family's graph (see the file's comment). */
export function decodePrompts(
  g: GraphBuilder,
  features: string,
  prompts: PromptTensors,
  params: DecoderParams = TEST_DECODER_PARAMS,
): DecodedPrompts {
  const maps = new GridMaps(g);

  // Points: per-axis squared distances, shared by every Gaussian below.
  const dx2 = maps.squaredDistances(prompts.x);
  const dy2 = maps.squaredDistances(prompts.y);
  const pointMap = (sigma: number, weights: string) =>
    maps.combine(maps.gaussianProfile(dy2, sigma), maps.gaussianProfile(dx2, sigma), weights);

  // Boxes: a soft inside indicator and a pooling Gaussian around the centre, summed over the boxes.
  const { x1, y1, x2, y2, present } = prompts.boxes;
  const edge = g.f32(1 / params.boxEdge);
  const insideProfile = (lo: string, hi: string) => {
    const fromLo = g.op('Sigmoid', [g.mul(maps.offsets(lo), edge)]);
    const toHi = g.op('Sigmoid', [g.scale(g.mul(maps.offsets(hi), edge), -1)]);
    return g.mul(fromLo, toHi);
  };
  const insideBox = g.clip(maps.combine(insideProfile(y1, y2), insideProfile(x1, x2), present), 0, 1);
  const boxSigma = (lo: string, hi: string) =>
    g.clip(g.scale(g.sub(hi, lo), params.boxPoolFraction), params.minBoxSigma);
  const half = g.f32(0.5);
  const boxCentreX = g.mul(g.add(x1, x2), half);
  const boxCentreY = g.mul(g.add(y1, y2), half);
  const boxPool = maps.combine(
    maps.gaussianProfile(maps.squaredDistances(boxCentreY), boxSigma(y1, y2)),
    maps.gaussianProfile(maps.squaredDistances(boxCentreX), boxSigma(x1, x2)),
    present,
  );
  const anyBox = g.unsqueeze(g.clip(g.reduceSum(present, [2], true), 0, 1), [3]); // [B,Qb,1,1]

  // The prompt's feature vector: weighted mean of the features.
  let poolWeights = g.add(pointMap(params.poolSigma, prompts.positive), boxPool); // [B,Q,G,G]
  if (prompts.prior) poolWeights = g.add(poolWeights, prompts.prior.pool);
  const flatWeights = g.reshape(poolWeights, [0, 0, -1]); // [B,Q,G*G]
  const flatFeatures = g.transpose(g.reshape(features, [0, 0, -1]), [0, 2, 1]); // [B,G*G,F]
  const weightedSum = g.op('MatMul', [flatWeights, flatFeatures], undefined, 'pooled'); // [B,Q,F]
  const weightTotal = g.add(g.reduceSum(flatWeights, [2], true), g.f32(1e-6));
  const promptFeature = g.div(weightedSum, weightTotal);

  // Normalised squared feature distance of every cell to the prompt's feature vector.
  const diff = g.sub(g.unsqueeze(features, [1]), g.unsqueeze(promptFeature, [3, 4])); // [B,Q,F,G,G]
  const distance = g.reduceSum(g.square(diff), [2], false); // [B,Q,G,G]
  const mean = g.reduceMean(features, [2, 3], true);
  const meanOfSquares = g.reduceMean(g.square(features), [2, 3], true);
  const variance = g.clip(g.reduceSum(g.sub(meanOfSquares, g.square(mean)), [1], true), params.varianceFloor);
  const normalisedDistance = g.div(distance, variance);

  // Terms shared by the three candidates.
  let common = g.scale(normalisedDistance, -params.featureGain);
  common = g.sub(common, g.scale(pointMap(params.negativeSigma, prompts.negative), params.negativeWeight));
  const outsideBox = g.mul(anyBox, g.sub(g.f32(1), insideBox));
  common = g.sub(common, g.scale(outsideBox, params.boxOutsideWeight));
  if (prompts.prior) common = g.add(common, prompts.prior.logits);
  const maskTerm = prompts.maskInput
    ? g.mul(
        g.scale(g.clip(prompts.maskInput.logits, -params.maskInputClip, params.maskInputClip), params.maskInputWeight),
        prompts.maskInput.has,
      )
    : undefined;

  const logits: string[] = [];
  const ious: string[] = [];
  for (let k = 0; k < 3; k++) {
    let reach = g.add(pointMap(params.spatialSigmas[k]!, prompts.positive), insideBox);
    if (prompts.prior) reach = g.add(reach, prompts.prior.proximity);
    const proximity = g.clip(reach, 0, 1);
    const spatial = g.scale(g.sub(proximity, g.f32(1)), params.spatialWeight);
    const terms = g.add(g.add(common, spatial), g.f32(params.featureGain * params.thresholds[k]!));
    const scaled = g.scale(terms, params.logitScale);
    const candidate = maskTerm ? g.add(scaled, maskTerm) : scaled;
    logits.push(g.unsqueeze(candidate, [2]));

    const soft = (offset: number) =>
      g.reduceSum(g.op('Sigmoid', [g.scale(g.add(candidate, g.f32(offset)), 4)]), [2, 3], false);
    const stability = g.div(soft(-1), g.add(soft(1), g.f32(1)));
    ious.push(g.unsqueeze(g.scale(stability, params.iouPrior[k]!), [2]));
  }
  return {
    logits: g.op('Concat', logits, { axis: attr.int(2) }, 'candidates'),
    iou: g.op('Concat', ious, { axis: attr.int(2) }, 'candidate_iou'),
  };
}

/** Splits point coordinates [..., 2] into x and y (axis = the last axis's index). */
export function splitCoordinates(g: GraphBuilder, coords: string, axis: number): { x: string; y: string } {
  return { x: g.pick(coords, 0, axis), y: g.pick(coords, 1, axis) };
}

/** 1.0 where `labels` (float) equals `value`, else 0.0. */
export function labelIs(g: GraphBuilder, labels: string, value: number): string {
  return g.toFloat(g.op('Equal', [labels, g.f32(value)]));
}

/**
 * Official / SAM 2 prompts: labels 1 positive, 0 negative, 2 / 3 box corners, anything else
 * (-1 padding) ignored. `labels` [B,Q,N] float, coordinates [B,Q,N].
 */
export function officialStylePrompts(g: GraphBuilder, x: string, y: string, labels: string) {
  const topLeft = labelIs(g, labels, 2);
  const bottomRight = labelIs(g, labels, 3);
  const at = (weights: string, coordinate: string) => g.reduceSum(g.mul(weights, coordinate), [2], true); // [B,Q,1]
  const has = (weights: string) => g.clip(g.reduceSum(weights, [2], true), 0, 1);
  return {
    x,
    y,
    positive: labelIs(g, labels, 1),
    negative: labelIs(g, labels, 0),
    boxes: {
      x1: at(topLeft, x),
      y1: at(topLeft, y),
      x2: at(bottomRight, x),
      y2: at(bottomRight, y),
      present: g.mul(has(topLeft), has(bottomRight)),
    },
  };
}
