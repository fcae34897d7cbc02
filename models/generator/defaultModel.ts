/**
 * The project's offline default model, `intensity-similarity-v1`: "Intensity similarity segmenter (not
 * SAM)". An encoder / decoder pair in the official SAM ONNX format (family `sam`) with NO learned weights:
 * every constant below is written by hand or tuned by measurement (tools/eval/measureDefaultModel.ts).
 *
 * Encoder: `input_image` [1,3,1024,1024] (SAM-normalised, letterboxed) → 6 feature maps on the 256x256 grid
 * (one cell per 4x4 pixels), packed space-to-depth into `image_embeddings` [1,256,64,64] (samLikeCore):
 *   0 intensity, block mean over 4x4 pixels          3 texture: local standard deviation (4x4), 3x3-cell mean
 *   1 intensity, 3x3-cell mean (12x12 pixels)        4 colour: red minus green (0 for grey images)
 *   2 intensity, 5x5-cell mean (20x20 pixels)        5 colour: blue minus green (0 for grey images)
 * The SAM normalisation is undone first, so grey images give exactly 0 colour. Values are scaled to about
 * [-2.5, 2.5] (intensity (v - 127.5) / 50 on the 0-255 scale).
 *
 * Decoder: scores every grid cell by how much more its features look like the prompted region than like
 * its surroundings: a naive-Bayes log-likelihood ratio (LLR), the weighted sum over the features of
 * log(h_fg + eps) - log(h_bg + eps), where h are per-feature histograms (`bins` triangular bins on
 * [binLow, binHigh]) of foreground and background weights taken on a 64x64 statistics grid; every 256-grid
 * cell then reads the ratio at its own feature values (tables refined by linear interpolation).
 *  - Box (corners labelled 2 and 3): foreground = the box's inside, background = a ring just outside it
 *    (a tight box has nothing of the object outside). `box.iterations` EM-like rounds move the inside
 *    cells that look like background to the background side. Cells outside the box (grown by `box.grow`
 *    pixels) are background. Include points add foreground weight around them.
 *  - Points only: foreground = Gaussians around the include points; background = a ring from R to
 *    `ringOuter` * R around them; cells beyond R lose logits quadratically. Each candidate has its own
 *    scale R (`points.radii`, divided by sqrt(include points) and grown with their spread) and its
 *    foreground Gaussians widen with R.
 *  - Exclude points (label 0) add background weight around them and remove logits near them.
 *  - `mask_input` (previous low-res logits) is added, weighted and clipped, when `has_mask_input` = 1.
 * Candidates, like the export without `return_single_mask`: index 0 = the single-mask answer, 1-3 the
 * multimask ones. Box: 0 = medium, 1 tight, 2 medium, 3 loose (LLR offsets). Points: 0 = medium scale,
 * 1 small, 2 large, 3 whole. Predicted IoU = a per-candidate prior, lowered by instability (how much the
 * mask changes between logits > +1 and > -1): a heuristic, not a learned estimate.
 * `masks` are computed as the official decoder does (samOfficialModel.officialMaskOutputs).
 *
 * The masks are meant to be post-processed with the core's `cleanUpMask` (keep the components the prompt
 * anchors, fill holes): that step is part of this model's pipeline (SamModel.decode's `cleanup` option).
 * All ops are in onnxruntime-web's WASM and WebGPU operator tables; every Conv has all its attributes.
 */
import { GraphBuilder } from './graphBuilder';
import { attr, encodeModel, type Graph } from './onnxModel';
import {
  CELL,
  EMBED_CHANNELS,
  EMBED_GRID,
  FRAME,
  GRID,
  GridMaps,
  blockMean,
  convAttributes,
  officialStylePrompts,
  packFeatures,
  splitCoordinates,
  unpackFeatures,
} from './samLikeCore';
import { OFFICIAL_DECODER_INPUTS, OFFICIAL_DECODER_OUTPUTS, officialMaskOutputs } from './samOfficialModel';

export const DEFAULT_MODEL_ID = 'intensity-similarity-v1';
export const DEFAULT_MODEL_ENCODER_FILE = `${DEFAULT_MODEL_ID}/encoder.onnx`;
export const DEFAULT_MODEL_DECODER_FILE = `${DEFAULT_MODEL_ID}/decoder.onnx`;

/** Feature maps the encoder writes into the embedding. */
export const DEFAULT_MODEL_FEATURES = 6;

/** SAM's pixel normalisation (families.ts), undone by the encoder: x = (v - mean) / std. */
const SAM_MEAN = [123.675, 116.28, 103.53] as const;
const SAM_STD = [58.395, 57.12, 57.375] as const;

/** The statistics grid: histograms are taken on GRID / 4 cells a side (16x16 pixels of the frame each). */
const STATS_GRID = GRID / 4;
/** The ratio tables are refined this many times before the 256-grid cells read them (nearest row). */
const READ_BACK_REFINE = 4;

export interface SimilarityModelParams {
  /** 0-255 intensity v becomes (v - intensityCentre) / intensityScale; colour differences / intensityScale. */
  intensityCentre: number;
  intensityScale: number;
  /** Texture feature = textureGain * (local std / intensityScale) + textureOffset. */
  textureGain: number;
  textureOffset: number;
  /** Weight of each feature's LLR in the sum (intensity x3, texture, colour x2). */
  featureWeights: readonly number[];
  bins: number;
  binLow: number;
  binHigh: number;
  /** Added to both histograms before the ratio (empty bins). */
  epsilon: number;
  box: {
    /** Pixels (1024 frame) the box is grown by on each side before it limits the mask. */
    grow: number;
    /** Softness (pixels) of the box's edges in the weights. */
    edge: number;
    /** Background ring width: this fraction of the box's longer side, at least `ringMin` pixels. */
    ring: number;
    ringMin: number;
    iterations: number;
    /** Weight of inside cells that look like background in the background histogram. */
    insideBackground: number;
    /** Gaussian (sigma, pixels) and weight of an include point's foreground evidence. */
    pointSigma: number;
    pointWeight: number;
    /** LLR offsets of the tight, medium and loose candidates. */
    offsets: readonly [number, number, number];
    /** Predicted-IoU priors of the candidates 0-3. */
    iouPrior: readonly [number, number, number, number];
    /** How much a candidate's instability lowers its predicted IoU (0: the prior alone). */
    stabilityWeight: number;
  };
  points: {
    /** Sigma (pixels) of the foreground Gaussians around include points, widened by `foregroundFraction` of R. */
    foregroundSigma: number;
    foregroundFraction: number;

    /** Scale R (pixels) of the candidates 0-3 (medium, small, large, whole) for one point. */
    radii: readonly [number, number, number, number];
    /** R grows with the spread of several include points (sqrt of the mean squared distance to their mean). */
    spreadFactors: readonly [number, number, number, number];
    /** R is divided by (number of include points) ^ countPower before the spread is added. */
    countPower: number;
    /** Background ring from R to ringOuter * R, soft edges of `ringEdge` pixels. */
    ringOuter: number;
    ringEdge: number;
    /** Logits lost at distance d > R from the nearest include point: spatialWeight * (d / R - 1)^2. */
    spatialWeight: number;
    iouPrior: readonly [number, number, number, number];
    stabilityWeight: number;
  };
  negative: { sigma: number; weight: number; backgroundWeight: number };
  maskInput: { weight: number; clip: number };
  /** Logit given to cells outside the box or the image. */
  outsideLogit: number;
}

export const DEFAULT_MODEL_PARAMS: SimilarityModelParams = {
  intensityCentre: 127.5,
  intensityScale: 50,
  textureGain: 2,
  textureOffset: -2.3,
  featureWeights: [1, 1, 1, 0.5, 1, 1],
  bins: 32,
  binLow: -2.6,
  binHigh: 2.6,
  epsilon: 1e-3,
  box: {
    grow: 2,
    edge: 1,
    ring: 0.15,
    ringMin: 12,
    iterations: 2,
    insideBackground: 0.5,
    pointSigma: 16,
    pointWeight: 3,
    offsets: [-1, 0, 1],
    iouPrior: [1, 0.9, 0.95, 0.9],
    stabilityWeight: 1,
  },
  points: {
    foregroundSigma: 8,
    foregroundFraction: 0.1,

    radii: [100, 32, 250, 600],
    spreadFactors: [0.75, 0.4, 1.5, 2.5],
    countPower: 0.5,
    ringOuter: 3,
    ringEdge: 4,
    spatialWeight: 20,
    iouPrior: [1, 0.8, 0.8, 0.7],
    stabilityWeight: 0.3,
  },
  negative: { sigma: 12, weight: 8, backgroundWeight: 1 },
  maskInput: { weight: 0.15, clip: 10 },
  outsideLogit: -20,
};

const METADATA = {
  family: 'sam',
  model: DEFAULT_MODEL_ID,
  purpose:
    'offline default: intensity/texture histogram similarity to the prompted region; no learned weights; not Segment Anything',
};

// ---------------------------------------------------------------------------------------------
// Encoder

function conv(g: GraphBuilder, x: string, w: string, attributes: ReturnType<typeof convAttributes>, b?: string) {
  return g.op('Conv', b ? [x, w, b] : [x, w], attributes, 'conv');
}

/** A depthwise mean over a k x k window, stride 1, zero padding (k odd): same size out. */
function smooth(g: GraphBuilder, x: string, channels: number, k: number): string {
  const w = g.f32(new Array(channels * k * k).fill(1 / (k * k)), [channels, 1, k, k], 'smooth_w');
  return conv(g, x, w, convAttributes(k, 1, channels, (k - 1) / 2));
}

/** [1,3,1024,1024] SAM-normalised image → [1,6,256,256] features (see the file comment). */
export function similarityFeatures(g: GraphBuilder, image: string, p: SimilarityModelParams): string {
  // 1x1 Conv undoing the normalisation (v_c = x_c * std_c + mean_c) into grey, R - G and B - G, scaled.
  const s = p.intensityScale;
  const weights = [
    ...SAM_STD.map((sd) => sd / (3 * s)),
    SAM_STD[0] / s,
    -SAM_STD[1] / s,
    0,
    0,
    -SAM_STD[1] / s,
    SAM_STD[2] / s,
  ];
  const bias = [
    ((SAM_MEAN[0] + SAM_MEAN[1] + SAM_MEAN[2]) / 3 - p.intensityCentre) / s,
    (SAM_MEAN[0] - SAM_MEAN[1]) / s,
    (SAM_MEAN[2] - SAM_MEAN[1]) / s,
  ];
  const channels = conv(
    g,
    image,
    g.f32(weights, [3, 3, 1, 1], 'unnormalise_w'),
    convAttributes(1, 1, 1),
    g.f32(bias, [3]),
  );
  const cells = blockMean(g, channels, CELL, 3); // [1,3,256,256]: intensity, R - G, B - G
  const intensity = g.slice(cells, 0, 1, 1);
  const colour = g.slice(cells, 1, 3, 1);

  // Local standard deviation of the intensity within each cell (in intensity units), then smoothed.
  const grey = g.slice(channels, 0, 1, 1);
  const meanOfSquares = blockMean(g, g.square(grey), CELL, 1);
  const variance = g.clip(g.sub(meanOfSquares, g.square(intensity)), 0);
  const deviation = g.op('Sqrt', [g.add(variance, g.f32(1e-8))]);
  const texture = g.add(g.scale(smooth(g, deviation, 1, 3), p.textureGain), g.f32(p.textureOffset));

  return g.op(
    'Concat',
    [intensity, smooth(g, intensity, 1, 3), smooth(g, intensity, 1, 5), texture, colour],
    { axis: attr.int(1) },
    'features',
  );
}

export function defaultEncoderGraph(p: SimilarityModelParams = DEFAULT_MODEL_PARAMS): Graph {
  const g = new GraphBuilder();
  const features = similarityFeatures(g, 'input_image', p);
  g.output('image_embeddings', packFeatures(g, features, DEFAULT_MODEL_FEATURES));
  return g.graph(
    'intensity_similarity_encoder',
    [{ name: 'input_image', type: 'float32', shape: [1, 3, FRAME, FRAME] }],
    [{ name: 'image_embeddings', type: 'float32', shape: [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID] }],
  );
}

// ---------------------------------------------------------------------------------------------
// Decoder

/** The histogram machinery: memberships on the statistics grid, ratio tables, read-back at 256. */
class Histograms {
  private readonly f: number;
  private readonly nb: number;
  private readonly step: number;
  /** [F*nb, S*S] triangular bin memberships of every statistics cell. */
  readonly memberships: string;
  /** Rows per feature in the refined table. */
  private readonly fine: number;
  /** [F, G*G] int64: each cell's row in the refined table of all features, [F*fine, K]. */
  private readonly rows: string;
  /** [1, fine, nb]: bins → refined table. */
  private readonly refine: string;
  /** [F*nb, 1]: each feature's weight, repeated over its bins. */
  private readonly weights: string;

  constructor(
    private readonly g: GraphBuilder,
    features: string,
    private readonly p: SimilarityModelParams,
  ) {
    const F = DEFAULT_MODEL_FEATURES;
    this.f = F;
    this.nb = p.bins;
    this.step = (p.binHigh - p.binLow) / (p.bins - 1);
    this.fine = (p.bins - 1) * READ_BACK_REFINE + 1;
    const clipped = g.clip(features, p.binLow, p.binHigh); // [1,F,G,G]

    // Statistics grid: 2x2 means, [F, 1, S*S] against the bin centres [1, nb, 1].
    const coarse = blockMean(g, clipped, GRID / STATS_GRID, F);
    const flat = g.reshape(coarse, [F, 1, STATS_GRID * STATS_GRID]);
    const centres = Array.from({ length: this.nb }, (_, b) => p.binLow + b * this.step);
    const distance = g.op('Abs', [g.sub(flat, g.f32(centres, [1, this.nb, 1], 'bin_centres'))]);
    const membership = g.op('Relu', [g.sub(g.f32(1), g.scale(distance, 1 / this.step))]);
    this.memberships = g.reshape(membership, [F * this.nb, STATS_GRID * STATS_GRID]);

    // Read-back: each 256-grid cell's row in a table refined `READ_BACK_REFINE` times by linear interpolation.
    const position = g.clip(
      g.scale(g.sub(g.reshape(clipped, [F, GRID * GRID]), g.f32(p.binLow)), READ_BACK_REFINE / this.step),
      0,
      (this.nb - 1) * READ_BACK_REFINE,
    );
    const offsets = g.f32(
      Array.from({ length: F }, (_, k) => k * this.fine),
      [F, 1],
      'feature_offsets',
    );
    this.rows = g.op('Cast', [g.add(g.op('Floor', [g.add(position, g.f32(0.5))]), offsets)], { to: attr.int(7) });
    // [fine, nb] linear interpolation from the bins to the refined table.
    const refine = new Float32Array(this.fine * this.nb);
    for (let i = 0; i < this.fine; i++) {
      const b = i / READ_BACK_REFINE;
      const lo = Math.min(Math.floor(b), this.nb - 2);
      refine[i * this.nb + lo] = 1 - (b - lo);
      refine[i * this.nb + lo + 1] = b - lo;
    }
    this.refine = g.f32(refine, [1, this.fine, this.nb], 'refine');
    const weights = p.featureWeights.flatMap((w) => new Array<number>(this.nb).fill(w));
    this.weights = g.f32(weights, [F * this.nb, 1], 'feature_weights');
  }

  /**
   * Ratio tables [F*nb, K] for K foreground / background weight pairs on the statistics grid:
   * weight_f * (log(h_fg + eps) - log(h_bg + eps)). `fg` is [Kf, S*S] (Kf = 1 or K), `bg` [K, S*S].
   */
  tables(fg: string, bg: string): string {
    const g = this.g;
    const histogram = (w: string) => {
      const sums = g.op('MatMul', [this.memberships, g.transpose(w, [1, 0])], undefined, 'histogram'); // [F*nb, K]
      const total = g.add(g.reduceSum(w, [1], false), g.f32(1e-9)); // [K]
      return g.div(sums, total);
    };
    const logOf = (h: string) => g.op('Log', [g.add(h, g.f32(this.p.epsilon))]);
    const ratio = g.sub(logOf(histogram(fg)), logOf(histogram(bg))); // [F*nb, K]
    return g.mul(ratio, this.weights);
  }

  /** LLR of every statistics cell: [K, S*S]. */
  coarseLlr(tables: string): string {
    return this.g.op('MatMul', [this.g.transpose(tables, [1, 0]), this.memberships], undefined, 'llr_coarse');
  }

  /**
   * LLR of every 256-grid cell, summed over the features: [K, G*G]. The tables are refined (linear
   * interpolation between bins) and each cell reads the row nearest to its feature values (K values a row).
   */
  llr(tables: string, count: number): string {
    const g = this.g;
    const perFeature = g.reshape(tables, [this.f, this.nb, count]);
    const refined = g.reshape(g.op('MatMul', [this.refine, perFeature], undefined, 'refined'), [
      this.f * this.fine,
      count,
    ]);
    const read = g.op('Gather', [refined, this.rows], { axis: attr.int(0) }); // [F, G*G, K]
    const summed = g.reduceSum(read, [0], false); // [G*G, K]
    return count === 1 ? g.reshape(summed, [1, GRID * GRID]) : g.transpose(summed, [1, 0]);
  }
}

/** [K, G, G] weight maps → [K, S*S] on the statistics grid (block means). */
function toStatsGrid(g: GraphBuilder, maps: string, count: number): string {
  const block = GRID / STATS_GRID;
  const pooled = blockMean(g, g.reshape(maps, [count, 1, GRID, GRID]), block, 1);
  return g.reshape(pooled, [count, STATS_GRID * STATS_GRID]);
}

const sigmoid = (g: GraphBuilder, x: string) => g.op('Sigmoid', [x]);

/** Soft stability score per candidate, [K]: sum(sigmoid(4(l - 1))) / (sum(sigmoid(4(l + 1))) + 1). */
function stability(g: GraphBuilder, logits: string): string {
  const soft = (offset: number) => g.reduceSum(sigmoid(g, g.scale(g.add(logits, g.f32(offset)), 4)), [1, 2], false);
  return g.div(soft(-1), g.add(soft(1), g.f32(1)));
}

export function defaultDecoderGraph(p: SimilarityModelParams = DEFAULT_MODEL_PARAMS): Graph {
  const g = new GraphBuilder();
  const maps = new GridMaps(g);
  const G = GRID;
  const features = unpackFeatures(g, 'image_embeddings', DEFAULT_MODEL_FEATURES); // [1,F,G,G]
  const hist = new Histograms(g, features, p);

  // Prompts: [B=1,Q=1,N] coordinates in the 1024 frame; box corners [1,1,1].
  const { x, y } = splitCoordinates(g, g.unsqueeze('point_coords', [0]), 3);
  const prompts = officialStylePrompts(g, x, y, g.unsqueeze('point_labels', [0]));
  const centres = g.f32(
    Array.from({ length: G }, (_, j) => CELL * j + (CELL - 1) / 2),
    [G],
    'cell_centres',
  );
  const column = (v: string) => g.reshape(v, [G, 1]);
  const row = (v: string) => g.reshape(v, [1, G]);
  const scalar = (v: string) => g.reshape(v, [1]);

  // The image's part of the frame (the rest is letterbox padding): [G, G] of 0 / 1.
  const longest = g.op('ReduceMax', ['orig_im_size'], { axes: attr.ints([0]), keepdims: attr.int(1) });
  const resized = g.op('Floor', [g.add(g.mul('orig_im_size', g.div(g.f32(FRAME), longest)), g.f32(0.5))]);
  const below = (limit: string) => g.toFloat(g.op('Greater', [limit, centres]));
  const valid = g.mul(column(below(g.pick(resized, 0, 0))), row(below(g.pick(resized, 1, 0))));

  // Gaussian sums around points with the given per-point weights [1,1,N], as [G, G].
  const dx2 = maps.squaredDistances(x);
  const dy2 = maps.squaredDistances(y);
  const pointMap = (sigma: number, weights: string) =>
    g.reshape(maps.combine(maps.gaussianProfile(dy2, sigma), maps.gaussianProfile(dx2, sigma), weights), [G, G]);
  const negatives = pointMap(p.negative.sigma, prompts.negative);
  const negativeBackground = g.scale(g.mul(negatives, valid), p.negative.backgroundWeight);
  const maskTerm = g.mul(
    g.scale(g.clip(g.reshape('mask_input', [1, G, G]), -p.maskInput.clip, p.maskInput.clip), p.maskInput.weight),
    g.reshape('has_mask_input', [1, 1, 1]),
  );
  const finish = (llr: string, count: number) =>
    g.sub(g.reshape(llr, [count, G, G]), g.unsqueeze(g.scale(negatives, p.negative.weight), [0]));

  // ---- Box path.
  const { x1, y1, x2, y2, present } = prompts.boxes;
  const side = (lo: string, hi: string, margin: number | string) => {
    const m = typeof margin === 'number' ? g.f32(margin) : margin;
    const from = sigmoid(g, g.scale(g.sub(centres, g.sub(scalar(lo), m)), 1 / p.box.edge));
    const to = sigmoid(g, g.scale(g.sub(g.add(scalar(hi), m), centres), 1 / p.box.edge));
    return g.mul(from, to); // [G]
  };
  const boxPresent = g.reshape(present, [1, 1]);
  const inside = g.mul(
    g.mul(g.mul(column(side(y1, y2, p.box.grow)), row(side(x1, x2, p.box.grow))), valid),
    boxPresent,
  );
  const width = g.sub(x2, x1);
  const height = g.sub(y2, y1);
  const longer = g.scale(g.add(g.add(width, height), g.op('Abs', [g.sub(width, height)])), 0.5); // max(w, h)
  const ringMargin = g.add(g.clip(g.scale(scalar(longer), p.box.ring), p.box.ringMin), g.f32(p.box.grow));
  const grown = g.mul(column(side(y1, y2, ringMargin)), row(side(x1, x2, ringMargin)));
  const ring = g.add(g.clip(g.sub(g.mul(g.mul(grown, valid), boxPresent), inside), 0, 1), negativeBackground);
  const boxPoints = g.scale(pointMap(p.box.pointSigma, prompts.positive), p.box.pointWeight);

  const insideStats = toStatsGrid(g, inside, 1);
  const ringStats = toStatsGrid(g, ring, 1);
  const pointsStats = toStatsGrid(g, boxPoints, 1);
  let fg = g.add(insideStats, pointsStats);
  let bg = ringStats;
  for (let i = 0; i < p.box.iterations; i++) {
    const posterior = sigmoid(g, hist.coarseLlr(hist.tables(fg, bg)));
    fg = g.add(g.mul(insideStats, posterior), pointsStats);
    bg = g.add(ringStats, g.scale(g.mul(insideStats, g.sub(g.f32(1), posterior)), p.box.insideBackground));
  }
  const boxLlr = finish(hist.llr(hist.tables(fg, bg), 1), 1); // [1,G,G]
  const [tight, medium, loose] = p.box.offsets;
  const boxOffsets = g.f32([medium, tight, medium, loose], [4, 1, 1], 'box_offsets');
  const inBox = g.toFloat(g.op('Greater', [inside, g.f32(0.5)]));
  const boxLogits = g.add(g.mul(g.add(boxLlr, boxOffsets), inBox), g.scale(g.sub(g.f32(1), inBox), p.outsideLogit)); // [4,G,G]

  // ---- Points path (no box).
  const positive = g.reshape(prompts.positive, [-1]); // [N]
  const count = g.reduceSum(positive, [0], true); // [1]
  const safeCount = g.clip(count, 1);
  const meanOf = (v: string) => g.div(g.reduceSum(g.mul(positive, g.reshape(v, [-1])), [0], true), safeCount);
  const cx = meanOf(x);
  const cy = meanOf(y);
  const spreadSquared = meanOf(g.add(g.square(g.sub(g.reshape(x, [-1]), cx)), g.square(g.sub(g.reshape(y, [-1]), cy))));
  const spread = g.op('Sqrt', [g.add(spreadSquared, g.f32(1e-6))]);
  const shrink = g.op('Exp', [g.scale(g.op('Log', [safeCount]), -p.points.countPower)]);
  const radii = g.op('Sqrt', [
    g.add(
      g.square(g.mul(g.f32(p.points.radii, [4], 'radii'), shrink)),
      g.square(g.mul(g.f32(p.points.spreadFactors, [4], 'spread_factors'), spread)),
    ),
  ]); // [4]
  // Distance of every cell to the nearest include point (others pushed far away): [G, G].
  const far = g.scale(g.sub(g.f32(1), positive), 1e8); // [N]
  const d2 = g.add(g.add(g.reshape(dy2, [-1, G, 1]), g.reshape(dx2, [-1, 1, G])), g.reshape(far, [-1, 1, 1])); // [N,G,G]
  const nearest = g.op('Sqrt', [
    g.clip(g.op('ReduceMin', [d2], { axes: attr.ints([0]), keepdims: attr.int(0) }), 0, 1e8),
  ]);
  const r = g.reshape(radii, [4, 1, 1]);
  const ringEdge = 1 / p.points.ringEdge;
  const outerRing = g.mul(
    g.mul(
      sigmoid(g, g.scale(g.sub(nearest, r), ringEdge)),
      sigmoid(g, g.scale(g.sub(g.scale(r, p.points.ringOuter), nearest), ringEdge)),
    ),
    valid,
  ); // [4,G,G]
  const pointBackground = g.add(outerRing, negativeBackground);
  // Foreground Gaussians widen with the candidate's scale: sigma_k = sqrt(sigma^2 + (fraction * R_k)^2).
  const foregroundSigmas = g.op('Sqrt', [
    g.add(g.f32(p.points.foregroundSigma ** 2), g.square(g.scale(radii, p.points.foregroundFraction))),
  ]);
  const sigmas = g.reshape(foregroundSigmas, [4, 1, 1]);
  const pointForeground = g.mul(
    g.reshape(maps.combine(maps.gaussianProfile(dy2, sigmas), maps.gaussianProfile(dx2, sigmas), prompts.positive), [
      4,
      G,
      G,
    ]),
    valid,
  );
  const pointTables = hist.tables(toStatsGrid(g, pointForeground, 4), toStatsGrid(g, pointBackground, 4));
  const beyond = g.op('Relu', [g.sub(g.div(nearest, r), g.f32(1))]);
  const pointLogits = g.sub(finish(hist.llr(pointTables, 4), 4), g.scale(g.square(beyond), p.points.spatialWeight));

  // ---- Both paths: choose by the box's presence, keep to the image, add mask_input.
  const anyBox = g.reshape(present, [1, 1, 1]);
  const chosen = g.add(g.mul(boxLogits, anyBox), g.mul(pointLogits, g.sub(g.f32(1), anyBox)));
  const inImage = g.add(g.mul(chosen, valid), g.scale(g.sub(g.f32(1), valid), p.outsideLogit));
  const logits = g.add(inImage, maskTerm); // [4,G,G]
  // Predicted IoU: prior * (1 - stabilityWeight * (1 - stability)), with the box's or the points' constants.
  const hasBox = g.reshape(present, [1]);
  const noBox = g.sub(g.f32(1), hasBox);
  const either = (box: readonly number[], points: readonly number[], hint: string) =>
    g.add(
      g.mul(g.f32(box, [box.length], `box_${hint}`), hasBox),
      g.mul(g.f32(points, [points.length], `point_${hint}`), noBox),
    );
  const prior = either(p.box.iouPrior, p.points.iouPrior, 'iou_prior');
  const weight = either([p.box.stabilityWeight], [p.points.stabilityWeight], 'stability_weight');
  const instability = g.sub(g.f32(1), stability(g, logits));
  const iou = g.reshape(g.mul(prior, g.sub(g.f32(1), g.mul(weight, instability))), [1, 4]);
  officialMaskOutputs(g, g.reshape(logits, [1, 4, G, G]), iou);

  return g.graph('intensity_similarity_decoder', OFFICIAL_DECODER_INPUTS, OFFICIAL_DECODER_OUTPUTS);
}

export function buildDefaultEncoder(p: SimilarityModelParams = DEFAULT_MODEL_PARAMS): Uint8Array {
  return encodeModel(defaultEncoderGraph(p), {
    opset: 17,
    docString: `${DEFAULT_MODEL_ID} encoder: multi-scale intensity, texture and colour features (not SAM)`,
    metadata: METADATA,
  });
}

export function buildDefaultDecoder(p: SimilarityModelParams = DEFAULT_MODEL_PARAMS): Uint8Array {
  return encodeModel(defaultDecoderGraph(p), {
    opset: 17,
    docString: `${DEFAULT_MODEL_ID} decoder: histogram similarity to the prompted region (not SAM)`,
    metadata: METADATA,
  });
}
