/**
 * Builds the compute twin of SAM's decoder and runs it once through SamModel's official-format path
 * (a point prompt on a 512 x 384 image, after the official test encoder): prints the graph's size, its
 * inputs and outputs, the candidates' shapes and whether every value is finite, as one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { getFamily } from '../../extensions/sam-segmentation/src/core';
import { SamModel } from '../../extensions/sam-segmentation/src/runtime/samModel';
import { buildSamDecoderTwin } from '../../models/generator/samDecoderTwin';

ort.env.wasm.numThreads = 1;
const decoder = buildSamDecoderTwin();
const encoder = new Uint8Array(
  readFileSync(join(import.meta.dirname, '..', '..', 'models', 'test', 'sam-official.encoder.onnx')),
);
const model = await SamModel.create({ id: 'twin', family: getFamily('sam') }, { encoder, decoder });
const values = new Int16Array(512 * 384).map((_, i) => (i % 512) - 200);
const slice = { values, rows: 384, columns: 512, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2' };
const embedding = await model.encode(slice, { kind: 'window', center: 40, width: 400 });
const result = await model.decode(embedding, { points: [{ x: 100, y: 80, label: 'include' }] });
const finite = result.candidates.every((c) => c.lowResLogits.every(Number.isFinite) && Number.isFinite(c.predictedIou));
console.log(
  JSON.stringify({
    bytes: decoder.length,
    candidates: result.candidates.map((c) => ({ index: c.index, token: c.token, w: c.lowResWidth, h: c.lowResHeight })),
    maskPixels: result.mask.length,
    finite,
    decoderRunMs: result.decoderRunMs,
  }),
);
await model.release();
