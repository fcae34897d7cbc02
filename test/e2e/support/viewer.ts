/**
 * What the end-to-end tests read from the running viewer, through the objects OHIF itself puts on
 * `window` (`cornerstone`, `services`): the image really rendered, the SAM panel's state.
 */
import type { Page } from 'playwright-core';
import { STATE_TIMEOUT_MS } from './browser';

export interface DisplayedStack {
  imageCount: number;
  currentImageId: string;
  dimensions: number[];
}

/** Waits until a viewport shows a loaded image of a stack with `imageCount` images. */
export async function waitForDisplayedStack(
  page: Page,
  imageCount: number,
  timeout = STATE_TIMEOUT_MS,
): Promise<DisplayedStack> {
  const handle = await page.waitForFunction(
    (expected) => {
      const cs = (window as unknown as { cornerstone?: { getEnabledElements(): Array<{ viewport: unknown }> } })
        .cornerstone;
      for (const { viewport } of cs?.getEnabledElements() ?? []) {
        const v = viewport as {
          getImageIds?: () => string[];
          getCurrentImageId?: () => string;
          getImageData?: () => { dimensions: number[] } | undefined;
        };
        const ids = v.getImageIds?.() ?? [];
        const data = v.getImageData?.();
        if (ids.length === expected && data?.dimensions) {
          return { imageCount: ids.length, currentImageId: v.getCurrentImageId?.() ?? '', dimensions: data.dimensions };
        }
      }
      return false;
    },
    imageCount,
    { timeout, polling: 250 },
  );
  return (await handle.jsonValue()) as DisplayedStack;
}

export interface PanelRuntime {
  state: string | null;
  backend: string | null;
  text: string;
}

/** Waits for the SAM panel's runtime line to leave the 'starting' state and returns it. */
export async function waitForSamRuntime(page: Page, timeout = STATE_TIMEOUT_MS): Promise<PanelRuntime> {
  const runtime = page.locator('[data-testid="sam-runtime"]:not([data-state="starting"]):not([data-state="idle"])');
  await runtime.waitFor({ timeout });
  return {
    state: await runtime.getAttribute('data-state'),
    backend: await runtime.getAttribute('data-backend'),
    text: (await runtime.textContent()) ?? '',
  };
}

interface ViewportWindow {
  cornerstone: {
    metaData: { get(type: string, imageId: string): { imagePositionPatient: number[] } };
    utilities: { imageToWorldCoords(imageId: string, p: number[]): number[] };
  };
  services: {
    viewportGridService: { getActiveViewportId(): string };
    cornerstoneViewportService: {
      getCornerstoneViewport(id: string): {
        element: HTMLElement;
        getImageIds(): string[];
        getCurrentImageId(): string;
        setImageIdIndex(i: number): Promise<void>;
        worldToCanvas(p: number[]): [number, number];
      };
    };
  };
}

/** Page positions (CSS pixels) of image pixel coordinates on the active viewport's current image. */
export async function imageToPage(
  page: Page,
  points: Array<[number, number]>,
): Promise<Array<{ x: number; y: number }>> {
  return page.evaluate((pts) => {
    const w = window as unknown as ViewportWindow;
    const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    );
    const rect = vp.element.getBoundingClientRect();
    return pts.map((p) => {
      const [cx, cy] = vp.worldToCanvas(w.cornerstone.utilities.imageToWorldCoords(vp.getCurrentImageId(), p));
      return { x: rect.left + cx, y: rect.top + cy };
    });
  }, points);
}

/** Shows, in the active viewport, the slice nearest the patient z position `zMm`; resolves once it is on screen. */
export async function showSliceNear(page: Page, zMm: number): Promise<string> {
  return page.evaluate(async (z) => {
    const w = window as unknown as ViewportWindow;
    const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    );
    const ids = vp.getImageIds();
    const zs = ids.map((id) => w.cornerstone.metaData.get('imagePlaneModule', id).imagePositionPatient[2]!);
    const index = zs.reduce((best, v, i) => (Math.abs(v - z) < Math.abs(zs[best]! - z) ? i : best), 0);
    await vp.setImageIdIndex(index);
    return ids[index]!;
  }, zMm);
}

/**
 * Opens a study from OHIF 3.13's study list as a user does: its row (found by the text it shows,
 * e.g. the patient's name), then the SAM mode's button under "Launch workflow" beside the list.
 */
export async function openFromStudyList(page: Page, rowText: string): Promise<void> {
  await page.locator('tr', { hasText: rowText }).first().click({ timeout: STATE_TIMEOUT_MS });
  await page.getByRole('button', { name: 'Segment Anything' }).click({ timeout: STATE_TIMEOUT_MS });
}
