/**
 * Child-process half of test/unit/runtime/float16Embeddings.test.ts: the same prompts decoded from
 * float32 and from float16-cached embeddings, through InferenceEngine and the real onnxruntime.
 * Prints, per family, how many mask pixels differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseModelManifest,
  type ModelEntry,
  type Prompt,
  type SlicePixels,
} from '../../extensions/sam-segmentation/src/core';
import { InferenceEngine } from '../../extensions/sam-segmentation/src/runtime/inferenceEngine';

const root = join(import.meta.dirname, '..', '..');
const testModels: Array<{ family: ModelEntry['family']; encoder: string; decoder: string }> = [
  { family: 'sam', encoder: 'test/sam-official.encoder.onnx', decoder: 'test/sam-official.decoder.onnx' },
  { family: 'sam2', encoder: 'test/sam2.encoder.onnx', decoder: 'test/sam2.decoder.onnx' },
  {
    family: 'transformersjs',
    encoder: 'test/transformersjs.vision_encoder.onnx',
    decoder: 'test/transformersjs.prompt_encoder_mask_decoder.onnx',
  },
];

function entry(family: ModelEntry['family']): ModelEntry {
  const manifest = parseModelManifest({
    version: 1,
    defaultModel: family,
    models: [
      {
        id: family,
        name: family,
        family,
        version: 'test',
        description: 'test model',
        licence: { spdx: 'MIT' },
        segmentAnythingWeights: false,
        files: { encoder: { file: 'e.onnx' }, decoder: { file: 'd.onnx' } },
        recommendedBackend: 'any',
      },
    ],
  });
  return manifest.models[0]!;
}

// A textured CT-like slice: several blobs of different HU on a noisy body.
const rows = 320;
const columns = 448;
const values = new Int16Array(rows * columns);
let seed = 7;
const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 30;
const blobs = [
  { x: 120, y: 100, r: 35, hu: 180 },
  { x: 300, y: 200, r: 50, hu: 90 },
  { x: 330, y: 80, r: 20, hu: 400 },
];
for (let y = 0; y < rows; y++) {
  for (let x = 0; x < columns; x++) {
    const blob = blobs.find((b) => (x - b.x) ** 2 + (y - b.y) ** 2 <= b.r ** 2);
    values[y * columns + x] = (blob ? blob.hu : 40) + noise() + 1024;
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
const prompts: Prompt[] = [
  ...blobs.map((b) => ({ points: [{ x: b.x, y: b.y, label: 'include' as const }] })),
  ...blobs.map((b) => ({
    points: [],
    box: { x0: b.x - b.r - 3, y0: b.y - b.r - 3, x1: b.x + b.r + 3, y1: b.y + b.r + 3 },
  })),
];

const result: Record<string, { differingPixels: number; maskPixels: number }> = {};
for (const m of testModels) {
  const files = {
    encoder: readFileSync(join(root, 'models', m.encoder)),
    decoder: readFileSync(join(root, 'models', m.decoder)),
  };
  const masks: Uint8Array[][] = [];
  for (const float16 of [false, true]) {
    const engine = new InferenceEngine({ float16 });
    await engine.loadModel(entry(m.family), files, 'wasm');
    const key = { modelId: m.family, imageKey: 'slice', preprocessingKey: 'w40/400' };
    await engine.encode({ ...key, slice, voi: { kind: 'window', center: 40, width: 400 } });
    const list: Uint8Array[] = [];
    for (const prompt of prompts) list.push((await engine.decode({ ...key, prompt })).mask);
    masks.push(list);
    await engine.unloadModel(m.family);
  }
  let differingPixels = 0;
  let maskPixels = 0;
  masks[0]!.forEach((a, i) => {
    const b = masks[1]![i]!;
    for (let p = 0; p < a.length; p++) {
      differingPixels += a[p] !== b[p] ? 1 : 0;
      maskPixels += a[p]!;
    }
  });
  result[m.family] = { differingPixels, maskPixels };
}
console.log(JSON.stringify(result));
