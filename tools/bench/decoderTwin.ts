/**
 * A models folder for benchmarking SAM's decoder cost in the viewer without SAM's weights: the
 * repository's manifest, runtime probe and default model, plus `sam-decoder-twin`: the project's official-format test
 * encoder (cheap block means) and the compute twin of SAM's prompt decoder (models/generator/
 * samDecoderTwin.ts: the official export's operations and sizes, random weights). Clicks then cost
 * what they cost with SAM ViT-B's decoder; the masks mean nothing. Written under bench-results/.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSamDecoderTwin } from '../../models/generator/samDecoderTwin';

export const TWIN_MODEL_ID = 'sam-decoder-twin';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes the folder and returns its path. */
export function writeTwinModelsFolder(modelsDir: string, outDir: string): string {
  const dir = join(outDir, 'twin-models');
  mkdirSync(join(dir, TWIN_MODEL_ID), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')) as {
    defaultModel: string;
    models: Array<Record<string, unknown> & { id: string }>;
  };
  cpSync(join(modelsDir, manifest.defaultModel), join(dir, manifest.defaultModel), { recursive: true });
  // The worker proves its backend with this model at start-up.
  copyFileSync(join(modelsDir, 'runtime-probe.onnx'), join(dir, 'runtime-probe.onnx'));
  const decoder = buildSamDecoderTwin();
  const encoder = new Uint8Array(readFileSync(join(modelsDir, 'test', 'sam-official.encoder.onnx')));
  writeFileSync(join(dir, TWIN_MODEL_ID, 'decoder.onnx'), decoder);
  copyFileSync(join(modelsDir, 'test', 'sam-official.encoder.onnx'), join(dir, TWIN_MODEL_ID, 'encoder.onnx'));
  const samVitB = manifest.models.find((m) => m.id === 'sam-vit-b')!;
  const file = (name: string, bytes: Uint8Array) => ({ file: name, bytes: bytes.length, sha256: sha256(bytes) });
  manifest.models = [
    ...manifest.models.filter((m) => m.id === manifest.defaultModel),
    {
      ...samVitB,
      id: TWIN_MODEL_ID,
      name: 'SAM decoder compute twin (random weights; timing only)',
      version: 'twin',
      description: "SAM ViT-B's decoder operations and sizes with random weights, behind a cheap test encoder.",
      licence: { spdx: 'MIT', url: 'https://opensource.org/license/mit' },
      segmentAnythingWeights: false,
      files: { encoder: file('encoder.onnx', encoder), decoder: file('decoder.onnx', decoder) },
      recommendedBackend: 'wasm',
      notes: 'Benchmark only: segments nothing.',
    },
  ];
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
