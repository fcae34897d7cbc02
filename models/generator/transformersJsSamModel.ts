/**
 * Stand-ins for the Transformers.js SAM / SlimSAM exports (`vision_encoder.onnx` +
 * `prompt_encoder_mask_decoder.onnx`, as Xenova/onnx-community publish them), with their inputs and
 * outputs. For tests; NOT SAM.
 *
 * Vision encoder: `pixel_values` [B,3,1024,1024] → 4x4 block means packed space-to-depth into
 * `image_embeddings` [B,256,64,64] (as in `samLikeCore.ts`), and `image_positional_embeddings`
 * [B,256,64,64]: like SAM's, sin / cos of fixed frequencies times the cell coordinates (the same for
 * every image; the decoder does not need it but requires it, as the real one does).
 * Decoder: the shared prompt decoder on the unpacked features; B images x `point_batch_size` queries
 * (`input_points` [B,pb,n,2], int64 `input_labels` 1 / 0, -10 padding and -1 "not a point" ignored),
 * `input_boxes` [B,nb,4] (x1, y1, x2, y2; a box with x2 <= x1 or y2 <= y1 is ignored, nb may be 0)
 * applied to every query of its image → `iou_scores` [B,pb,3], `pred_masks` [B,pb,3,256,256]
 * (tight, medium, loose logits at low resolution).
 *
 * The optional box: the default Transformers.js exports have only points; box support came in a
 * separate export (Xenova/slimsam-77-uniform, revision `boxes`) and Transformers.js passes
 * `input_boxes` only when given. An ONNX graph has no optional inputs, so here `input_boxes` is an
 * input that must always be fed (nb = 0, or a degenerate box, for none).
 */
import { GraphBuilder } from './graphBuilder';
import { attr, encodeModel, type Graph } from './onnxModel';
import {
  EMBED_CHANNELS,
  EMBED_GRID,
  GRID,
  decodePrompts,
  imageFeatures,
  labelIs,
  packFeatures,
  splitCoordinates,
  unpackFeatures,
} from './samLikeCore';

export const TRANSFORMERS_JS_ENCODER_FILE = 'test/transformersjs.vision_encoder.onnx';
export const TRANSFORMERS_JS_DECODER_FILE = 'test/transformersjs.prompt_encoder_mask_decoder.onnx';

const METADATA = {
  family: 'transformersjs-sam',
  purpose: 'test stand-in with the I/O of the Transformers.js SAM / SlimSAM exports; not Segment Anything',
};

const EMBEDDING_SHAPE = ['batch_size', EMBED_CHANNELS, EMBED_GRID, EMBED_GRID];

/** [B,256,64,64]: channel k < 128 is sin(2 pi (a_k u + b_k v)), channel 128 + k the cosine (u, v in [-1, 1]). */
function positionalEmbeddings(g: GraphBuilder, batchOf: string): string {
  const coordinates = Array.from({ length: EMBED_GRID }, (_, j) => (2 * (j + 0.5)) / EMBED_GRID - 1);
  const u = g.op('Expand', [g.f32(coordinates, [1, 1, 1, EMBED_GRID]), g.i64([1, 1, EMBED_GRID, EMBED_GRID])]);
  const v = g.op('Expand', [g.f32(coordinates, [1, 1, EMBED_GRID, 1]), g.i64([1, 1, EMBED_GRID, EMBED_GRID])]);
  const uv = g.op('Concat', [u, v], { axis: attr.int(1) });
  const half = EMBED_CHANNELS / 2;
  const weights: number[] = [];
  const bias: number[] = [];
  for (let c = 0; c < EMBED_CHANNELS; c++) {
    const k = c % half;
    // Fixed, spread-out frequencies (cycles across the image) in both directions.
    weights.push(2 * Math.PI * (((k * 7) % 17) - 8) * 0.25, 2 * Math.PI * (((k * 11) % 19) - 9) * 0.25);
    bias.push(c < half ? 0 : Math.PI / 2);
  }
  const projected = g.op(
    'Conv',
    [uv, g.f32(weights, [EMBED_CHANNELS, 2, 1, 1]), g.f32(bias, [EMBED_CHANNELS])],
    {
      kernel_shape: attr.ints([1, 1]),
      strides: attr.ints([1, 1]),
      pads: attr.ints([0, 0, 0, 0]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    },
    'fourier',
  );
  const single = g.op('Sin', [projected]); // [1,256,64,64]
  const batch = g.op('Shape', [batchOf], { start: attr.int(0), end: attr.int(1) });
  const shape = g.op('Concat', [batch, g.i64([EMBED_CHANNELS, EMBED_GRID, EMBED_GRID])], { axis: attr.int(0) });
  return g.op('Expand', [single, shape]);
}

export function transformersJsEncoderGraph(): Graph {
  const g = new GraphBuilder();
  g.output('image_embeddings', packFeatures(g, imageFeatures(g, 'pixel_values')));
  g.output('image_positional_embeddings', positionalEmbeddings(g, 'pixel_values'));
  return g.graph(
    'transformersjs_sam_test_vision_encoder',
    [{ name: 'pixel_values', type: 'float32', shape: ['batch_size', 3, 1024, 1024] }],
    [
      { name: 'image_embeddings', type: 'float32', shape: EMBEDDING_SHAPE },
      { name: 'image_positional_embeddings', type: 'float32', shape: EMBEDDING_SHAPE },
    ],
  );
}

export function buildTransformersJsEncoder(): Uint8Array {
  return encodeModel(transformersJsEncoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test vision encoder, Transformers.js SAM format (not SAM)',
    metadata: METADATA,
  });
}

export function transformersJsDecoderGraph(): Graph {
  const g = new GraphBuilder();
  const features = unpackFeatures(g, 'image_embeddings');
  const { x, y } = splitCoordinates(g, 'input_points', 3); // [B,pb,n]
  const labels = g.toFloat('input_labels');
  // Boxes [B,nb,4] → [B,1,nb+1] per coordinate: every query of an image sees its image's boxes. A
  // degenerate all-zero box is appended so that no tensor is empty when nb = 0 (ORT WASM's batched
  // MatMul with an empty inner dimension gave garbage for the second image).
  const batch = g.op('Shape', ['input_boxes'], { start: attr.int(0), end: attr.int(1) });
  const noBoxShape = g.op('Concat', [batch, g.i64([1, 4])], { axis: attr.int(0) });
  const noBox = g.op('Expand', [g.f32([0, 0, 0, 0], [1, 1, 4]), noBoxShape]);
  const boxes = g.unsqueeze(g.op('Concat', ['input_boxes', noBox], { axis: attr.int(1) }), [1]);
  const [x1, y1, x2, y2] = [0, 1, 2, 3].map((i) => g.pick(boxes, i, 3)) as [string, string, string, string];
  const nonEmpty = (lo: string, hi: string) => g.toFloat(g.op('Greater', [hi, lo]));
  const decoded = decodePrompts(g, features, {
    x,
    y,
    positive: labelIs(g, labels, 1),
    negative: labelIs(g, labels, 0),
    boxes: { x1, y1, x2, y2, present: g.mul(nonEmpty(x1, x2), nonEmpty(y1, y2)) },
  });
  g.output('iou_scores', decoded.iou);
  g.output('pred_masks', decoded.logits);

  return g.graph(
    'transformersjs_sam_test_prompt_encoder_mask_decoder',
    [
      { name: 'input_points', type: 'float32', shape: ['batch_size', 'point_batch_size', 'nb_points_per_image', 2] },
      { name: 'input_labels', type: 'int64', shape: ['batch_size', 'point_batch_size', 'nb_points_per_image'] },
      { name: 'input_boxes', type: 'float32', shape: ['batch_size', 'nb_boxes', 4] },
      { name: 'image_embeddings', type: 'float32', shape: EMBEDDING_SHAPE },
      { name: 'image_positional_embeddings', type: 'float32', shape: EMBEDDING_SHAPE },
    ],
    [
      { name: 'iou_scores', type: 'float32', shape: ['batch_size', 'point_batch_size', 3] },
      { name: 'pred_masks', type: 'float32', shape: ['batch_size', 'point_batch_size', 3, GRID, GRID] },
    ],
  );
}

export function buildTransformersJsDecoder(): Uint8Array {
  return encodeModel(transformersJsDecoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test prompt encoder + mask decoder, Transformers.js SAM format (not SAM)',
    metadata: METADATA,
  });
}
