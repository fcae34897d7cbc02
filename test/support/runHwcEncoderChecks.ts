/**
 * Child-process half of test/unit/runtime/hwcEncoder.test.ts: the project's HWC test encoder (0-255 image
 * in, preprocessing inside the graph) against the official-format NCHW test encoder, in onnxruntime-web
 * (WASM), through SamModel. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAM, withPreprocessing, type SlicePixels } from '../../extensions/sam-segmentation/src/core';
import { SamModel } from '../../extensions/sam-segmentation/src/runtime/samModel';

const dir = join(import.meta.dirname, '..', '..', 'models', 'test');
const hwcEncoder = readFileSync(join(dir, 'sam-official-hwc.encoder.onnx'));
const nchwEncoder = readFileSync(join(dir, 'sam-official.encoder.onnx'));
const decoder = readFileSync(join(dir, 'sam-official.decoder.onnx'));
const samHwc = withPreprocessing(SAM, { encoderInput: 'hwc-resized-0-255' });

// A tall RGB slice (the letterbox pads on the right), with a gradient and a bright square.
const rows = 300;
const columns = 200;
const values = new Uint8Array(rows * columns * 3);
for (let y = 0; y < rows; y++) {
  for (let x = 0; x < columns; x++) {
    const i = (y * columns + x) * 3;
    const inSquare = x > 60 && x < 120 && y > 100 && y < 180;
    values[i] = inSquare ? 250 : x;
    values[i + 1] = inSquare ? 240 : y % 256;
    values[i + 2] = (x + y) % 256;
  }
}
const slice: SlicePixels = { values, rows, columns, samplesPerPixel: 3, photometricInterpretation: 'RGB' };
const voi = { kind: 'window', center: 127.5, width: 256 } as const;

async function refusal(family: typeof SAM, encoder: Uint8Array): Promise<string> {
  try {
    await (await SamModel.create({ id: 'mismatch', family }, { encoder, decoder }, 'wasm')).release();
    return 'accepted';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

const hwc = await SamModel.create({ id: 'hwc', family: samHwc }, { encoder: hwcEncoder, decoder }, 'wasm');
const nchw = await SamModel.create({ id: 'nchw', family: SAM }, { encoder: nchwEncoder, decoder }, 'wasm');
const a = (await hwc.encode(slice, voi)).tensors.image_embeddings!;
const b = (await nchw.encode(slice, voi)).tensors.image_embeddings!;
let maxDifference = 0;
let maxMagnitude = 0;
for (let i = 0; i < a.data.length; i++) {
  maxDifference = Math.max(maxDifference, Math.abs(a.data[i]! - b.data[i]!));
  maxMagnitude = Math.max(maxMagnitude, Math.abs(b.data[i]!));
}
await Promise.all([hwc.release(), nchw.release()]);

console.log(
  JSON.stringify({
    dims: [a.dims, b.dims],
    maxDifference,
    maxMagnitude,
    hwcEncoderAsNchw: await refusal(SAM, hwcEncoder),
    nchwEncoderAsHwc: await refusal(samHwc, nchwEncoder),
  }),
);
