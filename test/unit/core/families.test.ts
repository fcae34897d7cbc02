import {
  FAMILY_IDS,
  MODEL_FAMILIES,
  getFamily,
  graphSpecs,
  withPreprocessing,
} from '../../../extensions/sam-segmentation/src/core';

const summary = (specs: { name: string; dtype: string; dims: readonly (number | string)[] }[]) =>
  specs.map((s) => `${s.name}:${s.dtype}[${s.dims.join(',')}]`);

describe('model families', () => {
  it('lists the four families and finds them by id', () => {
    expect(FAMILY_IDS).toEqual(['sam', 'medsam', 'sam2', 'transformersjs']);
    expect(getFamily('sam2')).toBe(MODEL_FAMILIES.sam2);
  });

  it('refuses an unknown family and says which exist', () => {
    expect(() => getFamily('sam3')).toThrow(
      'Unknown model family "sam3". Should be one of: sam, medsam, sam2, transformersjs.',
    );
  });

  it('describes preprocessing as data', () => {
    const { sam, medsam, sam2, transformersjs } = MODEL_FAMILIES;
    expect([sam, medsam, sam2, transformersjs].map((f) => f.preprocess.resize)).toEqual([
      'letterbox',
      'stretch',
      'stretch',
      'letterbox',
    ]);
    expect(sam.preprocess.normalisation).toEqual({
      kind: 'mean-std',
      scale: 1,
      mean: [123.675, 116.28, 103.53],
      std: [58.395, 57.12, 57.375],
    });
    expect(medsam.preprocess.normalisation).toEqual({ kind: 'min-max' });
    expect(sam2.preprocess.normalisation).toEqual(transformersjs.preprocess.normalisation);
    expect(sam2.preprocess.normalisation).toMatchObject({ scale: 1 / 255, mean: [0.485, 0.456, 0.406] });
  });

  it('gives the official export I/O for SAM (names, dtypes, dims)', () => {
    const specs = graphSpecs(MODEL_FAMILIES.sam);
    expect(summary(specs.encoder.inputs)).toEqual(['input_image:float32[1,3,1024,1024]']);
    expect(summary(specs.encoder.outputs)).toEqual(['image_embeddings:float32[1,256,64,64]']);
    expect(summary(specs.decoder.inputs)).toEqual([
      'image_embeddings:float32[1,256,64,64]',
      'point_coords:float32[1,N,2]',
      'point_labels:float32[1,N]',
      'mask_input:float32[1,1,256,256]',
      'has_mask_input:float32[1]',
      'orig_im_size:float32[2]',
    ]);
    expect(summary(specs.decoder.outputs)).toEqual([
      'masks:float32[1,K,H,W]',
      'iou_predictions:float32[1,K]',
      'low_res_masks:float32[1,K,256,256]',
    ]);
  });

  it('gives SAM 2 its high-resolution features and low-resolution masks', () => {
    const specs = graphSpecs(MODEL_FAMILIES.sam2);
    expect(summary(specs.encoder.outputs)).toEqual([
      'high_res_feats_0:float32[1,32,256,256]',
      'high_res_feats_1:float32[1,64,128,128]',
      'image_embed:float32[1,256,64,64]',
    ]);
    expect(specs.decoder.inputs.map((s) => s.name)).toEqual([
      'image_embed',
      'high_res_feats_0',
      'high_res_feats_1',
      'point_coords',
      'point_labels',
      'mask_input',
      'has_mask_input',
    ]);
    expect(summary(specs.decoder.outputs)).toEqual([
      'iou_predictions:float32[L,3]',
      'low_res_masks:float32[L,3,256,256]',
    ]);
    expect(MODEL_FAMILIES.sam2.decoder.lowResMasks.alternativeNames).toEqual(['masks']);
  });

  it('gives Transformers.js int64 labels, an optional box input and 5-D masks', () => {
    const specs = graphSpecs(MODEL_FAMILIES.transformersjs);
    expect(summary(specs.encoder.inputs)).toEqual(['pixel_values:float32[B,3,1024,1024]']);
    expect(summary(specs.decoder.inputs)).toEqual([
      'image_embeddings:float32[B,256,64,64]',
      'image_positional_embeddings:float32[B,256,64,64]',
      'input_points:float32[B,pb,n,2]',
      'input_labels:int64[B,pb,n]',
      'input_boxes:float32[B,nb,4]',
    ]);
    expect(specs.decoder.inputs.find((s) => s.name === 'input_boxes')?.optional).toBe(true);
    expect(summary(specs.decoder.outputs)).toEqual([
      'iou_scores:float32[B,pb,3]',
      'pred_masks:float32[B,pb,3,256,256]',
    ]);
  });

  it('feeds every embedding input of a decoder from an encoder output of the same name', () => {
    for (const family of Object.values(MODEL_FAMILIES)) {
      const encoderOutputs = family.encoder.outputs.map((s) => s.name);
      for (const input of family.decoder.embeddings) expect(encoderOutputs).toContain(input.name);
    }
  });

  it('lets a manifest override preprocessing, and checks the override', () => {
    const l0 = withPreprocessing(MODEL_FAMILIES.sam, { inputSize: 512 });
    expect(l0.preprocess).toMatchObject({ inputSize: 512, resize: 'letterbox' });
    expect(l0.encoder.image.dims).toEqual([1, 3, 512, 512]);
    expect(MODEL_FAMILIES.sam.preprocess.inputSize).toBe(1024);
    expect(MODEL_FAMILIES.sam.encoder.image.dims).toEqual([1, 3, 1024, 1024]);
    const medsamPort = withPreprocessing(MODEL_FAMILIES.medsam, {
      normalisation: MODEL_FAMILIES.sam.preprocess.normalisation,
    });
    expect(medsamPort.preprocess.normalisation.kind).toBe('mean-std');
    expect(() => withPreprocessing(MODEL_FAMILIES.sam, { inputSize: 0 })).toThrow(/positive integer, got 0/);
    expect(() =>
      withPreprocessing(MODEL_FAMILIES.sam, {
        normalisation: { kind: 'mean-std', scale: 1, mean: [0, 0, 0], std: [1, 0, 1] },
      }),
    ).toThrow(/std must be positive/);
    // @ts-expect-error an invalid mode from an untyped manifest
    expect(() => withPreprocessing(MODEL_FAMILIES.sam, { resize: 'crop' })).toThrow(/resize mode "crop"/);
  });

  it('makes the encoder image spec follow the encoder input layout', () => {
    for (const family of Object.values(MODEL_FAMILIES)) expect(family.preprocess.encoderInput).toBe('nchw-normalised');
    const mobileSam = withPreprocessing(MODEL_FAMILIES.sam, { encoderInput: 'hwc-resized-0-255' });
    expect(summary(graphSpecs(mobileSam).encoder.inputs)).toEqual(['input_image:float32[H,W,3]']);
    expect(mobileSam.encoder.image.alternativeNames).toEqual(MODEL_FAMILIES.sam.encoder.image.alternativeNames);
    expect(mobileSam.preprocess).toMatchObject({ resize: 'letterbox', inputSize: 1024 });
    // Back to NCHW from an overridden family: the family's own batch dim, the overridden size.
    const back = withPreprocessing(
      withPreprocessing(MODEL_FAMILIES.transformersjs, { encoderInput: 'hwc-resized-0-255' }),
      {
        encoderInput: 'nchw-normalised',
        inputSize: 512,
      },
    );
    expect(back.encoder.image.dims).toEqual(['B', 3, 512, 512]);
    expect(() =>
      // @ts-expect-error an invalid layout from an untyped manifest
      withPreprocessing(MODEL_FAMILIES.sam, { encoderInput: 'nhwc' }),
    ).toThrow('Unsupported encoder input "nhwc". Should be one of: nchw-normalised, hwc-resized-0-255.');
  });
});
