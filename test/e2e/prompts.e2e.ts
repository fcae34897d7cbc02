/**
 * Prompting in the viewer as a user does it: choose the SAM include tool, click a structure, see
 * the preview and the candidates in the panel, accept with Enter, reject with Esc.
 */
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '../../viewer/server';
import { PHANTOM_TRUTH, SAMPLE_STUDIES } from '../../viewer/samples';
import { STATE_TIMEOUT_MS, samProblems, type PageProblem } from './support/browser';
import { openStudyInSamMode } from './support/session';
import { imageToPage, showSliceNear } from './support/viewer';

jest.setTimeout(180_000);

const phantom = SAMPLE_STUDIES.find((s) => s.id === 'phantom-ct')!;
const truth = JSON.parse(readFileSync(join(__dirname, '..', '..', 'viewer', 'samples', PHANTOM_TRUTH), 'utf8')) as {
  objects: Array<{ id: string; centerVoxel: [number, number, number]; centerMm: [number, number, number] }>;
};
const lesion = truth.objects.find((o) => o.id === 'lesion')!;

let server: RunningServer;
let browser: Browser;
let page: Page;
let problems: PageProblem[];

beforeAll(async () => {
  ({ server, browser, page, problems } = await openStudyInSamMode(phantom, 64));
  await page.locator('[data-testid="sam-model"][data-state="ready"]').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Shows the lesion's central slice and returns the page position of the lesion's centre. */
async function lesionOnScreen(): Promise<{ x: number; y: number }> {
  await showSliceNear(page, lesion.centerMm[2]!);
  const [at] = await imageToPage(page, [[lesion.centerVoxel[0], lesion.centerVoxel[1]]]);
  return at!;
}

/** Opaque pixels of the preview overlay within `r` CSS pixels of a page position. */
async function overlayPixelsNear(x: number, y: number, r = 6): Promise<number> {
  return page.evaluate(
    ({ x, y, r }) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="sam-preview-overlay"]');
      if (!canvas) return 0;
      const rect = canvas.getBoundingClientRect();
      const scale = canvas.width / rect.width;
      const data = canvas
        .getContext('2d')!
        .getImageData((x - rect.left - r) * scale, (y - rect.top - r) * scale, 2 * r * scale, 2 * r * scale).data;
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) opaque += data[i]! > 0 ? 1 : 0;
      return opaque;
    },
    { x, y, r },
  );
}

describe('prompting with the SAM tools', () => {
  it('shows a preview on the clicked structure, with the candidates and their predicted IoU', async () => {
    const at = await lesionOnScreen();
    await page.locator('[data-cy="SamIncludePoint"]').click();
    const clicked = Date.now();
    await page.mouse.click(at.x, at.y);
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
    console.log(`click → preview in the panel: ${Date.now() - clicked} ms (including Playwright's own latency)`);
    expect(await overlayPixelsNear(at.x, at.y)).toBeGreaterThan(20);
    expect(await page.locator('[data-testid^="sam-candidate-"]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid="sam-preview"]').textContent()).toMatch(/1 include, 0 exclude/);
  });

  it('shows another candidate when the user picks it', async () => {
    const buttons = page.locator('[data-testid^="sam-candidate-"]');
    const chosen = Number(await page.locator('[data-testid="sam-preview"]').getAttribute('data-chosen'));
    const ids = await buttons.evaluateAll((els) =>
      els.map((e) => Number(e.getAttribute('data-testid')!.split('-').pop())),
    );
    const other = ids.find((i) => i !== chosen)!;
    await page.locator(`[data-testid="sam-candidate-${other}"]`).click();
    await page.locator(`[data-testid="sam-preview"][data-chosen="${other}"]`).waitFor();
  });

  it('accepts the preview into a SAM segment with Enter: written voxels, segment listed by OHIF', async () => {
    await page.keyboard.press('Enter');
    const accepted = page.locator('[data-testid="sam-last-accept"]');
    await accepted.waitFor();
    expect(Number(/(\d+) voxels written/.exec((await accepted.textContent()) ?? '')?.[1])).toBeGreaterThan(100);
    await page.locator('[data-cy="panelSegmentation-btn"]').click();
    await page.locator('[data-cy="data-row-title"]', { hasText: 'SAM 1' }).waitFor();
    await page.locator('[data-cy="samPanel-btn"]').click();
  });

  it('rejects the preview and removes the prompt with Esc', async () => {
    const at = await lesionOnScreen();
    await page.locator('[data-cy="SamIncludePoint"]').click();
    await page.mouse.click(at.x, at.y);
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="sam-preview"][data-state="idle"]').waitFor();
    expect(await overlayPixelsNear(at.x, at.y)).toBe(0);
    const samAnnotations = await page.evaluate(
      () =>
        (
          window as unknown as {
            cornerstoneTools: {
              annotation: { state: { getAllAnnotations(): Array<{ metadata: { toolName: string } }> } };
            };
          }
        ).cornerstoneTools.annotation.state
          .getAllAnnotations()
          .filter((a) => a.metadata.toolName.startsWith('Sam')).length,
    );
    expect(samAnnotations).toBe(0);
  });

  it('segments an image its window shows flat with the image’s own range, and says so', async () => {
    const at = await lesionOnScreen();
    // W/L far above every value of the CT: the radiologist sees a black viewport.
    const setWindow = (voiRange: { lower: number; upper: number } | null) =>
      page.evaluate((voiRange) => {
        const w = window as unknown as {
          services: {
            viewportGridService: { getActiveViewportId(): string };
            cornerstoneViewportService: {
              getCornerstoneViewport(id: string): {
                setProperties(p: object): void;
                resetProperties(): void;
                render(): void;
              };
            };
          };
        };
        const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
          w.services.viewportGridService.getActiveViewportId(),
        );
        if (voiRange) vp.setProperties({ voiRange });
        else vp.resetProperties();
        vp.render();
      }, voiRange);
    await setWindow({ lower: 20_000, upper: 20_400 });
    await page.locator('[data-cy="SamIncludePoint"]').click();
    await page.mouse.click(at.x, at.y);
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
    expect(await page.locator('[data-testid="sam-notice"]').textContent()).toMatch(
      /The display window \(centre 20200, width 400\) shows 100% of this image as black: SAM sees it with its own intensity range/,
    );
    expect(await overlayPixelsNear(at.x, at.y)).toBeGreaterThan(20); // still on the lesion
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="sam-preview"][data-state="idle"]').waitFor();
    await setWindow(null);
  });
});

/**
 * Shows, in the MPR viewport `id`, the slice `offset` images from the lesion's central one; returns the
 * page position of the lesion's centre on it, and the image.
 */
async function lesionInMpr(id: string, offset = 0) {
  return page.evaluate(
    async ({ id, offset, zMm, ix, iy }) => {
      // (No named functions in here: tsx would wrap them in a helper the page does not have.)
      const w = window as unknown as {
        cornerstone: {
          metaData: { get(t: string, id: string): { imagePositionPatient: number[] } };
          utilities: {
            imageToWorldCoords(id: string, p: number[]): number[];
            jumpToSlice(e: HTMLElement, o: object): Promise<void>;
          };
        };
        services: {
          viewportGridService: { setActiveViewportId(id: string): void };
          cornerstoneViewportService: {
            getCornerstoneViewport(id: string): {
              element: HTMLElement;
              getImageIds(): string[];
              getCurrentImageId(): string | undefined;
              worldToCanvas(p: number[]): [number, number];
            };
          };
        };
      };
      w.services.viewportGridService.setActiveViewportId(id);
      const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(id);
      const ids = vp.getImageIds();
      const centre = ids.findIndex(
        (i) => Math.abs(w.cornerstone.metaData.get('imagePlaneModule', i).imagePositionPatient[2]! - zMm) < 0.5,
      );
      const target = ids[centre + offset]!;
      // A volume viewport scrolls in steps along its view direction, which may run against the image order.
      for (const step of [ids.indexOf(target), ids.length - 1 - ids.indexOf(target)]) {
        await w.cornerstone.utilities.jumpToSlice(vp.element, { imageIndex: step });
        // A loaded machine renders late: give the camera up to 3 s to arrive.
        for (let t = 0; t < 30 && vp.getCurrentImageId() !== target; t++) await new Promise((r) => setTimeout(r, 100));
        if (vp.getCurrentImageId() === target) break;
      }
      const current = vp.getCurrentImageId();
      const world = w.cornerstone.utilities.imageToWorldCoords(target, [ix, iy]);
      const [cx, cy] = vp.worldToCanvas(world);
      const rect = vp.element.getBoundingClientRect();
      return { x: rect.left + cx, y: rect.top + cy, target, current: current ?? null };
    },
    { id, offset, zMm: lesion.centerMm[2], ix: lesion.centerVoxel[0], iy: lesion.centerVoxel[1] },
  );
}

/** The SAM labelmap's value at the lesion's centre on `imageId` (0 when it has no labelmap there yet). */
async function labelAtLesionCentre(imageId: string): Promise<number> {
  return page.evaluate(
    ({ imageId, ix, iy }) => {
      const w = window as unknown as {
        cornerstone: {
          cache: {
            getImage(id: string): { getPixelData(): ArrayLike<number>; columns: number } | undefined;
          };
        };
        cornerstoneTools: {
          segmentation: { getLabelmapImageIdsForImageId(i: string, s: string): string[] | undefined };
        };
        services: { samService: { getState(): { lastAccept?: { segmentationId: string } } } };
      };
      const segmentationId = w.services.samService.getState().lastAccept?.segmentationId;
      const id = segmentationId
        ? w.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(imageId, segmentationId)?.[0]
        : undefined;
      const labelmap = id ? w.cornerstone.cache.getImage(id) : undefined;
      return labelmap ? labelmap.getPixelData()[iy * labelmap.columns + ix]! : 0;
    },
    // The centre voxel's pixel (the truth gives the centre in fractional voxels).
    { imageId, ix: Math.round(lesion.centerVoxel[0]), iy: Math.round(lesion.centerVoxel[1]) },
  );
}

describe("in OHIF's MPR layout (volume viewports)", () => {
  beforeAll(async () => {
    await page.locator('[data-cy="SamMpr"]').click();
    await page.waitForFunction(
      () =>
        (
          window as unknown as { cornerstone: { getEnabledElements(): Array<{ viewport: { id: string } }> } }
        ).cornerstone
          .getEnabledElements()
          .filter((e) => e.viewport.id.startsWith('mpr-')).length === 3,
      undefined,
      { timeout: STATE_TIMEOUT_MS },
    );
  });

  it('segments in the acquisition-plane (axial) viewport and accepts into the labelmap of that image', async () => {
    // The slice next to the one accepted in the stack layout: nothing written there yet.
    const at = await lesionInMpr('mpr-axial', 1);
    expect(at.current).toBe(at.target);
    expect(await labelAtLesionCentre(at.target)).toBe(0);
    await page.locator('[data-cy="SamIncludePoint"]').click();
    await page.mouse.click(at.x, at.y);
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
    expect(await overlayPixelsNear(at.x, at.y)).toBeGreaterThan(20);
    type Accepted = { voxelsWritten: number; segmentIndex: number };
    // Listen before pressing Enter (the key can reach the page before a pending evaluate runs).
    await page.evaluate(() => {
      const w = window as unknown as {
        __accepted: Promise<Accepted>;
        services: {
          samService: {
            getState(): { lastAccept?: Accepted };
            subscribe(event: string, f: (s: { lastAccept?: Accepted }) => void): { unsubscribe(): void };
          };
        };
      };
      const { samService } = w.services;
      const previous = samService.getState().lastAccept;
      w.__accepted = new Promise((resolve) => {
        const sub = samService.subscribe('event::samService:stateChanged', (s) => {
          if (!s.lastAccept || s.lastAccept === previous) return;
          sub.unsubscribe();
          resolve(s.lastAccept);
        });
      });
    });
    await page.keyboard.press('Enter');
    const result = await page.evaluate(() => (window as unknown as { __accepted: Promise<Accepted> }).__accepted);
    expect(result.voxelsWritten).toBeGreaterThan(100);
    expect(await labelAtLesionCentre(at.target)).toBe(result.segmentIndex);
  });

  it('says plainly that a reformatted (sagittal) viewport is not supported, and changes nothing', async () => {
    const before = await page.locator('[data-testid="sam-last-accept"]').textContent();
    const sagittal = await page.evaluate(() => {
      const w = window as unknown as {
        services: {
          viewportGridService: { setActiveViewportId(id: string): void };
          cornerstoneViewportService: { getCornerstoneViewport(id: string): { element: HTMLElement } };
        };
      };
      w.services.viewportGridService.setActiveViewportId('mpr-sagittal');
      const rect = w.services.cornerstoneViewportService
        .getCornerstoneViewport('mpr-sagittal')
        .element.getBoundingClientRect();
      return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
    });
    await page.locator('[data-cy="SamIncludePoint"]').click();
    await page.mouse.click(sagittal.x, sagittal.y);
    const preview = page.locator('[data-testid="sam-preview"][data-state="error"]');
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/reformatted plane .* use the acquisition-plane viewport/);
    expect(await page.locator('[data-testid="sam-last-accept"]').textContent()).toBe(before);
  });
});

describe('the page', () => {
  it('raised no errors from the SAM extension', () => {
    expect(samProblems(problems)).toEqual([]);
  });
});
