// Child-process half of samModel.test.ts: what loading a wrong or corrupt model file says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAM } from '../../extensions/sam-segmentation/src/core';
import { SamModel } from '../../extensions/sam-segmentation/src/runtime/samModel';

const dir = join(import.meta.dirname, '..', '..', 'models', 'test');
const encoder = readFileSync(join(dir, 'sam-official.encoder.onnx'));
const decoder = readFileSync(join(dir, 'sam-official.decoder.onnx'));
const message = (p: Promise<unknown>) =>
  p.then(
    () => 'loaded',
    (e: Error) => `${e.name}: ${e.message}`,
  );

console.log(
  JSON.stringify({
    truncated: await message(
      SamModel.create({ id: 'cut', family: SAM }, { encoder: encoder.subarray(0, 300), decoder }),
    ),
    swapped: await message(SamModel.create({ id: 'swapped', family: SAM }, { encoder: decoder, decoder: encoder })),
    notOnnx: await message(
      SamModel.create({ id: 'text', family: SAM }, { encoder: Buffer.from('<html>404</html>'), decoder }),
    ),
  }),
);
