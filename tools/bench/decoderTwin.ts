/**
 * A models folder for benchmarking SAM's decoder cost in the viewer without SAM's weights: the
 * repository's manifest, runtime probe and default model, plus `sam-decoder-twin`: the project's official-format test
 * encoder (cheap block means) and the compute twin of SAM's prompt decoder (models/generator/
 * samDecoderTwin.ts: the official export's operations and sizes, random weights). Clicks then cost
 * what they cost with SAM ViT-B's decoder; the masks mean nothing. Written under bench-results/.
 *
 * With `addSegmentingTwin`, the folder also holds `sam-decoder-twin-seg`: the same twin whose masks
 * and IoU predictions are those of the project's official-format test decoder (which segments the
 * phantom), so that a run through a series (propagation, whose stop rules end a random mask at once)
 * goes on as it would with a real model, at the twin's cost plus the test decoder's small one.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../models/generator/graphBuilder';
import { encodeModel, type Graph, type Node, type Tensor } from '../../models/generator/onnxModel';
import { buildSamDecoderTwin, samDecoderTwinGraph } from '../../models/generator/samDecoderTwin';
import {
  OFFICIAL_DECODER_INPUTS,
  OFFICIAL_DECODER_OUTPUTS,
  officialMaskOutputs,
  samOfficialDecoderGraph,
} from '../../models/generator/samOfficialModel';

export const TWIN_MODEL_ID = 'sam-decoder-twin';
export const SEGMENTING_TWIN_MODEL_ID = 'sam-decoder-twin-seg';

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

/**
 * The twin's graph and the official-format test decoder's side by side on the same inputs; the
 * outputs are the test decoder's low-res masks and IoU plus 0 × the twin's (so that the twin's whole
 * computation runs), then the official export's mask post-processing once, as SAM's export has it.
 * Each graph's own post-processing is left out (nothing reads it).
 */
export function segmentingTwinGraph(): Graph {
  const inputs = new Set(OFFICIAL_DECODER_INPUTS.map((i) => i.name));
  const prefixed = (graph: Graph, prefix: string) => {
    const name = (v: string) => (v === '' || inputs.has(v) ? v : `${prefix}${v}`);
    return {
      nodes: graph.nodes.map((n): Node => ({
        ...n,
        inputs: n.inputs.map(name),
        outputs: n.outputs.map(name),
        ...(n.name !== undefined && { name: `${prefix}${n.name}` }),
      })),
      initializers: (graph.initializers ?? []).map((t): Tensor => ({ ...t, name: name(t.name) })),
    };
  };
  const twin = prefixed(samDecoderTwinGraph(), 'twin/');
  const test = prefixed(samOfficialDecoderGraph(), 'test/');
  const g = new GraphBuilder('seg/');
  const zero = g.f32(0);
  const withTwin = (testValue: string, twinValue: string) => g.add(testValue, g.mul(twinValue, zero));
  officialMaskOutputs(
    g,
    withTwin('test/low_res_masks', 'twin/low_res_masks'),
    withTwin('test/iou_predictions', 'twin/iou_predictions'),
  );
  // Keep the nodes the outputs need (each list is in topological order, the tail last).
  const all = [...twin.nodes, ...test.nodes, ...g.nodes];
  const needed = new Set(OFFICIAL_DECODER_OUTPUTS.map((o) => o.name));
  const kept: Node[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const node = all[i]!;
    if (!node.outputs.some((o) => needed.has(o))) continue;
    kept.unshift(node);
    for (const input of node.inputs) needed.add(input);
  }
  const initializers = [...twin.initializers, ...test.initializers, ...g.initializers].filter((t) =>
    needed.has(t.name),
  );
  return {
    name: 'sam_decoder_twin_segmenting',
    inputs: OFFICIAL_DECODER_INPUTS,
    outputs: OFFICIAL_DECODER_OUTPUTS,
    nodes: kept,
    initializers,
  };
}

/** Adds `sam-decoder-twin-seg` to a folder written by writeTwinModelsFolder (once). */
export function addSegmentingTwin(dir: string): void {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    models: Array<Record<string, unknown> & { id: string }>;
  };
  const twin = manifest.models.find((m) => m.id === TWIN_MODEL_ID);
  if (!twin) throw new Error(`${manifestPath} has no ${TWIN_MODEL_ID}.`);
  mkdirSync(join(dir, SEGMENTING_TWIN_MODEL_ID), { recursive: true });
  const decoderPath = join(dir, SEGMENTING_TWIN_MODEL_ID, 'decoder.onnx');
  const decoder = encodeModel(segmentingTwinGraph(), {
    opset: 17,
    docString:
      "SAM ViT-B decoder's compute twin (random weights) with the masks of the project's official-format test decoder: NOT SAM",
    metadata: { family: 'sam-official', purpose: 'decoder timing through a series; masks of the test decoder' },
  });
  writeFileSync(decoderPath, decoder);
  copyFileSync(join(dir, TWIN_MODEL_ID, 'encoder.onnx'), join(dir, SEGMENTING_TWIN_MODEL_ID, 'encoder.onnx'));
  const encoder = new Uint8Array(readFileSync(join(dir, SEGMENTING_TWIN_MODEL_ID, 'encoder.onnx')));
  const file = (name: string, bytes: Uint8Array) => ({ file: name, bytes: bytes.length, sha256: sha256(bytes) });
  manifest.models = [
    ...manifest.models.filter((m) => m.id !== SEGMENTING_TWIN_MODEL_ID),
    {
      ...twin,
      id: SEGMENTING_TWIN_MODEL_ID,
      name: 'SAM decoder compute twin, segmenting with the test decoder (timing only)',
      description:
        "SAM ViT-B's decoder operations and sizes with random weights, plus the project's official-format test decoder " +
        'whose masks and IoU it outputs, behind a cheap test encoder.',
      files: { encoder: file('encoder.onnx', encoder), decoder: file('decoder.onnx', decoder) },
      notes: 'Benchmark only: the masks are the test decoder’s.',
    },
  ];
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}
