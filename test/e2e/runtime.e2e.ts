/**
 * The inference runtime in the real viewer: the default model loads in the worker, the phantom
 * series is pre-encoded in the background without blocking the page, a click on a sphere gives the
 * sphere, WebGPU (SwiftShader) and WASM agree, and a corrupt model file is reported in the panel.
 */
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../viewer/server';
import { SAMPLE_STUDIES, PHANTOM_TRUTH } from '../../viewer/samples';
import { launchChromium, newViewerContext, recordProblems, samProblems } from './support/browser';
import { waitForDisplayedStack } from './support/viewer';

jest.setTimeout(240_000);

const phantom = SAMPLE_STUDIES.find((s) => s.id === 'phantom-ct')!;
const truth = JSON.parse(readFileSync(join(__dirname, '..', '..', 'viewer', 'samples', PHANTOM_TRUTH), 'utf8')) as {
  objects: Array<{
    id: string;
    centerVoxel: [number, number, number];
    centerMm: [number, number, number];
    radiiVoxels: [number, number, number];
  }>;
};
const lesion = truth.objects.find((o) => o.id === 'lesion')!;

/** Records long main-thread tasks from the first moment of the page. */
const LONG_TASK_RECORDER = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
`;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(() => server?.close());

async function openPhantom(browser: Browser, backend?: 'webgpu' | 'wasm'): Promise<Page> {
  const page = await (await newViewerContext(browser)).newPage();
  await page.addInitScript(LONG_TASK_RECORDER);
  await page.goto(`${server.url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
  await waitForDisplayedStack(page, 64);
  if (backend) await page.locator('[data-testid="sam-backend-select"]').selectOption(backend);
  await page.locator('[data-testid="sam-model"][data-state="ready"]').waitFor();
  return page;
}

/** Shows the slice through the lesion's centre (found by its z position) and clicks its centre via the service. */
async function segmentLesion(page: Page): Promise<{ mask: number[]; width: number; height: number; z: number }> {
  return page.evaluate(
    async ({ zMm, x, y }) => {
      const w = window as unknown as {
        cornerstone: { metaData: { get(t: string, id: string): { imagePositionPatient: number[] } } };
        services: {
          viewportGridService: { getActiveViewportId(): string };
          cornerstoneViewportService: {
            getCornerstoneViewport(id: string): { getImageIds(): string[]; setImageIdIndex(i: number): Promise<void> };
          };
          samService: { segment(p: unknown): Promise<{ mask: Uint8Array; width: number; height: number }> };
        };
      };
      const { viewportGridService, cornerstoneViewportService, samService } = w.services;
      const viewport = cornerstoneViewportService.getCornerstoneViewport(viewportGridService.getActiveViewportId());
      const ids = viewport.getImageIds();
      const index = ids.findIndex(
        (id) => Math.abs(w.cornerstone.metaData.get('imagePlaneModule', id).imagePositionPatient[2]! - zMm) < 0.5,
      );
      await viewport.setImageIdIndex(index);
      const result = await samService.segment({ points: [{ x, y, label: 'include' }] });
      return { mask: Array.from(result.mask), width: result.width, height: result.height, z: zMm };
    },
    { zMm: lesion.centerMm[2], x: lesion.centerVoxel[0], y: lesion.centerVoxel[1] },
  );
}

/** The lesion's cross-section through its centre: a disc of the sphere's in-plane radius. */
function lesionDisc(width: number, height: number): Uint8Array {
  const disc = new Uint8Array(width * height);
  const [cx, cy] = lesion.centerVoxel;
  const r = lesion.radiiVoxels[0];
  // Voxel (i, j) covers [i, i+1): its centre is at i + 0.5 in the phantom's continuous frame.
  for (let j = 0; j < height; j++)
    for (let i = 0; i < width; i++) disc[j * width + i] = (i + 0.5 - cx) ** 2 + (j + 0.5 - cy) ** 2 <= r * r ? 1 : 0;
  return disc;
}

function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! && b[i]! ? 1 : 0;
    sum += (a[i] ? 1 : 0) + (b[i] ? 1 : 0);
  }
  return (2 * inter) / sum;
}

describe('the inference runtime in the viewer (WASM)', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await openPhantom(browser);
  });
  afterAll(() => browser?.close());

  it('pre-encodes the whole series in the background with no main-thread task over 50 ms', async () => {
    const started = await page.evaluate(() => performance.now());
    await page.locator('[data-testid="sam-preencoding"][data-state="complete"]').waitFor({ timeout: 180_000 });
    const { done, total } = await page.locator('[data-testid="sam-preencoding"]').evaluate((el) => ({
      done: Number(el.getAttribute('data-done')),
      total: Number(el.getAttribute('data-total')),
    }));
    expect({ done, total }).toEqual({ done: 64, total: 64 });
    const longTasks = await page.evaluate(
      (since) =>
        (window as unknown as { __longTasks: Array<{ start: number; duration: number }> }).__longTasks.filter(
          (t) => t.start >= since,
        ),
      started,
    );
    expect(longTasks.filter((t) => t.duration > 50)).toEqual([]);
  });

  it('segments the lesion sphere from a click at its centre', async () => {
    const { mask, width, height } = await segmentLesion(page);
    expect([width, height]).toEqual([256, 256]);
    expect(dice(mask, lesionDisc(width, height))).toBeGreaterThan(0.8);
  });
});

describe('the embedding cache in the browser', () => {
  it('stays within the budget set in app-config, evicting the least recently used slices', async () => {
    const browser = await launchChromium();
    try {
      const page = await (await newViewerContext(browser)).newPage();
      // How a deployment sets it: one line in app-config.js.
      await page.route(/\/app-config\.js$/, async (route) => {
        const response = await route.fetch();
        await route.fulfill({
          response,
          body: `${await response.text()}\nwindow.config.sam = { embeddingCacheMiB: 8 };\n`,
        });
      });
      await page.goto(`${server.url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
      await page.locator('[data-testid="sam-preencoding"][data-state="complete"]').waitFor({ timeout: 180_000 });
      const stats = await page.evaluate(() =>
        (
          window as unknown as { services: { samService: { cacheStats(): Promise<Record<string, number>> } } }
        ).services.samService.cacheStats(),
      );
      expect(stats.budgetBytes).toBe(8 * 2 ** 20);
      expect(stats.bytes).toBeLessThanOrEqual(8 * 2 ** 20);
      expect(stats.entries).toBe(4); // 2 MiB per float16 [1,256,64,64] embedding
      expect(stats.evictions).toBe(60);
    } finally {
      await browser.close();
    }
  });
});

describe('WebGPU (SwiftShader) and WASM', () => {
  it('give the same mask for the same click', async () => {
    const wasmBrowser = await launchChromium();
    const gpuBrowser = await launchChromium(['--enable-unsafe-webgpu']);
    try {
      const wasm = await segmentLesion(await openPhantom(wasmBrowser));
      const gpuPage = await openPhantom(gpuBrowser, 'webgpu');
      await gpuPage.locator('[data-testid="sam-runtime"][data-backend="webgpu"]').waitFor();
      const gpu = await segmentLesion(gpuPage);
      expect(dice(wasm.mask, gpu.mask)).toBeGreaterThan(0.98);
    } finally {
      await Promise.all([wasmBrowser.close(), gpuBrowser.close()]);
    }
  });
});

describe('a corrupt model file', () => {
  it('is reported in the panel with what is wrong and a retry, and nothing else breaks', async () => {
    const browser = await launchChromium();
    try {
      const page = await (await newViewerContext(browser)).newPage();
      const problems = recordProblems(page);
      // The default model's encoder arrives damaged: its checksum no longer matches the manifest.
      await page.route(/\/ohif-sam\/extension\/models\/[^/]+\/encoder\.onnx$/, (route) =>
        route.fulfill({
          status: 200,
          body: Buffer.from('this is not an ONNX model'),
          contentType: 'application/octet-stream',
        }),
      );
      await page.goto(`${server.url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
      await waitForDisplayedStack(page, 64);
      const error = page.locator('[data-testid="sam-model"][data-state="error"]');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/encoder of .* (is corrupt or another file|has \d+ bytes, expected)/);
      expect(await error.locator('button', { hasText: 'Retry' }).count()).toBe(1);
      expect(samProblems(problems).filter((p) => p.kind === 'pageerror')).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
