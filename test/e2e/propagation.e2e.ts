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
import { boxOn, dice3d, labelmapVolume, propagate, slicesWith, undo } from './support/propagation';
import { openStudyInSamMode } from './support/session';
import { showSliceNear } from './support/viewer';

jest.setTimeout(300_000);

const { columns, rows, originMm, sliceSpacingMm } = DEFAULT_PHANTOM_SPEC.geometry;
const plane = columns * rows;
const labels = computeLabelVolume();
const organ = describeObjects().find((o) => o.id === 'organ')!;
const lesionLabel = describeObjects().find((o) => o.id === 'lesion')!.label;

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
    await boxOn(page, lesion);
    const outcome = await propagate(page);
    expect(outcome.state).toBe('done');
    const volume = await labelmapVolume(page);
    const score = dice3d(volume, 2, labels, lesionLabel);
    console.log(`lesion propagated: 3D Dice ${score.toFixed(3)}, ${outcome.kept} slices beyond the start`);
    expect(score).toBeGreaterThanOrEqual(0.95);
    // Segment 1 is where it was, every voxel of it, though the lesion's mask covers it.
    expect(slicesWith(volume, 1)).toEqual([otherSegment.slice]);
    expect(count(volume, (v) => v === 1)).toBe(otherSegment.voxels);
  });

  it('one Undo takes the whole run back (the start slice included); segment 1 stays', async () => {
    await undo(page);
    const volume = await labelmapVolume(page);
    expect(count(volume, (v) => v === 2)).toBe(0);
    expect(count(volume, (v) => v === 1)).toBe(otherSegment.voxels);
  });

  it('Stop mid-run, discarding: only the start slice stays (as an accept would)', async () => {
    await boxOn(page, organ);
    const outcome = await propagate(page, { stopAt: { done: 3, keep: false } });
    expect(outcome).toMatchObject({ state: 'stopped', kept: 0 });
    const volume = await labelmapVolume(page);
    expect(slicesWith(volume, 2)).toEqual([Math.round(organ.centerVoxel[2]!)]);
    await undo(page);
  });

  it('Stop mid-run, keeping: the slices done stay, as one undoable step', async () => {
    await boxOn(page, organ);
    const outcome = await propagate(page, { stopAt: { done: 3, keep: true } });
    expect(outcome).toMatchObject({ state: 'stopped', kept: 3 });
    const volume = await labelmapVolume(page);
    expect(slicesWith(volume, 2)).toHaveLength(4); // the start slice and the three done
    await undo(page);
    expect(count(await labelmapVolume(page), (v) => v === 2)).toBe(0);
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
