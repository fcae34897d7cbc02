/**
 * The command line of `npm run eval` (docs/evaluation.md), parsed with a specific message for every bad
 * value, so a long run never starts on a typo.
 */
import { availableParallelism } from 'node:os';
import {
  DEFAULT_REPROMPT,
  DEFAULT_STOP,
  NOC_MAX_CLICKS,
  type PromptModeId,
} from '../../extensions/sam-segmentation/src/core';
import type { PropagationSettings } from '../../extensions/sam-segmentation/src/runtime/propagation/propagationEngine';
import { VOLUME_MODES, isVolumeMode, type Selection, type VolumeMode } from './results/rows';
import { DEFAULT_MAX_PIXELS, type WindowChoice } from './sources/types';
import { TOOL_BACKENDS, type ToolBackendChoice } from '../models/toolRuntime';

export const USAGE = `npm run eval -- --data <folder or mapping.json>[,<more>] --model <id> [options]

  --data      folders of images with masks, volumes with label maps, DICOM series with SEG, or a mapping
              file (dataset.json); comma-separated or repeated for several datasets
  --model     a model id of models/manifest.json (default: the manifest's default model)
  --models-dir
              the folder of the manifest and the model files (default: the project's models/)
  --modes     prompt modes, default S2,S3,S4,S5,S6; S1 (everything) decodes a grid of points per image;
              volume modes 3D-box, 3D-point (seed the largest slice, propagate) and S5-all-slices
  --select    oracle, iou or both (default both): the best candidate by Dice, or by predicted IoU
  --perturb   perturbation bands in pixels, e.g. 0-10,10-20,20-30 (default none)
  --clicks    interactive run with corrective clicks up to N (the study: 20; default 0 = off)
  --grid      S1 points per side (default 32; 8..256)
  --clicks-3d volume modes: NoC-3D corrective-click budget (default 20, the study's; 0 = off)
  --propagation
              volume modes: JSON overrides of the propagation defaults, e.g.
              '{"reprompt":{"boxMargin":0.1},"stop":{"minPredictedIou":0.4}}'
  --cache-mb  volume modes: embedding cache per worker in MiB (float16, least recently used out; default 768)
  --s1-iou, --s1-stability
              S1 keeps masks with predicted IoU above / stability at least these (the study: 0.88, 0.95)
  --seed      seed of every sampled prompt and perturbation (default 0)
  --window    protocol (clip to the 0.95/99.5 percentiles, the study's) or file (the file's own window)
  --backend   auto (default), cpu, cuda or wasm: onnxruntime-node on the CPU, or with CUDA (auto: when
              its CUDA provider is installed), or onnxruntime-web's WASM build (the browser's runtime)
  --jobs      worker threads (default: the number of cores)
  --max-pixels
              a 2D image with more pixels is skipped, from its header, before it is decoded
              (default 16777216 = 4096 x 4096: bounds a worker's memory)
  --shard     i/n: only the references whose index mod n is i (to split a run across machines)
  --limit     only the first N references (to try a setup)
  --out       output folder (default eval-results/<dataset>-<model>)
  --no-cleanup
              score the decoder's raw masks where the model's manifest entry has a clean-up step (the
              study scores raw masks; the viewer cleans up)
  --fresh     discard earlier results in --out instead of resuming
  --report    only rebuild results.csv, summary and report.html from --out's results.jsonl

Exit status: 0 evaluated; 1 an error stopped the run; 2 a bad command line; 3 the model or the runtime
failed on some references (a rerun retries them); 4 nothing was evaluated (no reference done in --out).`;

export interface EvalArgs {
  data: string[];
  model?: string;
  modes: PromptModeId[];
  everything: boolean;
  /** Volume modes (3D-box, 3D-point, S5-all-slices), in the order given. */
  volumeModes: VolumeMode[];
  /** NoC-3D click budget of the volume modes (0: none). */
  clicks3d: number;
  /** Propagation settings of the volume modes: the defaults with the --propagation overrides. */
  propagation: PropagationSettings;
  /** Embedding cache budget of a worker, bytes. */
  cacheBytes: number;
  selections: Selection[];
  perturb: string[];
  clicks: number;
  grid: number;
  /** S1 thresholds: predicted IoU (exclusive) and stability score (inclusive). */
  s1Iou: number;
  s1Stability: number;
  seed: number;
  window: WindowChoice;
  /** Which onnxruntime build and provider run the models (tools/models/toolRuntime.ts). */
  backend: ToolBackendChoice;
  jobs: number;
  /** 2D images above this many pixels are skipped before decoding. */
  maxPixels: number;
  /** The models folder (manifest and files); the project's models/ when absent. */
  modelsDir?: string;
  shard?: { index: number; count: number };
  limit?: number;
  out?: string;
  fresh: boolean;
  reportOnly: boolean;
  /** --no-cleanup: score raw masks even where the model cleans up. */
  noCleanup: boolean;
}

export class UsageError extends Error {}

const ALL_MODES = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', ...VOLUME_MODES] as const;
const FLAGS = new Set(['fresh', 'report', 'help', 'no-cleanup']);
const OPTIONS = new Set(['data', 'model', 'modes', 'select', 'perturb', 'clicks', 'grid', 'seed', 'window', 'jobs']);
OPTIONS.add('shard').add('limit').add('out').add('s1-iou').add('s1-stability');
OPTIONS.add('clicks-3d').add('propagation').add('cache-mb').add('max-pixels').add('models-dir').add('backend');

function fraction(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1))
    throw new UsageError(`--${name} takes a number from 0 to 1, got "${text}".`);
  return value;
}

function integer(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(
      `--${name} takes an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${text}".`,
    );
  }
  return Number(text);
}

/** The propagation defaults with a JSON object of overrides (`{"reprompt": {…}, "stop": {…}}`), checked. */
export function parsePropagation(text: string | undefined): PropagationSettings {
  const settings: PropagationSettings = { reprompt: { ...DEFAULT_REPROMPT }, stop: { ...DEFAULT_STOP } };
  if (text === undefined) return settings;
  let given: unknown;
  try {
    given = JSON.parse(text);
  } catch {
    throw new UsageError(`--propagation takes a JSON object, got "${text}".`);
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new UsageError('--propagation takes a JSON object with "reprompt" and/or "stop".');
  for (const [part, values] of Object.entries(given)) {
    if (part !== 'reprompt' && part !== 'stop')
      throw new UsageError(`--propagation: unknown part "${part}"; parts are reprompt and stop.`);
    const target = settings[part] as unknown as Record<string, unknown>;
    if (typeof values !== 'object' || values === null || Array.isArray(values))
      throw new UsageError(`--propagation: "${part}" must be an object.`);
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      if (!(name in target)) {
        throw new UsageError(
          `--propagation: unknown ${part} setting "${name}"; known: ${Object.keys(target).join(', ')}.`,
        );
      }
      const expected = typeof target[name];
      const ok =
        name === 'choose'
          ? value === 'overlap' || value === 'predicted-iou'
          : typeof value === expected && (expected !== 'number' || Number.isFinite(value));
      if (!ok) {
        const wanted = name === 'choose' ? '"overlap" or "predicted-iou"' : `a ${expected}`;
        throw new UsageError(`--propagation: ${part}.${name} must be ${wanted}, got ${JSON.stringify(value)}.`);
      }
      target[name] = value;
    }
  }
  return settings;
}

export function parseEvalArgs(argv: readonly string[]): EvalArgs | 'help' {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Unexpected argument "${arg}"; options start with --.`);
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    if (FLAGS.has(name)) {
      flags.add(name);
      continue;
    }
    if (!OPTIONS.has(name)) throw new UsageError(`Unknown option --${name}.`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value.`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  if (flags.has('help')) return 'help';
  const one = (name: string) => {
    const v = values.get(name);
    if (v && v.length > 1 && name !== 'data') throw new UsageError(`--${name} is given ${v.length} times.`);
    return v?.[0];
  };
  const list = (text: string) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  const data = (values.get('data') ?? []).flatMap(list);
  const reportOnly = flags.has('report');
  if (data.length === 0 && !reportOnly) throw new UsageError('--data is required: a folder or a mapping file.');
  if (reportOnly && !one('out')) throw new UsageError('--report rebuilds the outputs of a run: give its --out folder.');

  const modes = list(one('modes') ?? 'S2,S3,S4,S5,S6');
  for (const m of modes) {
    if (!(ALL_MODES as readonly string[]).includes(m))
      throw new UsageError(`Unknown prompt mode "${m}"; modes are ${ALL_MODES.join(', ')}.`);
  }
  const select = one('select') ?? 'both';
  if (!['oracle', 'iou', 'both'].includes(select))
    throw new UsageError(`--select is oracle, iou or both, got "${select}".`);
  const window = one('window') ?? 'protocol';
  if (window !== 'protocol' && window !== 'file')
    throw new UsageError(`--window is protocol or file, got "${window}".`);
  const backend = one('backend') ?? 'auto';
  if (!(TOOL_BACKENDS as readonly string[]).includes(backend))
    throw new UsageError(`--backend is ${TOOL_BACKENDS.join(', ')}, got "${backend}".`);
  let shard: EvalArgs['shard'];
  const shardText = one('shard');
  if (shardText !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shardText);
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) {
      throw new UsageError(`--shard is i/n with 0 ≤ i < n (e.g. 0/4), got "${shardText}".`);
    }
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const limit = one('limit');
  const model = one('model');
  const out = one('out');
  const modelsDir = one('models-dir');
  return {
    data,
    ...(model !== undefined && { model }),
    modes: modes.filter((m): m is PromptModeId => m !== 'S1' && !isVolumeMode(m)),
    everything: modes.includes('S1'),
    volumeModes: [...new Set(modes.filter(isVolumeMode))],
    clicks3d: integer('clicks-3d', one('clicks-3d') ?? String(NOC_MAX_CLICKS), 0, 100),
    propagation: parsePropagation(one('propagation')),
    cacheBytes: integer('cache-mb', one('cache-mb') ?? '768', 0, 1 << 20) * 1024 * 1024,
    selections: select === 'both' ? ['iou', 'oracle'] : [select as Selection],
    perturb: list(one('perturb') ?? ''),
    clicks: integer('clicks', one('clicks') ?? '0', 0, 100),
    grid: integer('grid', one('grid') ?? '32', 8, 256),
    s1Iou: fraction('s1-iou', one('s1-iou') ?? '0.88'),
    s1Stability: fraction('s1-stability', one('s1-stability') ?? '0.95'),
    seed: integer('seed', one('seed') ?? '0', 0, 2 ** 32 - 1),
    window,
    backend: backend as ToolBackendChoice,
    jobs: integer('jobs', one('jobs') ?? String(availableParallelism()), 1, 256),
    maxPixels: integer('max-pixels', one('max-pixels') ?? String(DEFAULT_MAX_PIXELS), 1),
    ...(modelsDir !== undefined && { modelsDir }),
    ...(shard && { shard }),
    ...(limit !== undefined && { limit: integer('limit', limit, 1) }),
    ...(out !== undefined && { out }),
    fresh: flags.has('fresh'),
    reportOnly,
    noCleanup: flags.has('no-cleanup'),
  };
}
