/**
 * Benchmarks the extension in the real viewer (Debian Chromium, headless, this machine's CPU):
 * model load, background encoding per slice, click → preview on screen (the SAM include tool, a
 * real mouse click, until the next animation frame after the preview is drawn), main-thread long
 * tasks, JS heap. The phantom study, the manifest's default model unless told otherwise.
 */
import { chromium } from 'playwright-core';
import { startServer } from '../../viewer/server';
import { PHANTOM_TRUTH, SAMPLE_STUDIES } from '../../viewer/samples';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from './nodeBench';

export interface BrowserBenchResult {
  model: string;
  backend: string;
  environment: string;
  modelLoadMs: number;
  encodeMsPerSlice: number;
  clickToPreviewMs: { p50: number; p95: number; n: number };
  /**
   * The interaction budget: per click, the decoder graph's run alone in the worker (the "bare decoder"),
   * the click → preview time over it (the budget is 1.2), what the click costs beyond the decoder, and
   * main-thread long tasks (> 50 ms) that overlap a click's window (release → frame after the preview).
   */
  decoderRunMs: { p50: number; p95: number; n: number };
  clickOverDecoder: { p50: number; p95: number; n: number };
  clickOverheadMs: { p50: number; p95: number; n: number };
  longTasksDuringClicks: number;
  longestTaskDuringClicksMs: number;
  /** Each click: its time, its decoder run, and the long tasks within it (start after the release, ms). */
  clicks: { ms: number; decoderRunMs: number; longTasks: { afterReleaseMs: number; durationMs: number }[] }[];
  /** Enter → the mask in the labelmap, on screen. */
  acceptToLabelmapMs: { p50: number; p95: number; n: number };
  longTasksOver50Ms: number;
  longestTaskMs: number;
  jsHeapMiB: number;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export async function benchInBrowser(options: {
  backend: 'wasm' | 'webgpu';
  /** Serve this models folder instead of the repository's (the decoder twin's). */
  modelsDir?: string;
  clicks: number;
  modelId?: string;
}): Promise<BrowserBenchResult> {
  const server = await startServer({ port: 0, ...(options.modelsDir && { modelsDir: options.modelsDir }) });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...(options.backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : ['--disable-gpu'])],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
      w.__longTasks = [];
      new PerformanceObserver((list) =>
        list.getEntries().forEach((e) => w.__longTasks.push({ start: e.startTime, duration: e.duration })),
      ).observe({
        type: 'longtask',
        buffered: true,
      });
    });
    const phantom = SAMPLE_STUDIES.find((s) => s.id === 'phantom-ct')!;
    await page.goto(`${server.url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
    await page.locator('[data-testid="sam-runtime"][data-state="ready"]').waitFor({ timeout: 120_000 });
    if (options.backend === 'webgpu') await page.locator('[data-testid="sam-backend-select"]').selectOption('webgpu');
    if (options.modelId) await page.locator('[data-testid="sam-model-select"]').selectOption(options.modelId);
    const ready = page.locator(
      `[data-testid="sam-model"][data-state="ready"]${options.modelId ? `[data-model-id="${options.modelId}"]` : ''}`,
    );
    await ready.waitFor({ timeout: 600_000 });
    // Long tasks from here on: background encoding and clicks (the viewer's own start-up excluded).
    const firstTask = await page.evaluate(() => (window as unknown as { __longTasks: unknown[] }).__longTasks.length);
    await page.locator('[data-testid="sam-preencoding"][data-state="complete"]').waitFor({ timeout: 600_000 });
    const state = await page.evaluate(() => {
      const s = (
        window as unknown as { services: { samService: { getState(): Record<string, unknown> } } }
      ).services.samService.getState() as {
        model: { model: { id: string; loadMs: number; backend: string } };
        preEncoding: { encodeMs: number; done: number };
      };
      return { model: s.model.model, preEncoding: s.preEncoding };
    });

    // Clicks at the centres of the phantom's objects on their central slices.
    const truth = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'viewer', 'samples', PHANTOM_TRUTH), 'utf8'),
    ) as {
      objects: Array<{ centerVoxel: [number, number, number]; centerMm: [number, number, number] }>;
    };
    await page.locator('[data-cy="SamIncludePoint"]').click();
    const times: number[] = [];
    const clicks: { released: number; shown: number; decoderRunMs: number }[] = [];
    const acceptTimes: number[] = [];
    for (let i = 0; i < options.clicks; i++) {
      const o = truth.objects[i % truth.objects.length]!;
      const at = await page.evaluate(
        async ({ zMm, ix, iy }) => {
          const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
          const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
            w.services.viewportGridService.getActiveViewportId(),
          );
          const ids: string[] = vp.getImageIds();
          // The slice nearest the object's centre (an object may be centred between two slices).
          // (No named functions in here: tsx would wrap them in a helper the page does not have.)
          const zs = ids.map(
            (id) => w.cornerstone.metaData.get('imagePlaneModule', id).imagePositionPatient[2] as number,
          );
          const index = zs.reduce((best, z, i) => (Math.abs(z - zMm) < Math.abs(zs[best]! - zMm) ? i : best), 0);
          await vp.setImageIdIndex(index);
          await new Promise((r) => setTimeout(r, 300));
          const [cx, cy] = vp.worldToCanvas(
            w.cornerstone.utilities.imageToWorldCoords(vp.getCurrentImageId(), [ix, iy]),
          );
          const rect = vp.element.getBoundingClientRect();
          // Time from the release of the button to the first frame after the preview is drawn.
          w.__click = new Promise<{ released: number; shown: number; decoderRunMs: number }>((resolve) => {
            let released = 0;
            vp.element.addEventListener('pointerup', () => (released = performance.now()), {
              once: true,
              capture: true,
            });
            const sub = w.services.samService.subscribe((s: { preview?: { decoderRunMs: number } }) => {
              if (!released || !s.preview) return;
              sub.unsubscribe();
              const decoderRunMs = s.preview.decoderRunMs;
              requestAnimationFrame(() => resolve({ released, shown: performance.now(), decoderRunMs }));
            });
          });
          return { x: rect.left + cx, y: rect.top + cy };
        },
        { zMm: o.centerMm[2], ix: o.centerVoxel[0], iy: o.centerVoxel[1] },
      );
      await page.mouse.click(at.x, at.y);
      const click = await page.evaluate(
        () =>
          (window as unknown as { __click: Promise<{ released: number; shown: number; decoderRunMs: number }> })
            .__click,
      );
      clicks.push(click);
      times.push(click.shown - click.released);
      // Accept (Enter) → the mask written into the labelmap and the next frame drawn.
      acceptTimes.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
              const previous = w.services.samService.getState().lastAccept;
              const pressed = performance.now();
              const sub = w.services.samService.subscribe((s: { lastAccept?: unknown }) => {
                if (!s.lastAccept || s.lastAccept === previous) return;
                sub.unsubscribe();
                requestAnimationFrame(() => resolve(performance.now() - pressed));
              });
              document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
            }),
        ),
      );
      await page.locator('[data-testid="sam-preview"][data-state="empty"]').waitFor();
    }
    const longTasks = await page.evaluate(
      () => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks,
    );
    const heap = await page.evaluate(
      () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
    );
    const round = (x: number) => Math.round(x * 10) / 10;
    const afterLoad = longTasks.slice(firstTask).map((t) => t.duration);
    const duringClicks = longTasks.filter(
      (t) => t.duration > 50 && clicks.some((c) => t.start < c.shown && t.start + t.duration > c.released),
    );
    const stats = (values: number[]) => ({
      p50: round(percentile(values, 0.5)),
      p95: round(percentile(values, 0.95)),
      n: values.length,
    });
    return {
      model: state.model.id,
      backend: state.model.backend === 'webgpu' ? 'webgpu (SwiftShader: not a GPU timing)' : 'wasm',
      environment: `Chromium ${browser.version()} headless`,
      modelLoadMs: state.model.loadMs,
      encodeMsPerSlice: round(state.preEncoding.encodeMs / Math.max(1, state.preEncoding.done)),
      clickToPreviewMs: { p50: round(percentile(times, 0.5)), p95: round(percentile(times, 0.95)), n: times.length },
      decoderRunMs: stats(clicks.map((c) => c.decoderRunMs)),
      clickOverDecoder: stats(clicks.map((c) => Math.round((100 * (c.shown - c.released)) / c.decoderRunMs) / 100)),
      clickOverheadMs: stats(clicks.map((c) => c.shown - c.released - c.decoderRunMs)),
      longTasksDuringClicks: duringClicks.length,
      longestTaskDuringClicksMs: round(Math.max(0, ...duringClicks.map((t) => t.duration))),
      clicks: clicks.map((c) => ({
        ms: round(c.shown - c.released),
        decoderRunMs: round(c.decoderRunMs),
        longTasks: duringClicks
          .filter((t) => t.start < c.shown && t.start + t.duration > c.released)
          .map((t) => ({ afterReleaseMs: round(t.start - c.released), durationMs: round(t.duration) })),
      })),
      acceptToLabelmapMs: {
        p50: round(percentile(acceptTimes, 0.5)),
        p95: round(percentile(acceptTimes, 0.95)),
        n: acceptTimes.length,
      },
      longTasksOver50Ms: afterLoad.filter((d) => d > 50).length,
      longestTaskMs: round(Math.max(0, ...afterLoad)),
      jsHeapMiB: Math.round(heap / 2 ** 20),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
