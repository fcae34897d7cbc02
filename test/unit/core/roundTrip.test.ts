/**
 * Coordinates end to end: a known shape on a (non-square) image, its centre mapped into the model frame
 * and back, and a simulated decoder answer (the shape rendered as 256x256 logits in the model frame, as
 * the model would see it) brought back to the image grid: same pixels, no half-pixel shift, no
 * transposition, for letterbox and stretch.
 */
import {
  LogitUpsampler,
  MODEL_FAMILIES,
  ModelFrame,
  encodePrompt,
  logitsToMask,
  type FrameGeometry,
} from '../../../extensions/sam-segmentation/src/core';

const { hypot, min, max, floor } = Math;
const LOW = 256;

/** A shape as a signed distance in image pixel-index coordinates (positive inside). */
interface Shape {
  centre: { x: number; y: number };
  sdf: (x: number, y: number) => number;
}

const disc = (cx: number, cy: number, r: number): Shape => ({
  centre: { x: cx, y: cy },
  sdf: (x, y) => r - hypot(x - cx, y - cy),
});

/** Pixels x0..x1, y0..y1 inclusive: edges half a pixel outside the end pixels' centres. */
const rectangle = (x0: number, y0: number, x1: number, y1: number): Shape => ({
  centre: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 },
  sdf: (x, y) => min(x - (x0 - 0.5), x1 + 0.5 - x, y - (y0 - 0.5), y1 + 0.5 - y),
});

function rasterise(shape: Shape, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = shape.sdf(x, y) > 0 ? 1 : 0;
  return mask;
}

/**
 * The model's view: low-resolution pixel (u, v) covers model pixels 4u … 4u+4, centre (u + 0.5) * S/256 in
 * continuous model coordinates; back in continuous image coordinates, minus 0.5 for pixel indices.
 */
function renderLowRes(shape: Shape, frame: ModelFrame): Float32Array {
  const cell = frame.inputSize / LOW;
  const logits = new Float32Array(LOW * LOW);
  for (let v = 0; v < LOW; v++) {
    for (let u = 0; u < LOW; u++) {
      const p = frame.modelToImage((u + 0.5) * cell, (v + 0.5) * cell);
      logits[v * LOW + u] = shape.sdf(p.x - 0.5, p.y - 0.5);
    }
  }
  return logits;
}

function dice(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! & b[i]!;
    sum += a[i]! + b[i]!;
  }
  return (2 * both) / sum;
}

function centroid(mask: Uint8Array, width: number): { x: number; y: number } {
  let sx = 0;
  let sy = 0;
  let n = 0;
  mask.forEach((m, i) => {
    if (!m) return;
    sx += i % width;
    sy += floor(i / width);
    n++;
  });
  return { x: sx / n, y: sy / n };
}

const letterbox: FrameGeometry = { inputSize: 1024, resize: 'letterbox' };
const stretch: FrameGeometry = { inputSize: 1024, resize: 'stretch' };

const cases: [string, number, number, FrameGeometry, Shape][] = [
  ['square letterbox, disc', 512, 512, letterbox, disc(300.3, 140.7, 40)],
  ['wide letterbox, disc', 300, 200, letterbox, disc(90, 130, 25)],
  ['tall letterbox, rectangle', 200, 300, letterbox, rectangle(40, 170, 110, 230)],
  ['large letterbox (shrunk), disc', 1400, 900, letterbox, disc(1000, 300, 120)],
  ['square stretch, rectangle', 512, 512, stretch, rectangle(100, 300, 180, 420)],
  ['wide stretch, disc', 300, 200, stretch, disc(210.5, 60.5, 30)],
  ['small odd stretch, disc', 97, 61, stretch, disc(30, 40, 12)],
  ['tall stretch, rectangle', 200, 300, stretch, rectangle(20, 10, 90, 60)],
];

describe('coordinate round trip', () => {
  it.each(cases)(
    '%s (%i x %i): centre maps back exactly, mask lands on the same pixels',
    (_, w, h, geometry, shape) => {
      const frame = new ModelFrame(w, h, geometry);
      const { x, y } = shape.centre;
      const inModel = frame.imageToModel(x, y);
      const back = frame.modelToImage(inModel.x, inModel.y);
      expect(back.x).toBeCloseTo(x, 9);
      expect(back.y).toBeCloseTo(y, 9);

      // The prompt encoder puts the click at exactly that model position.
      const family = geometry.resize === 'letterbox' ? MODEL_FAMILIES.sam : MODEL_FAMILIES.sam2;
      const feeds = encodePrompt({ points: [{ x, y, label: 'include' }] }, family, frame);
      const coords = feeds.point_coords!.data as Float32Array;
      expect(coords[0]).toBeCloseTo(inModel.x, 3);
      expect(coords[1]).toBeCloseTo(inModel.y, 3);

      const truth = rasterise(shape, w, h);
      const mask = logitsToMask(new LogitUpsampler(frame).upsample(renderLowRes(shape, frame)));
      expect(dice(mask, truth)).toBeGreaterThan(0.99); // the issue asks > 0.97 and centroids within 0.5 px
      const c = centroid(mask, w);
      const t = centroid(truth, w);
      expect(Math.abs(c.x - t.x)).toBeLessThan(0.05);
      expect(Math.abs(c.y - t.y)).toBeLessThan(0.05);
    },
  );

  it('catches a half-pixel shift (the check is sharp enough to fail a wrong convention)', () => {
    const frame = new ModelFrame(300, 200, letterbox);
    const shape = disc(90, 130, 25);
    const shifted: Shape = { ...shape, sdf: (x, y) => shape.sdf(x - 0.5, y - 0.5) };
    const mask = logitsToMask(new LogitUpsampler(frame).upsample(renderLowRes(shifted, frame)));
    const c = centroid(mask, 300);
    expect(c.x - 90).toBeGreaterThan(0.4);
  });
});

/** The official post-processing step by step: torch-style resize to S x S, crop, resize to H x W. */
function officialPostprocess(low: Float32Array, frame: ModelFrame): Float32Array {
  const resize = (src: Float32Array, w: number, h: number, ow: number, oh: number) => {
    const out = new Float32Array(ow * oh);
    const axis = (o: number, n: number, m: number) => {
      const s = max(0, ((o + 0.5) * n) / m - 0.5);
      const i0 = min(floor(s), n - 1);
      return [i0, min(i0 + 1, n - 1), s - i0] as const;
    };
    for (let y = 0; y < oh; y++) {
      const [y0, y1, fy] = axis(y, h, oh);
      for (let x = 0; x < ow; x++) {
        const [x0, x1, fx] = axis(x, w, ow);
        const top = src[y0 * w + x0]! * (1 - fx) + src[y0 * w + x1]! * fx;
        const bottom = src[y1 * w + x0]! * (1 - fx) + src[y1 * w + x1]! * fx;
        out[y * ow + x] = top * (1 - fy) + bottom * fy;
      }
    }
    return out;
  };
  const S = frame.inputSize;
  if (frame.resize === 'stretch') return resize(low, LOW, LOW, frame.imageWidth, frame.imageHeight);
  const full = resize(low, LOW, LOW, S, S);
  const crop = new Float32Array(frame.resizedWidth * frame.resizedHeight);
  for (let y = 0; y < frame.resizedHeight; y++) {
    crop.set(full.subarray(y * S, y * S + frame.resizedWidth), y * frame.resizedWidth);
  }
  return resize(crop, frame.resizedWidth, frame.resizedHeight, frame.imageWidth, frame.imageHeight);
}

describe('LogitUpsampler', () => {
  it.each([
    [300, 200, letterbox],
    [200, 300, letterbox],
    [1400, 900, letterbox],
    [300, 200, stretch],
  ])('matches the official step-by-step post-processing for %i x %i (%o)', (w, h, geometry) => {
    const frame = new ModelFrame(w, h, geometry);
    const low = Float32Array.from({ length: LOW * LOW }, (_, i) => Math.sin(i * 0.37) * 5 + ((i * 7919) % 13) - 6);
    const ours = new LogitUpsampler(frame).upsample(low);
    const reference = officialPostprocess(low, frame);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = max(worst, Math.abs(ours[i]! - reference[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('refuses logits of another size', () => {
    const upsampler = new LogitUpsampler(new ModelFrame(10, 10, letterbox));
    expect(() => upsampler.upsample(new Float32Array(64 * 64))).toThrow(
      'Low-resolution logits have 4096 values; expected 256x256.',
    );
  });
});
