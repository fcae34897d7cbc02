/**
 * Masks accepted into SAM labelmaps on the phantom CT, and the labelmap voxels read back, for the
 * end-to-end tests of accept, export and the SEG round trip. Everything goes through the objects
 * OHIF puts on `window` (`cornerstone`, `cornerstoneTools`, `services`, `commandsManager`).
 */
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_STUDIES, PHANTOM_TRUTH } from '../../../viewer/samples';
import { algorithmNameFor } from '../../../extensions/sam-segmentation/src/ohif/labelmap/samSegmentation';
import type { AcceptResult } from '../../../extensions/sam-segmentation/src/ohif/labelmap/acceptMask';
import { loadManifest } from '../../../tools/models/cli';
import { STATE_TIMEOUT_MS } from './browser';

const ROOT = join(__dirname, '..', '..', '..');
export const phantom = SAMPLE_STUDIES.find((s) => s.id === 'phantom-ct')!;
const truth = JSON.parse(readFileSync(join(ROOT, 'viewer', 'samples', PHANTOM_TRUTH), 'utf8')) as {
  objects: Array<{ id: string; centerVoxel: [number, number, number]; centerMm: number[]; radiiVoxels: number[] }>;
};
export const lesion = truth.objects.find((o) => o.id === 'lesion')!;
const manifest = loadManifest();
/** SegmentAlgorithmName given when no model is loaded and the mask is the disc built here. */
export const DISC_ALGORITHM = 'Lesion disc (e2e test)';
export const SEMIAUTOMATIC = 'SEMIAUTOMATIC';

/** A segment as Cornerstone holds it; a SEG loaded by OHIF keeps the algorithm fields in cachedStats. */
export interface PageSegment {
  label: string;
  active: boolean;
  algorithmType?: string;
  algorithmName?: string;
  cachedStats?: { algorithmType?: string; algorithmName?: string; namedStats?: unknown };
}

/** The page's objects the tests use (OHIF puts them on window). */
export interface PageWindow {
  cornerstone: {
    cache: { getImage(id: string): { getPixelData(): ArrayLike<number> } | undefined };
    metaData: { get(type: string, imageId: string): Record<string, unknown> | undefined };
  };
  cornerstoneTools: {
    segmentation: {
      getLabelmapImageIds(segmentationId: string): string[];
      getLabelmapImageIdsForImageId(imageId: string, segmentationId: string): string[] | undefined;
    };
  };
  commandsManager: { runCommand(name: string, options?: Record<string, unknown>, context?: string): unknown };
  services: {
    viewportGridService: {
      getActiveViewportId(): string;
      getState(): { viewports: Map<string, { displaySetInstanceUIDs: string[] }> };
    };
    displaySetService: {
      getDisplaySetsForSeries(seriesInstanceUID: string): Array<{ displaySetInstanceUID: string }>;
    };
    cornerstoneViewportService: {
      getCornerstoneViewport(id: string): {
        getImageIds(): string[];
        getCurrentImageId(): string;
        setImageIdIndex(i: number): Promise<void>;
      };
    };
    segmentationService: {
      remove(id: string): void;
      getSegmentations(): Array<{ label: string; segmentationId: string }>;
      getSegmentation(id: string): { segments: Record<string, PageSegment> } | undefined;
      getSegmentationRepresentations(viewportId: string, specifier?: { segmentationId?: string }): unknown[];
    };
    samService: {
      getState(): { model: { state: string; model?: { id: string } } };
      segment(
        p: unknown,
      ): Promise<{ mask: Uint8Array; width: number; height: number; imageId: string; viewportId: string }>;
      acceptMask(result: unknown, options?: Record<string, unknown>): Promise<AcceptResult>;
      undoLastAccept(): { segmentationId: string; segmentIndex: number } | undefined;
      exportSeg(
        choice?: Record<string, string>,
        target?: { segmentationId?: string },
      ): Promise<{ bytes: ArrayBuffer; fileName: string }>;
      downloadSeg(choice?: Record<string, string>, target?: { segmentationId?: string }): Promise<unknown>;
      storeSeg(choice?: Record<string, string>, target?: { segmentationId?: string }): Promise<unknown>;
      setSegmentType(typeId: string): void;
    };
  };
}

/** What an accept reports (the extension's own type). */
export type { AcceptResult };

export interface Slice {
  imageId: string;
  viewportId: string;
  sopInstanceUID: string;
  width: number;
  height: number;
}

/** The lesion's cross-section through its centre, shifted by `dx` voxels: a disc of its in-plane radius. */
export function disc(width: number, height: number, dx = 0): Uint8Array {
  const mask = new Uint8Array(width * height);
  const [cx, cy] = lesion.centerVoxel;
  const r = lesion.radiiVoxels[0]!;
  for (let j = 0; j < height; j++)
    for (let i = 0; i < width; i++)
      mask[j * width + i] = (i + 0.5 - cx - dx) ** 2 + (j + 0.5 - cy) ** 2 <= r * r ? 1 : 0;
  return mask;
}

export const count = (a: ArrayLike<number>, f: (v: number, i: number) => boolean = (v) => v !== 0) =>
  Array.prototype.filter.call(a, f).length;

/** Expected labelmap values: each layer's value where its mask is set, later layers on top. */
export function composite(size: number, ...layers: Array<[Uint8Array, number]>): number[] {
  const out = new Array<number>(size).fill(0);
  for (const [mask, value] of layers) for (let i = 0; i < size; i++) if (mask[i]) out[i] = value;
  return out;
}

/** Shows the slice at `zMm` (the lesion's centre by default), found by its z position. */
export async function showSlice(page: Page, zMm = lesion.centerMm[2]!): Promise<Slice> {
  return page.evaluate(async (zMm) => {
    const w = window as unknown as PageWindow;
    const { viewportGridService, cornerstoneViewportService } = w.services;
    const viewportId = viewportGridService.getActiveViewportId();
    const viewport = cornerstoneViewportService.getCornerstoneViewport(viewportId);
    const z = (id: string) =>
      (w.cornerstone.metaData.get('imagePlaneModule', id)!.imagePositionPatient as number[])[2]!;
    const index = viewport.getImageIds().findIndex((id) => Math.abs(z(id) - zMm) < 0.5);
    if (index < 0) throw new Error(`No slice at z = ${zMm} mm`);
    await viewport.setImageIdIndex(index);
    const imageId = viewport.getCurrentImageId();
    const pixel = w.cornerstone.metaData.get('imagePixelModule', imageId)!;
    return {
      imageId,
      viewportId,
      sopInstanceUID: w.cornerstone.metaData.get('sopCommonModule', imageId)!.sopInstanceUID as string,
      width: pixel.columns as number,
      height: pixel.rows as number,
    };
  }, zMm);
}

/** The SAM mask of a click on the lesion's centre, when a model is ready. */
async function samMaskOfLesion(page: Page): Promise<Uint8Array> {
  const mask = await page.evaluate(
    async ({ x, y }) => {
      const result = await (window as unknown as PageWindow).services.samService.segment({
        points: [{ x, y, label: 'include' }],
      });
      return Array.from(result.mask);
    },
    { x: lesion.centerVoxel[0], y: lesion.centerVoxel[1] },
  );
  return Uint8Array.from(mask);
}

/**
 * The mask to accept on the lesion slice on screen: the loaded model's answer to a click on the
 * lesion, with the model's SegmentAlgorithmName; without a model (or an empty answer), the lesion's
 * disc built here, accepted under DISC_ALGORITHM.
 */
export async function lesionMask(page: Page, slice: Slice, modelReady: boolean) {
  const samMask = modelReady ? await samMaskOfLesion(page) : undefined;
  if (samMask && count(samMask) > 0) {
    const modelId = await page.evaluate(
      () => (window as unknown as PageWindow).services.samService.getState().model.model?.id,
    );
    const entry = manifest.models.find((m) => m.id === modelId)!;
    return { mask: samMask, algorithmName: algorithmNameFor(entry), acceptOptions: {} };
  }
  const options = { algorithmName: DISC_ALGORITHM };
  return { mask: disc(slice.width, slice.height), algorithmName: DISC_ALGORITHM, acceptOptions: options };
}

/** Waits until the SAM panel's model is ready or says why not; true when ready. */
export async function modelSettles(page: Page): Promise<boolean> {
  const model = page.locator(
    '[data-testid="sam-model"][data-state="ready"], [data-testid="sam-model"][data-state="error"]',
  );
  await model.waitFor();
  return (await model.getAttribute('data-state')) === 'ready';
}

export async function accept(page: Page, slice: Slice, mask: Uint8Array, options: Record<string, unknown>) {
  return page.evaluate(
    ({ slice, mask, options }) =>
      (window as unknown as PageWindow).services.samService.acceptMask(
        {
          mask: Uint8Array.from(mask),
          width: slice.width,
          height: slice.height,
          imageId: slice.imageId,
          viewportId: slice.viewportId,
        },
        options,
      ),
    { slice, mask: Array.from(mask), options },
  );
}

/**
 * The segmentation's labelmap on the source images with the given SOP Instance UIDs (of the
 * active viewport's stack), and the non-zero count of its other labelmap images.
 */
export async function readLabelmapSlices(page: Page, segmentationId: string, sopInstanceUIDs: string[]) {
  const read = await page.evaluate(
    ({ segmentationId, sopInstanceUIDs }) => {
      const { cornerstone, cornerstoneTools, services } = window as unknown as PageWindow;
      const viewport = services.cornerstoneViewportService.getCornerstoneViewport(
        services.viewportGridService.getActiveViewportId(),
      );
      const sopOf = (id: string) => cornerstone.metaData.get('sopCommonModule', id)?.sopInstanceUID;
      const labelmapIds = sopInstanceUIDs.map((sop) => {
        const imageId = viewport.getImageIds().find((id) => sopOf(id) === sop);
        if (!imageId) throw new Error(`No image ${sop} in the viewport`);
        return cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(imageId, segmentationId) ?? [];
      });
      let elsewhere = 0;
      for (const id of cornerstoneTools.segmentation.getLabelmapImageIds(segmentationId)) {
        if (labelmapIds.some((ids) => ids.includes(id))) continue;
        const data = cornerstone.cache.getImage(id)!.getPixelData();
        for (let i = 0; i < data.length; i++) if (data[i]) elsewhere++;
      }
      // One character per voxel: a string crosses to Node far faster than an array of numbers.
      const slices = labelmapIds.map((ids) => {
        const pixels = Array.from(cornerstone.cache.getImage(ids[0]!)!.getPixelData());
        let text = '';
        for (let i = 0; i < pixels.length; i += 8192) text += String.fromCharCode(...pixels.slice(i, i + 8192));
        return text;
      });
      return { labelmapImageIds: labelmapIds, slices, elsewhere };
    },
    { segmentationId, sopInstanceUIDs },
  );
  return { ...read, slices: read.slices.map((text) => Array.from(text, (c) => c.charCodeAt(0))) };
}

/** Every labelmap image of the segmentation: the slice's values, and the non-zero count of the others. */
export async function readLabelmap(page: Page, segmentationId: string, slice: Slice) {
  const { labelmapImageIds, slices, elsewhere } = await readLabelmapSlices(page, segmentationId, [
    slice.sopInstanceUID,
  ]);
  return { labelmapImageIds: labelmapImageIds[0]!, slice: slices[0]!, elsewhere };
}

/** The segmentation's segments as Cornerstone holds them. */
export async function segments(page: Page, segmentationId: string) {
  return page.evaluate(
    (id) => (window as unknown as PageWindow).services.segmentationService.getSegmentation(id)?.segments,
    segmentationId,
  );
}

/**
 * Opens a stored SEG as a user does, after the page has loaded the study again: double-click its
 * thumbnail in the study browser, answer Yes to "Do you want to open this Segmentation?"; resolves
 * with its segmentation id once it is hydrated onto the image series (a labelmap on the active viewport).
 * Why the UI steps: OHIF 3.13 loads a SEG when its display set is shown in a viewport (the SEG
 * viewport of cornerstone-dicom-seg), which asks before hydrating it (promptHydrateSEG); no command does both.
 */
export async function openStoredSeg(page: Page, seriesInstanceUID: string, seriesDescription: string): Promise<string> {
  const thumbnail = page.locator('[data-cy="study-browser-thumbnail-no-image"]', { hasText: seriesDescription });
  await thumbnail.dblclick({ timeout: STATE_TIMEOUT_MS });
  await page.locator('[data-cy="yes-hydrate-btn"]').click({ timeout: STATE_TIMEOUT_MS });
  const segmentationId = await page.evaluate(
    (uid) =>
      (window as unknown as PageWindow).services.displaySetService.getDisplaySetsForSeries(uid)[0]!
        .displaySetInstanceUID,
    seriesInstanceUID,
  );
  await page.waitForFunction(
    (id) => {
      const { services } = window as unknown as PageWindow;
      const viewportId = services.viewportGridService.getActiveViewportId();
      return services.segmentationService.getSegmentationRepresentations(viewportId, { segmentationId: id }).length > 0;
    },
    segmentationId,
    { timeout: STATE_TIMEOUT_MS },
  );
  return segmentationId;
}
