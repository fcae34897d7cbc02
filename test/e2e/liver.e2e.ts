/**
 * A radiologist's path on a real CT: draw a SAM box around the liver, see the preview, accept it,
 * find the segment in OHIF's segmentation panel; its voxels are compared with the liver DICOM SEG
 * that comes with the study (QIICR/dcmqi). Then the measurement path: a rectangle measurement
 * around the liver, used as the prompt from the panel.
 */
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import type { RunningServer } from '../../viewer/server';
import { SAMPLE_STUDIES } from '../../viewer/samples';
import { STATE_TIMEOUT_MS, samProblems, type PageProblem } from './support/browser';
import { openStudyInSamMode } from './support/session';
import { imageToPage } from './support/viewer';

jest.setTimeout(180_000);

const study = SAMPLE_STUDIES.find((s) => s.id === 'dcmqi-liver-ct')!;
const SEG_FILE = join(__dirname, '..', '..', 'viewer', 'samples', 'dcmqi-liver-ct', 'liver.dcm');

/** The liver SEG's frames (binary, bit-packed) by the SOP Instance UID of the CT slice they label. */
function liverMasks(): Map<string, { mask: Uint8Array; rows: number; columns: number }> {
  const file = readFileSync(SEG_FILE);
  const dict = dcmjs.data.DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
  const seg = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
  type Item = Record<string, unknown>;
  const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
  const rows = seg.Rows as number;
  const columns = seg.Columns as number;
  const bits = new Uint8Array(list(seg.PixelData as ArrayBuffer | ArrayBuffer[])[0]!);
  const masks = new Map<string, { mask: Uint8Array; rows: number; columns: number }>();
  list(seg.PerFrameFunctionalGroupsSequence as Item | Item[]).forEach((item, f) => {
    const derivation = list(item.DerivationImageSequence as Item | Item[])[0]!;
    const uid = list(derivation.SourceImageSequence as Item | Item[])[0]!.ReferencedSOPInstanceUID as string;
    const mask = new Uint8Array(rows * columns);
    for (let i = 0; i < mask.length; i++) {
      const bit = f * rows * columns + i; // frames are packed back to back, least significant bit first
      mask[i] = (bits[bit >> 3]! >> (bit & 7)) & 1;
    }
    masks.set(uid, { mask, rows, columns });
  });
  return masks;
}

function boundingBox(mask: Uint8Array, columns: number) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity; // prettier-ignore
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % columns;
    const y = Math.floor(i / columns);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y); // prettier-ignore
  });
  return { x0, y0, x1, y1 };
}

function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] && b[i] ? 1 : 0;
    sum += (a[i] ? 1 : 0) + (b[i] ? 1 : 0);
  }
  return (2 * inter) / sum;
}

type PageWindow = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The SOP Instance UID of the image on screen, and a function to map image pixels to the page. */
async function currentImage(page: Page): Promise<{ sopInstanceUID: string; imageId: string }> {
  return page.evaluate(() => {
    const w = window as unknown as PageWindow;
    const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    );
    const imageId = vp.getCurrentImageId();
    return { imageId, sopInstanceUID: w.cornerstone.metaData.get('sopCommonModule', imageId).sopInstanceUID };
  });
}

/** The accepted segment's voxels on an image: 1 where the labelmap holds that segment. */
async function acceptedVoxels(page: Page, imageId: string): Promise<number[]> {
  const text = await page.evaluate((imageId) => {
    const w = window as unknown as PageWindow;
    const { segmentationId, segmentIndex } = w.services.samService.getState().lastAccept;
    const [labelmapId] = w.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(imageId, segmentationId);
    const data: ArrayLike<number> = w.cornerstone.cache.getImage(labelmapId).getPixelData();
    let out = '';
    for (let i = 0; i < data.length; i++) out += data[i] === segmentIndex ? '1' : '0';
    return out;
  }, imageId);
  return Array.from(text, (c) => (c === '1' ? 1 : 0));
}

let server: RunningServer;
let browser: Browser;
let page: Page;
let problems: PageProblem[];
const masks = liverMasks();

beforeAll(async () => {
  ({ server, browser, page, problems } = await openStudyInSamMode(study, 3));
  await page.locator('[data-testid="sam-model"][data-state="ready"]').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the liver on the dcmqi CT', () => {
  it('box → preview → Enter: the segment is listed and matches the liver SEG', async () => {
    const { sopInstanceUID, imageId } = await currentImage(page);
    const truth = masks.get(sopInstanceUID)!;
    expect(truth).toBeDefined();
    const box = boundingBox(truth.mask, truth.columns);
    const [from, to] = await imageToPage(page, [
      [box.x0, box.y0],
      [box.x1, box.y1],
    ]);
    await page.locator('[data-cy="SamBox"]').click();
    await page.mouse.move(from!.x, from!.y);
    await page.mouse.down();
    await page.mouse.move((from!.x + to!.x) / 2, (from!.y + to!.y) / 2, { steps: 5 });
    await page.mouse.move(to!.x, to!.y, { steps: 5 });
    await page.mouse.up();
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
    expect(await page.locator('[data-testid="sam-preview"]').textContent()).toMatch(/0 include, 0 exclude, 1 box/);

    await page.keyboard.press('Enter');
    await page.locator('[data-testid="sam-last-accept"]').waitFor();
    await page.locator('[data-testid="sam-store-seg"]').waitFor(); // the panel offers to store it as DICOM SEG
    const voxels = await acceptedVoxels(page, imageId);
    const score = dice(voxels, truth.mask);
    console.log(`liver, SAM box with the default model: Dice ${score.toFixed(3)} against the dcmqi liver SEG`);
    expect(score).toBeGreaterThan(0.85);

    await page.locator('[data-cy="panelSegmentation-btn"]').click();
    await page.locator('[data-cy="data-row-title"]', { hasText: 'SAM 1' }).waitFor();
    await page.locator('[data-cy="samPanel-btn"]').click();
  });

  it('leaves the accepted segment editable with OHIF’s brush', async () => {
    const { imageId } = await currentImage(page);
    const before = (await acceptedVoxels(page, imageId)).reduce((a, b) => a + b, 0);
    // Paint outside the liver, in the air in front of the body (image row 40).
    const [a, b] = await imageToPage(page, [
      [200, 40],
      [300, 40],
    ]);
    await page.locator('[data-cy="SamModeBrush"]').click();
    await page.mouse.move(a!.x, a!.y);
    await page.mouse.down();
    await page.mouse.move(b!.x, b!.y, { steps: 10 });
    await page.mouse.up();
    // The brush lands when Cornerstone has handled the stroke: wait for the voxels, not a pause.
    let after = before;
    for (const end = Date.now() + STATE_TIMEOUT_MS; after <= before + 100 && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await acceptedVoxels(page, imageId)).reduce((x, y) => x + y, 0);
    }
    expect(after).toBeGreaterThan(before + 100);
  });

  it('uses a rectangle measurement around the liver as the prompt when asked to', async () => {
    const { sopInstanceUID } = await currentImage(page);
    const truth = masks.get(sopInstanceUID)!;
    const box = boundingBox(truth.mask, truth.columns);
    const [from, to] = await imageToPage(page, [
      [box.x0, box.y0],
      [box.x1, box.y1],
    ]);
    await page.locator('[data-cy="RectangleROI"]').click();
    await page.mouse.move(from!.x, from!.y);
    await page.mouse.down();
    await page.mouse.move(to!.x, to!.y, { steps: 8 });
    await page.mouse.up();
    await page.locator('[data-testid="sam-preview"][data-state="idle"]').waitFor(); // a measurement alone is no prompt
    await page.locator('[data-testid="sam-use-measurements"]').check();
    await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
    expect(await page.locator('[data-testid="sam-preview"]').textContent()).toMatch(/1 box/);
  });

  it('raised no errors from the SAM extension', () => {
    expect(samProblems(problems)).toEqual([]);
  });
});
