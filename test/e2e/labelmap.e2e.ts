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
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { startServer, type RunningServer } from '../../viewer/server';
import { SAMPLE_STUDIES, PHANTOM_TRUTH } from '../../viewer/samples';
import { algorithmNameFor } from '../../extensions/sam-segmentation/src/ohif/labelmap/samSegmentation';
import { launchChromium, recordProblems, samProblems, type PageProblem } from './support/browser';
import { waitForDisplayedStack } from './support/viewer';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '..', '..');
const phantom = SAMPLE_STUDIES.find((s) => s.id === 'phantom-ct')!;
const truth = JSON.parse(readFileSync(join(ROOT, 'viewer', 'samples', PHANTOM_TRUTH), 'utf8')) as {
  objects: Array<{ id: string; centerVoxel: [number, number, number]; centerMm: number[]; radiiVoxels: number[] }>;
};
const lesion = truth.objects.find((o) => o.id === 'lesion')!;
const manifest = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8')) as {
  models: Array<{ id: string; name: string; version: string }>;
};
/** SegmentAlgorithmName given when no model is loaded and the mask is the disc built here. */
const DISC_ALGORITHM = 'Lesion disc (e2e test)';
const SEMIAUTOMATIC = 'SEMIAUTOMATIC';
const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

/** The page's objects the test uses (OHIF puts them on window). */
interface PageWindow {
  cornerstone: {
    cache: { getImage(id: string): { getPixelData(): ArrayLike<number> } | undefined };
    metaData: { get(type: string, imageId: string): Record<string, unknown> | undefined };
  };
  cornerstoneTools: {
    segmentation: {
      getLabelmapImageIds(segmentationId: string): string[];
      getLabelmapImageIdsForImageId(imageId: string, segmentationId: string): string[];
    };
  };
  services: {
    viewportGridService: { getActiveViewportId(): string };
    cornerstoneViewportService: {
      getCornerstoneViewport(id: string): {
        getImageIds(): string[];
        getCurrentImageId(): string;
        setImageIdIndex(i: number): Promise<void>;
      };
    };
    segmentationService: {
      remove(id: string): void;
      getSegmentations(): Array<{ label: string }>;
      getSegmentation(id: string): {
        segments: Record<string, { label: string; active: boolean; algorithmType?: string; algorithmName?: string }>;
      };
    };
    samService: {
      getState(): { model: { state: string; model?: { id: string } } };
      segment(
        p: unknown,
      ): Promise<{ mask: Uint8Array; width: number; height: number; imageId: string; viewportId: string }>;
      acceptMask(result: unknown, options?: Record<string, unknown>): Promise<AcceptResult>;
      undoLastAccept(): { segmentationId: string; segmentIndex: number } | undefined;
      exportSeg(target?: { segmentationId?: string }): Promise<{ bytes: ArrayBuffer; fileName: string }>;
      downloadSeg(target?: { segmentationId?: string }): Promise<void>;
    };
  };
}

interface AcceptResult {
  segmentationId: string;
  segmentIndex: number;
  voxelsWritten: number;
  voxelsSkipped: number;
  voxelsUnchanged: number;
  createdSegmentation: boolean;
  createdSegment: boolean;
}

interface Slice {
  imageId: string;
  viewportId: string;
  sopInstanceUID: string;
  width: number;
  height: number;
}

/** The lesion's cross-section through its centre, shifted by `dx` voxels: a disc of its in-plane radius. */
function disc(width: number, height: number, dx = 0): Uint8Array {
  const mask = new Uint8Array(width * height);
  const [cx, cy] = lesion.centerVoxel;
  const r = lesion.radiiVoxels[0]!;
  for (let j = 0; j < height; j++)
    for (let i = 0; i < width; i++)
      mask[j * width + i] = (i + 0.5 - cx - dx) ** 2 + (j + 0.5 - cy) ** 2 <= r * r ? 1 : 0;
  return mask;
}

const count = (a: ArrayLike<number>, f: (v: number, i: number) => boolean = (v) => v !== 0) =>
  Array.prototype.filter.call(a, f).length;

/** Expected labelmap values: each layer's value where its mask is set, later layers on top. */
function composite(size: number, ...layers: Array<[Uint8Array, number]>): number[] {
  const out = new Array<number>(size).fill(0);
  for (const [mask, value] of layers) for (let i = 0; i < size; i++) if (mask[i]) out[i] = value;
  return out;
}

/** Waits until `read` gives `expected` (a button's effect lands after its click), then asserts it. */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

/** Shows the slice through the lesion's centre (found by its z position). */
async function showLesionSlice(page: Page): Promise<Slice> {
  return page.evaluate(async (zMm) => {
    const w = window as unknown as PageWindow;
    const { viewportGridService, cornerstoneViewportService } = w.services;
    const viewportId = viewportGridService.getActiveViewportId();
    const viewport = cornerstoneViewportService.getCornerstoneViewport(viewportId);
    const z = (id: string) =>
      (w.cornerstone.metaData.get('imagePlaneModule', id)!.imagePositionPatient as number[])[2]!;
    await viewport.setImageIdIndex(viewport.getImageIds().findIndex((id) => Math.abs(z(id) - zMm) < 0.5));
    const imageId = viewport.getCurrentImageId();
    const pixel = w.cornerstone.metaData.get('imagePixelModule', imageId)!;
    return {
      imageId,
      viewportId,
      sopInstanceUID: w.cornerstone.metaData.get('sopCommonModule', imageId)!.sopInstanceUID as string,
      width: pixel.columns as number,
      height: pixel.rows as number,
    };
  }, lesion.centerMm[2]!);
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

async function accept(page: Page, slice: Slice, mask: Uint8Array, options: Record<string, unknown>) {
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

/** Every labelmap image of the segmentation: the lesion slice's values, and the non-zero count of the others. */
async function readLabelmap(page: Page, segmentationId: string, imageId: string) {
  const read = await page.evaluate(
    ({ segmentationId, imageId }) => {
      const { cornerstone, cornerstoneTools } = window as unknown as PageWindow;
      const own = cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(imageId, segmentationId);
      let elsewhere = 0;
      for (const id of cornerstoneTools.segmentation.getLabelmapImageIds(segmentationId)) {
        if (own.includes(id)) continue;
        const data = cornerstone.cache.getImage(id)!.getPixelData();
        for (let i = 0; i < data.length; i++) if (data[i]) elsewhere++;
      }
      // One character per voxel: a string crosses to Node far faster than an array of numbers.
      const pixels = Array.from(cornerstone.cache.getImage(own[0]!)!.getPixelData());
      let slice = '';
      for (let i = 0; i < pixels.length; i += 8192) slice += String.fromCharCode(...pixels.slice(i, i + 8192));
      return { labelmapImageIds: own, slice, elsewhere };
    },
    { segmentationId, imageId },
  );
  return { ...read, slice: Array.from(read.slice, (c) => c.charCodeAt(0)) };
}

/** The segmentation's segments as Cornerstone holds them. */
async function segments(page: Page, segmentationId: string) {
  return page.evaluate(
    (id) => (window as unknown as PageWindow).services.segmentationService.getSegmentation(id).segments,
    segmentationId,
  );
}

/** Decodes one DICOM RLE Lossless frame of 8-bit single-sample pixels (PS3.5 annex G). */
function decodeRle(frame: ArrayBuffer, size: number): Uint8Array {
  const header = new DataView(frame);
  expect(header.getUint32(0, true)).toBe(1); // one segment: 8 bits, one sample
  const bytes = new Uint8Array(frame);
  const out = new Uint8Array(size);
  let o = 0;
  for (let p = header.getUint32(4, true); p < bytes.length && o < size;) {
    const n = (bytes[p++]! << 24) >> 24;
    if (n >= 0) for (let k = 0; k <= n; k++) out[o++] = bytes[p++]!;
    else if (n !== -128) out.fill(bytes[p++]!, o, (o += 1 - n));
  }
  return out;
}

interface SegFrame {
  referencedSopInstanceUID: string;
  pixels: Uint8Array;
}

/** Reads a SEG file with dcmjs: its dataset and its frames, each with the source image it labels. */
function readSeg(bytes: Uint8Array) {
  const dict = dcmjs.data.DicomMessage.readFile(new Uint8Array(bytes).buffer);
  const seg = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
  const transferSyntax = (dict.meta['00020010']?.Value as string[])[0]!;
  const rows = seg.Rows as number;
  const columns = seg.Columns as number;
  type Item = Record<string, unknown>;
  const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
  const perFrame = asArray(seg.PerFrameFunctionalGroupsSequence as Item | Item[]);
  const pixelData = asArray(seg.PixelData as ArrayBuffer | ArrayBuffer[]);
  const frames: SegFrame[] = perFrame.map((item, f) => {
    const derivation = asArray(item.DerivationImageSequence as Item | Item[])[0]!;
    const source = asArray(derivation.SourceImageSequence as Item | Item[])[0]!;
    const pixels =
      transferSyntax === RLE_LOSSLESS
        ? decodeRle(pixelData[f]!, rows * columns)
        : new Uint8Array(pixelData[0]!, f * rows * columns, rows * columns);
    return { referencedSopInstanceUID: source.ReferencedSOPInstanceUID as string, pixels };
  });
  const segments = asArray(seg.SegmentSequence as Item | Item[]);
  return { seg, transferSyntax, frames, segments };
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
  server = await startServer({ port: 0 });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true })).newPage();
  problems = recordProblems(page);
  await page.goto(`${server.url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
  await waitForDisplayedStack(page, 64);
  // The model loads, or says why it cannot (no weights here): either way the panel settles.
  const model = page.locator(
    '[data-testid="sam-model"][data-state="ready"], [data-testid="sam-model"][data-state="error"]',
  );
  await model.waitFor({ timeout: 120_000 });
  const modelReady = (await model.getAttribute('data-state')) === 'ready';

  slice = await showLesionSlice(page);
  const modelId = await page.evaluate(
    () => (window as unknown as PageWindow).services.samService.getState().model.model?.id,
  );
  const samMask = modelReady ? await samMaskOfLesion(page) : undefined;
  if (samMask && count(samMask) > 0) {
    first = samMask;
    const entry = manifest.models.find((m) => m.id === modelId)!;
    algorithmName = algorithmNameFor(entry);
    acceptOptions = {};
  } else {
    first = disc(slice.width, slice.height);
    algorithmName = DISC_ALGORITHM;
    acceptOptions = { algorithmName };
  }
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

    const labelmap = await readLabelmap(page, segmentationId, slice.imageId);
    expect(labelmap.labelmapImageIds).toHaveLength(1);
    expect(labelmap.slice).toEqual(composite(first.length, [first, 1]));
    expect(labelmap.elsewhere).toBe(0);

    expect((await segments(page, segmentationId))[1]).toMatchObject({
      label: 'SAM 1',
      algorithmType: SEMIAUTOMATIC,
      algorithmName,
    });

    await page.locator('[data-cy="panelSegmentation-btn"]').click();
    await page.locator('[data-cy="data-row-title"]', { hasText: 'SAM 1' }).waitFor({ timeout: 10_000 });
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
    const labelmap = await readLabelmap(page, segmentationId, slice.imageId);
    expect(labelmap.slice).toEqual(composite(first.length, [second, 2], [first, 1]));
    expect(labelmap.elsewhere).toBe(0);
    await page.locator('[data-cy="data-row-title"]', { hasText: 'SAM 2' }).waitFor({ timeout: 10_000 });
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
    expect((await readLabelmap(page, segmentationId, slice.imageId)).slice).toEqual(
      composite(first.length, [first, 1], [second, 2]),
    );

    const undone = await page.evaluate(() => (window as unknown as PageWindow).services.samService.undoLastAccept());
    expect(undone).toMatchObject({ segmentationId, segmentIndex: 2 });
    expect((await readLabelmap(page, segmentationId, slice.imageId)).slice).toEqual(
      composite(first.length, [second, 2], [first, 1]),
    );

    // The viewer's own Undo takes back the accept before (segment 2's mask), its Redo brings it back.
    await page.locator('[data-cy="undo-btn"]').click();
    await eventually(
      async () => (await readLabelmap(page, segmentationId, slice.imageId)).slice,
      composite(first.length, [first, 1]),
    );
    await page.locator('[data-cy="redo-btn"]').click();
    await eventually(
      async () => (await readLabelmap(page, segmentationId, slice.imageId)).slice,
      composite(first.length, [second, 2], [first, 1]),
    );

    expect(
      await page.evaluate(() => (window as unknown as PageWindow).services.samService.undoLastAccept()),
    ).toMatchObject({ segmentIndex: 2 });
    const labelmap = await readLabelmap(page, segmentationId, slice.imageId);
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
    expect(exported.fileName).toBe('SAM.dcm');
    const { seg, frames, segments } = readSeg(Uint8Array.from(exported.bytes));
    expect(seg.Modality).toBe('SEG');
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

  it('downloads the same SEG through OHIF’s own download', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.evaluate(() => (window as unknown as PageWindow).services.samService.downloadSeg()),
    ]);
    expect(download.suggestedFilename()).toBe('SAM.dcm');
    const { segments, frames } = readSeg(readFileSync(await download.path()));
    expect(segments.find((s) => Number(s.SegmentNumber) === 1)).toMatchObject({
      SegmentAlgorithmType: SEMIAUTOMATIC,
      SegmentAlgorithmName: algorithmName,
    });
    expect(Array.from(frames[0]!.pixels)).toEqual(composite(first.length, [first, 1]));
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

describe('the page', () => {
  it('raised no errors from the SAM extension', () => {
    expect(samProblems(problems)).toEqual([]);
  });
});
