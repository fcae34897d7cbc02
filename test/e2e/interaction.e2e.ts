/**
 * The interaction core against a decoder of real size: the compute twin of SAM ViT-B's decoder
 * (the official export's operations and sizes, random weights; ~130-230 ms a run here), in the real
 * viewer and worker. What the worker is asked is read from its messages (tools/bench/pageProbes.ts),
 * as the benchmark reads it. The masks of random weights mean nothing: these tests are about which
 * decodes run, what the panel says and what stays on the image.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TWIN_MODEL_ID, writeTwinModelsFolder } from '../../tools/bench/decoderTwin';
import { NAME_SHIM, recordSamWorker, type WorkerLogEntry } from '../../tools/bench/pageProbes';
import { MODELS_DIR } from '../../tools/models/cli';
import type { RunningServer } from '../../viewer/server';
import { STATE_TIMEOUT_MS, samProblems, type PageProblem } from './support/browser';
import { lesion, phantom } from './support/labelmap';
import { openStudyInSamMode } from './support/session';
import { imageToPage, showSliceNear } from './support/viewer';

jest.setTimeout(300_000);

let dir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
let problems: PageProblem[];

/** What the page says and holds now: the panel's phase and prompt, the SAM annotations on the image. */
interface Agreement {
  phase: string | null;
  include: number;
  exclude: number;
  box: number;
  annotations: { include: number; exclude: number; box: number };
  previewBox?: { x0: number; y0: number; x1: number; y1: number };
}

async function agreement(): Promise<Agreement> {
  return page.evaluate(() => {
    const w = window as unknown as {
      cornerstoneTools: {
        annotation: {
          state: { getAllAnnotations(): Array<{ metadata: { toolName: string; referencedImageId?: string } }> };
        };
      };
      services: {
        viewportGridService: { getActiveViewportId(): string };
        cornerstoneViewportService: { getCornerstoneViewport(id: string): { getCurrentImageId(): string } };
        samService: { getState(): { segment?: { preview?: { prompt: { box?: Agreement['previewBox'] } } } } };
      };
    };
    const imageId = w.services.cornerstoneViewportService
      .getCornerstoneViewport(w.services.viewportGridService.getActiveViewportId())
      .getCurrentImageId();
    const on = w.cornerstoneTools.annotation.state
      .getAllAnnotations()
      .filter((a) => a.metadata.referencedImageId === imageId);
    const count = (tool: string) => on.filter((a) => a.metadata.toolName === tool).length;
    const panel = document.querySelector<HTMLElement>('[data-testid="sam-preview"]')!;
    const previewBox = w.services.samService.getState().segment?.preview?.prompt.box;
    return {
      phase: panel.dataset.state ?? null,
      include: Number(panel.dataset.include),
      exclude: Number(panel.dataset.exclude),
      box: Number(panel.dataset.box),
      annotations: { include: count('SamIncludePoint'), exclude: count('SamExcludePoint'), box: count('SamBox') },
      ...(previewBox && { previewBox }),
    };
  });
}

const workerLog = () =>
  page.evaluate(() => (window as unknown as { __samWorkerLog: WorkerLogEntry[] }).__samWorkerLog.slice());

/** Resolves with the page time of the next pointerup on the document (captured before anything else). */
async function armRelease(): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __released: Promise<number> };
    w.__released = new Promise((resolve) =>
      document.addEventListener('pointerup', () => resolve(performance.now()), { once: true, capture: true }),
    );
  });
}
const released = () => page.evaluate(() => (window as unknown as { __released: Promise<number> }).__released);

async function reject(): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="sam-preview"][data-state="idle"]').waitFor();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sam-interaction-'));
  const modelsDir = writeTwinModelsFolder(MODELS_DIR, dir);
  ({ server, browser, page, problems } = await openStudyInSamMode(phantom, 64, {
    server: { modelsDir },
    initScripts: [NAME_SHIM, recordSamWorker],
  }));
  await page.locator('[data-testid="sam-model"][data-state="ready"]').waitFor();
  await page.locator('[data-testid="sam-model-select"]').selectOption(TWIN_MODEL_ID);
  await page.locator(`[data-testid="sam-model"][data-state="ready"][data-model-id="${TWIN_MODEL_ID}"]`).waitFor();
  await showSliceNear(page, lesion.centerMm[2]!);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('with a decoder of real size (SAM ViT-B compute twin)', () => {
  it('a box drag of 20 annotation updates runs at most 2 decodes after release, and previews the final box', async () => {
    const [cx, cy] = lesion.centerVoxel;
    const [from, to] = await imageToPage(page, [
      [cx - 40, cy - 40],
      [cx + 30, cy + 35],
    ]);
    await page.locator('[data-cy="SamBox"]').click();
    await page.evaluate(() => {
      const w = window as unknown as {
        __updates: number;
        cornerstone: { eventTarget: EventTarget };
        cornerstoneTools: { Enums: { Events: Record<string, string> } };
      };
      w.__updates = 0;
      w.cornerstone.eventTarget.addEventListener(
        w.cornerstoneTools.Enums.Events.ANNOTATION_MODIFIED!,
        () => w.__updates++,
      );
    });
    await armRelease();
    await page.mouse.move(from!.x, from!.y);
    await page.mouse.down();
    await page.mouse.move(to!.x, to!.y, { steps: 20 });
    await page.mouse.up();
    const releasedAt = await released();
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();

    const updates = await page.evaluate(() => (window as unknown as { __updates: number }).__updates);
    expect(updates).toBeGreaterThanOrEqual(15);
    // The worker runs one request at a time: every decode answered after the release ran (at least
    // partly) after it. At most two: the one under way at the release, and the final box's.
    const log = await workerLog();
    const answeredAfterRelease = log.filter((m) => m.dir === 'received' && m.type === 'decode' && m.t >= releasedAt);
    expect(answeredAfterRelease.length).toBeGreaterThanOrEqual(1);
    expect(answeredAfterRelease.length).toBeLessThanOrEqual(2);

    // The preview is the final box's: the box on the image, as the model takes it.
    const state = await agreement();
    expect(state.annotations.box).toBe(1);
    const [finalBox] = await page.evaluate(() => {
      const w = window as unknown as {
        cornerstone: { utilities: { worldToImageCoords(id: string, p: number[]): [number, number] } };
        cornerstoneTools: {
          annotation: {
            state: {
              getAllAnnotations(): Array<{
                metadata: { toolName: string; referencedImageId: string };
                data: { handles: { points: number[][] } };
              }>;
            };
          };
        };
      };
      return w.cornerstoneTools.annotation.state
        .getAllAnnotations()
        .filter((a) => a.metadata.toolName === 'SamBox')
        .map((a) => {
          const pts = a.data.handles.points.map((p) =>
            w.cornerstone.utilities.worldToImageCoords(a.metadata.referencedImageId, p),
          );
          const xs = pts.map((p) => p[0]);
          const ys = pts.map((p) => p[1]);
          return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
        });
    });
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(state.previewBox![k]).toBeCloseTo(finalBox![k], 2);
    await reject();
  });

  it('100 rapid clicks end with the panel and the annotations in agreement', async () => {
    const [cx, cy] = lesion.centerVoxel;
    const grid: Array<[number, number]> = [];
    for (let i = 0; i < 100; i++) grid.push([cx - 45 + (i % 10) * 10, cy - 45 + Math.floor(i / 10) * 10]);
    const at = await imageToPage(page, grid);
    await page.locator('[data-cy="SamIncludePoint"]').click();
    const before = (await workerLog()).filter((m) => m.dir === 'sent' && m.type === 'decode').length;
    for (const p of at) await page.mouse.click(p.x, p.y);
    // Settled: the panel shows a preview of as many points as the image holds.
    await page.waitForFunction(
      () => {
        const w = window as unknown as {
          cornerstoneTools: {
            annotation: { state: { getAllAnnotations(): Array<{ metadata: { toolName: string } }> } };
          };
        };
        const panel = document.querySelector<HTMLElement>('[data-testid="sam-preview"]')!;
        const points = w.cornerstoneTools.annotation.state
          .getAllAnnotations()
          .filter((a) => a.metadata.toolName === 'SamIncludePoint').length;
        return panel.dataset.state === 'preview' && Number(panel.dataset.include) === points;
      },
      undefined,
      { timeout: STATE_TIMEOUT_MS, polling: 100 },
    );
    const state = await agreement();
    expect(state.annotations).toEqual({ include: 100, exclude: 0, box: 0 });
    expect([state.include, state.exclude, state.box]).toEqual([100, 0, 0]);
    const decodes = (await workerLog()).filter((m) => m.dir === 'sent' && m.type === 'decode').length - before;
    console.log(`100 rapid clicks: ${decodes} decodes`);
    expect(decodes).toBeLessThan(100);
    await reject();
    expect((await agreement()).annotations).toEqual({ include: 0, exclude: 0, box: 0 });
  });

  it('a click outside the image says so and leaves nothing; Esc, then a click on the object, previews it', async () => {
    const [cx, cy] = lesion.centerVoxel;
    // In the viewport's margin beside the square image (the viewport is not square).
    const [topLeft, bottomRight, inside] = await imageToPage(page, [
      [-0.5, -0.5],
      [255.5, 255.5],
      [cx, cy],
    ]);
    const rect = await page.evaluate(() => {
      const w = window as unknown as {
        services: {
          viewportGridService: { getActiveViewportId(): string };
          cornerstoneViewportService: { getCornerstoneViewport(id: string): { element: HTMLElement } };
        };
      };
      const { viewportGridService, cornerstoneViewportService } = w.services;
      const r = cornerstoneViewportService
        .getCornerstoneViewport(viewportGridService.getActiveViewportId())
        .element.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    });
    const margins = [
      { size: topLeft!.y - rect.top, at: { x: inside!.x, y: (rect.top + topLeft!.y) / 2 } },
      { size: rect.bottom - bottomRight!.y, at: { x: inside!.x, y: (rect.bottom + bottomRight!.y) / 2 } },
      { size: topLeft!.x - rect.left, at: { x: (rect.left + topLeft!.x) / 2, y: inside!.y } },
      { size: rect.right - bottomRight!.x, at: { x: (rect.right + bottomRight!.x) / 2, y: inside!.y } },
    ].sort((a, b) => b.size - a.size);
    expect(margins[0]!.size).toBeGreaterThan(8);
    const outside = margins[0]!.at;
    await page.locator('[data-cy="SamIncludePoint"]').click();
    await page.mouse.click(outside!.x, outside!.y);
    const error = page.locator('[data-testid="sam-preview"][data-state="error"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/outside the 256×256 image/);
    expect((await agreement()).annotations.include).toBe(0);
    await reject();
    await page.mouse.click(inside!.x, inside!.y);
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
    expect((await agreement()).annotations.include).toBe(1);
    await reject();
  });

  it('raised no errors from the SAM extension', () => {
    expect(samProblems(problems)).toEqual([]);
  });
});
