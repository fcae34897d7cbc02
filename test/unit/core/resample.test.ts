import {
  bilinearTable,
  composeTables,
  cropTable,
  packedPlane,
  resamplePlane,
} from '../../../extensions/sam-segmentation/src/core';

function resize(src: Float32Array, w: number, h: number, ow: number, oh: number, antialias = false): Float32Array {
  const out = new Float32Array(ow * oh);
  resamplePlane(
    src,
    packedPlane(w),
    out,
    packedPlane(ow),
    bilinearTable(w, ow, antialias),
    bilinearTable(h, oh, antialias),
  );
  return out;
}

const close = (actual: ArrayLike<number>, expected: number[], digits = 5) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
};

describe('bilinear resampling', () => {
  it('enlarges 2x2 to 4x4 like torch interpolate(align_corners=False)', () => {
    const out = resize(Float32Array.from([0, 1, 2, 3]), 2, 2, 4, 4);
    // prettier-ignore
    close(out, [
      0, 0.25, 0.75, 1,
      0.5, 0.75, 1.25, 1.5,
      1.5, 1.75, 2.25, 2.5,
      2, 2.25, 2.75, 3,
    ]);
  });

  it('shrinks without antialias like torch (2 taps at half-pixel centres)', () => {
    close(resize(Float32Array.from([0, 1, 2, 3]), 4, 1, 2, 1), [0.5, 2.5]);
  });

  it('shrinks with antialias like PIL / torch antialias=True (widened triangle)', () => {
    close(resize(Float32Array.from([0, 1, 2, 3]), 4, 1, 2, 1, true), [1.25 / 1.75, 4 / 1.75]);
  });

  it('keeps a constant image constant and copies at scale 1', () => {
    const out = resize(new Float32Array(7 * 5).fill(3.5), 7, 5, 23, 11, true);
    out.forEach((v) => expect(v).toBeCloseTo(3.5, 5));
    const src = Float32Array.from({ length: 12 }, (_, i) => i * i);
    close(resize(src, 4, 3, 4, 3), Array.from(src));
  });

  it('composes a resize, a crop and a resize into one table with the same result', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
    const first = cropTable(bilinearTable(16, 64), 40);
    const second = bilinearTable(40, 25);
    const twoSteps = new Float32Array(25);
    const middle = new Float32Array(40);
    resamplePlane(src, packedPlane(16), middle, packedPlane(40), first, bilinearTable(1, 1));
    resamplePlane(middle, packedPlane(40), twoSteps, packedPlane(25), second, bilinearTable(1, 1));
    const oneStep = new Float32Array(25);
    resamplePlane(src, packedPlane(16), oneStep, packedPlane(25), composeTables(first, second), bilinearTable(1, 1));
    close(oneStep, Array.from(twoSteps), 6);
  });

  it('reads one channel of interleaved pixels and writes into a strided plane', () => {
    const rgb = Uint8Array.from([10, 20, 30, 40, 50, 60]); // 2 pixels, 1 row
    const out = new Float32Array(8);
    resamplePlane(
      rgb,
      { offset: 1, pixelStride: 3, rowStride: 6 },
      out,
      { offset: 4, pixelStride: 1, rowStride: 4 },
      bilinearTable(2, 4),
      bilinearTable(1, 1),
    );
    close(out, [0, 0, 0, 0, 20, 27.5, 42.5, 50]);
  });
});
