/**
 * Propagate in the real viewer, on the 64-slice CT phantom with the default model: a box on the
 * central slice of the lesion sphere, Propagate, and the sphere is segmented in 3D; one Undo takes
 * the whole run back; another segment's voxels are never written over; Stop keeps or discards.
 */
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../viewer/server';
import { DEFAULT_PHANTOM_SPEC, computeLabelVolume, describeObjects } from '../../viewer/samples/phantom';
import { samProblems, type PageProblem } from './support/browser';
import { count, lesion, phantom, type PageWindow } from './support/labelmap';
import { openStudyInSamMode } from './support/session';
import { imageToPage, showSliceNear } from './support/viewer';

jest.setTimeout(300_000);

const { columns, rows, slices, originMm, sliceSpacingMm } = DEFAULT_PHANTOM_SPEC.geometry;
const plane = columns * rows;
const labels = computeLabelVolume();
const organ = describeObjects().find((o) => o.id === 'organ')!;
const lesionLabel = describeObjects().find((o) => o.id === 'lesion')!.label;

let server: RunningServer;
let browser: Browser;
let page: Page;
let problems: PageProblem[];

interface PropagationState {
  state: string;
  kept?: number;
  done?: number;
}

/** The SAM segmentation's labelmap over the whole series, in the phantom's slice order (k). */
async function labelmapVolume(): Promise<Uint8Array> {
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

function dice3d(volume: Uint8Array, segment: number, label: number): number {
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

const slicesWith = (volume: Uint8Array, segment: number) =>
  Array.from({ length: slices }, (_, k) => k).filter((k) =>
    volume.subarray(k * plane, (k + 1) * plane).some((v) => v === segment),
  );

/** Draws a SAM box around an object on the slice through its centre and waits for the preview. */
async function boxOn(object: {
  centerMm: readonly number[];
  centerVoxel: readonly number[];
  radiiVoxels: readonly number[];
}): Promise<void> {
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
  await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor({ timeout: 60_000 });
}

/** Resolves with the propagation's final state; `stopAt` stops it (keeping or not) once that many slices are in. */
async function propagate(options: { stopAt?: { done: number; keep: boolean } } = {}): Promise<PropagationState> {
  return page.evaluate(({ stopAt }) => {
    type Service = {
      getState(): { propagation?: PropagationState };
      subscribe(event: string, f: (s: { propagation?: PropagationState }) => void): { unsubscribe(): void };
      propagate(): Promise<void>;
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
      void sam.propagate();
    });
  }, options);
}

async function undo(): Promise<void> {
  await page.evaluate(() => (window as unknown as PageWindow).commandsManager.runCommand('undo'));
}

beforeAll(async () => {
  ({ server, browser, page, problems } = await openStudyInSamMode(phantom, 64));
  await page.locator('[data-testid="sam-model"][data-state="ready"]').waitFor({ timeout: 120_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Propagate through the series (default model, CT phantom)', () => {
  let otherSegment: { voxels: number; slice: number };

  beforeAll(async () => {
    // Another segment first: a small square inside the lesion on a slice off its centre (segment 1),
    // then a new segment 2, active, for the lesion.
    const k = Math.round(lesion.centerVoxel[2]!) - 2;
    const other = new Uint8Array(plane);
    const [cx, cy] = lesion.centerVoxel;
    for (let y = Math.round(cy) - 3; y < Math.round(cy) + 3; y++)
      for (let x = Math.round(cx) - 3; x < Math.round(cx) + 3; x++) other[y * columns + x] = 1;
    await showSliceNear(page, originMm[2] + k * sliceSpacingMm);
    await page.evaluate(
      async ({ mask, width, height }) => {
        const w = window as unknown as PageWindow & {
          services: {
            segmentationService: {
              addSegment(id: string, config: Record<string, unknown>): void;
              setActiveSegment(id: string, index: number): void;
            };
          };
        };
        const { services } = w;
        const viewportId = services.viewportGridService.getActiveViewportId();
        const imageId = services.cornerstoneViewportService.getCornerstoneViewport(viewportId).getCurrentImageId();
        const result = await services.samService.acceptMask({
          mask: Uint8Array.from(mask),
          width,
          height,
          imageId,
          viewportId,
        });
        services.segmentationService.addSegment(result.segmentationId, { segmentIndex: 2, label: 'Lesion' });
        services.segmentationService.setActiveSegment(result.segmentationId, 2);
      },
      { mask: Array.from(other), width: columns, height: rows },
    );
    otherSegment = { voxels: count(other), slice: k };
  });

  it('a box on the lesion’s central slice, Propagate: the sphere in 3D with Dice ≥ 0.95, the other segment untouched', async () => {
    await boxOn(lesion);
    const outcome = await propagate();
    expect(outcome.state).toBe('done');
    const volume = await labelmapVolume();
    const score = dice3d(volume, 2, lesionLabel);
    console.log(`lesion propagated: 3D Dice ${score.toFixed(3)}, ${outcome.kept} slices beyond the start`);
    expect(score).toBeGreaterThanOrEqual(0.95);
    // Segment 1 is where it was, every voxel of it, though the lesion's mask covers it.
    expect(slicesWith(volume, 1)).toEqual([otherSegment.slice]);
    expect(count(volume, (v) => v === 1)).toBe(otherSegment.voxels);
  });

  it('one Undo takes the whole run back (the start slice included); segment 1 stays', async () => {
    await undo();
    const volume = await labelmapVolume();
    expect(count(volume, (v) => v === 2)).toBe(0);
    expect(count(volume, (v) => v === 1)).toBe(otherSegment.voxels);
  });

  it('Stop mid-run, discarding: only the start slice stays (as an accept would)', async () => {
    await boxOn(organ);
    const outcome = await propagate({ stopAt: { done: 3, keep: false } });
    expect(outcome).toMatchObject({ state: 'stopped', kept: 0 });
    const volume = await labelmapVolume();
    expect(slicesWith(volume, 2)).toEqual([Math.round(organ.centerVoxel[2]!)]);
    await undo();
  });

  it('Stop mid-run, keeping: the slices done stay, as one undoable step', async () => {
    await boxOn(organ);
    const outcome = await propagate({ stopAt: { done: 3, keep: true } });
    expect(outcome).toMatchObject({ state: 'stopped', kept: 3 });
    const volume = await labelmapVolume();
    expect(slicesWith(volume, 2)).toHaveLength(4); // the start slice and the three done
    await undo();
    expect(count(await labelmapVolume(), (v) => v === 2)).toBe(0);
  });

  it('says what to do when there is nothing to propagate on the slice', async () => {
    await showSliceNear(page, originMm[2]); // the first slice: no mask there
    await page.keyboard.press('p');
    const error = page.locator('[data-testid="sam-preview"][data-state="error"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Nothing to propagate on this slice/);
    await page.keyboard.press('Escape');
  });

  it('raised no errors from the SAM extension', () => {
    expect(samProblems(problems)).toEqual([]);
  });
});
