/**
 * SAM 2 memory propagation end to end in Chromium: the SAM 2 stand-in with its video modules
 * (memory attention and memory encoder graphs, no_mem_embed and vision_pos_embed, the family's module
 * contract; test graphs, not SAM 2), loaded from the manifest, a box on the lesion's central slice,
 * Propagate, and the masks written into the labelmap, on WASM and on WebGPU (SwiftShader), the same
 * on both.
 */
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../viewer/server';
import { computeLabelVolume, describeObjects } from '../../viewer/samples/phantom';
import { SAM2_MEMORY_TEST_ID, writeSam2MemoryModelsFolder } from '../support/sam2MemoryTestModel';
import { launchChromium, newViewerContext, recordProblems, samProblems, type PageProblem } from './support/browser';
import { lesion, phantom } from './support/labelmap';
import { boxOn, dice3d, labelmapVolume, propagate, slicesWith } from './support/propagation';
import { waitForDisplayedStack } from './support/viewer';

// SwiftShader runs the WebGPU kernels on the CPU: minutes, not seconds, on a loaded 2-core machine
// (7 min measured at load 6). The bound only turns a hang into a failure.
jest.setTimeout(900_000);

const labels = computeLabelVolume();
const lesionLabel = describeObjects().find((o) => o.id === 'lesion')!.label;
const lesionSlices = Array.from({ length: 64 }, (_, k) => k).filter((k) =>
  labels.subarray(k * 256 * 256, (k + 1) * 256 * 256).includes(lesionLabel),
);

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sam2-memory-'));
  server = await startServer({ port: 0, modelsDir: writeSam2MemoryModelsFolder(dir) });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The phantom in the SAM mode with the SAM 2 stand-in (the folder's only model) loaded on `backend`. */
async function openWithMemoryModel(
  browser: Browser,
  backend: 'wasm' | 'webgpu',
): Promise<{ page: Page; problems: PageProblem[] }> {
  const page = await (await newViewerContext(browser)).newPage();
  const problems = recordProblems(page);
  await page.goto(`${server.url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
  await waitForDisplayedStack(page, 64);
  await page.locator('[data-testid="sam-backend-select"]').selectOption(backend);
  await page.locator(`[data-testid="sam-model"][data-state="ready"][data-model-id="${SAM2_MEMORY_TEST_ID}"]`).waitFor();
  await page.locator(`[data-testid="sam-runtime"][data-backend="${backend}"]`).waitFor();
  return { page, problems };
}

/** A box on the lesion's central slice, propagated both ways (at most `maxSlices` each): the labelmap afterwards. */
async function propagateLesion(page: Page, maxSlices?: number): Promise<Uint8Array> {
  await boxOn(page, lesion);
  const outcome = await propagate(page, {
    request: { directions: 'both', ...(maxSlices !== undefined && { maxSlices }) },
  });
  expect(outcome.state).toBe('done');
  return labelmapVolume(page);
}

describe('SAM 2 memory propagation (the video modules’ test graphs)', () => {
  let wasm: Uint8Array;

  it('on WASM: the lesion through its slices, written into the labelmap, stopping where it ends', async () => {
    const browser = await launchChromium();
    try {
      const { page, problems } = await openWithMemoryModel(browser, 'wasm');
      wasm = await propagateLesion(page);
      const score = dice3d(wasm, 1, labels, lesionLabel);
      console.log(`SAM 2 memory propagation (WASM): lesion 3D Dice ${score.toFixed(3)}`);
      expect(score).toBeGreaterThanOrEqual(0.85);
      const kept = slicesWith(wasm, 1);
      expect(Math.abs(kept[0]! - lesionSlices[0]!)).toBeLessThanOrEqual(1);
      expect(Math.abs(kept.at(-1)! - lesionSlices.at(-1)!)).toBeLessThanOrEqual(1);
      expect(samProblems(problems)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('on WebGPU (SwiftShader): the same masks as on WASM (Dice ≥ 0.98), a slice each way', async () => {
    const browser = await launchChromium(['--enable-unsafe-webgpu']);
    try {
      const { page, problems } = await openWithMemoryModel(browser, 'webgpu');
      const gpu = await propagateLesion(page, 1);
      const centre = Math.round(lesion.centerVoxel[2]!);
      expect(slicesWith(gpu, 1)).toEqual([centre - 1, centre, centre + 1]);
      let both = 0;
      let sum = 0;
      const plane = 256 * 256;
      for (let i = (centre - 1) * plane; i < (centre + 2) * plane; i++) {
        const a = gpu[i] === 1;
        const b = wasm[i] === 1;
        if (a && b) both++;
        sum += Number(a) + Number(b);
      }
      const agreement = (2 * both) / sum;
      console.log(`SAM 2 memory propagation: WebGPU against WASM, Dice ${agreement.toFixed(4)}`);
      expect(agreement).toBeGreaterThanOrEqual(0.98);
      expect(samProblems(problems)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
