import { SAM, SAM2, TRANSFORMERS_JS, withPreprocessing } from '../../../extensions/sam-segmentation/src/core/families';
import {
  GraphMismatchError,
  assertGraphMatchesFamily,
  graphProblems,
} from '../../../extensions/sam-segmentation/src/core/manifest';

const officialDecoder = {
  inputs: [
    { name: 'image_embeddings', dtype: 'float32', dims: [1, 256, 64, 64] },
    { name: 'point_coords', dtype: 'float32', dims: [1, 'num_points', 2] },
    { name: 'point_labels', dtype: 'float32', dims: [1, 'num_points'] },
    { name: 'mask_input', dtype: 'float32', dims: [1, 1, 256, 256] },
    { name: 'has_mask_input', dtype: 'float32', dims: [1] },
    { name: 'orig_im_size', dtype: 'float32', dims: [2] },
  ],
  outputs: [
    { name: 'masks', dtype: 'float32', dims: [1, 4, 'H', 'W'] },
    { name: 'iou_predictions', dtype: 'float32', dims: [1, 4] },
    { name: 'low_res_masks', dtype: 'float32', dims: [1, 4, 256, 256] },
  ],
};

describe('graph validation against the family', () => {
  it('accepts the official decoder export', () => {
    expect(graphProblems(SAM, 'decoder', officialDecoder)).toEqual([]);
  });

  it('accepts an encoder whose input uses one of the family’s alternative names', () => {
    const encoder = {
      inputs: [{ name: 'image', dtype: 'float32', dims: [1, 3, 1024, 1024] }],
      outputs: [{ name: 'image_embeddings', dtype: 'float32', dims: [1, 256, 64, 64] }],
    };
    expect(graphProblems(SAM, 'encoder', encoder)).toEqual([]);
  });

  it('refuses an encoder given as the decoder, naming what is missing', () => {
    const encoder = {
      inputs: [{ name: 'input_image', dtype: 'float32', dims: [1, 3, 1024, 1024] }],
      outputs: [{ name: 'image_embeddings', dtype: 'float32', dims: [1, 256, 64, 64] }],
    };
    expect(() => assertGraphMatchesFamily(SAM, 'decoder', encoder, 'encoder.onnx')).toThrow(GraphMismatchError);
    const problems = graphProblems(SAM, 'decoder', encoder);
    expect(problems).toEqual(
      expect.arrayContaining([
        'missing input point_coords float32[1,N,2]',
        expect.stringMatching(/^unexpected input input_image/),
        'missing output iou_predictions float32[1,K]',
      ]),
    );
  });

  it('names a wrong dtype and a wrong fixed size', () => {
    const wrong = structuredClone(officialDecoder);
    wrong.inputs[2] = { name: 'point_labels', dtype: 'int64', dims: [1, 'num_points'] };
    wrong.inputs[0] = { name: 'image_embeddings', dtype: 'float32', dims: [1, 256, 32, 32] };
    expect(graphProblems(SAM, 'decoder', wrong)).toEqual([
      'input image_embeddings is [1,256,32,32], expected image_embeddings float32[1,256,64,64]',
      'input point_labels is int64, expected float32',
    ]);
  });

  it('refuses the official decoder for another family', () => {
    expect(graphProblems(SAM2, 'decoder', officialDecoder)).toContain('missing input image_embed float32[1,256,64,64]');
    expect(graphProblems(TRANSFORMERS_JS, 'decoder', officialDecoder).length).toBeGreaterThan(3);
  });

  describe('an encoder that takes the resized 0-255 image as [H,W,3] (MobileSAM export)', () => {
    const hwcEncoder = {
      inputs: [{ name: 'input_image', dtype: 'float32', dims: ['image_height', 'image_width', 3] }],
      outputs: [{ name: 'image_embeddings', dtype: 'float32', dims: [1, 256, 64, 64] }],
    };
    const samHwc = withPreprocessing(SAM, { encoderInput: 'hwc-resized-0-255' });

    it('is accepted for a model whose manifest says so', () => {
      expect(graphProblems(samHwc, 'encoder', hwcEncoder)).toEqual([]);
      expect(graphProblems(samHwc, 'decoder', officialDecoder)).toEqual([]);
    });

    it('is refused otherwise, with the manifest field that would accept it', () => {
      expect(graphProblems(SAM, 'encoder', hwcEncoder)).toEqual([
        'input input_image is [image_height,image_width,3], expected input_image float32[1,3,1024,1024]; ' +
          'this encoder takes an [H,W,3] RGB 0-255 image, resized to the model frame, normalised and padded inside ' +
          'the graph, not a [1,3,S,S] tensor, normalised and zero-padded before the graph: if that is the ' +
          'model\'s format, set "preprocess": { "encoderInput": "hwc-resized-0-255" } in its manifest entry',
      ]);
      expect(() => assertGraphMatchesFamily(SAM, 'encoder', hwcEncoder, 'mobile_sam_image_encoder.onnx')).toThrow(
        /The encoder mobile_sam_image_encoder\.onnx .* does not match its model family:\n {2}- input input_image is \[image_height,image_width,3\]/,
      );
    });

    it('refuses an HWC input with 4 channels without suggesting a layout', () => {
      const rgba = structuredClone(hwcEncoder);
      rgba.inputs[0]!.dims = ['h', 'w', 4];
      expect(graphProblems(samHwc, 'encoder', rgba)).toEqual([
        'input input_image is [h,w,4], expected input_image float32[H,W,3]',
      ]);
    });

    it('refuses an NCHW encoder for a model declared HWC, pointing back to NCHW', () => {
      const nchw = { ...hwcEncoder, inputs: [{ name: 'image', dtype: 'float32', dims: [1, 3, 1024, 1024] }] };
      const [problem] = graphProblems(samHwc, 'encoder', nchw);
      expect(problem).toMatch(/^input image is \[1,3,1024,1024\], expected input_image float32\[H,W,3\]; /);
      expect(problem).toContain('"encoderInput": "nchw-normalised"');
    });
  });
});
