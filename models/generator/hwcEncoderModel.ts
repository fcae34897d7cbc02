/**
 * A stand-in for the encoders that do their own preprocessing (Acly/MobileSAM's
 * `mobile_sam_image_encoder.onnx`, samexporter's `--use-preprocess` exports), for tests; NOT SAM.
 *
 * Input `input_image` float32 [H, W, 3]: RGB on the 0-255 scale, already resized so that the longest side
 * is 1024 (no padding, no normalisation). Inside, as those exports do: normalise with SAM's mean / std,
 * HWC → CHW, zero-pad bottom / right to 1024 x 1024, add the batch axis. Then the same features as the
 * official-format test encoder (`samOfficialModel.ts`), so its `image_embeddings` [1,256,64,64] equal that
 * encoder's on the same image and the official test decoder (`test/sam-official.decoder.onnx`) follows it.
 */
import { GraphBuilder } from './graphBuilder';
import { attr, encodeModel, type Graph } from './onnxModel';
import { EMBED_CHANNELS, EMBED_GRID, FRAME, imageFeatures, packFeatures } from './samLikeCore';

export const SAM_OFFICIAL_HWC_ENCODER_FILE = 'test/sam-official-hwc.encoder.onnx';

/** SAM's pixel statistics on the 0-255 scale (as in segment_anything's Sam.pixel_mean / pixel_std). */
const PIXEL_MEAN = [123.675, 116.28, 103.53];
const PIXEL_STD = [58.395, 57.12, 57.375];

export function samOfficialHwcEncoderGraph(): Graph {
  const g = new GraphBuilder();
  // [H,W,3] with per-channel statistics of shape [3]: broadcasting runs along the last axis.
  const normalised = g.div(
    g.sub('input_image', g.f32(PIXEL_MEAN, [3], 'pixel_mean')),
    g.f32(PIXEL_STD, [3], 'pixel_std'),
  );
  const chw = g.transpose(normalised, [2, 0, 1]);
  // Pads [c_begin, h_begin, w_begin, c_end, h_end, w_end] = [0, 0, 0, 0, 1024 - H, 1024 - W].
  const heightWidth = g.slice(g.op('Shape', ['input_image']), 0, 2, 0);
  const padEnd = g.sub(g.i64([FRAME, FRAME]), heightWidth);
  const pads = g.op('Concat', [g.i64([0, 0, 0, 0]), padEnd], { axis: attr.int(0) }, 'pads');
  const padded = g.op('Pad', [chw, pads], { mode: attr.string('constant') }, 'pad_to_frame');
  const batch = g.unsqueeze(padded, [0]);
  g.output('image_embeddings', packFeatures(g, imageFeatures(g, batch)));
  return g.graph(
    'sam_official_hwc_test_encoder',
    [{ name: 'input_image', type: 'float32', shape: ['image_height', 'image_width', 3] }],
    [{ name: 'image_embeddings', type: 'float32', shape: [1, EMBED_CHANNELS, EMBED_GRID, EMBED_GRID] }],
  );
}

export function buildSamOfficialHwcEncoder(): Uint8Array {
  return encodeModel(samOfficialHwcEncoderGraph(), {
    opset: 17,
    docString: 'ohif-sam test encoder, HWC 0-255 input with in-graph preprocessing (not SAM)',
    metadata: {
      family: 'sam-official',
      encoderInput: 'hwc-resized-0-255',
      purpose: 'test stand-in with the I/O of MobileSAM-style encoders that preprocess inside; not Segment Anything',
    },
  });
}
