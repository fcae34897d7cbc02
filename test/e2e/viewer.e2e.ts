/**
 * The demo viewer end to end: the real prebuilt OHIF 3.13 viewer served by viewer/server.ts, the
 * SAM extension and mode loaded from their bundles, in Debian Chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../viewer/server';
import { samConfigLines } from '../../viewer/appConfig';
import { SAMPLE_STUDIES } from '../../viewer/samples';
import { VIEWER_DIR } from '../../viewer/setup-viewer';
import { launchChromium, newViewerContext, recordProblems, samProblems, type PageProblem } from './support/browser';
import { waitForDisplayedStack, waitForSamRuntime } from './support/viewer';

jest.setTimeout(180_000);

const SLICES: Record<string, number> = { 'dcmqi-liver-ct': 3, 'phantom-ct': 64 };

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

async function openPage(): Promise<{
  context: BrowserContext;
  page: Page;
  problems: PageProblem[];
  requests: string[];
}> {
  const context = await newViewerContext(browser);
  const page = await context.newPage();
  const requests: string[] = [];
  // Context-level: also sees the inference worker's requests (onnxruntime's wasm, the model).
  context.on('request', (r) => requests.push(r.url()));
  return { context, page, problems: recordProblems(page), requests };
}

describe.each(['/', '/ohif/'])('the viewer served at %s', (basePath) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, basePath });
  });
  afterAll(() => server?.close());

  it('serves the stock app-config followed by the README’s SAM lines', async () => {
    const config = await (await fetch(`${server.url}app-config.js`)).text();
    const stock = readFileSync(join(VIEWER_DIR, 'app-config.js'), 'utf8').trimEnd();
    expect(config.startsWith(stock)).toBe(true);
    expect(config).toContain(samConfigLines(basePath));
  });

  it.each(SAMPLE_STUDIES.map((s) => [s.id, s] as const))(
    'opens %s by URL in the SAM mode: image shown, SAM panel ready on WASM',
    async (id, study) => {
      const { context, page, problems, requests } = await openPage();
      try {
        await page.goto(`${server.url}sam?StudyInstanceUIDs=${study.StudyInstanceUID}`);
        const stack = await waitForDisplayedStack(page, SLICES[id]!);
        expect(stack.currentImageId).toContain(study.StudyInstanceUID);

        const runtime = await waitForSamRuntime(page);
        expect(runtime).toMatchObject({ state: 'ready', backend: 'wasm' });
        expect(runtime.text).toMatch(/WebGPU unavailable: no adapter/);
        expect(runtime.text).toMatch(/2 threads/); // cross-origin isolated: multi-threaded WASM

        // onnxruntime and the model came from beside the extension bundle, under the base path.
        const extensionRoot = `${server.url}ohif-sam/extension/`;
        expect(requests).toContain(`${extensionRoot}ort/ort-wasm-simd-threaded.jsep.wasm`);
        expect(requests).toContain(`${extensionRoot}models/runtime-probe.onnx`);
        expect(requests.filter((u) => /\/(ort|models)\//.test(u) && !u.startsWith(extensionRoot))).toEqual([]);

        expect(samProblems(problems)).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});

describe('the study list', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(() => server?.close());

  it('lists both sample studies and launches the SAM mode from it', async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(server.url);
      const phantomRow = page.locator('tr, [role="row"]').filter({ hasText: 'SAM phantom CT' }).first();
      await phantomRow.waitFor();
      await expect(page.locator('text=JANCT000').count()).resolves.toBeGreaterThan(0);

      await phantomRow.click();
      await page.locator('button[title="Segment Anything"], [title="Segment Anything"]').first().click();
      await page.waitForURL(/\/sam\?/);
      await waitForDisplayedStack(page, 64);
      expect((await waitForSamRuntime(page)).state).toBe('ready');
      expect(samProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('opens a static dicomjson manifest by URL', async () => {
    const { context, page, problems } = await openPage();
    try {
      const manifest = `${server.url}samples/${SAMPLE_STUDIES.find((s) => s.id === 'dcmqi-liver-ct')!.manifest}`;
      await page.goto(`${server.url}sam/dicomjson?url=${encodeURIComponent(manifest)}`);
      await waitForDisplayedStack(page, 3);
      expect(samProblems(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
