/**
 * Stand-ins for the official Segment Anything ONNX format (SAM ViT-B/L/H, MobileSAM, MedSAM via the
 * official decoder export), with exactly its inputs and outputs. For tests; NOT SAM.
 *
 * Encoder: `input_image` [1,3,1024,1024] (normalised, letterboxed) → 4x4 block means (depthwise Conv)
 * → 3 features on a 256x256 grid, packed space-to-depth into `image_embeddings` [1,256,64,64].
 * Decoder: the shared prompt decoder of `samLikeCore.ts` on the unpacked features (labels 1 / 0
 * points, 2 / 3 box corners, -1 padding ignored; `mask_input` added where `has_mask_input` = 1);
 * outputs 4 masks like the export without `return_single_mask`: index 0 = the single-mask output
 * (here the medium candidate), 1-3 = tight, medium, loose. `masks` are computed as the official
 * decoder does: upsample the 256x256 logits to 1024 (bilinear, half-pixel), crop the letterboxed
 * region floor(size * 1024 / max(H, W) + 0.5), resize to `orig_im_size` (H, W).
 */
import { GraphBuilder } from './graphBuilder';
import { attr, encodeModel, type Graph, type ValueInfo } from './onnxModel';
import {
  EMBED_CHANNELS,
  EMBED_GRID,
  FRAME,
  GRID,
  decodePrompts,
  imageFeatures,
  officialStylePrompts,
  packFeatures,
  splitCoordinates,
  unpackFeatures,
} from './samLikeCore';

/** The official SAM decoder export's inputs and outputs (K = 4: the single-mask token, then 3 candidates). */
export const OFFICIAL_DECODER_INPUTS: ValueInfo[] = [
  { name: 'image_embeddings', type: 'float32', shape: [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID] },
  { name: 'point_coords', type: 'float32', shape: [1, 'num_points', 2] },
  { name: 'point_labels', type: 'float32', shape: [1, 'num_points'] },
  { name: 'mask_input', type: 'float32', shape: [1, 1, GRID, GRID] },
  { name: 'has_mask_input', type: 'float32', shape: [1] },
  { name: 'orig_im_size', type: 'float32', shape: [2] },
];

export const OFFICIAL_DECODER_OUTPUTS: ValueInfo[] = [
  { name: 'masks', type: 'float32', shape: [1, 4, 'orig_height', 'orig_width'] },
  { name: 'iou_predictions', type: 'float32', shape: [1, 4] },
  { name: 'low_res_masks', type: 'float32', shape: [1, 4, GRID, GRID] },
];
export const SAM_OFFICIAL_ENCODER_FILE = 'test/sam-official.encoder.onnx';
export const SAM_OFFICIAL_DECODER_FILE = 'test/sam-official.decoder.onnx';

const METADATA = {
  family: 'sam-official',
  purpose: 'test stand-in with the I/O of the official SAM ONNX export; not Segment Anything',
};

export function samOfficialEncoderGraph(): Graph {
  const g = new GraphBuilder();
  g.output('image_embeddings', packFeatures(g, imageFeatures(g, 'input_image')));
  return g.graph(
    'sam_official_test_encoder',
    [{ name: 'input_image', type: 'float32', shape: [1, 3, FRAME, FRAME] }],
    [{ name: 'image_embeddings', type: 'float32', shape: [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID] }],
  );
}

export function buildSamOfficialEncoder(): Uint8Array {
  return encodeModel(samOfficialEncoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test encoder, official SAM format (not SAM)',
    metadata: METADATA,
  });
}

/** Bilinear (half-pixel, like torch's align_corners=False) resize of [N,C,h,w] to `sizes` (int64 [4]). */
function resize(g: GraphBuilder, x: string, sizes: string): string {
  return g.op(
    'Resize',
    [x, '', '', sizes],
    { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('half_pixel') },
    'resize',
  );
}

/**
 * The official decoder's outputs from 4 low-resolution candidates `lowRes` [1,4,256,256] and their
 * scores `iou` [1,4]: `masks` [1,4,H,W] as the official export computes them (upsample to 1024, crop the
 * letterboxed region floor(size * 1024 / max(H, W) + 0.5), resize to `orig_im_size`), `iou_predictions`
 * and `low_res_masks`.
 */
export function officialMaskOutputs(g: GraphBuilder, lowRes: string, iou: string): void {
  const upsampled = resize(g, lowRes, g.i64([1, 4, FRAME, FRAME]));
  const longest = g.op('ReduceMax', ['orig_im_size'], { axes: attr.ints([0]), keepdims: attr.int(1) });
  const scale = g.div(g.f32(FRAME), longest);
  const letterboxed = g.op('Floor', [g.add(g.mul('orig_im_size', scale), g.f32(0.5))]);
  const toInt64 = (v: string) => g.op('Cast', [v], { to: attr.int(7) });
  const cropped = g.op('Slice', [upsampled, g.i64([0, 0]), toInt64(letterboxed), g.i64([2, 3])], undefined, 'crop');
  const outputSize = g.op('Concat', [g.i64([1, 4]), toInt64('orig_im_size')], { axis: attr.int(0) });
  g.output('masks', resize(g, cropped, outputSize));
  g.output('iou_predictions', iou);
  g.output('low_res_masks', lowRes);
}

export function samOfficialDecoderGraph(): Graph {
  const g = new GraphBuilder();
  const features = unpackFeatures(g, 'image_embeddings');
  // One image, one query: [1,N,...] → [B=1,Q=1,N,...].
  const { x, y } = splitCoordinates(g, g.unsqueeze('point_coords', [0]), 3);
  const prompts = officialStylePrompts(g, x, y, g.unsqueeze('point_labels', [0]));
  const decoded = decodePrompts(g, features, {
    ...prompts,
    maskInput: { logits: 'mask_input', has: g.reshape('has_mask_input', [1, 1, 1, 1]) },
  });

  // Index 0 = single-mask output (medium), then tight, medium, loose.
  const order = g.i64([1, 0, 1, 2]);
  const lowRes = g.reshape(g.op('Gather', [decoded.logits, order], { axis: attr.int(2) }), [1, 4, GRID, GRID]);
  const iou = g.reshape(g.op('Gather', [decoded.iou, order], { axis: attr.int(2) }), [1, 4]);

  officialMaskOutputs(g, lowRes, iou);

  return g.graph('sam_official_test_decoder', OFFICIAL_DECODER_INPUTS, OFFICIAL_DECODER_OUTPUTS);
}

export function buildSamOfficialDecoder(): Uint8Array {
  return encodeModel(samOfficialDecoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test decoder, official SAM format (not SAM)',
    metadata: METADATA,
  });
}
