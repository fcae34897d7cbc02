/**
 * Accepting SAM masks into labelmap segments in the real viewer, and the DICOM SEG export: the
 * phantom CT in the SAM mode, a mask on the lesion slice accepted through samService.acceptMask,
 * the segment in OHIF's segmentation panel, the labelmap voxels equal to the mask, other segments'
 * voxels kept, undo (ours and OHIF's Undo button), and the SEG from samService.exportSeg read back
 * in Node with dcmjs.
 *
 * The mask is the model's answer to a click on the lesion when a model is ready; without one (no
 * weights on the machine) it is the lesion's disc built here. Either way the assertions compare the
 * labelmap with the mask that was accepted.
 */
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import type { RunningServer } from '../../viewer/server';
import { STATE_TIMEOUT_MS, samProblems, type PageProblem } from './support/browser';
import {
  accept,
  composite,
  count,
  disc,
  lesion,
  lesionMask,
  modelSettles,
  phantom,
  readLabelmap,
  SEMIAUTOMATIC,
  segments,
  showSlice,
  type PageWindow,
  type Slice,
} from './support/labelmap';
import { rgbToDicomLab } from '../../extensions/sam-segmentation/src/core/dicomSeg/displayColour';
import { readSeg } from './support/segFile';
import { openStudyInSamMode } from './support/session';

jest.setTimeout(240_000);

/** Waits until `read` gives `expected` (a button's effect lands after its click), then asserts it. */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = STATE_TIMEOUT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

let server: RunningServer;
let browser: Browser;
let page: Page;
let problems: PageProblem[];
let slice: Slice;
let first: Uint8Array;
let second: Uint8Array;
let algorithmName: string;
let acceptOptions: Record<string, unknown>;
let segmentationId: string;

beforeAll(async () => {
  ({ server, browser, page, problems } = await openStudyInSamMode(phantom, 64, { context: { acceptDownloads: true } }));
  // The model loads, or says why it cannot (no weights here): either way the panel settles.
  const modelReady = await modelSettles(page);
  slice = await showSlice(page);
  ({ mask: first, algorithmName, acceptOptions } = await lesionMask(page, slice, modelReady));
  // A second mask overlapping the first: the lesion's disc moved right by its radius.
  second = disc(slice.width, slice.height, lesion.radiiVoxels[0]!);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('accepting masks into labelmap segments', () => {
  it('creates the "SAM" labelmap segmentation on first accept; segment "SAM 1" is in the panel and holds the mask', async () => {
    const accepted = await accept(page, slice, first, acceptOptions);
    segmentationId = accepted.segmentationId;
    expect(accepted).toMatchObject({
      segmentIndex: 1,
      voxelsWritten: count(first),
      voxelsSkipped: 0,
      voxelsUnchanged: 0,
      createdSegmentation: true,
    });

    const labelmap = await readLabelmap(page, segmentationId, slice);
    expect(labelmap.labelmapImageIds).toHaveLength(1);
    expect(labelmap.slice).toEqual(composite(first.length, [first, 1]));
    expect(labelmap.elsewhere).toBe(0);

    expect((await segments(page, segmentationId))?.[1]).toMatchObject({
      label: 'SAM 1',
      algorithmType: SEMIAUTOMATIC,
      algorithmName,
    });

    await page.locator('[data-cy="panelSegmentation-btn"]').click();
    await page.locator('[data-cy="data-row-title"]', { hasText: 'SAM 1' }).waitFor();
  });

  it('keeps the voxels of another segment under a second, overlapping mask, and counts them', async () => {
    const overlap = count(first, (v, i) => v !== 0 && second[i] !== 0);
    expect(overlap).toBeGreaterThan(0);
    const accepted = await accept(page, slice, second, { ...acceptOptions, newSegment: true });
    expect(accepted).toMatchObject({
      segmentationId,
      segmentIndex: 2,
      voxelsWritten: count(second) - overlap,
      voxelsSkipped: overlap,
      createdSegment: true,
    });
    const labelmap = await readLabelmap(page, segmentationId, slice);
    expect(labelmap.slice).toEqual(composite(first.length, [second, 2], [first, 1]));
    expect(labelmap.elsewhere).toBe(0);
    await page.locator('[data-cy="data-row-title"]', { hasText: 'SAM 2' }).waitFor();
    // OHIF's segment statistics run a second after a data change and write back the segments they
    // read before: segment 2, added meanwhile, must still be there (and active) once they are done.
    await page.waitForTimeout(3_000);
    expect(await segments(page, segmentationId)).toEqual({
      1: expect.objectContaining({ label: 'SAM 1', algorithmType: SEMIAUTOMATIC, algorithmName, active: false }),
      2: expect.objectContaining({ label: 'SAM 2', algorithmType: SEMIAUTOMATIC, algorithmName, active: true }),
    });
    expect(await page.locator('[data-cy="data-row-title"]').allTextContents()).toEqual(['SAM 1', 'SAM 2']);
  });

  it('overwrites another segment only when asked; undo (ours, then OHIF’s Undo button) restores the voxels', async () => {
    const overlap = count(first, (v, i) => v !== 0 && second[i] !== 0);
    const overwritten = await accept(page, slice, second, { ...acceptOptions, segmentIndex: 2, overwrite: true });
    expect(overwritten).toMatchObject({
      segmentIndex: 2,
      voxelsWritten: overlap,
      voxelsSkipped: 0,
      createdSegment: false,
    });
    expect((await readLabelmap(page, segmentationId, slice)).slice).toEqual(
      composite(first.length, [first, 1], [second, 2]),
    );

    const undone = await page.evaluate(() => (window as unknown as PageWindow).services.samService.undoLastAccept());
    expect(undone).toMatchObject({ segmentationId, segmentIndex: 2 });
    expect((await readLabelmap(page, segmentationId, slice)).slice).toEqual(
      composite(first.length, [second, 2], [first, 1]),
    );

    // The viewer's own Undo takes back the accept before (segment 2's mask), its Redo brings it back.
    await page.locator('[data-cy="undo-btn"]').click();
    await eventually(
      async () => (await readLabelmap(page, segmentationId, slice)).slice,
      composite(first.length, [first, 1]),
    );
    await page.locator('[data-cy="redo-btn"]').click();
    await eventually(
      async () => (await readLabelmap(page, segmentationId, slice)).slice,
      composite(first.length, [second, 2], [first, 1]),
    );

    expect(
      await page.evaluate(() => (window as unknown as PageWindow).services.samService.undoLastAccept()),
    ).toMatchObject({ segmentIndex: 2 });
    const labelmap = await readLabelmap(page, segmentationId, slice);
    expect(labelmap.slice).toEqual(composite(first.length, [first, 1]));
    expect(labelmap.elsewhere).toBe(0);
  });
});

describe('DICOM SEG export', () => {
  it('gives a SEG that dcmjs reads: SEMIAUTOMATIC, the algorithm name, and the mask as the lesion slice’s frame', async () => {
    const exported = await page.evaluate(async () => {
      const { bytes, fileName } = await (window as unknown as PageWindow).services.samService.exportSeg();
      return { bytes: Array.from(new Uint8Array(bytes)), fileName };
    });
    expect(exported.fileName).toBe('SAM_segmentation.dcm');
    const { seg, frames, segments } = readSeg(Uint8Array.from(exported.bytes));
    expect(seg).toMatchObject({
      Modality: 'SEG',
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.4',
      SegmentationType: 'BINARY',
    });
    expect(segments.find((s) => Number(s.SegmentNumber) === 1)).toMatchObject({
      SegmentLabel: 'SAM 1',
      SegmentAlgorithmType: SEMIAUTOMATIC,
      SegmentAlgorithmName: algorithmName,
    });
    for (const s of segments) expect(s.SegmentAlgorithmType).toBe(SEMIAUTOMATIC);

    // Only the lesion slice has voxels: one frame, referencing it, equal to the mask (segment number 1).
    expect(frames.map((f) => f.referencedSopInstanceUID)).toEqual([slice.sopInstanceUID]);
    expect(Array.from(frames[0]!.pixels)).toEqual(composite(first.length, [first, 1]));
  });

  it('downloads the same SEG as a file, and says so in the panel state', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate(() => (window as unknown as PageWindow).services.samService.downloadSeg()),
    ]);
    expect(download.suggestedFilename()).toBe('SAM_segmentation.dcm');
    const { segments, frames } = readSeg(readFileSync(await download.path()));
    expect(segments.find((s) => Number(s.SegmentNumber) === 1)).toMatchObject({
      SegmentAlgorithmType: SEMIAUTOMATIC,
      SegmentAlgorithmName: algorithmName,
    });
    expect(Array.from(frames[0]!.pixels)).toEqual(composite(first.length, [first, 1]));
    const state = await page.evaluate(
      () =>
        (
          window as unknown as { services: { samService: { getState(): { segStore?: unknown } } } }
        ).services.samService.getState().segStore,
    );
    expect(state).toEqual({ state: 'downloaded', fileName: 'SAM_segmentation.dcm' });
  });
});

describe('accepts started together', () => {
  it('create one SAM segmentation for the series, not two', async () => {
    const results = await page.evaluate(
      async ({ slice, a, b, options, previous }) => {
        const { samService, segmentationService } = (window as unknown as PageWindow).services;
        segmentationService.remove(previous); // the next accept starts a new SAM segmentation
        const mask = (m: number[]) => ({ ...slice, mask: Uint8Array.from(m) });
        const accepted = await Promise.all([
          samService.acceptMask(mask(a), { ...options, newSegment: true }),
          samService.acceptMask(mask(b), { ...options, newSegment: true }),
        ]);
        return { accepted, labels: segmentationService.getSegmentations().map((s) => s.label) };
      },
      {
        slice,
        a: Array.from(disc(slice.width, slice.height, -40)),
        b: Array.from(disc(slice.width, slice.height, 40)),
        options: acceptOptions,
        previous: segmentationId,
      },
    );
    const [a, b] = results.accepted;
    expect(a!.segmentationId).not.toBe(segmentationId);
    expect([a!.createdSegmentation, b!.createdSegmentation, b!.segmentationId]).toEqual([
      true,
      false,
      a!.segmentationId,
    ]);
    expect([a!.segmentIndex, b!.segmentIndex]).toEqual([1, 2]);
    expect(results.labels).toEqual(['SAM']);
  });
});

describe('New segment in the SAM panel', () => {
  it('adds a named segment that the next accept writes into, keeping the first segment’s voxels', async () => {
    const panel = page.locator('[data-testid="sam-segment-target"]');
    // A series with no SAM segmentation: the panel says the first accept makes "SAM 1".
    await page.evaluate(() => {
      const { segmentationService } = (window as unknown as PageWindow).services;
      for (const s of segmentationService.getSegmentations()) segmentationService.remove(s.segmentationId);
    });
    await page.locator('[data-cy="samPanel-btn"]').click();
    await page.locator('[data-testid="sam-segment-target"][data-exists="0"]').waitFor();
    expect(await panel.locator('[data-testid="sam-target-label"]').textContent()).toContain(
      'a new segment "SAM 1" will be created',
    );

    const firstAccept = await accept(page, slice, first, acceptOptions);
    expect(firstAccept).toMatchObject({ segmentIndex: 1, createdSegmentation: true });
    const id = firstAccept.segmentationId;
    await page.locator('[data-testid="sam-segment-target"][data-exists="1"][data-label="SAM 1"]').waitFor();
    expect(await page.locator('[data-testid="sam-new-segment-name"]').getAttribute('placeholder')).toBe('SAM 2');

    await page.locator('[data-testid="sam-new-segment-name"]').fill('Kidney');
    await page.locator('[data-testid="sam-new-segment"]').click();
    await page.locator('[data-testid="sam-segment-target"][data-exists="1"][data-label="Kidney"]').waitFor();
    expect(await panel.locator('[data-testid="sam-target-label"]').textContent()).toContain('Kidney');
    expect(await panel.locator('[data-testid="sam-target-color"]').getAttribute('data-color')).toMatch(/^\d+,\d+,\d+$/);

    const overlap = count(first, (v, i) => v !== 0 && second[i] !== 0);
    const kidney = await accept(page, slice, second, acceptOptions);
    expect(kidney).toMatchObject({
      segmentationId: id,
      segmentIndex: 2,
      createdSegment: false,
      voxelsWritten: count(second) - overlap,
      voxelsSkipped: overlap,
    });
    const labelmap = await readLabelmap(page, id, slice);
    expect(labelmap.slice).toEqual(composite(first.length, [second, 2], [first, 1]));
    expect(labelmap.elsewhere).toBe(0);

    // OHIF's segment statistics pass after the second accept (see segmentGuard.ts) has written back
    // its segments: both are still there, the new one named and active.
    await page.waitForFunction(
      (id) =>
        (window as unknown as PageWindow).services.segmentationService.getSegmentation(id)?.segments[2]?.cachedStats
          ?.namedStats !== undefined,
      id,
    );
    expect(await segments(page, id)).toEqual({
      1: expect.objectContaining({ label: 'SAM 1', algorithmType: SEMIAUTOMATIC, algorithmName, active: false }),
      2: expect.objectContaining({ label: 'Kidney', algorithmType: SEMIAUTOMATIC, algorithmName, active: true }),
    });
    expect((await readLabelmap(page, id, slice)).slice).toEqual(composite(first.length, [second, 2], [first, 1]));
    await page.locator('[data-testid="sam-segment-target"][data-label="Kidney"]').waitFor();
  });

  it('takes a colour from the panel’s list, and works as the command newSamSegment (default name "SAM n")', async () => {
    await page.locator('[data-testid="sam-new-segment-color-blue"]').click();
    await page.locator('[data-testid="sam-new-segment-name"]').fill('Liver');
    await page.locator('[data-testid="sam-new-segment"]').click();
    await page.locator('[data-testid="sam-segment-target"][data-label="Liver"]').waitFor();
    await page.locator('[data-testid="sam-target-color"][data-color="0,130,200"]').waitFor();

    const made = await page.evaluate(() =>
      (window as unknown as PageWindow).commandsManager.runCommand('newSamSegment'),
    );
    expect(made).toMatchObject({ segmentIndex: 4, label: 'SAM 4', createdSegmentation: false });
    await page.locator('[data-testid="sam-segment-target"][data-label="SAM 4"]').waitFor();
    const labels = Object.values((await segments(page, (made as { segmentationId: string }).segmentationId)) ?? {});
    expect(labels.map((s) => [s.label, s.active])).toEqual([
      ['SAM 1', false],
      ['Kidney', false],
      ['Liver', false],
      ['SAM 4', true],
    ]);
  });

  it('renames and recolours the segment written into: OHIF lists it so, and the SEG says so', async () => {
    // Voxels for "SAM 4", beside the others (a segment without voxels is not in the SEG).
    const left = disc(slice.width, slice.height, -2.5 * lesion.radiiVoxels[0]!);
    const written = await accept(page, slice, left, acceptOptions);
    expect(written).toMatchObject({ segmentIndex: 4 });
    const { segmentationId } = written;

    // An empty name is refused in words, and Cancel leaves the segment as it was.
    await page.locator('[data-testid="sam-edit-segment"]').click();
    await page.locator('[data-testid="sam-edit-segment-name"]').fill('  ');
    await page.locator('[data-testid="sam-edit-segment-save"]').click();
    expect(await page.locator('[data-testid="sam-segment-target-error"]').textContent()).toBe(
      'Renaming the segment failed: A segment needs a name: type one, or Cancel.',
    );
    await page.locator('[data-testid="sam-edit-segment-cancel"]').click();
    await page.locator('[data-testid="sam-edit-segment-form"]').waitFor({ state: 'detached' });
    await page.locator('[data-testid="sam-segment-target"][data-label="SAM 4"]').waitFor();

    await page.locator('[data-testid="sam-edit-segment"]').click();
    await page.locator('[data-testid="sam-edit-segment-name"]').fill('Spleen');
    await page.locator('[data-testid="sam-edit-segment-color-green"]').click();
    await page.locator('[data-testid="sam-edit-segment-save"]').click();
    await page.locator('[data-testid="sam-segment-target"][data-label="Spleen"]').waitFor();
    await page.locator('[data-testid="sam-target-color"][data-color="60,180,75"]').waitFor();
    await page.locator('[data-testid="sam-edit-segment-form"]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="sam-segment-target-error"]').count()).toBe(0);
    expect((await segments(page, segmentationId))?.[4]).toMatchObject({ label: 'Spleen', active: true });
    await page.locator('[data-cy="panelSegmentation-btn"]').click();
    await page.locator('[data-cy="data-row-title"]', { hasText: 'Spleen' }).waitFor();
    await page.locator('[data-cy="samPanel-btn"]').click();

    const exported = await page.evaluate(async () => {
      const { bytes } = await (window as unknown as PageWindow).services.samService.exportSeg();
      return Array.from(new Uint8Array(bytes));
    });
    const spleen = readSeg(Uint8Array.from(exported)).segments.find((s) => s.SegmentLabel === 'Spleen');
    expect(spleen).toBeDefined();
    expect((spleen!.RecommendedDisplayCIELabValue as number[]).map(Number)).toEqual(rgbToDicomLab([60, 180, 75]));
  });
});

describe('the page', () => {
  it('raised no errors from the SAM extension', () => {
    expect(samProblems(problems)).toEqual([]);
  });
});
