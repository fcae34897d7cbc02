/**
 * Child-process half of test/unit/runtime/samModel.test.ts: the whole inference pipeline a viewer
 * runs — stored CT values → core preprocessing → onnxruntime → core masks — on the project's
 * generated test models of one family (argv[2]), in onnxruntime-web's WASM build or onnxruntime-node
 * on the CPU (argv[3]: wasm or cpu, as the command-line tools run it). Prints one JSON line, with
 * each prompt's mask (bit-packed, base64) so that the two runtimes' masks can be compared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dice,
  getFamily,
  withPreprocessing,
  type PreprocessSpec,
  type Prompt,
  type SlicePixels,
} from '../../extensions/sam-segmentation/src/core';
import { SamModel } from '../../extensions/sam-segmentation/src/runtime/samModel';
import { resolveToolBackend, toolRuntime } from '../../tools/models/toolRuntime';

const FILES: Record<string, [string, string]> = {
  sam: ['sam-official.encoder.onnx', 'sam-official.decoder.onnx'],
  // An encoder that takes the resized 0-255 image as [H,W,3] and preprocesses inside (MobileSAM exports).
  'sam-hwc': ['sam-official-hwc.encoder.onnx', 'sam-official.decoder.onnx'],
  sam2: ['sam2.encoder.onnx', 'sam2.decoder.onnx'],
  transformersjs: ['transformersjs.vision_encoder.onnx', 'transformersjs.prompt_encoder_mask_decoder.onnx'],
};

/** Test setups that are a family with a model's own preprocessing, as a manifest entry would give it. */
const VARIANTS: Record<string, { family: string; preprocess: Partial<PreprocessSpec> }> = {
  'sam-hwc': { family: 'sam', preprocess: { encoderInput: 'hwc-resized-0-255' } },
};

const familyId = process.argv[2]!;
const backend = resolveToolBackend(process.argv[3] === 'cpu' ? 'cpu' : 'wasm');
const [encoderFile, decoderFile] = FILES[familyId]!;
const dir = join(import.meta.dirname, '..', '..', 'models', 'test');
const files = { encoder: readFileSync(join(dir, encoderFile)), decoder: readFileSync(join(dir, decoderFile)) };
const variant = VARIANTS[familyId];
const family = variant ? withPreprocessing(getFamily(variant.family), variant.preprocess) : getFamily(familyId);

// A non-square CT slice (rows 384, columns 512): air, a soft-tissue body (40 HU), a 200 HU disc.
const rows = 384;
const columns = 512;
const disc = { cx: 300, cy: 150, r: 40 };
const values = new Int16Array(rows * columns);
const truth = new Uint8Array(rows * columns);
for (let y = 0; y < rows; y++) {
  for (let x = 0; x < columns; x++) {
    const inBody = ((x - 256) / 240) ** 2 + ((y - 192) / 180) ** 2 <= 1;
    const inDisc = (x - disc.cx) ** 2 + (y - disc.cy) ** 2 <= disc.r ** 2;
    truth[y * columns + x] = inDisc ? 1 : 0;
    values[y * columns + x] = (inDisc ? 200 : inBody ? 40 : -1000) + 1024; // stored = HU - intercept
  }
}
const slice: SlicePixels = {
  values,
  rows,
  columns,
  samplesPerPixel: 1,
  photometricInterpretation: 'MONOCHROME2',
  rescaleSlope: 1,
  rescaleIntercept: -1024,
};

const model = await SamModel.create({ id: `test-${familyId}`, family }, files, backend, await toolRuntime(backend));
const embedding = await model.encode(slice, { kind: 'window', center: 40, width: 400 });

const prompts: Record<string, Prompt> = {
  centrePoint: { points: [{ x: disc.cx, y: disc.cy, label: 'include' }] },
  box: {
    points: [],
    box: { x0: disc.cx - disc.r - 4, y0: disc.cy - disc.r - 4, x1: disc.cx + disc.r + 4, y1: disc.cy + disc.r + 4 },
  },
  backgroundPoint: { points: [{ x: 150, y: 280, label: 'include' }] },
};
/** A mask as one bit per pixel (row-major, first pixel in the highest bit), base64. */
function packed(mask: Uint8Array): string {
  const bits = Buffer.alloc(Math.ceil(mask.length / 8));
  mask.forEach((v, i) => {
    if (v) bits[i >> 3]! |= 0x80 >> (i & 7);
  });
  return bits.toString('base64');
}
const results: Record<string, { dice: number; maskPixels: number; candidates: number; mask: string }> = {};
for (const [name, prompt] of Object.entries(prompts)) {
  const { mask, candidates } = await model.decode(embedding, prompt);
  results[name] = {
    dice: dice(mask, truth),
    maskPixels: mask.reduce((s, v) => s + v, 0),
    candidates: candidates.length,
    mask: packed(mask),
  };
}

// A refinement: the chosen candidate's low-res logits fed back with a second point.
const first = await model.decode(embedding, prompts.centrePoint!);
const refined = await model.decode(embedding, {
  points: [...prompts.centrePoint!.points, { x: disc.cx + 10, y: disc.cy, label: 'include' }],
  previousMask: family.decoder.maskInput ? first.chosen.lowResLogits : undefined,
});

let outsideError = '';
await model
  .decode(embedding, { points: [{ x: columns + 5, y: 10, label: 'include' }] })
  .catch((e: Error) => (outsideError = e.message));
await model.release();

console.log(
  JSON.stringify({
    embeddingShapes: Object.fromEntries(Object.entries(embedding.tensors).map(([k, t]) => [k, t.dims])),
    maskLength: first.mask.length,
    results,
    refinedDice: dice(refined.mask, truth),
    outsideError,
  }),
);
