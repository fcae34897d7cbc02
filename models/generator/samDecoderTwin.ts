/**
 * A compute twin of Segment Anything's prompt decoder, as the official ONNX export runs it (SAM ViT-B,
 * -L and -H share this decoder): the same operations on the same tensor sizes, with SEEDED RANDOM
 * WEIGHTS. It segments nothing; it exists so the decoder's cost can be measured on a machine that cannot
 * download SAM's weights (a graph's run time depends on its operations and sizes, not on its weights).
 *
 * Architecture (segment_anything/modeling, SamOnnxModel): prompt encoder (random Fourier positional
 * encoding of the points, label embeddings; mask downscaling convs for `mask_input`), then the mask
 * decoder: tokens [iou, 4 masks, points] and a two-way transformer (depth 2, width 256, 8 heads, MLP 2048,
 * cross-attention downsampled to 128) over the 64x64 image embedding, the final token-to-image attention,
 * output upscaling (two transposed convs to 32 x 256 x 256), four hypernetwork MLPs and the IoU head; then
 * the export's mask post-processing (upsample to 1024, crop, resize to `orig_im_size`). Official I/O.
 */
import { seededRandom } from '../../extensions/sam-segmentation/src/core/protocol/random';
import { GraphBuilder } from './graphBuilder';
import { attr, encodeModel, type Graph } from './onnxModel';
import { OFFICIAL_DECODER_INPUTS, OFFICIAL_DECODER_OUTPUTS, officialMaskOutputs } from './samOfficialModel';

const DIM = 256;
const HEADS = 8;
const MLP_DIM = 2048;
const DOWNSAMPLED = DIM / 2;
const TOKENS = 5; // the IoU token and 4 mask tokens
const EMBED = 64;
const UPSCALED = 32;

/** Seeded weights: normal-ish (sum of uniforms), small, so activations stay finite. */
class Weights {
  private readonly random = seededRandom(2023);
  constructor(private readonly g: GraphBuilder) {}
  tensor(dims: number[], std = 0.02, hint = 'w'): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (this.random() + this.random() + this.random() - 1.5) * 2 * std;
    return this.g.f32(data, dims, hint);
  }
  ones(n: number): string {
    return this.g.f32(new Float32Array(n).fill(1), [n], 'ones');
  }
  zeros(n: number): string {
    return this.g.f32(new Float32Array(n), [n], 'zeros');
  }
}

/** x [..., in] → [..., out]. */
function linear(g: GraphBuilder, w: Weights, x: string, inDim: number, outDim: number): string {
  return g.add(g.op('MatMul', [x, w.tensor([inDim, outDim])]), w.tensor([outDim], 0.01, 'b'));
}

function layerNorm(g: GraphBuilder, w: Weights, x: string, dim: number, axis = -1): string {
  return g.op('LayerNormalization', [x, w.ones(dim), w.zeros(dim)], {
    axis: attr.int(axis),
    epsilon: attr.float(1e-5),
  });
}

/** GELU as torch computes it (erf form); onnxruntime fuses the pattern. */
function gelu(g: GraphBuilder, x: string): string {
  const erf = g.op('Erf', [g.scale(x, Math.SQRT1_2)]);
  return g.mul(g.scale(x, 0.5), g.add(erf, g.f32(1)));
}

/** SAM's Attention: project q, k, v to `inner`, 8 heads, softmax(q kᵀ / √d) v, project back to 256. */
function attention(g: GraphBuilder, w: Weights, q: string, k: string, v: string, inner: number): string {
  const headDim = inner / HEADS;
  const heads = (x: string) => g.transpose(g.reshape(x, [1, -1, HEADS, headDim]), [0, 2, 1, 3]);
  const qh = heads(linear(g, w, q, DIM, inner));
  const kh = heads(linear(g, w, k, DIM, inner));
  const vh = heads(linear(g, w, v, DIM, inner));
  const logits = g.scale(g.op('MatMul', [qh, g.transpose(kh, [0, 1, 3, 2])]), 1 / Math.sqrt(headDim));
  const mixed = g.op('MatMul', [g.op('Softmax', [logits], { axis: attr.int(-1) }), vh]);
  return linear(g, w, g.reshape(g.transpose(mixed, [0, 2, 1, 3]), [1, -1, inner]), inner, DIM);
}

/** A 3-layer MLP with ReLU between layers (the IoU head and the hypernetworks). */
function mlp3(g: GraphBuilder, w: Weights, x: string, hidden: number, out: number): string {
  const h1 = g.op('Relu', [linear(g, w, x, DIM, hidden)]);
  const h2 = g.op('Relu', [linear(g, w, h1, hidden, hidden)]);
  return linear(g, w, h2, hidden, out);
}

/** The sparse prompt embedding [1,N,256] of the official export's `_embed_points`. */
function embedPoints(g: GraphBuilder, w: Weights): string {
  const coords = g.scale(g.add('point_coords', g.f32(0.5)), 1 / 1024);
  const centred = g.sub(g.scale(coords, 2), g.f32(1));
  const projected = g.scale(g.op('MatMul', [centred, w.tensor([2, DIM / 2], 1, 'gaussian')]), 2 * Math.PI);
  let embedding = g.op('Concat', [g.op('Sin', [projected]), g.op('Cos', [projected])], { axis: attr.int(-1) });
  const labels = g.unsqueeze('point_labels', [2]);
  const is = (value: number) => g.toFloat(g.op('Equal', [labels, g.f32(value)]));
  const padding = is(-1);
  embedding = g.mul(embedding, g.sub(g.f32(1), padding));
  embedding = g.add(embedding, g.mul(padding, w.tensor([DIM], 0.02, 'not_a_point')));
  for (const label of [0, 1, 2, 3]) embedding = g.add(embedding, g.mul(is(label), w.tensor([DIM], 0.02, 'label')));
  return embedding;
}

/** The dense embedding [1,256,64,64]: `mask_input` downscaled, or the no-mask embedding. */
function embedMask(g: GraphBuilder, w: Weights): string {
  const conv = (x: string, cin: number, cout: number, k: number) =>
    g.op('Conv', [x, w.tensor([cout, cin, k, k], 0.1), w.tensor([cout], 0.01)], {
      kernel_shape: attr.ints([k, k]),
      strides: attr.ints([k, k]),
      pads: attr.ints([0, 0, 0, 0]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    });
  // LayerNorm2d: over channels, as a LayerNormalization on NHWC.
  const norm2d = (x: string, c: number) => g.transpose(layerNorm(g, w, g.transpose(x, [0, 2, 3, 1]), c), [0, 3, 1, 2]);
  let x = gelu(g, norm2d(conv('mask_input', 1, 4, 2), 4));
  x = gelu(g, norm2d(conv(x, 4, 16, 2), 16));
  const masked = conv(x, 16, DIM, 1);
  const has = g.reshape('has_mask_input', [1, 1, 1, 1]);
  const noMask = g.reshape(w.tensor([DIM], 0.02, 'no_mask'), [1, DIM, 1, 1]);
  return g.add(g.mul(masked, has), g.mul(noMask, g.sub(g.f32(1), has)));
}

export function samDecoderTwinGraph(): Graph {
  const g = new GraphBuilder();
  const w = new Weights(g);
  const sparse = embedPoints(g, w);
  const dense = embedMask(g, w);

  // Tokens [1, 5 + N, 256]; image [1, 4096, 256] with its positional encoding.
  const outputTokens = g.reshape(w.tensor([TOKENS, DIM], 0.02, 'output_tokens'), [1, TOKENS, DIM]);
  const tokens = g.op('Concat', [outputTokens, sparse], { axis: attr.int(1) });
  const flat = (x: string) => g.transpose(g.reshape(x, [1, DIM, EMBED * EMBED]), [0, 2, 1]);
  let keys = flat(g.add('image_embeddings', dense));
  const keyPe = flat(w.tensor([1, DIM, EMBED, EMBED], 1, 'image_pe'));
  let queries = tokens;

  for (let layer = 0; layer < 2; layer++) {
    // Self-attention of the tokens (the first layer without the positional term, as SAM).
    const q = layer === 0 ? queries : g.add(queries, tokens);
    const self = attention(g, w, q, q, queries, DIM);
    queries = layerNorm(g, w, layer === 0 ? self : g.add(queries, self), DIM);
    // Tokens attend to the image.
    const toImage = attention(g, w, g.add(queries, tokens), g.add(keys, keyPe), keys, DOWNSAMPLED);
    queries = layerNorm(g, w, g.add(queries, toImage), DIM);
    const hidden = g.op('Relu', [linear(g, w, queries, DIM, MLP_DIM)]);
    queries = layerNorm(g, w, g.add(queries, linear(g, w, hidden, MLP_DIM, DIM)), DIM);
    // The image attends to the tokens.
    const toTokens = attention(g, w, g.add(keys, keyPe), g.add(queries, tokens), queries, DOWNSAMPLED);
    keys = layerNorm(g, w, g.add(keys, toTokens), DIM);
  }
  const final = attention(g, w, g.add(queries, tokens), g.add(keys, keyPe), keys, DOWNSAMPLED);
  queries = layerNorm(g, w, g.add(queries, final), DIM);

  // Output upscaling: [1,256,64,64] → [1,64,128,128] → [1,32,256,256].
  const image = g.reshape(g.transpose(keys, [0, 2, 1]), [1, DIM, EMBED, EMBED]);
  const up = (x: string, cin: number, cout: number) =>
    g.op('ConvTranspose', [x, w.tensor([cin, cout, 2, 2], 0.05), w.tensor([cout], 0.01)], {
      kernel_shape: attr.ints([2, 2]),
      strides: attr.ints([2, 2]),
    });
  const norm2d = (x: string, c: number) => g.transpose(layerNorm(g, w, g.transpose(x, [0, 2, 3, 1]), c), [0, 3, 1, 2]);
  const upscaled = gelu(g, up(gelu(g, norm2d(up(image, DIM, 64), 64)), 64, UPSCALED));

  // One hypernetwork MLP per mask token, then masks = hyper_in @ upscaled.
  const hyper = [1, 2, 3, 4].map((t) => g.unsqueeze(mlp3(g, w, g.pick(queries, t, 1), DIM, UPSCALED), [1]));
  const hyperIn = g.op('Concat', hyper, { axis: attr.int(1) });
  const masks = g.op('MatMul', [hyperIn, g.reshape(upscaled, [1, UPSCALED, 256 * 256])]);
  const lowRes = g.reshape(masks, [1, 4, 256, 256]);
  const iou = mlp3(g, w, g.pick(queries, 0, 1), DIM, 4);

  officialMaskOutputs(g, lowRes, iou);
  return g.graph('sam_decoder_compute_twin', OFFICIAL_DECODER_INPUTS, OFFICIAL_DECODER_OUTPUTS);
}

export function buildSamDecoderTwin(): Uint8Array {
  return encodeModel(samDecoderTwinGraph(), {
    opset: 17,
    docString: 'Compute twin of the SAM ViT-B/L/H prompt decoder (official export): random weights, NOT SAM',
    metadata: { family: 'sam-official', purpose: 'decoder timing only; random weights; segments nothing' },
  });
}
