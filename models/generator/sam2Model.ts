/**
 * Stand-ins for the SAM 2 / 2.1 image ONNX export (encoder + decoder), with exactly its inputs and
 * outputs. For tests; NOT SAM 2.
 *
 * Encoder: `image` [1,3,1024,1024] (normalised, stretched) → 4x4 block means (depthwise Conv) → 3
 * features on the 256x256 grid, written where SAM 2 keeps its high-resolution features: channels 0-2 of
 * `high_res_feats_0` [1,32,256,256], their 2x2 means in `high_res_feats_1` [1,64,128,128], and packed
 * space-to-depth in `image_embed` [1,256,64,64].
 * Decoder: the shared prompt decoder of `samLikeCore.ts` on `high_res_feats_0`, one query per label
 * row L (`point_coords` [L,N,2], labels 1 / 0 points, 2 / 3 box corners, -1 padding ignored;
 * `mask_input` added where `has_mask_input` = 1) → `masks` [L,3,256,256] (tight, medium, loose logits),
 * `iou_predictions` [L,3]. A prior in `image_embed`'s free channels (written by the memory attention
 * stand-in, sam2MemoryModel.ts; zero in the encoder's output) is added to the prompt's.
 */
import { GraphBuilder } from './graphBuilder';
import { memoryPrior, sam2NoMemEmbed } from './sam2MemoryModel';
import { encodeModel, type Graph } from './onnxModel';
import {
  EMBED_CHANNELS,
  EMBED_GRID,
  FEATURES,
  FRAME,
  GRID,
  blockMean,
  decodePrompts,
  imageFeatures,
  officialStylePrompts,
  packFeatures,
  padChannels,
  splitCoordinates,
} from './samLikeCore';

export const SAM2_ENCODER_FILE = 'test/sam2.encoder.onnx';
export const SAM2_DECODER_FILE = 'test/sam2.decoder.onnx';

const METADATA = {
  family: 'sam2',
  purpose: 'test stand-in with the I/O of the SAM 2.1 ONNX export; not Segment Anything',
};

const FEATS_0 = { channels: 32, size: GRID };
const FEATS_1 = { channels: 64, size: GRID / 2 };

export function sam2EncoderGraph(): Graph {
  const g = new GraphBuilder();
  const features = imageFeatures(g, 'image');
  g.output('high_res_feats_0', padChannels(g, features, FEATURES, FEATS_0.channels));
  g.output('high_res_feats_1', padChannels(g, blockMean(g, features, 2), FEATURES, FEATS_1.channels));
  // SAM 2's image export adds no_mem_embed to image_embed (SAM2ImagePredictor does): so does the stand-in.
  g.output('image_embed', g.add(packFeatures(g, features), g.f32(sam2NoMemEmbed(), [1, EMBED_CHANNELS, 1, 1])));
  return g.graph(
    'sam2_test_encoder',
    [{ name: 'image', type: 'float32', shape: [1, 3, FRAME, FRAME] }],
    [
      { name: 'high_res_feats_0', type: 'float32', shape: [1, FEATS_0.channels, FEATS_0.size, FEATS_0.size] },
      { name: 'high_res_feats_1', type: 'float32', shape: [1, FEATS_1.channels, FEATS_1.size, FEATS_1.size] },
      { name: 'image_embed', type: 'float32', shape: [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID] },
    ],
  );
}

export function buildSam2Encoder(): Uint8Array {
  return encodeModel(sam2EncoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test encoder, SAM 2.1 format (not SAM 2)',
    metadata: METADATA,
  });
}

export function sam2DecoderGraph(): Graph {
  const g = new GraphBuilder();
  const features = g.slice('high_res_feats_0', 0, FEATURES, 1); // [1,3,256,256]
  // L label rows = L queries on the one image: [L,N,...] → [B=1,Q=L,N,...].
  const { x, y } = splitCoordinates(g, g.unsqueeze('point_coords', [0]), 3);
  const prompts = officialStylePrompts(g, x, y, g.unsqueeze('point_labels', [0]));
  const decoded = decodePrompts(g, features, {
    ...prompts,
    maskInput: {
      logits: g.reshape('mask_input', [1, -1, GRID, GRID]),
      has: g.reshape('has_mask_input', [1, -1, 1, 1]),
    },
    // Zero for the encoder's own embedding; the memory stand-in's prior on a memory-conditioned slice.
    prior: memoryPrior(g, 'image_embed'),
  });
  g.output('masks', g.reshape(decoded.logits, [-1, 3, GRID, GRID]));
  g.output('iou_predictions', g.reshape(decoded.iou, [-1, 3]));

  return g.graph(
    'sam2_test_decoder',
    [
      { name: 'image_embed', type: 'float32', shape: [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID] },
      { name: 'high_res_feats_0', type: 'float32', shape: [1, FEATS_0.channels, FEATS_0.size, FEATS_0.size] },
      { name: 'high_res_feats_1', type: 'float32', shape: [1, FEATS_1.channels, FEATS_1.size, FEATS_1.size] },
      { name: 'point_coords', type: 'float32', shape: ['num_labels', 'num_points', 2] },
      { name: 'point_labels', type: 'float32', shape: ['num_labels', 'num_points'] },
      { name: 'mask_input', type: 'float32', shape: ['num_labels', 1, GRID, GRID] },
      { name: 'has_mask_input', type: 'float32', shape: ['num_labels'] },
    ],
    [
      { name: 'masks', type: 'float32', shape: ['num_labels', 3, GRID, GRID] },
      { name: 'iou_predictions', type: 'float32', shape: ['num_labels', 3] },
    ],
  );
}

export function buildSam2Decoder(): Uint8Array {
  return encodeModel(sam2DecoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test decoder, SAM 2.1 format (not SAM 2)',
    metadata: METADATA,
  });
}
