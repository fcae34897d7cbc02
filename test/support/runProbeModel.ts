// Child-process half of models.test.ts: runs the committed runtime probe model in onnxruntime-web.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

const bytes = readFileSync(process.argv[2]!);
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
const height = 6;
const width = 10;
const input = new Float32Array(3 * height * width);
input.fill(1, 0, height * width); // channel 0 = 1
input.fill(2, height * width, 2 * height * width); // channel 1 = 2
input.fill(3, 2 * height * width); // channel 2 = 3
const result = await session.run({ input: new ort.Tensor('float32', input, [1, 3, height, width]) });
const output = result.output!;
console.log(
  JSON.stringify({
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    dims: output.dims,
    data: Array.from(output.data as Float32Array),
  }),
);
await session.release();
