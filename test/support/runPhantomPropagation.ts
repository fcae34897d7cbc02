/**
 * Child-process half of test/unit/runtime/propagation.test.ts, and the measurement behind the
 * propagation defaults (docs/propagation.md): each object of the CT phantom, seeded as a user would
 * (a SAM box on its largest slice, decoded as a preview), propagated both ways through the 64-slice
 * series with the walk the viewer uses (propagateSeries over an InferenceEngine), the real
 * onnxruntime and the default model. Prints per object the 3D Dice against the phantom's label volume,
 * the slices kept and why each direction ended, as JSON.
 *
 *   npx tsx test/support/runPhantomPropagation.ts ['{"reprompt":{…},"stop":{…}}'] [sam2-memory]
 *
 * The second argument runs the SAM 2 stand-in with its video modules (the memory engine) instead.
 */
import { join } from 'node:path';
import {
  DEFAULT_REPROMPT,
  DEFAULT_STOP,
  boxPrompt,
  dice,
  propagationEngineOf,
  type RepromptOptions,
  type StopThresholds,
} from '../../extensions/sam-segmentation/src/core';
import { InferenceEngine } from '../../extensions/sam-segmentation/src/runtime/inferenceEngine';
import { EngineRuntime } from '../../extensions/sam-segmentation/src/runtime/propagation/engineRuntime';
import { propagateSeries } from '../../extensions/sam-segmentation/src/runtime/propagation/propagateSeries';
import type { ImageSource } from '../../extensions/sam-segmentation/src/runtime/runtimeSession';
import { PHANTOM_DIR, readCtSlice } from '../../tools/bench/nodeBench';
import { readLocalModel } from '../../tools/models/localModel';
import { DEFAULT_PHANTOM_SPEC, computeLabelVolume, describeObjects } from '../../viewer/samples/phantom';
import { sam2MemoryTestModel } from './sam2MemoryTestModel';

const overrides = JSON.parse(process.argv[2] ?? '{}') as {
  reprompt?: Partial<RepromptOptions>;
  stop?: Partial<StopThresholds>;
};
const settings = {
  reprompt: { ...DEFAULT_REPROMPT, ...overrides.reprompt },
  stop: { ...DEFAULT_STOP, ...overrides.stop },
};

const { columns: width, rows: height, slices } = DEFAULT_PHANTOM_SPEC.geometry;
const plane = width * height;
const labels = computeLabelVolume();
const images: ImageSource[] = Array.from({ length: slices }, (_, k) => {
  const file = join(PHANTOM_DIR, `${String(k + 1).padStart(4, '0')}.dcm`);
  return {
    imageKey: `phantom#${k}`,
    preprocessingKey: 'w40/400',
    voi: { kind: 'window', center: 40, width: 400 },
    pixels: async () => readCtSlice(file),
  };
});

const { entry, files } = process.argv[3] === 'sam2-memory' ? sam2MemoryTestModel() : await readLocalModel();
const engine = new InferenceEngine();
await engine.loadModel(entry, files, 'wasm');
const runtime = new EngineRuntime(engine, entry.id);

const results = [];
for (const object of describeObjects()) {
  const truth = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) truth[i] = labels[i] === object.label ? 1 : 0;
  // The user's start: a box on the object's largest slice, its preview decoded as in the viewer.
  let start = 0;
  let largest = -1;
  for (let k = 0; k < slices; k++) {
    const area = truth.subarray(k * plane, (k + 1) * plane).reduce((n, v) => n + v, 0);
    if (area > largest) [start, largest] = [k, area];
  }
  const key = { modelId: entry.id, imageKey: images[start]!.imageKey, preprocessingKey: 'w40/400' };
  await runtime.encode(images[start]!);
  const prompt = boxPrompt(truth.subarray(start * plane, (start + 1) * plane), width, height);
  const seed = await engine.decode({ ...key, prompt, session: { id: 'user', decodeId: object.label } });
  const predicted = new Uint8Array(labels.length);
  predicted.set(seed.mask, start * plane);
  const outcome = await propagateSeries(runtime, {
    images,
    start,
    seed: { mask: seed.mask, width, height },
    seedDecode: { session: 'user', decodeId: object.label },
    directions: [1, -1],
    settings,
    onSlice: (k, step) => predicted.set(step.mask, k * plane),
  });
  const kept = (k: number) => predicted.subarray(k * plane, (k + 1) * plane).some((v) => v !== 0);
  const inObject = (k: number) => truth.subarray(k * plane, (k + 1) * plane).some((v) => v !== 0);
  const range = (has: (k: number) => boolean) => {
    const ks = Array.from({ length: slices }, (_, k) => k).filter(has);
    return [ks[0], ks.at(-1)];
  };
  results.push({
    object: object.id,
    dice3d: dice(predicted, truth),
    seedDice: dice(seed.mask, truth.subarray(start * plane, (start + 1) * plane)),
    start,
    objectSlices: range(inObject),
    maskSlices: range(kept),
    kept: outcome.kept,
    ended: outcome.ended,
    stepMs: outcome.stepMs.reduce((a, b) => a + b, 0) / Math.max(1, outcome.stepMs.length),
  });
}
console.log(JSON.stringify({ model: entry.id, engine: propagationEngineOf(entry), settings, results }));
