import {
  MODEL_FAMILIES,
  ModelFrame,
  encodePrompt,
  type FeedTensor,
  type Prompt,
} from '../../../extensions/sam-segmentation/src/core';

const { sam, medsam, sam2, transformersjs } = MODEL_FAMILIES;

// 512 columns x 384 rows: letterbox scale 2 (→ 1024 x 768); stretch scales 2 and 8/3.
const W = 512;
const H = 384;
const frameFor = (family: (typeof MODEL_FAMILIES)[keyof typeof MODEL_FAMILIES]) =>
  new ModelFrame(W, H, family.preprocess);

const values = (t: FeedTensor | undefined) => (t ? Array.from(t.data as ArrayLike<number | bigint>) : undefined);
const view = (t: FeedTensor | undefined) => t && { type: t.type, dims: t.dims, values: values(t) };

const click: Prompt = { points: [{ x: 100, y: 48, label: 'include' }] };
const boxAndExclude: Prompt = {
  points: [{ x: 60, y: 72, label: 'exclude' }],
  box: { x0: 10, y0: 24, x1: 110, y1: 120 },
};

describe('official SAM feeds', () => {
  it('appends the padding point (0,0) label -1 when there is no box', () => {
    const feeds = encodePrompt(click, sam, frameFor(sam));
    expect(Object.keys(feeds).sort()).toEqual([
      'has_mask_input',
      'mask_input',
      'orig_im_size',
      'point_coords',
      'point_labels',
    ]);
    expect(view(feeds.point_coords)).toEqual({ type: 'float32', dims: [1, 2, 2], values: [200, 96, 0, 0] });
    expect(view(feeds.point_labels)).toEqual({ type: 'float32', dims: [1, 2], values: [1, -1] });
    expect(feeds.mask_input).toMatchObject({ type: 'float32', dims: [1, 1, 256, 256] });
    expect(feeds.mask_input!.data.every((v) => v === 0)).toBe(true);
    expect(view(feeds.has_mask_input)).toEqual({ type: 'float32', dims: [1], values: [0] });
    expect(view(feeds.orig_im_size)).toEqual({ type: 'float32', dims: [2], values: [384, 512] });
  });

  it('puts points first, then the box corners labelled 2 and 3, with no padding point', () => {
    const feeds = encodePrompt(boxAndExclude, sam, frameFor(sam));
    expect(view(feeds.point_coords)).toEqual({
      type: 'float32',
      dims: [1, 3, 2],
      values: [120, 144, 20, 48, 220, 240],
    });
    expect(values(feeds.point_labels)).toEqual([0, 2, 3]);
  });

  it('orders a box dragged from bottom-right to top-left', () => {
    const feeds = encodePrompt({ points: [], box: { x0: 110, y0: 120, x1: 10, y1: 24 } }, sam, frameFor(sam));
    expect(values(feeds.point_coords)).toEqual([20, 48, 220, 240]);
    expect(values(feeds.point_labels)).toEqual([2, 3]);
  });

  it('feeds a previous low-resolution mask back with has_mask_input = 1', () => {
    const previousMask = Float32Array.from({ length: 256 * 256 }, (_, i) => (i % 7) - 3);
    const feeds = encodePrompt({ ...click, previousMask }, sam, frameFor(sam));
    expect(values(feeds.has_mask_input)).toEqual([1]);
    expect(Array.from(feeds.mask_input!.data as Float32Array)).toEqual(Array.from(previousMask));
    expect(feeds.mask_input!.data).not.toBe(previousMask); // a copy: the runtime may transfer it
    expect(() => encodePrompt({ ...click, previousMask: new Float32Array(64 * 64) }, sam, frameFor(sam))).toThrow(
      'The previous mask has 4096 values; mask_input needs 65536.',
    );
  });
});

describe('SAM 2 feeds', () => {
  it('adds no padding point (the graph does) and no orig_im_size', () => {
    const feeds = encodePrompt(click, sam2, frameFor(sam2));
    expect(Object.keys(feeds).sort()).toEqual(['has_mask_input', 'mask_input', 'point_coords', 'point_labels']);
    expect(view(feeds.point_coords)).toEqual({ type: 'float32', dims: [1, 1, 2], values: [200, 128] });
    expect(view(feeds.point_labels)).toEqual({ type: 'float32', dims: [1, 1], values: [1] });
    expect(feeds.mask_input!.dims).toEqual([1, 1, 256, 256]);
    expect(view(feeds.has_mask_input)).toEqual({ type: 'float32', dims: [1], values: [0] });
  });

  it('puts the box corners before the points, in the stretched frame', () => {
    const feeds = encodePrompt(boxAndExclude, sam2, frameFor(sam2));
    expect(values(feeds.point_labels)).toEqual([2, 3, 0]);
    const coords = values(feeds.point_coords) as number[];
    [20, 64, 220, 320, 120, 192].forEach((v, i) => expect(coords[i]).toBeCloseTo(v, 4));
  });
});

describe('Transformers.js feeds', () => {
  it('uses [1,1,n,2] points and int64 labels, without a mask input', () => {
    const feeds = encodePrompt(
      { points: [...click.points, { x: 200, y: 100, label: 'exclude' }] },
      transformersjs,
      frameFor(transformersjs),
    );
    expect(Object.keys(feeds).sort()).toEqual(['input_labels', 'input_points']);
    expect(view(feeds.input_points)).toEqual({ type: 'float32', dims: [1, 1, 2, 2], values: [200, 96, 400, 200] });
    expect(feeds.input_labels!.data).toBeInstanceOf(BigInt64Array);
    expect(view(feeds.input_labels)).toEqual({ type: 'int64', dims: [1, 1, 2], values: [1n, 0n] });
  });

  it('sends the box as input_boxes [1,1,4] next to the points', () => {
    const feeds = encodePrompt(boxAndExclude, transformersjs, frameFor(transformersjs));
    expect(view(feeds.input_boxes)).toEqual({ type: 'float32', dims: [1, 1, 4], values: [20, 48, 220, 240] });
    expect(view(feeds.input_points)).toEqual({ type: 'float32', dims: [1, 1, 1, 2], values: [120, 144] });
    expect(values(feeds.input_labels)).toEqual([0n]);
  });

  it('pads a box-only prompt with one point labelled -10', () => {
    const feeds = encodePrompt({ points: [], box: boxAndExclude.box }, transformersjs, frameFor(transformersjs));
    expect(view(feeds.input_points)).toEqual({ type: 'float32', dims: [1, 1, 1, 2], values: [0, 0] });
    expect(view(feeds.input_labels)).toEqual({ type: 'int64', dims: [1, 1, 1], values: [-10n] });
    expect(values(feeds.input_boxes)).toEqual([20, 48, 220, 240]);
  });

  it('feeds an empty box batch [1,0,4] to a graph that lists input_boxes when there is no box', () => {
    const decoderInputNames = [
      'image_embeddings',
      'image_positional_embeddings',
      'input_points',
      'input_labels',
      'input_boxes',
    ];
    const feeds = encodePrompt(click, transformersjs, frameFor(transformersjs), { decoderInputNames });
    expect(view(feeds.input_boxes)).toEqual({ type: 'float32', dims: [1, 0, 4], values: [] });
  });

  it('refuses a box when the loaded export has no input_boxes', () => {
    const decoderInputNames = ['image_embeddings', 'image_positional_embeddings', 'input_points', 'input_labels'];
    expect(() => encodePrompt(boxAndExclude, transformersjs, frameFor(transformersjs), { decoderInputNames })).toThrow(
      /has no "input_boxes" input, so it cannot take a box; use points\./,
    );
    expect(() => encodePrompt(click, transformersjs, frameFor(transformersjs), { decoderInputNames })).not.toThrow();
  });

  it('refuses a previous mask: the export has no mask input', () => {
    expect(() =>
      encodePrompt({ ...click, previousMask: new Float32Array(256 * 256) }, transformersjs, frameFor(transformersjs)),
    ).toThrow(/has no mask input: refine with more points/);
  });
});

describe('MedSAM feeds', () => {
  it('encodes the box as corners 2 and 3 in the stretched 1024 frame', () => {
    const feeds = encodePrompt({ points: [], box: { x0: 128, y0: 96, x1: 384, y1: 288 } }, medsam, frameFor(medsam));
    expect(view(feeds.point_coords)).toEqual({ type: 'float32', dims: [1, 2, 2], values: [256, 256, 768, 768] });
    expect(values(feeds.point_labels)).toEqual([2, 3]);
    expect(values(feeds.orig_im_size)).toEqual([384, 512]);
  });

  it('refuses points with a message that says to draw a box', () => {
    expect(() => encodePrompt(boxAndExclude, medsam, frameFor(medsam))).toThrow(
      /takes a box prompt only; got 1 point\(s\)\. Draw a box around the structure instead\./,
    );
    expect(() => encodePrompt({ points: [] }, medsam, frameFor(medsam))).toThrow(/needs a box prompt/);
  });
});

describe('prompt checks', () => {
  it('refuses a point outside the image, naming the point and the image size', () => {
    expect(() =>
      encodePrompt({ points: [...click.points, { x: 600, y: 10, label: 'include' }] }, sam, frameFor(sam)),
    ).toThrow('Point 2 (x=600, y=10) lies outside the 512x384 image (x must be in -0.5..511.5, y in -0.5..383.5).');
    expect(() => encodePrompt({ points: [{ x: 5, y: -1, label: 'include' }] }, sam2, frameFor(sam2))).toThrow(
      /Point 1/,
    );
  });

  it('refuses a box outside the image', () => {
    expect(() => encodePrompt({ points: [], box: { x0: 0, y0: 0, x1: 512, y1: 100 } }, sam, frameFor(sam))).toThrow(
      'Box (x0=0, y0=0, x1=512, y1=100) lies outside the 512x384 image (x must be in -0.5..511.5, y in -0.5..383.5).',
    );
  });

  it('accepts the image edges and refuses NaN', () => {
    expect(() => encodePrompt({ points: [{ x: 511.5, y: -0.5, label: 'include' }] }, sam, frameFor(sam))).not.toThrow();
    expect(() => encodePrompt({ points: [{ x: NaN, y: 3, label: 'include' }] }, sam, frameFor(sam))).toThrow(/outside/);
  });

  it('refuses a prompt with nothing to segment and an unknown label', () => {
    expect(() => encodePrompt({ points: [] }, sam, frameFor(sam))).toThrow(
      'The prompt has no include point and no box: nothing to segment.',
    );
    expect(() => encodePrompt({ points: [{ x: 1, y: 1, label: 'exclude' }] }, sam, frameFor(sam))).toThrow(
      /nothing to segment/,
    );
    const bad = { points: [{ x: 1, y: 1, label: 'positive' }] } as unknown as Prompt;
    expect(() => encodePrompt(bad, sam, frameFor(sam))).toThrow(
      'Point 1 has label "positive"; should be "include" or "exclude".',
    );
  });
});
