/**
 * Benchmarks the extension in the real viewer (Debian Chromium, headless, this machine's CPU):
 * model load, background encoding per slice, and two interactions as a user makes them:
 *
 * - point click → mask: the SAM include tool, a real mouse click at an object's centre, from the
 *   release (pointerup, captured in the page) to the first animation frame after the preview is
 *   set; then Enter → the mask in the labelmap;
 * - box drag → mask: the SAM box tool, a real drag around an object (press at one corner, ≥ 15
 *   mouse moves to the opposite one, release), from the release to the first animation frame after
 *   the mask of the FINAL box is in the preview; then Esc (rejected, not accepted).
 *
 * "The final box's mask": the first preview after the release whose prompt box equals, within 1
 * image pixel on each edge, the box of the SamBox annotation on the image as it is then (read from
 * Cornerstone's annotation state, handles mapped world → image). The box must match, not just any
 * preview after the release: a decode of an earlier box of the drag may still be answered after it.
 * The other candidate definition, "the first preview after the release whose decode request was
 * posted after the annotation's last change", is recorded per drag
 * (finalDecode.sentAfterLastAnnotationChange) but not used: Cornerstone also fires
 * ANNOTATION_MODIFIED when only the annotation's statistics are recomputed (after
 * ANNOTATION_COMPLETED, box unchanged), so "the last change" by events can come after the final
 * box's decode request, and the event does not say whether the box moved.
 * Press and release times are taken on the window in the capture phase, before the viewer's and
 * the extension's own listeners run.
 *
 * Per interaction the worker's messages give the decode requests (before / after the release),
 * those cancelled before they started, the decodes started, and the bare decoder run of the mask
 * shown (interactionStats.ts); main-thread long tasks (> 50 ms) overlapping each interaction are
 * listed. Then, unless told not to, propagation through the series (propagationBench.ts): a box on
 * the organ's central slice, Propagate both ways, pre-encoded and not. The phantom study, the
 * manifest's default model unless told otherwise.
 */
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../../viewer/server';
import { PHANTOM_TRUTH, SAMPLE_STUDIES } from '../../viewer/samples';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { percentile } from './nodeBench';
import {
  NAME_SHIM,
  installSamStateReader,
  recordLongTasks,
  recordSamWorker,
  type LongTask,
  type SamStateReader,
  type WorkerLogEntry,
} from './pageProbes';
import { countDecodes, decodesOutside, type DecodeCounts, type InteractionWindow } from './interactionStats';
import { benchPropagation, type PropagationBenchResult } from './propagationBench';

interface Stats {
  p50: number;
  p95: number;
  n: number;
}

/** One click or drag, times in ms (page clock for the window, relative to the release elsewhere). */
export interface InteractionRecord {
  object: string;
  /** Release → first frame after the (final) mask is shown. */
  ms: number;
  /** The bare decoder run of the mask shown (worker log), and the same read from the preview state. */
  decoderRunMs: number;
  previewDecoderRunMs: number;
  /** ms / decoderRunMs. */
  overDecoder: number;
  /** Press → release (a drag's duration; a click's is short). */
  pressMs: number;
  window: InteractionWindow;
  decodes: DecodeCounts;
  /** Cornerstone annotation events of the interaction's tool (added / modified / completed) in [press, end]. */
  annotationEvents: { type: string; afterPressMs: number }[];
  /** Drags: the annotation's final box and the shown preview's box (image pixels). */
  finalBox?: { x0: number; y0: number; x1: number; y1: number };
  previewBox?: { x0: number; y0: number; x1: number; y1: number };
  /** The matching mask was already in the preview at the release. */
  shownBeforeRelease: boolean;
  /** Long tasks (> 50 ms) overlapping [press, shown]: start relative to the release. */
  longTasks: { afterReleaseMs: number; durationMs: number }[];
}

export interface InteractionSummary {
  ms: Stats;
  decoderRunMs: Stats;
  overDecoder: Stats;
  overheadMs: Stats;
  decodesSentDuring: Stats;
  decodesSentAfterRelease: Stats;
  decodesCancelled: Stats;
  decodesStartedDuring: Stats;
  decodesStartedAfterRelease: Stats;
  annotationUpdates: Stats;
  /** Long tasks overlapping the press → release part, and the release → shown part. */
  longTasksDuring: number;
  longTasksAfterRelease: number;
  longestTaskMs: number;
}

export interface BrowserBenchResult {
  model: string;
  backend: string;
  environment: string;
  /** os.loadavg() (1, 5, 15 min) when the run started and ended: another build on the machine shows here. */
  loadAverage: { start: number[]; end: number[] };
  modelLoadMs: number;
  encodeMsPerSlice: number;
  clickToPreviewMs: Stats;
  /**
   * The interaction budget: per click, the decoder graph's run alone in the worker (the "bare decoder"),
   * the click → preview time over it (the budget is 1.2), what the click costs beyond the decoder, and
   * main-thread long tasks (> 50 ms) that overlap a click's window (release → frame after the preview).
   */
  decoderRunMs: Stats;
  clickOverDecoder: Stats;
  clickOverheadMs: Stats;
  longTasksDuringClicks: number;
  longestTaskDuringClicksMs: number;
  /** Each click: its time, its decoder run, the worker's decodes and the long tasks within it. */
  clicks: InteractionRecord[];
  clickSummary: InteractionSummary;
  /** Box drags around the same objects (Esc after each). */
  drags: InteractionRecord[];
  dragSummary?: InteractionSummary;
  /** Decode requests posted outside every interaction window (the propagation's box drags included), after the model was ready. */
  decodesOutsideInteractions: number;
  /** Enter → the mask in the labelmap, on screen. */
  acceptToLabelmapMs: Stats;
  /** Long tasks from the model's readiness to the end of the drags (the propagation has its own). */
  longTasksOver50Ms: number;
  longestTaskMs: number;
  /** The page's JS heap after the drags, before any propagation. */
  jsHeapMiB: number;
  /** Propagation through the series (absent with --no-propagation). */
  propagation?: PropagationBenchResult;
  /** Every message to and from the SAM worker, SAM tool annotation event and long task (page clock), for re-analysis. */
  workerLog: WorkerLogEntry[];
  annotationLog: AnnotationLogEntry[];
  longTasks: LongTask[];
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // performance.measureUserAgentSpecificMemory() at once rather than at the next GC (the propagation's memory).
  '--enable-blink-features=ForceEagerMeasureMemory',
];

/** Image pixels added around an object's radius for its box. */
const BOX_MARGIN_PX = 3;
/** Mouse moves from one corner of the box to the other (Cornerstone updates the annotation on each). */
const DRAG_STEPS = 20;
const INTERACTION_TIMEOUT_MS = 60_000;
/** The SAM panel with no preview: 'empty' before the refactor of the service's state, 'idle' after. */
const PANEL_WITHOUT_PREVIEW = ['empty', 'idle'].map((s) => `[data-testid="sam-preview"][data-state="${s}"]`).join(', ');

type PhantomObject = {
  id: string;
  centerVoxel: [number, number, number];
  radiiVoxels: [number, number, number];
  centerMm: [number, number, number];
  sliceRange: [number, number];
};

export interface AnnotationLogEntry {
  type: string;
  toolName: string;
  t: number;
}

/** What the page hands back for one interaction. */
interface PageInteraction {
  begin: number;
  released: number;
  previewAt: number;
  shown: number;
  previewDecoderRunMs: number;
  finalBox?: { x0: number; y0: number; x1: number; y1: number };
  previewBox?: { x0: number; y0: number; x1: number; y1: number };
  shownBeforeRelease: boolean;
}

/**
 * Shows the slice nearest `zMm` in the active viewport and returns the page positions of image
 * points on it, and its image id.
 */
function showSlice(page: Page, zMm: number, points: Array<[number, number]>) {
  return page.evaluate(
    async ({ zMm, points }) => {
      const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      );
      const ids: string[] = vp.getImageIds();
      // The slice nearest the object's centre (an object may be centred between two slices).
      const zs = ids.map((id) => w.cornerstone.metaData.get('imagePlaneModule', id).imagePositionPatient[2] as number);
      const index = zs.reduce((best, z, i) => (Math.abs(z - zMm) < Math.abs(zs[best]! - zMm) ? i : best), 0);
      await vp.setImageIdIndex(index);
      await new Promise((r) => setTimeout(r, 300));
      const imageId: string = vp.getCurrentImageId();
      const rect = vp.element.getBoundingClientRect();
      const at = points.map(([ix, iy]) => {
        const [cx, cy] = vp.worldToCanvas(w.cornerstone.utilities.imageToWorldCoords(imageId, [ix, iy]));
        return { x: rect.left + cx, y: rect.top + cy };
      });
      return { imageId, at };
    },
    { zMm, points },
  );
}

/**
 * Arms the measurement of the next interaction in the page (`window.__interaction`, a promise of a
 * PageInteraction): press and release on the viewport, the tool's annotation events, and the
 * first preview after the release that is the interaction's mask (a click: any new preview; a
 * drag: the preview whose box is the annotation's final box, see the file's comment).
 */
function armInteraction(page: Page, kind: 'click' | 'drag', imageId: string) {
  return page.evaluate(
    ({ kind, imageId, timeoutMs }) => {
      const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const sam = w.__benchSam as SamStateReader;
      const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      );
      const toolName = kind === 'click' ? 'SamIncludePoint' : 'SamBox';
      type Box = { x0: number; y0: number; x1: number; y1: number };
      const result: PageInteraction = {
        begin: 0,
        released: 0,
        previewAt: 0,
        shown: 0,
        previewDecoderRunMs: NaN,
        shownBeforeRelease: false,
      };
      const before = sam.preview();
      let atRelease: ReturnType<SamStateReader['preview']>;
      function finalBox(): Box | undefined {
        const annotations = (
          w.cornerstoneTools.annotation.state.getAllAnnotations() as Array<{
            metadata: { toolName: string; referencedImageId?: string };
            data: { handles: { points: number[][] } };
          }>
        ).filter((a) => a.metadata.toolName === toolName && a.metadata.referencedImageId === imageId);
        const handles = annotations.at(-1)?.data.handles.points ?? [];
        if (handles.length === 0) return undefined;
        const pts = handles.map((p) => w.cornerstone.utilities.worldToImageCoords(imageId, p) as [number, number]);
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
      }
      function sameBox(a: Box | undefined, b: Box | undefined): boolean {
        return (
          !!a &&
          !!b &&
          Math.abs(a.x0 - b.x0) <= 1 &&
          Math.abs(a.y0 - b.y0) <= 1 &&
          Math.abs(a.x1 - b.x1) <= 1 &&
          Math.abs(a.y1 - b.y1) <= 1
        );
      }
      // Every annotation event of the SAM tools, for the whole run (installed once): the bench
      // assigns them to interactions by time.
      if (!w.__annotationLog) {
        const log: AnnotationLogEntry[] = (w.__annotationLog = []);
        const { Events } = w.cornerstoneTools.Enums;
        for (const type of [Events.ANNOTATION_ADDED, Events.ANNOTATION_MODIFIED, Events.ANNOTATION_COMPLETED]) {
          w.cornerstone.eventTarget.addEventListener(type, (e: Event) => {
            const a = (e as CustomEvent<{ annotation?: { metadata?: { toolName?: string } } }>).detail?.annotation;
            const tool = a?.metadata?.toolName;
            if (tool?.startsWith('Sam')) log.push({ type: e.type, toolName: tool, t: performance.now() });
          });
        }
      }
      w.__interaction = new Promise<PageInteraction>((resolve, reject) => {
        let done = false;
        function finish() {
          done = true;
          subscription.unsubscribe();
          clearTimeout(timer);
        }
        function check() {
          if (done || !result.released) return;
          const preview = sam.preview();
          if (!preview || preview === before) return;
          if (kind === 'drag') {
            const box = finalBox();
            if (!sameBox(preview.prompt.box, box)) return;
            result.finalBox = box;
            result.previewBox = preview.prompt.box;
          }
          result.previewAt = performance.now();
          result.previewDecoderRunMs = preview.decoderRunMs;
          result.shownBeforeRelease = preview === atRelease;
          finish();
          requestAnimationFrame(() => resolve({ ...result, shown: performance.now() }));
        }
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `No ${kind === 'drag' ? "preview of the drag's final box" : 'preview'} within ${timeoutMs} ms ` +
                `after the release: ${JSON.stringify({
                  released: result.released,
                  finalBox: finalBox(),
                  preview: sam.preview()?.prompt ?? null,
                })}`,
            ),
          );
        }, timeoutMs);
        // On the window, capture phase: before any listener of the viewer or the extension (which
        // may post a decode from its own pointerup listener), for presses on the viewport.
        const onViewport = (e: Event) => e.target instanceof Node && vp.element.contains(e.target);
        function onDown(e: Event) {
          if (!onViewport(e)) return;
          result.begin = performance.now();
          window.removeEventListener('pointerdown', onDown, true);
        }
        function onUp(e: Event) {
          if (!onViewport(e)) return;
          result.released = performance.now();
          atRelease = sam.preview();
          window.removeEventListener('pointerup', onUp, true);
          setTimeout(check, 0); // the mask may already be there (no state change would follow)
        }
        window.addEventListener('pointerdown', onDown, true);
        window.addEventListener('pointerup', onUp, true);
        const subscription = sam.subscribe(check);
      });
    },
    { kind, imageId, timeoutMs: INTERACTION_TIMEOUT_MS },
  );
}

function awaitInteraction(page: Page): Promise<PageInteraction> {
  return page.evaluate(() => (window as unknown as { __interaction: Promise<PageInteraction> }).__interaction);
}

/** Drags a SAM box around a phantom object on the slice through its centre and waits for its preview. */
async function dragBoxAround(
  page: Page,
  o: { centerMm: readonly number[]; centerVoxel: readonly number[]; radiiVoxels: readonly number[] },
): Promise<PageInteraction> {
  const [x, y] = o.centerVoxel as [number, number];
  const [rx, ry] = o.radiiVoxels as [number, number];
  const { imageId, at } = await showSlice(page, o.centerMm[2]!, [
    [x - rx - BOX_MARGIN_PX, y - ry - BOX_MARGIN_PX],
    [x + rx + BOX_MARGIN_PX, y + ry + BOX_MARGIN_PX],
  ]);
  const [from, to] = at as [{ x: number; y: number }, { x: number; y: number }];
  await armInteraction(page, 'drag', imageId);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: DRAG_STEPS });
  await page.mouse.up();
  return awaitInteraction(page);
}

const round = (x: number) => Math.round(x * 10) / 10;
const stats = (values: number[]): Stats => ({
  p50: round(percentile(values, 0.5)),
  p95: round(percentile(values, 0.95)),
  n: values.length,
});

export async function benchInBrowser(options: {
  backend: 'wasm' | 'webgpu';
  /** Serve this models folder instead of the repository's (the decoder twin's). */
  modelsDir?: string;
  clicks: number;
  drags: number;
  /** Propagate through the series after the drags (default true). */
  propagation?: boolean;
  /** Write CPU profiles of the main thread over the propagation runs to `<this>-<case>.cpuprofile`. */
  propagationProfile?: string;
  modelId?: string;
}): Promise<BrowserBenchResult> {
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const server = await startServer({ port: 0, ...(options.modelsDir && { modelsDir: options.modelsDir }) });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...(options.backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : ['--disable-gpu'])],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(NAME_SHIM);
    await page.addInitScript(recordLongTasks);
    await page.addInitScript(recordSamWorker);
    await page.addInitScript(installSamStateReader);
    const phantom = SAMPLE_STUDIES.find((s) => s.id === 'phantom-ct')!;
    await page.goto(`${server.url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
    await page.locator('[data-testid="sam-runtime"][data-state="ready"]').waitFor({ timeout: 120_000 });
    if (options.backend === 'webgpu') await page.locator('[data-testid="sam-backend-select"]').selectOption('webgpu');
    if (options.modelId) await page.locator('[data-testid="sam-model-select"]').selectOption(options.modelId);
    const ready = page.locator(
      `[data-testid="sam-model"][data-state="ready"]${options.modelId ? `[data-model-id="${options.modelId}"]` : ''}`,
    );
    await ready.waitFor({ timeout: 600_000 });
    // Long tasks from here on: background encoding and interactions (the viewer's own start-up excluded).
    const firstTask = await page.evaluate(() => (window as unknown as { __longTasks: unknown[] }).__longTasks.length);
    const readyAt = await page.evaluate(() => performance.now());
    await page.locator('[data-testid="sam-preencoding"][data-state="complete"]').waitFor({ timeout: 600_000 });
    const state = await page.evaluate(() => {
      const sam = (window as unknown as { __benchSam: SamStateReader }).__benchSam;
      return { model: sam.model(), preEncoding: sam.preEncoding() };
    });
    if (!state.model) throw new Error('The panel says the model is ready, the service has none.');
    const workerLogLength = await page.evaluate(
      () => (window as unknown as { __samWorkerLog: unknown[] }).__samWorkerLog.length,
    );
    if (workerLogLength === 0)
      throw new Error("No message to the SAM worker was recorded: is it still created with name 'sam-inference'?");

    const truth = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'viewer', 'samples', PHANTOM_TRUTH), 'utf8'),
    ) as { objects: PhantomObject[] };

    // Clicks at the centres of the phantom's objects on their central slices, each accepted (Enter).
    await page.locator('[data-cy="SamIncludePoint"]').click();
    const clicks: Array<PageInteraction & { object: string; end: number; kind: 'click' }> = [];
    const acceptTimes: number[] = [];
    for (let i = 0; i < options.clicks; i++) {
      const o = truth.objects[i % truth.objects.length]!;
      const { imageId, at } = await showSlice(page, o.centerMm[2], [[o.centerVoxel[0], o.centerVoxel[1]]]);
      await armInteraction(page, 'click', imageId);
      await page.mouse.click(at[0]!.x, at[0]!.y);
      const click = await awaitInteraction(page);
      // Accept (Enter) → the mask written into the labelmap and the next frame drawn.
      const accepted = await page.evaluate(
        () =>
          new Promise<{ pressed: number; ms: number }>((resolve) => {
            const sam = (window as unknown as { __benchSam: SamStateReader }).__benchSam;
            const previous = sam.lastAccept();
            const pressed = performance.now();
            const sub = sam.subscribe(() => {
              const last = sam.lastAccept();
              if (!last || last === previous) return;
              sub.unsubscribe();
              requestAnimationFrame(() => resolve({ pressed, ms: performance.now() - pressed }));
            });
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
          }),
      );
      acceptTimes.push(accepted.ms);
      clicks.push({ ...click, object: o.id, end: accepted.pressed, kind: 'click' });
      await page.locator(PANEL_WITHOUT_PREVIEW).waitFor();
    }

    // Box drags around the same objects, each rejected (Esc).
    const drags: Array<PageInteraction & { object: string; end: number; kind: 'drag' }> = [];
    if (options.drags > 0) await page.locator('[data-cy="SamBox"]').click();
    for (let i = 0; i < options.drags; i++) {
      const o = truth.objects[i % truth.objects.length]!;
      const drag = await dragBoxAround(page, o);
      const end = await page.evaluate(() => {
        const pressed = performance.now();
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
        return pressed;
      });
      drags.push({ ...drag, object: o.id, end, kind: 'drag' });
      await page.locator(PANEL_WITHOUT_PREVIEW).waitFor();
    }

    // The interactions' end: long tasks and heap of the table above are read up to here.
    const interactionsEnd = await page.evaluate(() => ({
      t: performance.now(),
      heap: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
    }));
    const heap = interactionsEnd.heap;

    // Propagation through the series: a box around the organ on its central slice, both ways.
    let propagation: PropagationBenchResult | undefined;
    if (options.propagation ?? true) {
      const organ = truth.objects.find((o) => o.id === 'organ');
      if (!organ) throw new Error(`The phantom's truth (${PHANTOM_TRUTH}) has no 'organ'.`);
      propagation = await benchPropagation(page, {
        browser,
        object: organ,
        panelWithoutPreview: PANEL_WITHOUT_PREVIEW,
        ...(options.propagationProfile && { profileTo: options.propagationProfile }),
        drawBox: async () => {
          await page.locator('[data-cy="SamBox"]').click();
          const drag = await dragBoxAround(page, organ);
          return { begin: drag.begin || drag.released, end: await page.evaluate(() => performance.now()) };
        },
      });
    }

    const { longTasks, workerLog, annotationLog } = await page.evaluate(() => {
      const w = window as unknown as {
        __longTasks: LongTask[];
        __samWorkerLog: WorkerLogEntry[];
        __annotationLog?: AnnotationLogEntry[];
      };
      return {
        longTasks: w.__longTasks,
        workerLog: w.__samWorkerLog,
        annotationLog: w.__annotationLog ?? [],
      };
    });
    const long = longTasks.filter((t) => t.duration > 50);
    const overlapping = (from: number, to: number) => long.filter((t) => t.start < to && t.start + t.duration > from);
    const record = (
      r: PageInteraction & { object: string; end: number; kind: 'click' | 'drag' },
    ): InteractionRecord => {
      const win: InteractionWindow = {
        begin: r.begin || r.released,
        released: r.released,
        previewAt: r.previewAt,
        shown: r.shown,
        end: r.end,
      };
      const toolName = r.kind === 'click' ? 'SamIncludePoint' : 'SamBox';
      const annotations = annotationLog.filter((a) => a.toolName === toolName && a.t >= win.begin && a.t <= win.end);
      const decodes = countDecodes(
        workerLog,
        win,
        annotations.map((a) => a.t),
      );
      const moves = annotations.filter((a) => a.t < win.released).length;
      if (r.kind === 'drag' && moves < DRAG_STEPS * 0.75)
        process.stderr.write(
          `warning: a drag around ${r.object} made only ${moves} annotation events before release\n`,
        );
      const decoderRunMs = decodes.finalDecode?.decoderRunMs ?? NaN;
      const ms = r.shown - r.released;
      return {
        object: r.object,
        ms: round(ms),
        decoderRunMs: round(decoderRunMs),
        previewDecoderRunMs: round(r.previewDecoderRunMs),
        overDecoder: Math.round((1000 * ms) / decoderRunMs) / 1000,
        pressMs: round(r.released - win.begin),
        window: win,
        decodes,
        annotationEvents: annotations.map((a) => ({ type: a.type, afterPressMs: round(a.t - win.begin) })),
        ...(r.finalBox && { finalBox: r.finalBox }),
        ...(r.previewBox && { previewBox: r.previewBox }),
        shownBeforeRelease: r.shownBeforeRelease,
        longTasks: overlapping(win.begin, r.shown).map((t) => ({
          afterReleaseMs: round(t.start - r.released),
          durationMs: round(t.duration),
        })),
      };
    };
    const summary = (records: InteractionRecord[], raw: PageInteraction[]): InteractionSummary => {
      const duringTasks = new Set(raw.flatMap((r) => overlapping(r.begin || r.released, r.released)));
      const afterTasks = new Set(raw.flatMap((r) => overlapping(r.released, r.shown)));
      const all = new Set([...duringTasks, ...afterTasks]);
      // Ratios unrounded: the per-record overDecoder is for reading, not for the percentiles.
      const decoder = (i: number) => records[i]!.decodes.finalDecode?.decoderRunMs ?? NaN;
      const ratios = raw.map((r, i) => (r.shown - r.released) / decoder(i));
      return {
        ms: stats(raw.map((r) => r.shown - r.released)),
        decoderRunMs: stats(raw.map((_, i) => decoder(i))),
        overDecoder: {
          p50: Math.round(percentile(ratios, 0.5) * 100) / 100,
          p95: Math.round(percentile(ratios, 0.95) * 100) / 100,
          n: ratios.length,
        },
        overheadMs: stats(raw.map((r, i) => r.shown - r.released - decoder(i))),
        decodesSentDuring: stats(records.map((r) => r.decodes.sentDuring)),
        decodesSentAfterRelease: stats(records.map((r) => r.decodes.sentAfterRelease)),
        decodesCancelled: stats(records.map((r) => r.decodes.cancelledDuring + r.decodes.cancelledAfterRelease)),
        decodesStartedDuring: stats(records.map((r) => r.decodes.startedDuring)),
        decodesStartedAfterRelease: stats(records.map((r) => r.decodes.startedAfterRelease)),
        annotationUpdates: stats(records.map((r) => r.annotationEvents.length)),
        longTasksDuring: duringTasks.size,
        longTasksAfterRelease: afterTasks.size,
        longestTaskMs: round(Math.max(0, ...[...all].map((t) => t.duration))),
      };
    };
    const clickRecords = clicks.map(record);
    const dragRecords = drags.map(record);
    const clickSummary = summary(clickRecords, clicks);
    const afterLoad = longTasks
      .slice(firstTask)
      .filter((t) => t.start < interactionsEnd.t)
      .map((t) => t.duration);
    const duringClicks = new Set(clicks.flatMap((c) => overlapping(c.released, c.shown)));
    return {
      model: state.model.id,
      backend: state.model.backend === 'webgpu' ? 'webgpu (SwiftShader: not a GPU timing)' : 'wasm',
      environment: `Chromium ${browser.version()} headless`,
      loadAverage: { start: loadStart, end: loadavg().map((x) => Math.round(x * 100) / 100) },
      modelLoadMs: state.model.loadMs,
      encodeMsPerSlice: round((state.preEncoding?.encodeMs ?? NaN) / Math.max(1, state.preEncoding?.done ?? 0)),
      clickToPreviewMs: clickSummary.ms,
      decoderRunMs: clickSummary.decoderRunMs,
      clickOverDecoder: clickSummary.overDecoder,
      clickOverheadMs: clickSummary.overheadMs,
      longTasksDuringClicks: duringClicks.size,
      longestTaskDuringClicksMs: round(Math.max(0, ...[...duringClicks].map((t) => t.duration))),
      clicks: clickRecords,
      clickSummary,
      drags: dragRecords,
      ...(drags.length > 0 && { dragSummary: summary(dragRecords, drags) }),
      decodesOutsideInteractions: decodesOutside(
        workerLog,
        [
          ...[...clickRecords, ...dragRecords].map((r) => r.window),
          ...(propagation?.boxWindows ?? []).map(({ begin, end }) => ({
            begin,
            released: begin,
            previewAt: begin,
            shown: begin,
            end,
          })),
        ],
        readyAt,
      ),
      acceptToLabelmapMs: stats(acceptTimes),
      longTasksOver50Ms: afterLoad.filter((d) => d > 50).length,
      longestTaskMs: round(Math.max(0, ...afterLoad)),
      jsHeapMiB: Math.round(heap / 2 ** 20),
      ...(propagation && { propagation }),
      workerLog,
      annotationLog,
      longTasks,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
