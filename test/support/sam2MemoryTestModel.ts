/**
 * The SAM 2 stand-in with its video modules as a manifest entry (models/generator/sam2Model.ts and
 * sam2MemoryModel.ts; NOT SAM 2): its files in memory for Node tests, or a models folder beside the
 * viewer's. The 4 MB constants are made here, not committed.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelManifest, type ModelEntry } from '../../extensions/sam-segmentation/src/core';
import type { ModelBytes } from '../../extensions/sam-segmentation/src/runtime/openModel';
import { sam2MemoryConstants } from '../../models/generator/sam2MemoryModel';

export const SAM2_MEMORY_TEST_ID = 'sam2-memory-test';
const MODELS_DIR = join(import.meta.dirname, '..', '..', 'models');

/** Files by role: the stand-in's graphs from models/test/, the constants made now. */
function files(modelsDir: string): Record<keyof ModelBytes, { name: string; bytes: Uint8Array }> {
  const read = (file: string) => new Uint8Array(readFileSync(join(modelsDir, 'test', file)));
  const { noMemEmbed, visionPosEmbed } = sam2MemoryConstants();
  return {
    encoder: { name: 'encoder.onnx', bytes: read('sam2.encoder.onnx') },
    decoder: { name: 'decoder.onnx', bytes: read('sam2.decoder.onnx') },
    memoryAttention: { name: 'memory_attention.onnx', bytes: read('sam2.memory_attention.onnx') },
    memoryEncoder: { name: 'memory_encoder.onnx', bytes: read('sam2.memory_encoder.onnx') },
    noMemEmbed: { name: 'no_mem_embed.bin', bytes: noMemEmbed },
    visionPosEmbed: { name: 'vision_pos_embed.bin', bytes: visionPosEmbed },
  };
}

function entryJson(modelFiles: ReturnType<typeof files>): Record<string, unknown> {
  const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  return {
    id: SAM2_MEMORY_TEST_ID,
    name: 'SAM 2 stand-in with memory (tests; not SAM 2)',
    family: 'sam2',
    version: 'test',
    description: "The project's SAM 2.1-format test graphs with SAM 2's video modules: no learned weights.",
    licence: { spdx: 'MIT' },
    segmentAnythingWeights: false,
    files: Object.fromEntries(
      Object.entries(modelFiles).map(([role, f]) => [
        role,
        { file: f.name, bytes: f.bytes.length, sha256: sha256(f.bytes) },
      ]),
    ),
    recommendedBackend: 'any',
  };
}

/** The entry (parsed as the manifest's would be) and its file bytes. */
export function sam2MemoryTestModel(modelsDir = MODELS_DIR): { entry: ModelEntry; files: ModelBytes } {
  const modelFiles = files(modelsDir);
  const manifest = parseModelManifest({
    version: 1,
    defaultModel: SAM2_MEMORY_TEST_ID,
    models: [entryJson(modelFiles)],
  });
  const bytes = Object.fromEntries(Object.entries(modelFiles).map(([role, f]) => [role, f.bytes])) as ModelBytes;
  return { entry: manifest.models[0]!, files: bytes };
}

/**
 * A models folder for the viewer with the stand-in as its only (so the default) model: the viewer
 * loads it at once, with no other model loaded (and its shaders compiled) first.
 */
export function writeSam2MemoryModelsFolder(outDir: string, modelsDir = MODELS_DIR): string {
  const dir = join(outDir, 'sam2-memory-models');
  mkdirSync(join(dir, SAM2_MEMORY_TEST_ID), { recursive: true });
  copyFileSync(join(modelsDir, 'runtime-probe.onnx'), join(dir, 'runtime-probe.onnx'));
  const modelFiles = files(modelsDir);
  for (const f of Object.values(modelFiles)) writeFileSync(join(dir, SAM2_MEMORY_TEST_ID, f.name), f.bytes);
  const manifest = { version: 1, defaultModel: SAM2_MEMORY_TEST_ID, models: [entryJson(modelFiles)] };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
