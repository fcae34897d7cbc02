/**
 * The DICOM SEG round trip through OHIF: masks accepted into the SAM labelmap of the phantom CT are
 * stored from the SAM panel (series name, creator and a segment type chosen there; STOW-RS to the
 * demo's DICOMweb endpoint, after a first attempt the server refused, which must lose nothing);
 * the page is reloaded, so nothing of the session is left; OHIF lists the
 * stored SEG with the study, and opening it as a user does (double-click its thumbnail, answer Yes
 * to "Do you want to open this Segmentation?") loads it from the server into a labelmap whose
 * voxels must equal the accepted masks, slice for slice, with the segments' algorithm fields.
 */
import type { Browser, Page } from 'playwright-core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  openStoredSeg,
  phantom,
  readLabelmapSlices,
  SEMIAUTOMATIC,
  segments,
  showSlice,
  type PageWindow,
  type Slice,
} from './support/labelmap';
import { readSeg } from './support/segFile';
import { waitForDisplayedStack } from './support/viewer';
import { openStudyInSamMode } from './support/session';

jest.setTimeout(240_000);

const SERIES_NAME = 'SAM round trip';
const SAMPLES_FOLDER = join(__dirname, '..', '..', 'viewer', 'samples', phantom.folder);

const CREATOR = 'Doe^Jane';
const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

interface StoreResult {
  stored: boolean;
  sopClassUID: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  seriesDescription: string;
  segments: Array<Record<string, unknown>>;
}

let server: RunningServer;
let browser: Browser;
let page: Page;
let problems: PageProblem[];
/** The lesion slice and a slice 4 mm above it, each with the mask accepted there. */
let accepted: Array<{ slice: Slice; mask: Uint8Array; segmentIndex: number; segmentationId: string }>;
let algorithmName: string;
let stored: StoreResult;
const samplesOnDisk = readdirSync(SAMPLES_FOLDER).sort();

beforeAll(async () => {
  ({ server, browser, page, problems } = await openStudyInSamMode(phantom, 64));
  const modelReady = await modelSettles(page);

  const lesionSlice = await showSlice(page);
  const first = await lesionMask(page, lesionSlice, modelReady);
  algorithmName = first.algorithmName;
  const one = await accept(page, lesionSlice, first.mask, first.acceptOptions);
  // A second segment on another slice: the disc moved off the lesion, so its slice and number are checked too.
  const aboveSlice = await showSlice(page, lesion.centerMm[2]! + 4);
  const secondMask = disc(aboveSlice.width, aboveSlice.height, -2 * lesion.radiiVoxels[0]!);
  const two = await accept(page, aboveSlice, secondMask, { ...first.acceptOptions, newSegment: true });
  expect([one.segmentIndex, two.segmentIndex, two.segmentationId]).toEqual([1, 2, one.segmentationId]);
  accepted = [
    { slice: lesionSlice, mask: first.mask, segmentIndex: 1, segmentationId: one.segmentationId },
    { slice: aboveSlice, mask: secondMask, segmentIndex: 2, segmentationId: one.segmentationId },
  ];
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('storing the SAM segmentation as DICOM SEG', () => {
  it('fails in plain words when the PACS refuses, keeps the segmentation, and offers Download', async () => {
    const before = await readLabelmapSlices(page, accepted[0]!.segmentationId, [accepted[0]!.slice.sopInstanceUID]);
    await page.route('**/dicomweb/studies', (route) =>
      route.request().method() === 'POST' ? route.fulfill({ status: 503, body: 'busy' }) : route.fallback(),
    );
    await page.locator('[data-testid="sam-store-seg"]').click();
    const status = page.locator('[data-testid="sam-seg-store"][data-state="error"]');
    await status.waitFor({ timeout: STATE_TIMEOUT_MS });
    expect(await status.locator('[role="alert"]').innerText()).toMatch(
      /Not stored: The PACS failed while storing \(HTTP 503\).*still in the viewer: Download SEG saves it/,
    );
    await page.unroute('**/dicomweb/studies');
    const after = await readLabelmapSlices(page, accepted[0]!.segmentationId, [accepted[0]!.slice.sopInstanceUID]);
    expect(after).toEqual(before);
    const downloaded = page.waitForEvent('download');
    await page.locator('[data-testid="sam-download-seg"]').click();
    await page
      .locator('[data-testid="sam-seg-store"]:not([data-state="error"])')
      .waitFor({ timeout: STATE_TIMEOUT_MS })
      .catch(async () => {
        throw new Error(`no download: ${await page.locator('[data-testid="sam-seg-store"]').innerText()}`);
      });
    const download = await downloaded;
    expect(readSeg(readFileSync(await download.path())).frames.length).toBe(2);
  });

  it('goes to the data source (STOW-RS) as Segmentation Storage, SEMIAUTOMATIC, with the model, creator and types', async () => {
    const posts: string[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && posts.push(r.url())));
    // The type of the active segment (segment 2, written last) is chosen in the panel.
    await page.locator('[data-testid="sam-segment-type"]').selectOption('nodule');
    await page.locator('[data-testid="sam-seg-series"]').fill(SERIES_NAME);
    await page.locator('[data-testid="sam-seg-creator"]').fill(CREATOR);
    await page.locator('[data-testid="sam-store-seg"]').click();
    await page
      .locator('[data-testid="sam-seg-store"][data-state="stored"]', { hasText: SERIES_NAME })
      .waitFor({ timeout: STATE_TIMEOUT_MS });
    stored = await page.evaluate(() => {
      const { samService } = (window as unknown as PageWindow).services;
      const state = (samService as unknown as { getState(): { segStore: { sopInstanceUID: string } } }).getState();
      return { sopInstanceUID: state.segStore.sopInstanceUID } as unknown as StoreResult;
    });
    expect(posts).toEqual([`${server.url}dicomweb/studies`]);

    // What the server holds, read back in Node without OHIF.
    const study = `${server.url}dicomweb/studies/${phantom.StudyInstanceUID}`;
    const series = (await (await fetch(`${study}/series`)).json()) as Array<Record<string, { Value?: unknown[] }>>;
    const listed = series.find((s) => s['0008103E']?.Value?.[0] === SERIES_NAME);
    expect(listed?.['00080060']?.Value).toEqual(['SEG']);
    stored.seriesInstanceUID = String(listed?.['0020000E']?.Value?.[0]);
    stored.seriesDescription = SERIES_NAME;
    const file = await fetch(`${study}/series/${stored.seriesInstanceUID}/instances/${stored.sopInstanceUID}`, {
      headers: { Accept: 'application/dicom' },
    });
    const seg = readSeg(new Uint8Array(await file.arrayBuffer()));
    expect(seg.seg).toMatchObject({ SOPClassUID: SEGMENTATION_STORAGE, StudyInstanceUID: phantom.StudyInstanceUID });
    expect(seg.seg.ContentCreatorName).toEqual([{ Alphabetic: CREATOR }]);
    expect(String(seg.seg.Manufacturer)).toMatch(/OHIF SAM/);
    const typeOf = (s: Record<string, unknown>) =>
      s.SegmentedPropertyTypeCodeSequence as Array<{ CodeMeaning: string }> | { CodeMeaning: string } | undefined;
    const meaning = (v: ReturnType<typeof typeOf>) => (Array.isArray(v) ? v[0]?.CodeMeaning : v?.CodeMeaning);
    expect(
      seg.segments.map((s) => [
        Number(s.SegmentNumber),
        s.SegmentAlgorithmType,
        s.SegmentAlgorithmName,
        meaning(typeOf(s)),
      ]),
    ).toEqual([
      [1, SEMIAUTOMATIC, algorithmName, 'Tissue'],
      [2, SEMIAUTOMATIC, algorithmName, 'Nodule'],
    ]);
    const identification = seg.segments[0]!.SegmentationAlgorithmIdentificationSequence as
      Array<Record<string, unknown>> | Record<string, unknown>;
    expect(Array.isArray(identification) ? identification[0] : identification).toMatchObject({
      AlgorithmName: algorithmName,
    });
    expect(seg.frames.map((f) => f.referencedSopInstanceUID).sort()).toEqual(
      accepted.map((a) => a.slice.sopInstanceUID).sort(),
    );
    // Kept in the server's memory: the sample folder is as it was.
    expect(readdirSync(SAMPLES_FOLDER).sort()).toEqual(samplesOnDisk);
  });
});

describe('the stored SEG loaded again in OHIF', () => {
  let segmentationId: string;

  it('is listed with the study after a reload, and opens (hydrated) from the server onto the CT', async () => {
    await page.reload();
    await waitForDisplayedStack(page, 64);
    const fetched: string[] = [];
    page.on('request', (r) => void (r.url().includes(stored.sopInstanceUID) && fetched.push(r.url())));

    // Hydrated: the viewport shows the CT again, with the SEG's labelmap on it.
    segmentationId = await openStoredSeg(page, stored.seriesInstanceUID, SERIES_NAME);
    await waitForDisplayedStack(page, 64);
    // Loaded from the server (WADO-RS), not from the session that stored it: the page was reloaded.
    expect(fetched.some((url) => url.includes(`/dicomweb/studies/${phantom.StudyInstanceUID}/series/`))).toBe(true);
  });

  it('gives back the accepted voxels: the same count, at the same positions, on the same slices', async () => {
    const read = await readLabelmapSlices(
      page,
      segmentationId,
      accepted.map((a) => a.slice.sopInstanceUID),
    );
    accepted.forEach(({ mask, segmentIndex }, i) => {
      expect(count(mask)).toBeGreaterThan(0);
      expect(count(read.slices[i]!)).toBe(count(mask));
      expect(read.slices[i]).toEqual(composite(mask.length, [mask, segmentIndex]));
    });
    expect(read.elsewhere).toBe(0);
  });

  it('keeps the segments’ labels and algorithm fields (OHIF puts them in cachedStats)', async () => {
    const loaded = await segments(page, segmentationId);
    for (const index of [1, 2]) {
      expect(loaded?.[index]).toMatchObject({
        label: `SAM ${index}`,
        cachedStats: { algorithmType: SEMIAUTOMATIC, algorithmName },
      });
    }
  });

  it('stored again from the viewer, keeps what the SEG said: types, SEMIAUTOMATIC and the model', async () => {
    const again = await page.evaluate(async (id) => {
      const { samService } = (window as unknown as PageWindow).services as unknown as {
        samService: {
          exportSeg(
            choice: Record<string, unknown>,
            target: { segmentationId: string },
          ): Promise<{ segments: Array<Record<string, unknown>> }>;
        };
      };
      return (await samService.exportSeg({}, { segmentationId: id })).segments;
    }, segmentationId);
    const first = (v: unknown) => (Array.isArray(v) ? v[0] : v) as { CodeMeaning?: string } | undefined;
    expect(
      again.map((s) => [
        Number(s.SegmentNumber),
        s.SegmentAlgorithmType,
        s.SegmentAlgorithmName,
        first(s.SegmentedPropertyTypeCodeSequence)?.CodeMeaning,
      ]),
    ).toEqual([
      [1, SEMIAUTOMATIC, algorithmName, 'Tissue'],
      [2, SEMIAUTOMATIC, algorithmName, 'Nodule'],
    ]);
  });

  it('raised no errors from the SAM extension', () => {
    expect(samProblems(problems)).toEqual([]);
  });
});
