/**
 * Hand-run timing check (not a test): `npx tsx test/unit/core/timePreprocess.ts`.
 * Times a 512x512 CT slice through each stage and each family, with reused buffers.
 */
import {
  LogitUpsampler,
  MODEL_FAMILIES,
  ModelFrame,
  PROTOCOL_PERCENTILE_WINDOW,
  prepareSlice,
  preprocessImage,
  toDisplayImage,
  type PreprocessBuffers,
  type SlicePixels,
} from '../../../extensions/sam-segmentation/src/core';

const size = 512;
const values = new Int16Array(size * size);
for (let i = 0; i < values.length; i++) values[i] = (Math.sin(i * 0.001) * 1500 + (i % 97) * 10) | 0;
const slice: SlicePixels = {
  values,
  rows: size,
  columns: size,
  samplesPerPixel: 1,
  photometricInterpretation: 'MONOCHROME2',
  rescaleSlope: 1,
  rescaleIntercept: -1024,
};

function time(label: string, run: () => void, repeats = 50): void {
  for (let i = 0; i < 5; i++) run();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) run();
  console.log(`${label.padEnd(46)} ${((performance.now() - t0) / repeats).toFixed(2)} ms`);
}

const windowed = { kind: 'window', center: 40, width: 400 } as const;
time('display image, given window', () => toDisplayImage(slice, windowed));
time('display image, percentile window', () => toDisplayImage(slice, PROTOCOL_PERCENTILE_WINDOW));
const { image } = toDisplayImage(slice, windowed);
for (const family of Object.values(MODEL_FAMILIES)) {
  const buffers: PreprocessBuffers = {};
  time(`resize + normalise + pad (${family.id})`, () => preprocessImage(image, family.preprocess, buffers));
}
const buffers: PreprocessBuffers = {};
time('whole slice → tensor (sam, given window)', () => prepareSlice(slice, windowed, MODEL_FAMILIES.sam, buffers));
const lowRes = new Float32Array(256 * 256).map((_, i) => (i % 256) - 128);
for (const family of [MODEL_FAMILIES.sam, MODEL_FAMILIES.sam2]) {
  const upsampler = new LogitUpsampler(new ModelFrame(size, size, family.preprocess));
  const out = new Float32Array(size * size);
  time(`upsample 256 → 512 logits (${family.preprocess.resize})`, () => upsampler.upsample(lowRes, out));
}
