/**
 * `npm run bench [-- options]`: per model present in models/ (manifest entries whose files are
 * here, plus the project's test models), the cost of each step in Node, then in the viewer
 * (Chromium): point click → mask and box drag → mask over the bare decoder run, the worker's
 * decodes per interaction, long tasks, then propagation through the series (the phantom's organ,
 * pre-encoded and not: per slice over the decode, or over the encode and the decode; long tasks;
 * memory). A table on stdout and JSON in bench-results/ so runs can be compared. Numbers are
 * measured, never estimated.
 *
 *   --models id,id   the Node table's models (default: all present)
 *   --slices N       phantom slices for the Node table (5)
 *   --no-node        skip the Node table
 *   --model id,id    the viewer's models: any of the manifest whose files are here, or
 *                    sam-decoder-twin (SAM ViT-B's decoder cost, random weights), or
 *                    sam-decoder-twin-seg (the same with the test decoder's masks: it propagates);
 *                    default: the manifest's default model
 *   --twin           shorthand for --model sam-decoder-twin
 *   --clicks N       point clicks per model in the viewer (10)
 *   --drags N        box drags per model in the viewer (default: as many as clicks)
 *   --no-propagation skip the viewer's propagation runs
 *   --propagation-profile  also write CPU profiles of the page's main thread over the propagation
 *                    runs (bench-results/*.cpuprofile, for DevTools); profiling slows the runs
 *   --no-browser     skip the viewer
 *   --webgpu         also measure each viewer model on WebGPU (SwiftShader here: checks the path only)
 */
import { SEGMENTING_TWIN_MODEL_ID, TWIN_MODEL_ID, addSegmentingTwin, writeTwinModelsFolder } from './decoderTwin';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  GRAPH_ROLES,
  listModelFiles,
  modelFilePath,
  type ModelEntry,
  type ModelManifest,
  type Prompt,
} from '../../extensions/sam-segmentation/src/core';
import { MODELS_DIR, loadManifest } from '../models/cli';
import { PHANTOM_DIR, benchModel, readCtSlice, type NodeBenchResult } from './nodeBench';
import { benchInBrowser, type BrowserBenchResult, type InteractionSummary } from './browserBench';
import type { MemorySample, PropagationRunResult, Stats as PropagationStats } from './propagationBench';

interface Options {
  models?: string[];
  slices: number;
  /** The Node table: on by default, `--no-node` to skip. */
  node: boolean;
  /** Also measure in the viewer (Chromium): on by default, `--no-browser` to skip. */
  browser: boolean;
  /** Add a WebGPU run in Chromium (SwiftShader here: checks the path, not a GPU timing). */
  webgpu: boolean;
  clicks: number;
  drags?: number;
  /** The viewer's models (`--model`; `--twin` adds the compute twin of SAM's decoder). */
  viewerModels: string[];
  /** Propagation through the series in the viewer: on by default, `--no-propagation` to skip. */
  propagation: boolean;
  /** Write main-thread CPU profiles over the propagation runs. */
  propagationProfile: boolean;
}

const USAGE =
  'Options: --models id,id  --slices N  --no-node  --model id,id  --twin  --clicks N  --drags N  --no-propagation  --propagation-profile  --no-browser  --webgpu';

function parseArgs(argv: string[]): Options {
  const options: Options = {
    slices: 5,
    node: true,
    browser: true,
    webgpu: false,
    clicks: 10,
    viewerModels: [],
    propagation: true,
    propagationProfile: false,
  };
  const count = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} takes a whole number, got ${value}. ${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    if (flag === '--no-browser') options.browser = false;
    else if (flag === '--no-node') options.node = false;
    else if (flag === '--no-propagation') options.propagation = false;
    else if (flag === '--propagation-profile') options.propagationProfile = true;
    else if (flag === '--webgpu') options.webgpu = true;
    else if (flag === '--twin') options.viewerModels.push(TWIN_MODEL_ID);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value. ${USAGE}`);
      if (flag === '--models') options.models = value.split(',');
      else if (flag === '--model') options.viewerModels.push(...value.split(',').filter(Boolean));
      else if (flag === '--slices') options.slices = count(flag, value);
      else if (flag === '--clicks') options.clicks = count(flag, value);
      else if (flag === '--drags') options.drags = count(flag, value);
      else throw new Error(`Unknown option ${flag}. ${USAGE}`);
    }
  }
  options.viewerModels = [...new Set(options.viewerModels)];
  return options;
}

/**
 * What the viewer is run with for each model asked for: the twin's own models folder, or the
 * repository's (the model's files must be here). Throws, naming the command, when they are not.
 */
function viewerRuns(
  manifest: ModelManifest,
  ids: string[],
): Array<{ id: string; modelId?: string; modelsDir?: string }> {
  if (ids.length === 0) return [{ id: manifest.defaultModel }];
  let twinDir: string | undefined;
  return ids.map((id) => {
    if (id === TWIN_MODEL_ID || id === SEGMENTING_TWIN_MODEL_ID) {
      twinDir ??= writeTwinModelsFolder(MODELS_DIR, join(import.meta.dirname, '..', '..', 'bench-results'));
      if (id === SEGMENTING_TWIN_MODEL_ID) addSegmentingTwin(twinDir);
      return { id, modelId: id, modelsDir: twinDir };
    }
    const entry = manifest.models.find((m) => m.id === id);
    if (!entry)
      throw new Error(
        `--model ${id}: not a model of models/manifest.json. Known: ${[...manifest.models.map((m) => m.id), TWIN_MODEL_ID, SEGMENTING_TWIN_MODEL_ID].join(', ')}`,
      );
    const missing = listModelFiles(entry).filter(({ path }) => !existsSync(join(MODELS_DIR, path)));
    if (missing.length > 0)
      throw new Error(
        `--model ${id}: its files are not here (${missing.map((m) => `models/${m.path}`).join(', ')}). ` +
          `Fetch them with: npm run models -- fetch ${id}`,
      );
    // The manifest's default is what the viewer loads by itself: choosing it again would reload it.
    return { id, ...(id !== manifest.defaultModel && { modelId: id }) };
  });
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

function presentModels(
  manifest: ModelManifest,
  only?: string[],
): Array<{ entry: ModelEntry; paths: Record<'encoder' | 'decoder', string> }> {
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

/** Box drags: release → the final box's mask over the bare decoder run of that mask, the worker's decodes. */
function dragTable(results: BrowserBenchResult[]): string {
  const pair = (s: { p50: number; p95: number }) => `${s.p50} / ${s.p95}`;
  const rows = results.flatMap((r) => (r.dragSummary ? [{ r, d: r.dragSummary }] : []));
  return markdownTable(
    [
      'model',
      'backend',
      'box drag → mask ms p50/p95',
      'decoder run ms p50/p95',
      'drag / decoder p50/p95',
      'beyond the decoder ms p50/p95',
      'decodes started per drag p50 (during / after release)',
      'annotation updates per drag p50',
      'long tasks >50 ms in drags (during / after release)',
      'longest ms',
    ],
    rows.map(({ r, d }) => [
      r.model,
      r.backend,
      pair(d.ms),
      pair(d.decoderRunMs),
      pair(d.overDecoder),
      pair(d.overheadMs),
      `${d.decodesStartedDuring.p50} / ${d.decodesStartedAfterRelease.p50}`,
      String(d.annotationUpdates.p50),
      `${d.longTasksDuring} / ${d.longTasksAfterRelease}`,
      String(d.longestTaskMs),
    ]),
  );
}

/** Per interaction, what the worker was asked: p50 and the range over the interactions. */
function decodeTable(results: BrowserBenchResult[]): string {
  const spread = (values: number[]) => (values.length === 0 ? '–' : `${Math.min(...values)}–${Math.max(...values)}`);
  const rows: string[][] = [];
  for (const r of results) {
    for (const [kind, records] of [
      ['click', r.clicks],
      ['drag', r.drags],
    ] as const) {
      if (records.length === 0) continue;
      const of = (f: (d: (typeof records)[number]['decodes']) => number) => records.map((x) => f(x.decodes));
      rows.push([
        r.model,
        r.backend,
        kind,
        String(records.length),
        `${spread(of((d) => d.sentDuring))} / ${spread(of((d) => d.sentAfterRelease))}`,
        `${spread(of((d) => d.cancelledDuring))} / ${spread(of((d) => d.cancelledAfterRelease))}`,
        `${spread(of((d) => d.startedDuring))} / ${spread(of((d) => d.startedAfterRelease))}`,
        spread(of((d) => d.encodesSent)),
        spread(of((d) => d.sentAfterShown)),
      ]);
    }
  }
  return markdownTable(
    [
      'model',
      'backend',
      'interaction',
      'n',
      'decode requests (during / after release)',
      "answered 'cancelled' (during / after)",
      'decodes started (during / after)',
      'encode requests',
      'decodes sent after the mask was shown',
    ],
    rows,
  );
}

const num = (x: number) => (Number.isFinite(x) ? String(x) : '–');
const pairOf = (s: PropagationStats) => (s.n === 0 ? '–' : `${num(s.p50)} / ${num(s.p95)}`);

/** A timed run's memory: its first and last samples (both after a forced GC): V8 heap, renderer RSS, cached slices. */
function memoryCell(r: PropagationRunResult | undefined): string {
  const first = r?.memory[0];
  const last = r?.memory.at(-1);
  if (!first || !last) return '–';
  const rss =
    first.rendererRssMiB !== undefined && last.rendererRssMiB !== undefined
      ? `; RSS ${first.rendererRssMiB} → ${last.rendererRssMiB}`
      : '';
  const cache = first.cache && last.cache ? `; cache ${first.cache.entries} → ${last.cache.entries} slices` : '';
  return `heap ${first.gcHeapMiB} → ${last.gcHeapMiB}${rss}${cache}`;
}

/** Per model: both timed propagation runs side by side. */
function propagationTable(results: BrowserBenchResult[]): string {
  const rows = results.flatMap((r) => (r.propagation ? [{ r, p: r.propagation }] : []));
  return markdownTable(
    [
      'model',
      'backend',
      'slices kept, steps (pre / not)',
      'pre-encoded ms/slice p50/p95',
      'decode ms p50',
      'wall / decode p50/p95',
      'not pre-encoded ms/slice p50/p95',
      'encode + decode ms p50',
      'wall / (encode + decode) p50/p95',
      'long tasks >50 ms in runs (pre / not), longest ms',
      'memory MiB, pre-encoded (start → end)',
      'memory MiB, not pre-encoded (start → end)',
    ],
    rows.map(({ r, p }) => {
      const a = p.preEncoded.summary;
      const b = p.notPreEncoded?.summary;
      return [
        r.model,
        r.backend,
        `${a.kept}, ${a.steps} / ${b ? `${b.kept}, ${b.steps}` : '–'}`,
        pairOf(a.msPerSlice),
        num(a.decodeMs.p50),
        pairOf(a.overDecode),
        b ? pairOf(b.msPerSlice) : '–',
        b ? num(b.encodePlusDecodeMs.p50) : '–',
        b ? pairOf(b.overEncodeDecode) : '–',
        `${a.longTasks} / ${b?.longTasks ?? '–'}, ${Math.max(a.longestTaskMs, b?.longestTaskMs ?? 0)}`,
        memoryCell(p.preEncoded),
        memoryCell(p.notPreEncoded),
      ];
    }),
  );
}

/** Where a propagated slice's time goes, per timed run. */
function propagationCostTable(results: BrowserBenchResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const run of [r.propagation?.preEncoded, r.propagation?.notPreEncoded]) {
      if (!run) continue;
      const s = run.summary;
      rows.push([
        r.model,
        run.case,
        `${run.outcome.state}${run.outcome.why ? ` (${run.outcome.why})` : ''}`,
        `${s.steps} / ${s.slicesEncoded}`,
        String(run.runMs),
        pairOf(s.mainGapMs),
        pairOf(s.workerBeyondDecodeMs),
        pairOf(s.longTaskShare),
        `${s.longTasks}, ${s.longTasksMs} ms`,
        num(s.decoderRunMs.p50),
        pairOf(s.encodeMs),
        s.slicesEncoded > 0 ? `${pairOf(s.encodeAnsweredMs)} (${s.waitedForEncode} waited)` : '–',
        `${run.encodes.background} / ${run.encodes.interactive} (${run.encodes.notCached} ran)`,
        String(run.unusedEncodes.length),
        `${run.labelmap.before.slices} → ${run.labelmap.after.slices} → ${run.labelmap.afterUndo.slices}`,
        run.windowChange ? String(run.windowChange.backgroundEncodesBeforeRun) : '–',
      ]);
    }
  }
  return markdownTable(
    [
      'model',
      'run',
      'outcome',
      'steps / slices encoded in the run',
      'run ms',
      'main thread between steps ms p50/p95',
      'request → answer beyond the decode ms p50/p95',
      'share of the wall in long tasks p50/p95',
      'long tasks >50 ms, total',
      'decoder run ms p50',
      'encode ms p50/p95',
      "the slice's encode answered, ms after the step's start p50/p95",
      'encodes sent: background / interactive',
      'encodes for no step',
      'labelmap slices: before → after → Undo',
      'background encodes of the new window before the run',
    ],
    rows,
  );
}

/** The memory run: every sample after a full GC of the main thread. */
function memoryTable(results: BrowserBenchResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    const m = r.propagation?.memoryRun;
    if (!m) continue;
    const cell = (f: (x: MemorySample) => number | undefined) =>
      m.memory.map((x) => (f(x) === undefined ? '–' : String(f(x)))).join(' / ');
    rows.push([
      r.model,
      m.memory.map((x) => `${x.label}${x.done !== undefined ? ` (${x.done})` : ''}`).join(' / '),
      cell((x) => x.gcHeapMiB),
      cell((x) => x.arrayBuffersMiB),
      cell((x) => x.rendererRssMiB),
      cell((x) => x.cache?.entries),
      [m.perSliceKiB.gcHeap, m.perSliceKiB.arrayBuffers, m.perSliceKiB.rendererRss, m.perSliceKiB.cache]
        .map((v) => (v === undefined ? '–' : String(v)))
        .join(' / '),
    ]);
  }
  return markdownTable(
    [
      'model',
      'sample (slices done)',
      'V8 heap MiB (after GC)',
      'ArrayBuffers MiB',
      'renderer RSS MiB',
      'cached slices',
      'per slice KiB (slope): heap / ArrayBuffers / RSS / cache',
    ],
    rows,
  );
}

const ratioLine = (label: string, s: InteractionSummary | undefined) =>
  s ? `${label} → mask p50 ${s.ms.p50} ms, ${s.overDecoder.p50.toFixed(2)} × decoder` : `${label} → mask: not measured`;

/** The options and the viewer's runs; a wrong option or a model that cannot be measured ends here, said plainly. */
function setUp(): { options: Options; manifest: ModelManifest; runs: ReturnType<typeof viewerRuns> } {
  try {
    const options = parseArgs(process.argv.slice(2));
    const manifest = loadManifest();
    // Fail on a model that cannot be measured before spending minutes on the others.
    return { options, manifest, runs: options.browser ? viewerRuns(manifest, options.viewerModels) : [] };
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

const { options, manifest, runs } = setUp();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const results: NodeBenchResult[] = [];
if (options.node) {
  const { slices, prompts } = workload(options.slices);
  for (const { entry, paths } of presentModels(manifest, options.models)) {
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
  console.log(
    `Node ${process.version}, onnxruntime-web WASM; ${machine}; ${slices.length} phantom slices 256x256, ${prompts.length} prompts each; load average ${load()}\n`,
  );
  console.log(table(results));
}
const browserResults: BrowserBenchResult[] = [];
if (options.browser) {
  const drags = options.drags ?? options.clicks;
  for (const run of runs) {
    for (const backend of options.webgpu ? (['wasm', 'webgpu'] as const) : (['wasm'] as const)) {
      process.stderr.write(
        `benchmarking the viewer with ${run.id} in Chromium (${backend}); load average ${load()}…\n`,
      );
      browserResults.push(
        await benchInBrowser({
          backend,
          clicks: options.clicks,
          drags,
          propagation: options.propagation,
          ...(options.propagationProfile && {
            propagationProfile: join(
              import.meta.dirname,
              '..',
              '..',
              'bench-results',
              `propagation-${run.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
            ),
          }),
          ...(run.modelId && { modelId: run.modelId }),
          ...(run.modelsDir && { modelsDir: run.modelsDir }),
        }),
      );
    }
  }
  console.log(
    `\nIn the viewer (phantom CT, ${options.clicks} clicks and ${drags} box drags on its objects); ${machine}:\n`,
  );
  console.log(browserTable(browserResults));
  console.log('\nInteraction budget (click → preview over the bare decoder run of the same click; budget 1.2):\n');
  console.log(budgetTable(browserResults));
  if (drags > 0) {
    console.log(
      `\nBox drags (release → the final box's mask on screen, over the bare decoder run of that mask; ${'≥'} 15 mouse moves each, Esc after):\n`,
    );
    console.log(dragTable(browserResults));
  }
  console.log("\nDecodes per interaction (the SAM worker's messages; min–max over the interactions):\n");
  console.log(decodeTable(browserResults));
  const withPropagation = browserResults.find((r) => r.propagation)?.propagation;
  if (withPropagation) {
    const [forward, backward] = withPropagation.slicesEachWay;
    console.log(
      `\nPropagation (phantom ${withPropagation.object}, ${forward === backward ? forward : `${forward} / ${backward}`} slices each way; ` +
        'per slice: from one step answer to the next, over the worker decode, or over the encode and the decode; ' +
        'targets 1.2 ×, no task > 50 ms, flat memory):\n',
    );
    console.log(propagationTable(browserResults));
    console.log('\nPropagation, where the time goes (p50 / p95 over the steps):\n');
    console.log(propagationCostTable(browserResults));
    console.log(
      '\nPropagation, memory (a third run, pre-encoded, a full GC of the main thread before each sample; its times not reported):\n',
    );
    console.log(memoryTable(browserResults));
    for (const r of browserResults) {
      if (r.propagation && r.propagation.preEncoded.summary.kept === 0)
        console.log(
          `  ${r.model}: no slice kept (${r.propagation.preEncoded.outcome.why ?? r.propagation.preEncoded.outcome.state})` +
            (r.model === TWIN_MODEL_ID
              ? `: its random weights give masks the stop rules end at once; ${SEGMENTING_TWIN_MODEL_ID} has the same cost and propagates`
              : ''),
        );
      const m = r.propagation?.userAgentMemory;
      if (m)
        console.log(
          `  ${r.model}: measureUserAgentSpecificMemory() ${m.answered ? `${Math.round((m.bytes ?? 0) / 2 ** 20)} MiB in ${m.ms} ms` : `unavailable: ${m.note}`}`,
        );
    }
  }
  console.log('\nLoad average (1, 5, 15 min) at the start / end of each viewer run:\n');
  for (const r of browserResults)
    console.log(`  ${r.model} (${r.backend}): ${r.loadAverage.start.join(', ')} / ${r.loadAverage.end.join(', ')}`);
}
const out = join(import.meta.dirname, '..', '..', 'bench-results');
mkdirSync(out, { recursive: true });
const file = join(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { date: new Date().toISOString(), machine, argv: process.argv.slice(2), results, browser: browserResults },
    null,
    2,
  ),
);
console.log(`\nJSON: ${file}`);
for (const r of browserResults) {
  console.log(`\n${r.model}, ${r.backend}:`);
  console.log(ratioLine('point click', r.clickSummary));
  console.log(ratioLine('box drag', r.dragSummary));
  const p = r.propagation;
  if (p) {
    const a = p.preEncoded.summary;
    console.log(
      `propagation, pre-encoded: p50 ${num(a.msPerSlice.p50)} ms per slice, ${num(a.overDecode.p50)} × decode`,
    );
    const b = p.notPreEncoded?.summary;
    console.log(
      b
        ? `propagation, not pre-encoded: p50 ${num(b.msPerSlice.p50)} ms per slice, ${num(b.overEncodeDecode.p50)} × (encode + decode)`
        : 'propagation, not pre-encoded: not measured',
    );
  }
}
