/**
 * `npm run bench [-- --models a,b --slices N]`: per model present in models/ (manifest entries whose
 * files are here, plus the project's test models), the cost of each step, as a table on stdout and
 * JSON in bench-results/ so runs can be compared. Numbers are measured, never estimated.
 */
import { TWIN_MODEL_ID, writeTwinModelsFolder } from './decoderTwin';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  GRAPH_ROLES,
  modelFilePath,
  parseModelManifest,
  type ModelEntry,
  type Prompt,
} from '../../extensions/sam-segmentation/src/core';
import { MODELS_DIR } from '../models/cli';
import { PHANTOM_DIR, benchModel, readCtSlice, type NodeBenchResult } from './nodeBench';
import { benchInBrowser, type BrowserBenchResult } from './browserBench';

interface Options {
  models?: string[];
  slices: number;
  /** Also measure in the viewer (Chromium): on by default, `--no-browser` to skip. */
  browser: boolean;
  /** Add a WebGPU run in Chromium (SwiftShader here: checks the path, not a GPU timing). */
  webgpu: boolean;
  clicks: number;
  /** Also measure clicks with the compute twin of SAM's decoder (random weights, SAM ViT-B's cost). */
  twin: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { slices: 5, browser: true, webgpu: false, clicks: 10, twin: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    if (flag === '--no-browser') options.browser = false;
    else if (flag === '--webgpu') options.webgpu = true;
    else if (flag === '--twin') options.twin = true;
    else {
      const value = inline ?? argv[++i];
      if (flag === '--models') options.models = value!.split(',');
      else if (flag === '--slices') options.slices = Number(value);
      else if (flag === '--clicks') options.clicks = Number(value);
      else
        throw new Error(
          `Unknown option ${flag}. Options: --models id,id  --slices N  --clicks N  --no-browser  --webgpu  --twin`,
        );
    }
  }
  return options;
}

/** The phantom's slices through its objects, and prompts on them (a centre click and a box each). */
function workload(count: number) {
  const truth = JSON.parse(readFileSync(join(PHANTOM_DIR, '..', 'phantom-ct.truth.json'), 'utf8')) as {
    objects: Array<{ centerVoxel: [number, number, number]; radiiVoxels: [number, number, number] }>;
  };
  const centreSlice = 31;
  const slices = Array.from({ length: count }, (_, i) =>
    readCtSlice(join(PHANTOM_DIR, `${String(centreSlice + i - Math.floor(count / 2) + 1).padStart(4, '0')}.dcm`)),
  );
  const prompts: Prompt[] = truth.objects.flatMap(({ centerVoxel: [x, y], radiiVoxels: [rx, ry] }) => [
    { points: [{ x, y, label: 'include' as const }] },
    { points: [], box: { x0: x - rx, y0: y - ry, x1: x + rx, y1: y + ry } },
  ]);
  return { slices, prompts };
}

const TEST_MODELS: Array<Pick<ModelEntry, 'id' | 'family'> & { files: Record<'encoder' | 'decoder', string> }> = [
  {
    id: 'test-sam-official',
    family: 'sam',
    files: { encoder: 'test/sam-official.encoder.onnx', decoder: 'test/sam-official.decoder.onnx' },
  },
];

function presentModels(only?: string[]): Array<{ entry: ModelEntry; paths: Record<'encoder' | 'decoder', string> }> {
  const manifest = parseModelManifest(JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8')));
  const found = manifest.models
    .map((entry) => ({
      entry,
      paths: Object.fromEntries(GRAPH_ROLES.map((r) => [r, join(MODELS_DIR, modelFilePath(entry, r))])) as Record<
        'encoder' | 'decoder',
        string
      >,
    }))
    .filter(({ paths }) => existsSync(paths.encoder) && existsSync(paths.decoder));
  const base = manifest.models[0]!;
  for (const t of TEST_MODELS) {
    found.push({
      entry: {
        ...base,
        id: t.id,
        family: t.family,
        name: t.id,
        preprocess: base.preprocess,
        files: { encoder: { file: t.files.encoder }, decoder: { file: t.files.decoder } },
      },
      paths: { encoder: join(MODELS_DIR, t.files.encoder), decoder: join(MODELS_DIR, t.files.decoder) },
    });
  }
  return only ? found.filter((m) => only.includes(m.entry.id)) : found;
}

function markdownTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function browserTable(results: BrowserBenchResult[]): string {
  return markdownTable(
    [
      'model',
      'backend',
      'load ms',
      'encode ms/slice',
      'click→preview ms p50/p95',
      'Enter→labelmap ms p50/p95',
      'long tasks >50 ms',
      'longest task ms',
      'JS heap MiB',
    ],
    results.map((r) => [
      r.model,
      r.backend,
      String(r.modelLoadMs),
      String(r.encodeMsPerSlice),
      `${r.clickToPreviewMs.p50} / ${r.clickToPreviewMs.p95}`,
      `${r.acceptToLabelmapMs.p50} / ${r.acceptToLabelmapMs.p95}`,
      String(r.longTasksOver50Ms),
      String(r.longestTaskMs),
      String(r.jsHeapMiB),
    ]),
  );
}

function budgetTable(results: BrowserBenchResult[]): string {
  const pair = (s: { p50: number; p95: number }) => `${s.p50} / ${s.p95}`;
  return markdownTable(
    [
      'model',
      'backend',
      'decoder run ms p50/p95',
      'click→preview ms p50/p95',
      'click / decoder p50/p95',
      'beyond the decoder ms p50/p95',
      'long tasks >50 ms in clicks',
      'longest ms',
    ],
    results.map((r) => [
      r.model,
      r.backend,
      pair(r.decoderRunMs),
      pair(r.clickToPreviewMs),
      pair(r.clickOverDecoder),
      pair(r.clickOverheadMs),
      String(r.longTasksDuringClicks),
      String(r.longestTaskDuringClicksMs),
    ]),
  );
}

function table(results: NodeBenchResult[]): string {
  const head = [
    'model',
    'backend',
    'session ms',
    'encode ms p50/p95',
    'decode ms p50/p95',
    'cache MiB/slice',
    'peak RSS MiB',
  ];
  const rows = results.map((r) => [
    r.model,
    r.backend,
    String(r.sessionCreateMs),
    `${r.encodeMs.p50} / ${r.encodeMs.p95}`,
    `${r.decodeMs.p50} / ${r.decodeMs.p95}`,
    (r.cacheBytesPerSlice / 2 ** 20).toFixed(2),
    String(r.peakRssMiB),
  ]);
  return markdownTable(head, rows);
}

const options = parseArgs(process.argv.slice(2));
const { slices, prompts } = workload(options.slices);
const results: NodeBenchResult[] = [];
for (const { entry, paths } of presentModels(options.models)) {
  process.stderr.write(`benchmarking ${entry.id}…\n`);
  results.push(
    await benchModel(
      entry,
      { encoder: readFileSync(paths.encoder), decoder: readFileSync(paths.decoder) },
      slices,
      prompts,
    ),
  );
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
console.log(
  `Node ${process.version}, onnxruntime-web WASM; ${machine}; ${slices.length} phantom slices 256x256, ${prompts.length} prompts each\n`,
);
console.log(table(results));
const browserResults: BrowserBenchResult[] = [];
if (options.browser) {
  for (const backend of options.webgpu ? (['wasm', 'webgpu'] as const) : (['wasm'] as const)) {
    process.stderr.write(`benchmarking the viewer in Chromium (${backend})…\n`);
    browserResults.push(await benchInBrowser({ backend, clicks: options.clicks }));
  }
  if (options.twin) {
    process.stderr.write(`benchmarking the viewer with the SAM decoder twin…\n`);
    const modelsDir = writeTwinModelsFolder(MODELS_DIR, join(import.meta.dirname, '..', '..', 'bench-results'));
    browserResults.push(
      await benchInBrowser({ backend: 'wasm', clicks: options.clicks, modelId: TWIN_MODEL_ID, modelsDir }),
    );
  }
  console.log(`\nIn the viewer (phantom CT, ${options.clicks} clicks on its objects):\n`);
  console.log(browserTable(browserResults));
  console.log('\nInteraction budget (click → preview over the bare decoder run of the same click; budget 1.2):\n');
  console.log(budgetTable(browserResults));
}
const out = join(import.meta.dirname, '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
const file = join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ date: new Date().toISOString(), machine, results, browser: browserResults }, null, 2),
);
console.log(`\nJSON: ${file}`);
