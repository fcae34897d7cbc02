// Child-process half of test/unit/runtime/memoryPropagation.test.ts: what loading wrong video modules says.
import { SamModel, type ModelBytes } from '../../extensions/sam-segmentation/src/runtime/samModel';
import { familyOf } from '../../extensions/sam-segmentation/src/core';
import { sam2MemoryTestModel } from './sam2MemoryTestModel';

const { entry, files } = sam2MemoryTestModel();
const description = { id: entry.id, family: familyOf(entry), propagation: 'memory' as const };
const message = (bytes: ModelBytes) =>
  SamModel.create(description, bytes).then(
    async (model) => {
      await model.release();
      return 'loaded';
    },
    (e: Error) => `${e.name}: ${e.message}`,
  );

console.log(
  JSON.stringify({
    loaded: await message(files),
    swapped: await message({ ...files, memoryAttention: files.memoryEncoder, memoryEncoder: files.memoryAttention }),
    shortConstant: await message({ ...files, visionPosEmbed: files.visionPosEmbed!.subarray(0, 4096) }),
    missing: await message({ encoder: files.encoder, decoder: files.decoder }),
  }),
);
