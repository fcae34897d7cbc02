/**
 * Each manifest entry's resolved preprocessing, pinned to what the tool that exported its graphs (or the
 * code that consumes them) does, with the source beside each expectation. These are readings of that code,
 * not runs of the real weights: none can be downloaded where this was written (docs/models.md, "What is
 * verified against the exporters' code").
 *
 * `normalisation` for an 'hwc-resized-0-255' encoder only records what the graph does inside; nothing is
 * applied before it. `antialias` is this project's resampling choice (PIL-like when shrinking), not an
 * exporter property: it is pinned so that a change to it is deliberate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IMAGENET_NORMALISATION,
  MODEL_FAMILIES,
  ModelFrame,
  SAM_PIXEL_NORMALISATION,
  decodeCandidates,
  type DecoderOutputs,
  type PreprocessSpec,
} from '../../../extensions/sam-segmentation/src/core';
import { familyOf, findModel, parseModelManifest } from '../../../extensions/sam-segmentation/src/core/manifest';

const MANIFEST = parseModelManifest(
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'models', 'manifest.json'), 'utf8')),
);
const preprocessOf = (id: string): PreprocessSpec => findModel(MANIFEST, id).preprocess;

/** The entries this file pins; a new manifest entry must get its own `it` below. */
const PINNED = [
  'sam-vit-b',
  'sam-vit-l',
  'sam-vit-h',
  'mobilesam',
  'slimsam-77',
  'slimsam-77-q8',
  'medsam-vit-b',
  'sam2.1-hiera-tiny',
  'intensity-similarity-v1',
];

/** SAM's pixel statistics on 0-255 (segment_anything/modeling/sam.py pixel_mean / pixel_std). */
const SAM_0_255 = { kind: 'mean-std', scale: 1, mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] };
/** ImageNet statistics after x/255 (transformers SamImageProcessor image_mean / image_std; SAM 2's transforms). */
const IMAGENET_0_1 = { kind: 'mean-std', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

describe("each manifest entry's preprocessing, as its exporter documents it", () => {
  it('pins every entry of the manifest', () => {
    expect(MANIFEST.models.map((m) => m.id).sort()).toEqual([...PINNED].sort());
  });

  it('uses the same statistics as the families (SAM on 0-255 is ImageNet on 0-1 times 255)', () => {
    expect(SAM_PIXEL_NORMALISATION).toEqual(SAM_0_255);
    expect(IMAGENET_NORMALISATION).toEqual(IMAGENET_0_1);
    SAM_0_255.mean.forEach((m, c) => expect(m / 255).toBeCloseTo(IMAGENET_0_1.mean[c]!, 6));
    SAM_0_255.std.forEach((s, c) => expect(s / 255).toBeCloseTo(IMAGENET_0_1.std[c]!, 6));
  });

  it('sam-vit-b (schmuell/sam-b-fp16): NCHW, SAM-normalised, letterboxed before the graph', () => {
    expect(preprocessOf('sam-vit-b')).toEqual({
      inputSize: 1024,
      // microsoft/onnxruntime-inference-examples js/segment-anything/README.md @ b6dd747 (the example's first
      // version): `samexporter.export_encoder` WITHOUT --use-preprocess, so the graph is vietanhdev/samexporter
      // samexporter/onnx_utils.py ImageEncoderOnnxModel with use_preprocess=False: image_encoder(input_image)
      // on a [1,3,1024,1024] tensor, normalised and padded by the caller. The same example's index.js @ dfa685f
      // loads these schmuell/sam-b-fp16 files and feeds `input_image` a 4-D [1,3,1024,1024] tensor.
      encoderInput: 'nchw-normalised',
      // The caller's part, as SAM's own Sam.preprocess (facebookresearch/segment-anything
      // segment_anything/modeling/sam.py) and ResizeLongestSide (utils/transforms.py): longest side 1024,
      // (x - pixel_mean) / pixel_std on 0-255, zero padding bottom/right.
      resize: 'letterbox',
      normalisation: SAM_0_255,
      antialias: true,
    });
  });

  it.each(['sam-vit-l', 'sam-vit-h'])(
    '%s (vietanhdev/segment-anything-onnx-models zip): [H,W,3] RGB 0-255, the graph normalises and pads',
    (id) => {
      expect(preprocessOf(id)).toEqual({
        inputSize: 1024,
        // vietanhdev/samexporter convert_all.sh @ 578fae3 (the commit that introduced convert_all.sh and the
        // `<name>_data.bin` external-data name these zips carry): every encoder exported with --use-preprocess.
        // samexporter/export_encoder.py @ 578fae3: with it the dummy input is `input_image` [1024,1024,3],
        // dynamic axes image_height / image_width.
        encoderInput: 'hwc-resized-0-255',
        // samexporter/onnx_utils.py @ 578fae3 ImageEncoderOnnxModel.preprocess: (x - mean) / std with
        // [123.675, 116.28, 103.53] / [58.395, 57.12, 57.375], HWC→CHW, zero-pad bottom/right to 1024.
        normalisation: SAM_0_255,
        // The caller resizes with the aspect kept: samexporter/sam_onnx.py @ 578fae3 and vietanhdev/anylabeling
        // anylabeling/services/auto_labeling/sam_onnx.py @ 082f025 (the commit that switched AnyLabeling to
        // these zips) warpAffine by min(scale_x, scale_y) and feed the RGB image as float32 0-255, HWC.
        resize: 'letterbox',
        antialias: true,
      });
    },
  );

  it('mobilesam (Acly/MobileSAM): [H,W,3] RGB 0-255 resized to longest side 1024, the graph does the rest', () => {
    expect(preprocessOf('mobilesam')).toEqual({
      inputSize: 1024,
      // Acly/dlimgedit src/segmentation.cpp @ 1fa7484 (Acly's own consumer of mobile_sam_image_encoder.onnx):
      // input rank 3 with shape[2] == 3; ResizeLongestSide(1024), then create_image_tensor copies RGB as
      // float, no normalisation and no padding. (Acly's export script lives only on Hugging Face,
      // mobile_sam_encoder_onnx/, not read here.)
      encoderInput: 'hwc-resized-0-255',
      resize: 'letterbox',
      // What the graph is taken to apply inside: SAM's statistics (MobileSAM keeps Sam.preprocess). Not read
      // from the graph itself.
      normalisation: SAM_0_255,
      antialias: true,
    });
  });

  it.each(['slimsam-77', 'slimsam-77-q8'])(
    '%s (Xenova/slimsam-77-uniform): NCHW, ImageNet on x/255, letterboxed',
    (id) => {
      expect(preprocessOf(id)).toEqual({
        inputSize: 1024,
        // Transformers.js SamModel.get_image_embeddings (xenova/transformers.js src/models.js @ 7ebd50c):
        // pixel_values float32 [batch,3,1024,1024].
        encoderInput: 'nchw-normalised',
        // SamImageProcessor (huggingface/transformers src/transformers/models/sam/image_processing_sam.py;
        // Transformers.js src/processors.js): resize longest_edge 1024, rescale 1/255, normalise, pad to
        // 1024x1024; the statistics from the preprocessor_config.json of the SlimSAM ports (Zigeng/SlimSAM-uniform-50
        // on Hugging Face: image_mean 0.485/0.456/0.406, image_std 0.229/0.224/0.225, size.longest_edge 1024).
        resize: 'letterbox',
        normalisation: IMAGENET_0_1,
        antialias: true,
      });
    },
  );

  it('medsam-vit-b (Xenova/medsam-vit-base): stretched to 1024x1024, min-max to [0,1], no mean/std', () => {
    expect(preprocessOf('medsam-vit-b')).toEqual({
      inputSize: 1024,
      // bowang-lab/MedSAM MedSAM_Inference.py @ d71e8a1 (last changed 3ead5b7): transform.resize(img_3c,
      // (1024, 1024), order=3, preserve_range=True, anti_aliasing=True), i.e. each axis on its own.
      resize: 'stretch',
      // Same file: (img - img.min()) / clip(img.max() - img.min(), 1e-8), then image_encoder directly (no
      // Sam.preprocess, so no mean/std). Training data the same way: pre_CT_MR.py @ d71e8a1, line 145.
      // Not what wanglab/medsam-vit-base's preprocessor_config.json says (ImageNet mean/std, longest_edge 1024):
      // that config, which transformers' SamProcessor would follow, disagrees with MedSAM's own code.
      normalisation: { kind: 'min-max' },
      // The Transformers.js vision encoder's input (pixel_values [B,3,1024,1024]).
      encoderInput: 'nchw-normalised',
      antialias: true,
    });
  });

  it('sam2.1-hiera-tiny (samexporter SAM 2 export): NCHW, ImageNet on x/255, stretched', () => {
    expect(preprocessOf('sam2.1-hiera-tiny')).toEqual({
      inputSize: 1024,
      // vietanhdev/samexporter samexporter/export_sam2.py @ 20ff61f: input `image` [1,3,1024,1024].
      encoderInput: 'nchw-normalised',
      // samexporter/sam2_onnx.py @ 20ff61f SAM2ImageEncoder.prepare_input: BGR→RGB, cv2.resize to 1024x1024
      // (no aspect kept), x/255, (x - [0.485,0.456,0.406]) / [0.229,0.224,0.225], HWC→CHW.
      resize: 'stretch',
      normalisation: IMAGENET_0_1,
      antialias: true,
    });
  });

  it("intensity-similarity-v1 (the project's own): the official SAM input it was generated for", () => {
    expect(preprocessOf('intensity-similarity-v1')).toEqual({
      inputSize: 1024,
      // models/generator/defaultModel.ts: `input_image` [1,3,1024,1024], SAM-normalised and letterboxed;
      // its first Conv undoes SAM_MEAN / SAM_STD.
      encoderInput: 'nchw-normalised',
      resize: 'letterbox',
      normalisation: SAM_0_255,
      antialias: true,
    });
  });
});

describe('single-mask decoder exports (--return-single-mask, K = 1)', () => {
  const W = 40;
  const H = 30;
  const LOW = 256 * 256;
  const oneMask = (): DecoderOutputs => ({
    masks: { data: new Float32Array(W * H), dims: [1, 1, H, W] },
    iou_predictions: { data: Float32Array.from([0.8]), dims: [1, 1] },
    low_res_masks: { data: new Float32Array(LOW), dims: [1, 1, 256, 256] },
  });

  // facebookresearch/segment-anything segment_anything/utils/onnx.py @ 5717941 SamOnnxModel.select_masks:
  // score = iou + (num_points - 2.5) * [1000, 0, 0, 0]; the single-mask token for 3+ points (padding point
  // and box corners counted), else the best multimask candidate. The graph does not say which it took.
  it.each(['sam-vit-b', 'sam-vit-l', 'sam-vit-h'])(
    "%s: the decoder's one mask is labelled as chosen by the graph, not as the single-mask token",
    (id) => {
      const family = familyOf(findModel(MANIFEST, id));
      const frame = new ModelFrame(W, H, family.preprocess);
      expect(decodeCandidates(oneMask(), family, frame).map((c) => [c.index, c.token])).toEqual([
        [0, 'graph-selected'],
      ]);
    },
  );

  it('a full official decoder (K = 4, e.g. mobilesam) still names token 0 the single-mask output', () => {
    const family = familyOf(findModel(MANIFEST, 'mobilesam'));
    const frame = new ModelFrame(W, H, family.preprocess);
    const outputs: DecoderOutputs = {
      masks: { data: new Float32Array(4 * W * H), dims: [1, 4, H, W] },
      iou_predictions: { data: Float32Array.from([0.9, 0.5, 0.6, 0.7]), dims: [1, 4] },
      low_res_masks: { data: new Float32Array(4 * LOW), dims: [1, 4, 256, 256] },
    };
    expect(decodeCandidates(outputs, family, frame).map((c) => c.token)).toEqual([
      'single-mask',
      'multimask',
      'multimask',
      'multimask',
    ]);
  });

  it('a Transformers.js decoder (3 multimask outputs, e.g. medsam-vit-b) has no single-mask token', () => {
    // huggingface/optimum optimum/exporters/onnx/model_patcher.py SAMModelPatcher: mask_decoder(...,
    // multimask_output=True); huggingface/transformers modeling_sam.py @ 31d8948 SamMaskDecoder: then
    // mask_slice = slice(1, None), tokens 1-3. MedSAM's trained token 0 is not in the graph.
    const family = familyOf(findModel(MANIFEST, 'medsam-vit-b'));
    expect(family.id).toBe(MODEL_FAMILIES.transformersjs.id);
    expect(family.output.singleMaskTokenIndex).toBeNull();
    expect(family.decoder.lowResMasks.dims).toEqual(['B', 'pb', 3, 256, 256]);
  });
});
