/**
 * What the end-to-end tests read from the running viewer, through the objects OHIF itself puts on
 * `window` (`cornerstone`, `services`): the image really rendered, the SAM panel's state.
 */
import type { Page } from 'playwright-core';

export interface DisplayedStack {
  imageCount: number;
  currentImageId: string;
  dimensions: number[];
}

/** Waits until a viewport shows a loaded image of a stack with `imageCount` images. */
export async function waitForDisplayedStack(page: Page, imageCount: number, timeout = 60_000): Promise<DisplayedStack> {
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
export async function waitForSamRuntime(page: Page, timeout = 60_000): Promise<PanelRuntime> {
  const runtime = page.locator('[data-testid="sam-runtime"]:not([data-state="starting"]):not([data-state="idle"])');
  await runtime.waitFor({ timeout });
  return {
    state: await runtime.getAttribute('data-state'),
    backend: await runtime.getAttribute('data-backend'),
    text: (await runtime.textContent()) ?? '',
  };
}
