import {
  MODEL_FAMILIES,
  encoderFeeds,
  prepareSlice,
  preprocessImage,
  type DisplayImage,
  type PreprocessBuffers,
  withPreprocessing,
} from '../../../extensions/sam-segmentation/src/core';

const { sam, medsam, sam2, transformersjs } = MODEL_FAMILIES;
const S = 1024;
const PLANE = S * S;

/** Reference: torch interpolate(bilinear, align_corners=False) sample of a grey image at output (ox, oy). */
function torchBilinear(img: DisplayImage, outW: number, outH: number, ox: number, oy: number, c = 0): number {
  const axis = (o: number, inSize: number, outSize: number) => {
    const src = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    return [i0, i1, src - i0] as const;
  };
  const [x0, x1, fx] = axis(ox, img.width, outW);
  const [y0, y1, fy] = axis(oy, img.height, outH);
  const at = (x: number, y: number) => img.data[(y * img.width + x) * img.channels + c]!;
  const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
  const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

const greyImage = (width: number, height: number, values: number[]): DisplayImage => ({
  width,
  height,
  channels: 1,
  data: Uint8Array.from(values),
});

const samNorm = (v: number, c: number) => (v - [123.675, 116.28, 103.53][c]!) / [58.395, 57.12, 57.375][c]!;
const imagenetNorm = (v: number, c: number) => (v / 255 - [0.485, 0.456, 0.406][c]!) / [0.229, 0.224, 0.225][c]!;

describe('preprocessImage', () => {
  it('letterboxes a 3x3 image to [1,3,1024,1024] with SAM statistics, grey in all 3 channels', () => {
    const img = greyImage(3, 3, [0, 30, 60, 90, 120, 150, 180, 210, 240]);
    const { data, dims, frame } = preprocessImage(img, sam.preprocess);
    expect(dims).toEqual([1, 3, 1024, 1024]);
    expect(data.length).toBe(3 * PLANE);
    expect([frame.resizedWidth, frame.resizedHeight]).toEqual([1024, 1024]);
    for (const [x, y] of [
      [0, 0],
      [1023, 1023],
      [512, 512],
      [170, 341],
      [700, 5],
    ] as const) {
      const v = torchBilinear(img, 1024, 1024, x, y);
      for (let c = 0; c < 3; c++) expect(data[c * PLANE + y * S + x]).toBeCloseTo(samNorm(v, c), 4);
    }
    expect(data[0]).toBeCloseTo(-123.675 / 58.395, 5);
    expect(data[2 * PLANE + PLANE - 1]).toBeCloseTo((240 - 103.53) / 57.375, 5);
  });

  it('zero-pads below a wide image, also in a reused buffer holding old values', () => {
    const img = greyImage(4, 2, [0, 50, 100, 150, 200, 250, 255, 255]);
    const buffers: PreprocessBuffers = { output: new Float32Array(3 * PLANE).fill(7) };
    const { data, frame } = preprocessImage(img, sam.preprocess, buffers);
    expect(data).toBe(buffers.output);
    expect([frame.resizedWidth, frame.resizedHeight]).toEqual([1024, 512]);
    for (let c = 0; c < 3; c++) {
      expect(data[c * PLANE + 511 * S + 1023]).toBeCloseTo(samNorm(255, c), 4);
      expect(data[c * PLANE + 512 * S]).toBe(0);
      expect(data.subarray(c * PLANE + 512 * S, (c + 1) * PLANE).every((v) => v === 0)).toBe(true);
    }
    expect(data[511 * S]).toBeCloseTo(samNorm(200, 0), 4);
  });

  it('zero-pads right of a tall image', () => {
    const img = greyImage(300, 700, new Array(300 * 700).fill(255));
    const { data, frame } = preprocessImage(img, transformersjs.preprocess);
    expect(frame.resizedWidth).toBe(439);
    for (let c = 0; c < 3; c++) {
      expect(data[c * PLANE + 600 * S + 438]).toBeCloseTo(imagenetNorm(255, c), 4);
      expect(data[c * PLANE + 600 * S + 439]).toBe(0);
      expect(data[c * PLANE + 1023 * S + 1023]).toBe(0);
    }
  });

  it('stretches for SAM 2 with x/255 and ImageNet statistics', () => {
    const img = greyImage(4, 2, [0, 50, 100, 150, 200, 250, 255, 255]);
    const { data, frame } = preprocessImage(img, sam2.preprocess);
    expect([frame.resizedWidth, frame.resizedHeight]).toEqual([1024, 1024]);
    for (const [x, y] of [
      [0, 0],
      [1023, 1023],
      [300, 700],
    ] as const) {
      const v = torchBilinear(img, 1024, 1024, x, y);
      for (let c = 0; c < 3; c++) expect(data[c * PLANE + y * S + x]).toBeCloseTo(imagenetNorm(v, c), 4);
    }
  });

  it('stretches for MedSAM and maps the resized image min-max to [0, 1]', () => {
    const img = greyImage(3, 2, [10, 20, 30, 40, 50, 60]);
    const { data } = preprocessImage(img, medsam.preprocess);
    expect(data[0]).toBeCloseTo(0, 6);
    expect(data[PLANE - 1]).toBeCloseTo(1, 6);
    const v = torchBilinear(img, 1024, 1024, 400, 600);
    expect(data[600 * S + 400]).toBeCloseTo((v - 10) / 50, 5);
    expect(data[2 * PLANE + 600 * S + 400]).toBeCloseTo((v - 10) / 50, 5);
  });

  it('resizes each colour channel into its own plane', () => {
    const img: DisplayImage = {
      width: 2,
      height: 2,
      channels: 3,
      data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]),
    };
    const { data } = preprocessImage(img, sam.preprocess);
    const corner = (c: number, x: number, y: number) => data[c * PLANE + y * S + x]!;
    expect([0, 1, 2].map((c) => corner(c, 0, 0))).toEqual(
      [0, 1, 2].map((c) => expect.closeTo(samNorm([255, 0, 0][c]!, c), 4)),
    );
    expect([0, 1, 2].map((c) => corner(c, 1023, 0))).toEqual(
      [0, 1, 2].map((c) => expect.closeTo(samNorm([0, 255, 0][c]!, c), 4)),
    );
    expect([0, 1, 2].map((c) => corner(c, 1023, 1023))).toEqual([0, 1, 2].map((c) => expect.closeTo(samNorm(9, c), 4)));
    const mid = torchBilinear(img, 1024, 1024, 512, 300, 2);
    expect(corner(2, 512, 300)).toBeCloseTo(samNorm(mid, 2), 4);
  });

  it('follows a manifest input size (EfficientViT-SAM at 512)', () => {
    const img = greyImage(4, 2, new Array(8).fill(100));
    const { dims, frame } = preprocessImage(img, { ...sam.preprocess, inputSize: 512 });
    expect(dims).toEqual([1, 3, 512, 512]);
    expect(frame.resizedHeight).toBe(256);
  });

  it('gives an HWC encoder the resized 0-255 pixels, exactly those the NCHW path normalises, unpadded', () => {
    const identity = { kind: 'mean-std', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] } as const;
    const hwcSpec = { ...sam.preprocess, encoderInput: 'hwc-resized-0-255' } as const;
    const grey = greyImage(
      300,
      700,
      Array.from({ length: 300 * 700 }, (_, i) => (i * 7) % 256),
    );
    const colour: DisplayImage = {
      width: 5,
      height: 3,
      channels: 3,
      data: Uint8Array.from({ length: 45 }, (_, i) => (i * 37) % 256),
    };
    for (const img of [grey, colour]) {
      const nchw = preprocessImage(img, { ...sam.preprocess, normalisation: identity });
      const hwc = preprocessImage(img, hwcSpec);
      const { resizedWidth: rw, resizedHeight: rh } = nchw.frame;
      expect(hwc.layout).toBe('hwc-resized-0-255');
      expect(hwc.dims).toEqual([rh, rw, 3]);
      expect(hwc.data.length).toBe(rh * rw * 3);
      // The same frame, so prompts and masks map exactly as for the letterbox.
      expect(hwc.frame).toEqual(nchw.frame);
      let mismatches = 0;
      for (let y = 0; y < rh; y++) {
        for (let x = 0; x < rw; x++) {
          for (let c = 0; c < 3; c++) {
            if (hwc.data[(y * rw + x) * 3 + c] !== nchw.data[c * PLANE + y * S + x]) mismatches++;
          }
        }
      }
      expect(mismatches).toBe(0);
    }
    expect(preprocessImage(grey, hwcSpec).dims).toEqual([1024, 439, 3]);
    const wide = preprocessImage(greyImage(4, 2, [0, 50, 100, 150, 200, 250, 255, 255]), hwcSpec);
    expect(wide.dims).toEqual([512, 1024, 3]);
    expect(Array.from(wide.data.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(wide.data[(511 * 1024 + 1023) * 3 + 2]).toBeCloseTo(255, 4);
  });

  it('reuses an HWC output buffer of the right size', () => {
    const hwcSpec = { ...sam.preprocess, encoderInput: 'hwc-resized-0-255' } as const;
    const buffers: PreprocessBuffers = {};
    const first = preprocessImage(greyImage(4, 2, new Array(8).fill(9)), hwcSpec, buffers);
    const second = preprocessImage(greyImage(4, 2, new Array(8).fill(90)), hwcSpec, buffers);
    expect(second.data).toBe(first.data);
    expect(second.data[0]).toBeCloseTo(90, 4);
  });

  it('refuses image data of the wrong length', () => {
    expect(() => preprocessImage(greyImage(3, 3, [1, 2]), sam.preprocess)).toThrow(
      'Image data has 2 values; 3 x 3 x 1 need that many.',
    );
  });
});

describe('encoder feeds and prepareSlice', () => {
  it('puts the pixel tensor under each family encoder input name', () => {
    const input = preprocessImage(greyImage(2, 2, [0, 1, 2, 3]), sam.preprocess);
    expect(Object.keys(encoderFeeds(sam, input))).toEqual(['input_image']);
    expect(Object.keys(encoderFeeds(sam2, input))).toEqual(['image']);
    expect(Object.keys(encoderFeeds(transformersjs, input))).toEqual(['pixel_values']);
    expect(Object.keys(encoderFeeds(sam, input, 'image'))).toEqual(['image']);
    expect(encoderFeeds(sam, input).input_image).toMatchObject({ type: 'float32', dims: [1, 3, 1024, 1024] });
  });

  it('feeds an HWC encoder its [h,w,3] tensor, and refuses a tensor of the other layout', () => {
    const samHwc = withPreprocessing(sam, { encoderInput: 'hwc-resized-0-255' });
    const img = greyImage(4, 2, [0, 1, 2, 3, 4, 5, 6, 7]);
    const hwc = preprocessImage(img, samHwc.preprocess);
    expect(encoderFeeds(samHwc, hwc).input_image).toMatchObject({ type: 'float32', dims: [512, 1024, 3] });
    expect(() => encoderFeeds(sam, hwc)).toThrow(
      "The pixel tensor is laid out 'hwc-resized-0-255', but this model's encoder takes 'nchw-normalised'",
    );
    expect(() => encoderFeeds(samHwc, preprocessImage(img, sam.preprocess))).toThrow(/laid out 'nchw-normalised'/);
  });

  it('goes from CT stored values to the tensor in one call', () => {
    const values = Int16Array.from({ length: 16 }, (_, i) => 1024 + i * 20);
    const out = prepareSlice(
      {
        values,
        rows: 4,
        columns: 4,
        samplesPerPixel: 1,
        photometricInterpretation: 'MONOCHROME2',
        rescaleIntercept: -1024,
      },
      { kind: 'window', center: 150, width: 301 },
      sam,
    );
    expect(out.voiRange).toEqual({ lower: -0.5, upper: 299.5 });
    expect(out.dims).toEqual([1, 3, 1024, 1024]);
    expect(out.data[0]).toBeCloseTo(samNorm(0, 0), 5); // HU 0 → 8-bit 0
    expect(out.data[PLANE - 1]).toBeCloseTo(samNorm(255, 0), 5); // HU 300 → 255
  });
});
