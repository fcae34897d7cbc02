/**
 * Propagation through the series, in the viewer, after the clicks and drags (browserBench.ts): a SAM
 * box around the phantom's organ on its central slice, the preview, then `samService.propagate()`
 * both ways until the run is done; then Undo (`commandsManager.runCommand('undo')`) and Esc. Twice:
 *
 * 1. pre-encoded: the series' background encoding is complete (the bench waited for it), so every
 *    slice's embedding is in the worker's cache: a slice costs a decode;
 * 2. not pre-encoded: the viewport's window is widened by 2 (lower − 1, upper + 1, the same centre)
 *    first. The embedding's key includes the displayed window, so every slice misses and is encoded
 *    in the run; the series pre-encoder follows stacks, not windows, and does not restart (checked:
 *    no background encode of the new window between the change and the run). A slice costs an
 *    encode and a decode.
 *
 * Per slice the worker's messages give the wall time, the decode, the encode (propagationStats.ts);
 * main-thread long tasks (> 50 ms) overlapping the run are listed. Memory before the run (after a
 * forced GC), after each quarter of the organ's slices, at the end and after a forced GC: the page's JS heap
 * (`performance.memory.usedJSHeapSize`, main thread), the resident memory of the page's renderer
 * process (the page, its workers and their WASM heaps: /proc/<pid>/status VmRSS, the renderer found
 * through CDP's SystemInfo) and the worker's embedding cache (its `cacheStats` answer). A third run,
 * for memory only (3. memory), propagates again under the second window (its slices now encoded) with
 * a full GC of the main thread before each sample, so that the heap's samples are what is retained;
 * its times are not reported.
 * `performance.measureUserAgentSpecificMemory()` is asked once, after both runs (an answer pending
 * during a run could be given at any time in it): in this page it does not answer, because
 * onnxruntime's WASM threads wait in `Atomics.wait` (a worker blocked there never takes part in the
 * measurement; a two-line page shows the same).
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { percentile } from './nodeBench';
import type { LongTask, PropagationLike, SamStateReader, WorkerCacheStats, WorkerLogEntry } from './pageProbes';
import { backgroundEncodesOf, propagationSteps, type PropagationStepRecord } from './propagationStats';

export interface Stats {
  p50: number;
  p95: number;
  n: number;
}

const RUN_TIMEOUT_MS = 15 * 60_000;
const MEASURE_MEMORY_TIMEOUT_MS = 10_000;
const MiB = 2 ** 20;

const round = (x: number) => Math.round(x * 10) / 10;
/** p50 / p95 of the finite values (NaN when there are none). */
function statsOf(values: number[], digits = 1): Stats {
  const finite = values.filter(Number.isFinite);
  const k = 10 ** digits;
  const at = (p: number) => (finite.length === 0 ? NaN : Math.round(percentile(finite, p) * k) / k);
  return { p50: at(0.5), p95: at(0.95), n: finite.length };
}

export interface MemorySample {
  /** 'before' (after a forced GC), '1/4' … '3/4' (of the organ's slices, as the run reports them), 'end', 'after GC'. */
  label: string;
  /** Slices done when sampled. */
  done?: number;
  /** Relative to the run's start (propagate() called). */
  atMs: number;
  /** performance.memory.usedJSHeapSize: the main thread's V8 heap, garbage included (Chromium rate-limits it to one fresh value per 50 ms). */
  jsHeapMiB: number;
  /**
   * Samples after a full GC of the main thread (HeapProfiler.collectGarbage): its V8 heap then, and
   * its ArrayBuffers' memory (typed arrays: masks, labelmaps, undo records), read fresh through CDP
   * (Runtime.getHeapUsage: usedSize, backingStorageSize).
   */
  gcHeapMiB?: number;
  arrayBuffersMiB?: number;
  rendererRssMiB?: number;
  cache?: { entries: number; MiB: number; budgetMiB: number; evictions: number };
}

export interface LabelmapCount {
  /** Voxels of the SAM segmentation (any segment) over the stack, and slices holding any. */
  voxels: number;
  slices: number;
}

export interface PropagationRunSummary {
  /** Steps that decoded (the stop steps included), and slices kept (written). */
  steps: number;
  kept: number;
  msPerSlice: Stats;
  decodeMs: Stats;
  decoderRunMs: Stats;
  /** Over the steps whose slice was encoded in the run. */
  encodeMs: Stats;
  encodePlusDecodeMs: Stats;
  overDecode: Stats;
  overEncodeDecode: Stats;
  /** Where a slice's wall goes: main thread between steps, the worker beyond the decode (see propagationStats.ts). */
  mainGapMs: Stats;
  workerBeyondDecodeMs: Stats;
  /** The share of a step's wall that main-thread long tasks cover (0-1). */
  longTaskShare: Stats;
  /**
   * Encoded steps: when the slice's encode answer came, relative to the step's start (the previous
   * step's answer; negative: it was there before), and how many steps had to wait for it (> 0).
   */
  encodeAnsweredMs: Stats;
  waitedForEncode: number;
  slicesEncoded: number;
  longTasks: number;
  longestTaskMs: number;
  /** Long tasks' total over the run, ms. */
  longTasksMs: number;
}

export interface PropagationRunResult {
  case: 'pre-encoded' | 'not pre-encoded';
  outcome: PropagationLike;
  /** propagate() called → the final state (page clock), and the first frame after it. */
  window: { start: number; end: number; shown: number };
  runMs: number;
  /** The window's part of the embedding key of the run's steps. */
  preprocessingKey: string;
  steps: PropagationStepRecord[];
  summary: PropagationRunSummary;
  encodes: ReturnType<typeof propagationSteps>['encodes'];
  unusedEncodes: ReturnType<typeof propagationSteps>['unusedEncodes'];
  decodesSent: number;
  /** Long tasks (> 50 ms) overlapping [start, shown]: start relative to the run's start. */
  longTasks: { startMs: number; durationMs: number }[];
  memory: MemorySample[];
  labelmap: { before: LabelmapCount; after: LabelmapCount; afterUndo: LabelmapCount };
  /** Not pre-encoded: the window change, and background encodes of the new window before the run. */
  windowChange?: {
    from: { lower: number; upper: number };
    to: { lower: number; upper: number };
    backgroundEncodesBeforeRun: number;
  };
}

/** A third run, for memory only: a full GC before each sample; its times are not reported (the GCs are in them). */
export interface MemoryRunResult {
  case: string;
  outcome: PropagationLike;
  runMs: number;
  memory: MemorySample[];
  /** Per slice (least-squares slope over the samples, slices done → value): heap after GC, ArrayBuffers, renderer RSS, the worker's cache (KiB). */
  perSliceKiB: { gcHeap?: number; arrayBuffers?: number; rendererRss?: number; cache?: number };
}

export interface PropagationBenchResult {
  object: string;
  /** Slices of the object beyond its central slice, each way (the phantom's truth). */
  slicesEachWay: [number, number];
  preEncoded: PropagationRunResult;
  notPreEncoded?: PropagationRunResult;
  memoryRun?: MemoryRunResult;
  /** performance.measureUserAgentSpecificMemory(), asked once after the runs. */
  userAgentMemory: { answered: boolean; ms: number; bytes?: number; note?: string };
  /** The box drags' windows (page clock: press → Esc), for the count of decodes outside interactions. */
  boxWindows: Array<{ begin: number; end: number }>;
  /** The renderer process whose RSS was read. */
  rendererPid?: number;
  /** The CPU profiles written (with profileTo). */
  profiles?: string[];
}

export interface PropagationObject {
  id: string;
  centerMm: [number, number, number];
  /** [first, last] slice index (k) the object touches. */
  sliceRange: [number, number];
  centerVoxel: [number, number, number];
}

type Win = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The renderer process of the page: the one with the most CPU time once the series is encoded. */
async function findRenderer(browser: Browser): Promise<number | undefined> {
  try {
    const cdp = await browser.newBrowserCDPSession();
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: Array<{ type: string; id: number; cpuTime: number }>;
    };
    await cdp.detach();
    return processInfo.filter((p) => p.type === 'renderer').sort((a, b) => b.cpuTime - a.cpuTime)[0]?.id;
  } catch {
    return undefined;
  }
}

function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
  } catch {
    return undefined;
  }
}

const cacheOf = (s: WorkerCacheStats | undefined): MemorySample['cache'] =>
  s && {
    entries: s.entries,
    MiB: round(s.bytes / MiB),
    budgetMiB: round(s.budgetBytes / MiB),
    evictions: s.evictions,
  };

/** A full GC of the page's main thread, then its heap and ArrayBuffers, fresh (CDP). */
async function collectedHeap(cdp: CDPSession): Promise<{ gcHeapMiB: number; arrayBuffersMiB: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  return { gcHeapMiB: round(usage.usedSize / MiB), arrayBuffersMiB: round((usage.backingStorageSize ?? NaN) / MiB) };
}

/** A memory sample taken from Node (before / after a run), optionally after a forced GC of the page. */
async function sampleMemory(
  page: Page,
  cdp: CDPSession,
  pid: number | undefined,
  label: string,
  since: number,
  gc: boolean,
): Promise<MemorySample> {
  const collected = gc ? await collectedHeap(cdp) : undefined;
  const { heap, at, cache } = await page.evaluate(async () => {
    const w = window as Win;
    const cache = (await w.__samWorkerCacheStats().catch(() => undefined)) as WorkerCacheStats | undefined;
    const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    return { heap: memory?.usedJSHeapSize ?? NaN, at: performance.now(), cache };
  });
  const rss = rssMiB(pid);
  return {
    label,
    atMs: round(at - since),
    jsHeapMiB: round(heap / MiB),
    ...collected,
    ...(rss !== undefined && { rendererRssMiB: rss }),
    ...(cache && { cache: cacheOf(cache) }),
  };
}

function labelmapCount(page: Page): Promise<LabelmapCount> {
  return page.evaluate(() => {
    const { cornerstone, cornerstoneTools, services } = window as Win;
    const segmentationId = services.segmentationService.getSegmentations()[0]?.segmentationId as string | undefined;
    if (!segmentationId) return { voxels: 0, slices: 0 };
    const viewport = services.cornerstoneViewportService.getCornerstoneViewport(
      services.viewportGridService.getActiveViewportId(),
    );
    let voxels = 0;
    let slices = 0;
    for (const id of viewport.getImageIds() as string[]) {
      const labelmapId = cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(id, segmentationId)?.[0];
      const pixels = labelmapId && cornerstone.cache.getImage(labelmapId)?.getPixelData();
      if (!pixels) continue;
      let n = 0;
      for (let i = 0; i < pixels.length; i++) if (pixels[i] !== 0) n++;
      voxels += n;
      if (n > 0) slices++;
    }
    return { voxels, slices };
  });
}

interface PageRun {
  start: number;
  end: number;
  shown: number;
  outcome: PropagationLike;
  samples: Array<{
    label: string;
    done: number;
    t: number;
    heap: number;
    collected?: { gcHeapMiB: number; arrayBuffersMiB: number };
    rss?: number;
    cache?: WorkerCacheStats;
  }>;
}

/** A page run's memory sample as the bench reports it, timed from the run's start. */
const memorySample = (s: PageRun['samples'][number], runStart: number): MemorySample => ({
  label: s.label,
  done: s.done,
  atMs: round(s.t - runStart),
  jsHeapMiB: round(s.heap / MiB),
  ...s.collected,
  ...(s.rss !== undefined && { rendererRssMiB: s.rss }),
  ...(s.cache && { cache: cacheOf(s.cache) }),
});

const quarterOf = (expected: number) => [1, 2, 3].map((q) => Math.max(1, Math.ceil((q * expected) / 4)));

/**
 * Propagates both ways from the slice on screen and resolves after the first frame after the final
 * state; samples memory (heap, renderer RSS through `__benchRendererRssMiB`, the worker's cache) when
 * the slices done reach each quarter (`quarters`), and at the end; with `gc`, each sample also after a
 * full GC of the page's main thread (`__benchCollectedHeap`: CDP, from Node).
 */
function runInPage(page: Page, quarters: number[], gc = false): Promise<PageRun> {
  return page.evaluate(
    ({ quarters, gc, timeoutMs }) => {
      const w = window as Win;
      const sam = w.__benchSam as SamStateReader;
      const samples: PageRun['samples'] = [];
      const pending: Promise<unknown>[] = [];
      const heap = () =>
        (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN;
      const sample = (label: string, done: number) => {
        const s: PageRun['samples'][number] = { label, done, t: performance.now(), heap: heap() };
        samples.push(s);
        const collected: Promise<unknown> = gc
          ? Promise.resolve(w.__benchCollectedHeap()).then((c: PageRun['samples'][number]['collected']) => {
              if (c) s.collected = c;
            })
          : Promise.resolve();
        pending.push(
          collected.then(() => {
            return Promise.all([
              Promise.resolve(w.__benchRendererRssMiB?.())
                .then((v: number | undefined) => (s.rss = v))
                .catch(() => undefined),
              w
                .__samWorkerCacheStats()
                .then((c: WorkerCacheStats) => (s.cache = c))
                .catch(() => undefined),
            ]);
          }),
        );
      };
      return new Promise<PageRun>((resolve, reject) => {
        let started = false;
        let next = 0;
        const timer = setTimeout(() => {
          subscription.unsubscribe();
          reject(new Error(`Propagation did not end within ${timeoutMs} ms: ${JSON.stringify(sam.propagation())}`));
        }, timeoutMs);
        const subscription = sam.subscribe(() => {
          const p = sam.propagation();
          if (!p) return;
          // Only this run's states: the last run's outcome stays in the state until this one starts.
          if (p.state === 'starting') started = true;
          if (!started) return;
          if (p.state === 'running')
            while (next < 3 && (p.done ?? 0) >= quarters[next]!) sample(`${++next}/4`, p.done!);
          if (p.state === 'done' || p.state === 'stopped' || p.state === 'error') {
            const end = performance.now();
            subscription.unsubscribe();
            clearTimeout(timer);
            sample('end', p.kept ?? 0);
            requestAnimationFrame(() => {
              const shown = performance.now();
              void Promise.all(pending).then(() => resolve({ start, end, shown, outcome: { ...p }, samples }));
            });
          }
        });
        const start = performance.now();
        sam.propagate({ directions: 'both' }).catch((err: unknown) => {
          subscription.unsubscribe();
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
      });
    },
    { quarters, gc, timeoutMs: RUN_TIMEOUT_MS },
  );
}

/** Widens the active viewport's window by 2 (same centre): a new embedding key for every slice. */
function widenWindow(page: Page) {
  return page.evaluate(async () => {
    const { services } = window as Win;
    const viewport = services.cornerstoneViewportService.getCornerstoneViewport(
      services.viewportGridService.getActiveViewportId(),
    );
    const from = viewport.getProperties().voiRange as { lower: number; upper: number } | undefined;
    if (!from) throw new Error('The viewport has no VOI range to change.');
    const to = { lower: from.lower - 1, upper: from.upper + 1 };
    viewport.setProperties({ voiRange: to });
    viewport.render();
    const t = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    return { from: { lower: from.lower, upper: from.upper }, to, t };
  });
}

function summarize(steps: PropagationStepRecord[], longTasks: { durationMs: number }[]): PropagationRunSummary {
  const decoded = steps.filter((s) => s.decodeMs > 0);
  const encoded = decoded.filter((s) => s.encoded);
  return {
    steps: decoded.length,
    kept: steps.filter((s) => s.kept).length,
    msPerSlice: statsOf(decoded.map((s) => s.wallMs)),
    decodeMs: statsOf(decoded.map((s) => s.decodeMs)),
    decoderRunMs: statsOf(decoded.map((s) => s.decoderRunMs)),
    encodeMs: statsOf(encoded.map((s) => s.encodeMs)),
    encodePlusDecodeMs: statsOf(decoded.map((s) => s.encodeMs + s.decodeMs)),
    overDecode: statsOf(
      decoded.map((s) => s.overDecode),
      2,
    ),
    overEncodeDecode: statsOf(
      decoded.map((s) => s.overEncodeDecode),
      2,
    ),
    mainGapMs: statsOf(decoded.map((s) => s.mainGapMs)),
    workerBeyondDecodeMs: statsOf(decoded.map((s) => s.workerMs - s.decodeMs)),
    longTaskShare: statsOf(
      decoded.map((s) => s.longTaskMs / s.wallMs),
      2,
    ),
    encodeAnsweredMs: statsOf(encoded.map((s) => Math.max(...s.encodes.map((e) => e.answeredMs)))),
    waitedForEncode: encoded.filter((s) => s.encodes.some((e) => e.answeredMs > 0)).length,
    slicesEncoded: encoded.length,
    longTasks: longTasks.length,
    longestTaskMs: round(Math.max(0, ...longTasks.map((t) => t.durationMs))),
    longTasksMs: round(longTasks.reduce((sum, t) => sum + t.durationMs, 0)),
  };
}

async function undoAndEscape(page: Page, panelWithoutPreview: string): Promise<void> {
  await page.evaluate(() => (window as Win).commandsManager.runCommand('undo'));
  await page.evaluate(() =>
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })),
  );
  await page.locator(panelWithoutPreview).waitFor();
}

export async function benchPropagation(
  page: Page,
  deps: {
    browser: Browser;
    object: PropagationObject;
    /** Shows the object's central slice, drags a SAM box around it, resolves once its preview is shown. */
    drawBox(): Promise<{ begin: number; end: number }>;
    /** The SAM panel's selector when no preview is shown. */
    panelWithoutPreview: string;
    /**
     * Write a CPU profile of the page's main thread (Chrome DevTools' .cpuprofile) over each run to
     * `<profileTo>-<case>.cpuprofile`: what the main thread does between the steps. Profiling adds
     * its own cost: the run's numbers are then not the bench's. Also a sampling heap profile
     * (.heapprofile) of the memory run: where what survives it was allocated.
     */
    profileTo?: string;
  },
): Promise<PropagationBenchResult> {
  const { object } = deps;
  const centre = Math.round(object.centerVoxel[2]);
  const slicesEachWay: [number, number] = [object.sliceRange[1] - centre, centre - object.sliceRange[0]];
  const expected = slicesEachWay[0] + slicesEachWay[1];
  const cdp = await page.context().newCDPSession(page);
  const pid = await findRenderer(deps.browser);
  await page.exposeFunction('__benchRendererRssMiB', () => rssMiB(pid));
  await page.exposeFunction('__benchCollectedHeap', () => collectedHeap(cdp));
  const boxWindows: Array<{ begin: number; end: number }> = [];
  const profiles: string[] = [];

  const run = async (
    kind: PropagationRunResult['case'],
    windowChange?: { from: { lower: number; upper: number }; to: { lower: number; upper: number }; t: number },
  ): Promise<PropagationRunResult> => {
    boxWindows.push(await deps.drawBox());
    const before = await labelmapCount(page);
    const logFrom = await page.evaluate(() => performance.now());
    const memoryBefore = await sampleMemory(page, cdp, pid, 'before', logFrom, true);
    if (deps.profileTo) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const r = await runInPage(page, quarterOf(expected));
    if (deps.profileTo) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      const file = `${deps.profileTo}-${kind.replace(/ /g, '-')}.cpuprofile`;
      writeFileSync(file, JSON.stringify(profile));
      profiles.push(file);
    }
    const afterGc = await sampleMemory(page, cdp, pid, 'after GC', r.start, true);
    const after = await labelmapCount(page);
    await undoAndEscape(page, deps.panelWithoutPreview);
    const afterUndo = await labelmapCount(page);
    const { log, tasks } = await page.evaluate(() => {
      const w = window as Win;
      return { log: w.__samWorkerLog as WorkerLogEntry[], tasks: w.__longTasks as LongTask[] };
    });
    const found = propagationSteps(log, { from: r.start, to: r.end }, tasks);
    const longTasks = tasks
      .filter((t) => t.duration > 50 && t.start < r.shown && t.start + t.duration > r.start)
      .map((t) => ({ startMs: round(t.start - r.start), durationMs: round(t.duration) }));
    const preprocessingKey = found.steps[0]?.preprocessingKey ?? '';
    const memory: MemorySample[] = [
      { ...memoryBefore, atMs: round(memoryBefore.atMs - (r.start - logFrom)) },
      ...r.samples.map((sample) => memorySample(sample, r.start)),
      afterGc,
    ];
    const steps = found.steps.map((s) => ({
      ...s,
      atMs: round(s.atMs),
      wallMs: round(s.wallMs),
      mainGapMs: round(s.mainGapMs),
      workerMs: round(s.workerMs),
      decodeMs: round(s.decodeMs),
      decoderRunMs: round(s.decoderRunMs),
      encodeMs: round(s.encodeMs),
      overDecode: Math.round(s.overDecode * 1000) / 1000,
      overEncodeDecode: Math.round(s.overEncodeDecode * 1000) / 1000,
    }));
    return {
      case: kind,
      outcome: r.outcome,
      window: { start: r.start, end: r.end, shown: r.shown },
      runMs: round(r.end - r.start),
      preprocessingKey,
      // Percentiles from the unrounded records.
      summary: summarize(found.steps, longTasks),
      steps,
      encodes: found.encodes,
      unusedEncodes: found.unusedEncodes.map((e) => ({ ...e, encodeMs: round(e.encodeMs) })),
      decodesSent: found.decodesSent,
      longTasks,
      memory,
      labelmap: { before, after, afterUndo },
      ...(windowChange && {
        windowChange: {
          from: windowChange.from,
          to: windowChange.to,
          backgroundEncodesBeforeRun: backgroundEncodesOf(log, preprocessingKey, {
            from: windowChange.t,
            to: r.start,
          }),
        },
      }),
    };
  };

  const preEncoded = await run('pre-encoded');
  let notPreEncoded: PropagationRunResult | undefined;
  try {
    notPreEncoded = await run('not pre-encoded', await widenWindow(page));
  } catch (err) {
    process.stderr.write(`warning: the not pre-encoded propagation failed: ${(err as Error).message}\n`);
  }
  // The memory run: the same window as the last run, so pre-encoded by it; a full GC before each sample.
  let memoryRun: MemoryRunResult | undefined;
  try {
    boxWindows.push(await deps.drawBox());
    const start = await sampleMemory(page, cdp, pid, 'before', await page.evaluate(() => performance.now()), true);
    // With profileTo: where the heap that survives the run was allocated (V8's sampling heap profiler).
    if (deps.profileTo) await cdp.send('HeapProfiler.startSampling', { samplingInterval: 16384 });
    const r = await runInPage(page, quarterOf(expected), true);
    if (deps.profileTo) {
      await cdp.send('HeapProfiler.collectGarbage');
      const { profile } = (await cdp.send('HeapProfiler.stopSampling')) as { profile: unknown };
      const file = `${deps.profileTo}-memory.heapprofile`;
      writeFileSync(file, JSON.stringify(profile));
      profiles.push(file);
    }
    await undoAndEscape(page, deps.panelWithoutPreview);
    const memory: MemorySample[] = [
      { ...start, done: 0, atMs: 0 },
      ...r.samples.map((sample) => memorySample(sample, r.start)),
    ];
    const kib = (f: (m: MemorySample) => number | undefined) => {
      const points = memory.flatMap((m) => {
        const y = f(m);
        return y === undefined || !Number.isFinite(y) ? [] : [[m.done ?? 0, y] as const];
      });
      const n = points.length;
      const mx = points.reduce((a, [x]) => a + x, 0) / n;
      const my = points.reduce((a, [, y]) => a + y, 0) / n;
      const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
      if (n < 2 || sxx === 0) return undefined;
      return Math.round((1024 * points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)) / sxx);
    };
    const rss = kib((m) => m.rendererRssMiB);
    const cache = kib((m) => m.cache?.MiB);
    const gcHeap = kib((m) => m.gcHeapMiB);
    const arrayBuffers = kib((m) => m.arrayBuffersMiB);
    memoryRun = {
      case: `pre-encoded (the window of the run before), a full GC before each sample`,
      outcome: r.outcome,
      runMs: round(r.end - r.start),
      memory,
      perSliceKiB: {
        ...(gcHeap !== undefined && { gcHeap }),
        ...(arrayBuffers !== undefined && { arrayBuffers }),
        ...(rss !== undefined && { rendererRss: rss }),
        ...(cache !== undefined && { cache }),
      },
    };
  } catch (err) {
    process.stderr.write(`warning: the propagation's memory run failed: ${(err as Error).message}\n`);
  }
  const userAgentMemory = await page.evaluate(async (timeoutMs) => {
    const measure = (
      performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }
    ).measureUserAgentSpecificMemory?.bind(performance);
    const t0 = performance.now();
    if (!measure) return { answered: false, ms: 0, note: 'not in this page (needs cross-origin isolation)' };
    const answer = await Promise.race([
      measure().then(
        (m) => m.bytes,
        (e: unknown) => String(e),
      ),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs)),
    ]);
    const ms = Math.round(performance.now() - t0);
    if (typeof answer === 'number') return { answered: true, ms, bytes: answer };
    return { answered: false, ms, note: answer ?? `no answer within ${timeoutMs} ms` };
  }, MEASURE_MEMORY_TIMEOUT_MS);
  await cdp.detach().catch(() => undefined);
  return {
    object: object.id,
    slicesEachWay,
    preEncoded,
    ...(notPreEncoded && { notPreEncoded }),
    ...(memoryRun && { memoryRun }),
    userAgentMemory,
    boxWindows,
    ...(pid !== undefined && { rendererPid: pid }),
    ...(profiles.length > 0 && { profiles }),
  };
}
