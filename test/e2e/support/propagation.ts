/**
 * What the propagation tests share: a SAM box on an object's central slice, a Propagate run through
 * the service (its final state), the labelmap over the whole series, 3D Dice, Undo.
 */
import type { Page } from 'playwright-core';
import { DEFAULT_PHANTOM_SPEC } from '../../../viewer/samples/phantom';
import type { PageWindow } from './labelmap';
import { imageToPage, showSliceNear } from './viewer';

const { columns, rows, slices, originMm, sliceSpacingMm } = DEFAULT_PHANTOM_SPEC.geometry;
const plane = columns * rows;

export interface PropagationState {
  state: string;
  kept?: number;
  done?: number;
}

/** The SAM segmentation's labelmap over the whole series, in the phantom's slice order (k). */
export async function labelmapVolume(page: Page): Promise<Uint8Array> {
  const text = await page.evaluate(
    ({ originZ, spacing }) => {
      const { cornerstone, cornerstoneTools, services } = window as unknown as PageWindow;
      const segmentationId = (
        services.segmentationService as unknown as { getSegmentations(): Array<{ segmentationId: string }> }
      ).getSegmentations()[0]!.segmentationId;
      const viewport = services.cornerstoneViewportService.getCornerstoneViewport(
        services.viewportGridService.getActiveViewportId(),
      );
      const ids = viewport.getImageIds();
      const planes: string[] = new Array(ids.length);
      for (const id of ids) {
        const z = (cornerstone.metaData.get('imagePlaneModule', id) as { imagePositionPatient: number[] })
          .imagePositionPatient[2]!;
        const k = Math.round((z - originZ) / spacing);
        const labelmapId = cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(id, segmentationId)![0]!;
        const pixels = Array.from(cornerstone.cache.getImage(labelmapId)!.getPixelData());
        let text = '';
        for (let i = 0; i < pixels.length; i += 8192) text += String.fromCharCode(...pixels.slice(i, i + 8192));
        planes[k] = text;
      }
      return planes.join('');
    },
    { originZ: originMm[2], spacing: sliceSpacingMm },
  );
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** 3D Dice of a segment of the labelmap against one label of the phantom's label volume. */
export function dice3d(volume: Uint8Array, segment: number, labels: Uint8Array, label: number): number {
  let both = 0;
  let sum = 0;
  for (let i = 0; i < volume.length; i++) {
    const a = volume[i] === segment;
    const b = labels[i] === label;
    if (a && b) both++;
    sum += (a ? 1 : 0) + (b ? 1 : 0);
  }
  return (2 * both) / sum;
}

/** The slices (k) on which a segment has voxels. */
export const slicesWith = (volume: Uint8Array, segment: number) =>
  Array.from({ length: slices }, (_, k) => k).filter((k) =>
    volume.subarray(k * plane, (k + 1) * plane).some((v) => v === segment),
  );

/** Draws a SAM box around an object on the slice through its centre and waits for the preview. */
export async function boxOn(
  page: Page,
  object: {
    centerMm: readonly number[];
    centerVoxel: readonly number[];
    radiiVoxels: readonly number[];
  },
): Promise<void> {
  await showSliceNear(page, object.centerMm[2]!);
  const [cx, cy] = object.centerVoxel as [number, number];
  const [rx, ry] = object.radiiVoxels as [number, number];
  const [from, to] = await imageToPage(page, [
    [cx - rx - 2, cy - ry - 2],
    [cx + rx + 2, cy + ry + 2],
  ]);
  await page.locator('[data-cy="SamBox"]').click();
  await page.mouse.move(from!.x, from!.y);
  await page.mouse.down();
  await page.mouse.move(to!.x, to!.y, { steps: 8 });
  await page.mouse.up();
  await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
}

/** Resolves with the propagation's final state; `stopAt` stops it (keeping or not) once that many slices are in. */
export async function propagate(
  page: Page,
  options: {
    stopAt?: { done: number; keep: boolean };
    /** The service's request (ways, slice limit) instead of the panel's choice. */
    request?: { directions: 'both' | 'forward' | 'backward'; maxSlices?: number };
  } = {},
): Promise<PropagationState> {
  return page.evaluate(({ stopAt, request }) => {
    type Service = {
      getState(): { propagation?: PropagationState };
      subscribe(event: string, f: (s: { propagation?: PropagationState }) => void): { unsubscribe(): void };
      propagate(request?: Record<string, unknown>): Promise<void>;
      stopPropagation(keep: boolean): void;
    };
    const sam = (window as unknown as { services: { samService: Service } }).services.samService;
    let started = false;
    return new Promise<PropagationState>((resolve) => {
      const sub = sam.subscribe('event::samService:stateChanged', (s) => {
        const p = s.propagation;
        if (!p) return;
        // Only this run's states: the panel still shows the last run's outcome until this one starts.
        if (p.state === 'starting') started = true;
        if (!started) return;
        if (stopAt && p.state === 'running' && (p.done ?? 0) >= stopAt.done) sam.stopPropagation(stopAt.keep);
        if (p.state === 'done' || p.state === 'stopped' || p.state === 'error') {
          sub.unsubscribe();
          resolve(p);
        }
      });
      void sam.propagate(request);
    });
  }, options);
}

export async function undo(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as PageWindow).commandsManager.runCommand('undo'));
}
