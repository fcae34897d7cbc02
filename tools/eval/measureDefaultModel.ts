/**
 * Measures the project's default model (models/manifest.json's `defaultModel`, intensity-similarity-v1)
 * through the real pipeline: core preprocessing at each image's own window (8-bit images as they are, the
 * dcmqi CT at its DICOM window 40/400) → SamModel in onnxruntime-web (WASM, one thread) in Node → the
 * core's clean-up, which is part of this model's pipeline. Prints the mean Dice per dataset and prompt
 * mode (S2 1 point, S3 5 points, S5 box, S6 box + point) with the candidate chosen by predicted IoU and
 * with the best candidate (oracle), next to the threshold baseline, and the encode / decode times.
 *
 *   npx tsx tools/eval/measureDefaultModel.ts [--json] [--modes S2,S3,S5,S6] [--datasets a,b]
 *                                             [--baseline-k 40] [--generator]
 *
 * --json prints the results as one JSON line at the end (for the regression test); --generator builds
 * the model from models/generator/ instead of reading the committed files.
 *
 * The default model's constants were tuned on these same images (there is no other data with ground
 * truth here), so these numbers are not a held-out estimate.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { buildDefaultDecoder, buildDefaultEncoder } from '../../models/generator/defaultModel';
import {
  PROMPT_MODES,
  getFamily,
  withPreprocessing,
  type CleanupOptions,
  type PromptModeId,
} from '../../extensions/sam-segmentation/src/core';
import { findModel, modelFilePath, parseModelManifest } from '../../extensions/sam-segmentation/src/core/manifest';
import { SamModel } from '../../extensions/sam-segmentation/src/runtime/samModel';
import { DATASET_IDS, ROOT, loadDataset, type DatasetId } from './datasets';
import { evaluateBaseline, evaluateModel, meanDice, type ObjectScore } from './evaluate';
import { THRESHOLD_BASELINE_DEFAULTS } from './thresholdBaseline';

/** The clean-up that belongs to the default model's pipeline: keep prompted components, fill holes. */
export const DEFAULT_MODEL_CLEANUP: CleanupOptions = {};

/** The datasets whose mean box Dice the target refers to. */
export const TARGET_DATASETS: readonly DatasetId[] = ['sam-med2d', 'cxr-lung'];

export interface Summary {
  model: { id: string; encoderBytes: number; decoderBytes: number; checksumsMatchManifest: boolean };
  modes: PromptModeId[];
  baselineK: number;
  /** Per dataset (and "target": sam-med2d + cxr-lung), per mode: mean Dice. */
  dice: Record<string, Record<string, { selected: number; oracle: number; baseline: number; objects: number }>>;
  /** Share of include points inside the chosen mask, per point mode, over all objects. */
  includePointsCovered: Record<string, number>;
  /** Share of objects whose chosen mask overlaps the object at all, per mode. */
  objectsHit: Record<string, number>;
  timing: { encodeMs: number; decodeMs: number; images: number; prompts: number };
  objects: ObjectScore[];
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function measureDefaultModel(options: {
  modes: PromptModeId[];
  datasets: DatasetId[];
  baselineK: number;
  fromGenerator: boolean;
}): Promise<Summary> {
  const manifest = parseModelManifest(JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8')));
  const entry = findModel(manifest, manifest.defaultModel);
  const read = (role: 'encoder' | 'decoder') =>
    new Uint8Array(readFileSync(join(ROOT, 'models', modelFilePath(entry, role))));
  const files = options.fromGenerator
    ? { encoder: buildDefaultEncoder(), decoder: buildDefaultDecoder() }
    : { encoder: read('encoder'), decoder: read('decoder') };
  const checksumsMatchManifest =
    sha256(files.encoder) === entry.files.encoder.sha256 && sha256(files.decoder) === entry.files.decoder.sha256;

  ort.env.wasm.numThreads = 1;
  const family = withPreprocessing(getFamily(entry.family), entry.preprocess);
  const model = await SamModel.create({ id: entry.id, family }, files, 'wasm');
  const images = options.datasets.flatMap((d) => loadDataset(d));
  const evaluation = await evaluateModel(model, images, options.modes, DEFAULT_MODEL_CLEANUP);
  await model.release();
  const baseline = evaluateBaseline(images, options.modes, { ...THRESHOLD_BASELINE_DEFAULTS, k: options.baselineK });

  const groups: Record<string, readonly string[]> = Object.fromEntries(options.datasets.map((d) => [d, [d]]));
  if (TARGET_DATASETS.every((d) => options.datasets.includes(d))) groups.target = TARGET_DATASETS;
  const dice: Summary['dice'] = {};
  for (const [group, members] of Object.entries(groups)) {
    dice[group] = {};
    for (const mode of options.modes) {
      const m = meanDice(evaluation.objects, members, mode);
      const b = meanDice(baseline, members, mode);
      dice[group]![mode] = { selected: m.selected, oracle: m.oracle, baseline: b.selected, objects: m.count };
    }
  }
  const includePointsCovered: Record<string, number> = {};
  const objectsHit: Record<string, number> = {};
  for (const mode of options.modes) {
    const scores = evaluation.objects.map((o) => o.modes[mode]!);
    objectsHit[mode] = mean(scores.map((s) => (s.selected > 0 ? 1 : 0)));
    const covered = scores.filter((s) => s.includePointsCovered !== undefined).map((s) => s.includePointsCovered!);
    if (covered.length > 0) includePointsCovered[mode] = mean(covered);
  }
  return {
    model: {
      id: entry.id,
      encoderBytes: files.encoder.length,
      decoderBytes: files.decoder.length,
      checksumsMatchManifest,
    },
    modes: options.modes,
    baselineK: options.baselineK,
    dice,
    includePointsCovered,
    objectsHit,
    timing: {
      encodeMs: mean(evaluation.encodeMs),
      decodeMs: mean(evaluation.decodeMs),
      images: evaluation.encodeMs.length,
      prompts: evaluation.decodeMs.length,
    },
    objects: evaluation.objects,
  };
}

function printTable(summary: Summary): void {
  const f = (v: number) => (Number.isNaN(v) ? '  -  ' : v.toFixed(3));
  const header = summary.modes.map((m) => `${m} ${PROMPT_MODES[m].name}`);
  console.log(`| dataset (objects) | score | ${header.join(' | ')} |`);
  console.log(`| --- | --- | ${header.map(() => '---').join(' | ')} |`);
  for (const [group, byMode] of Object.entries(summary.dice)) {
    const objects = byMode[summary.modes[0]!]!.objects;
    const name = group === 'target' ? 'sam-med2d + cxr-lung' : group;
    const row = (label: string, pick: (s: { selected: number; oracle: number; baseline: number }) => number) =>
      console.log(`| ${name} (${objects}) | ${label} | ${summary.modes.map((m) => f(pick(byMode[m]!))).join(' | ')} |`);
    row('default, predicted IoU', (s) => s.selected);
    row('default, oracle', (s) => s.oracle);
    row(`baseline (k = ${summary.baselineK})`, (s) => s.baseline);
  }
  const t = summary.timing;
  console.log(
    `\n${summary.model.id}: encoder ${summary.model.encoderBytes} bytes, decoder ${summary.model.decoderBytes} bytes` +
      `${summary.model.checksumsMatchManifest ? '' : ' (NOT the files the manifest describes)'}; onnxruntime-web WASM,` +
      ` 1 thread, Node ${process.version}: encode ${t.encodeMs.toFixed(0)} ms per image (${t.images} images),` +
      ` decode + clean-up ${t.decodeMs.toFixed(0)} ms per prompt (${t.prompts} prompts).`,
  );
  const covered = Object.entries(summary.includePointsCovered).map(([m, v]) => `${m} ${(100 * v).toFixed(0)}%`);
  const hit = Object.entries(summary.objectsHit).map(([m, v]) => `${m} ${(100 * v).toFixed(0)}%`);
  console.log(`Include points inside the chosen mask: ${covered.join(', ')}. Objects overlapped: ${hit.join(', ')}.`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const modes = (argument('modes') ?? 'S2,S3,S5,S6').split(',') as PromptModeId[];
  for (const m of modes) if (!(m in PROMPT_MODES)) throw new Error(`Unknown prompt mode ${m}.`);
  const datasets = (argument('datasets') ?? 'sam-med2d,cxr-lung,dcmqi-liver,cxr-lung-pair').split(',') as DatasetId[];
  for (const d of datasets) if (!DATASET_IDS.includes(d)) throw new Error(`Unknown dataset ${d}.`);
  const summary = await measureDefaultModel({
    modes,
    datasets,
    baselineK: Number(argument('baseline-k') ?? 40),
    fromGenerator: process.argv.includes('--generator'),
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify(summary));
  else printTable(summary);
}
