/**
 * Measures the project's default model (models/manifest.json's `defaultModel`, intensity-similarity-v1)
 * through the real pipeline: core preprocessing at each image's own window (8-bit images as they are, the
 * dcmqi CT at its DICOM window 40/400) → SamModel in onnxruntime-web (WASM, one thread) in Node → the
 * core's clean-up, which is part of this model's pipeline. Scored by `npm run eval`'s evaluator
 * (run/evaluateImage.ts: its prompt modes and seeds at seed 0, the clean-up of every candidate), choosing
 * among all the decoder's candidates as the viewer does. Prints the mean Dice per dataset and prompt mode
 * (S2 1 point, S3 5 points, S5 box, S6 box + point) with the candidate chosen by predicted IoU and with
 * the best candidate (oracle), next to the threshold baseline under the same prompts, and the encode /
 * decode times. The model is read through tools/models/localModel.ts and opened by runtime/openModel.ts.
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
import * as ort from 'onnxruntime-web';
import { buildDefaultDecoder, buildDefaultEncoder } from '../../models/generator/defaultModel';
import { GRAPH_ROLES, PROMPT_MODES, type PromptModeId } from '../../extensions/sam-segmentation/src/core';
import { openModel } from '../../extensions/sam-segmentation/src/runtime/openModel';
import { bytesProblem } from '../models/fileIntegrity';
import { readLocalModel } from '../models/localModel';
import { DATASET_IDS, loadDataset, type DatasetId } from './datasets';
import type { ResultRow } from './results/rows';
import { ImageEvaluator, type EvaluationModel, type EvaluationOptions } from './run/evaluateImage';
import { THRESHOLD_BASELINE_DEFAULTS, scoreThresholdBaseline } from './thresholdBaseline';

/** The datasets whose mean box Dice the target refers to. */
export const TARGET_DATASETS: readonly DatasetId[] = ['sam-med2d', 'cxr-lung'];

/** The seed of every sampled prompt: `npm run eval`'s default `--seed`. */
const SEED = 0;

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
  /** Mean milliseconds per encode (one per image) and per decode (the decoder and its candidates). */
  timing: { encodeMs: number; decodeMs: number; images: number; prompts: number };
  /** The evaluation's rows (run/evaluateImage.ts): per object and mode, "iou" (= selected) and "oracle". */
  rows: ResultRow[];
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mean = (v: readonly number[]) => (v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length);

/** The model with each encode and decode timed. */
function timed(model: EvaluationModel, encodeMs: number[], decodeMs: number[]): EvaluationModel {
  const time = async <T>(into: number[], run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await run();
    into.push(performance.now() - start);
    return result;
  };
  return {
    description: model.description,
    encode: (slice, voi) => time(encodeMs, () => model.encode(slice, voi)),
    decodeCandidates: (embedding, prompt) => time(decodeMs, () => model.decodeCandidates(embedding, prompt)),
  };
}

export async function measureDefaultModel(options: {
  modes: PromptModeId[];
  datasets: DatasetId[];
  baselineK: number;
  fromGenerator: boolean;
}): Promise<Summary> {
  const { entry, files: committed } = await readLocalModel();
  const files = options.fromGenerator ? { encoder: buildDefaultEncoder(), decoder: buildDefaultDecoder() } : committed;
  const checksumsMatchManifest = GRAPH_ROLES.every(
    (role) => bytesProblem(entry.files[role], files[role]) === undefined,
  );

  ort.env.wasm.numThreads = 1;
  const model = await openModel(entry, files);
  // Scored as `npm run eval` scores (the same evaluator, prompts and seeds), choosing among every
  // candidate as the viewer does: this model's single-mask candidate is its answer to most prompts.
  const evaluation: EvaluationOptions = {
    modes: options.modes,
    selections: ['iou', 'oracle'],
    perturb: [],
    clicks: 0,
    seed: SEED,
    candidates: 'all',
    ...(entry.cleanup && { cleanup: {} }),
  };
  const images = options.datasets.flatMap((d) => loadDataset(d)).filter((image) => image.objects.length > 0);
  const encodeMs: number[] = [];
  const decodeMs: number[] = [];
  const measured = timed(model, encodeMs, decodeMs);
  const covered: Record<string, number[]> = {};
  const rows: ResultRow[] = [];
  for (const image of images) {
    const evaluator = new ImageEvaluator(measured, image, image.dataset, evaluation, ({ mode, prompt, masks }) => {
      const includes = prompt.points.filter((p) => p.label === 'include');
      const mask = masks.iou!;
      const inside = includes.filter((p) => mask[Math.round(p.y) * image.slice.columns + Math.round(p.x)] === 1);
      if (includes.length > 0) (covered[mode] ??= []).push(inside.length / includes.length);
    });
    rows.push(...(await evaluator.evaluate()));
  }
  await model.release();
  const baseline = scoreThresholdBaseline(images, options.modes, SEED, {
    ...THRESHOLD_BASELINE_DEFAULTS,
    k: options.baselineK,
  });

  const groups: Record<string, readonly string[]> = Object.fromEntries(options.datasets.map((d) => [d, [d]]));
  if (TARGET_DATASETS.every((d) => options.datasets.includes(d))) groups.target = TARGET_DATASETS;
  const dice: Summary['dice'] = {};
  for (const [group, members] of Object.entries(groups)) {
    dice[group] = {};
    for (const mode of options.modes) {
      const of = (select: string) =>
        rows.filter((r) => members.includes(r.dataset) && r.mode === mode && r.select === select).map((r) => r.dice);
      const b = baseline.filter((s) => members.includes(s.dataset) && s.mode === mode).map((s) => s.dice);
      const selected = of('iou');
      dice[group]![mode] = {
        selected: mean(selected),
        oracle: mean(of('oracle')),
        baseline: mean(b),
        objects: selected.length,
      };
    }
  }
  const objectsHit: Record<string, number> = {};
  for (const mode of options.modes) {
    objectsHit[mode] = mean(rows.filter((r) => r.mode === mode && r.select === 'iou').map((r) => (r.dice > 0 ? 1 : 0)));
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
    includePointsCovered: Object.fromEntries(Object.entries(covered).map(([mode, v]) => [mode, mean(v)])),
    objectsHit,
    timing: { encodeMs: mean(encodeMs), decodeMs: mean(decodeMs), images: encodeMs.length, prompts: decodeMs.length },
    rows,
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
      ` decode ${t.decodeMs.toFixed(0)} ms per prompt (${t.prompts} prompts).`,
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
