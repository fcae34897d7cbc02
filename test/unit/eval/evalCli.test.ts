/**
 * `npm run eval` end to end, in a child process (onnxruntime-web cannot run inside jest's VM), with the
 * default model on the project's real data: SAM-Med2D CT slices (PNG + masks), chest X-rays (JPEG + a
 * mask, renamed by a mapping file), a brain MRI volume with its tumour label map (NRRD), the dcmqi CT
 * series with its liver DICOM SEG, and a folder of bad files. Checks what was counted and skipped, the
 * summary numbers the default model reaches, the outputs, resuming after an interrupted write, refusing
 * other options into the same folder, and that worker count does not change a result.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Summary } from '../../../tools/eval/results/aggregate';
import type { ResultRow } from '../../../tools/eval/results/rows';
import { runTsTool, type ToolRun as Run } from '../../support/runTsTool';
import { resultRows, writeMapping, expectClean } from './cliFiles';

const ROOT = join(__dirname, '..', '..', '..');
const DATA = join(ROOT, 'test', 'data');

const evalCli = (args: string[]) => runTsTool('tools/eval/cli.ts', args);
const rowsOf = resultRows;

let work: string;
let data: string[];
let out: string;
let args: string[];
/** The run's options except --data, --jobs and --out. */
const OPTIONS = [
  '--modes',
  'S1,S2,S3,S5',
  '--grid',
  '8',
  '--s1-iou',
  '0.5',
  '--s1-stability',
  '0.8',
  '--perturb',
  '10-20',
  '--clicks',
  '3',
];
let first: Run;
let summary: Summary;

const group = (mode: string, select: string, modality: string) =>
  summary.groups.find(
    (g) =>
      g.level === 'modality' &&
      g.mode === mode &&
      g.select === select &&
      g.modality === modality &&
      g.perturb === 'none',
  )!;

function writePng(path: string, width: number, height: number, value: (x: number, y: number) => number): void {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      png.data.fill(value(x, y), o, o + 3);
      png.data[o + 3] = 255;
    }
  writeFileSync(path, PNG.sync.write(png));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'eval-cli-'));
  const mapping = (name: string, body: object) => writeMapping(work, name, body);
  // A folder of bad files: a corrupt PNG (with a mask), an image without masks, a mask of the wrong size.
  const bad = join(work, 'bad');
  mkdirSync(join(bad, 'masks'), { recursive: true });
  writeFileSync(join(bad, 'corrupt.png'), 'not a png');
  writePng(join(bad, 'masks', 'corrupt_organ.png'), 32, 32, () => 255);
  writePng(join(bad, 'lonely.png'), 32, 32, (x) => x * 4);
  writePng(join(bad, 'small.png'), 64, 64, (x) => x * 2);
  writePng(join(bad, 'masks', 'small_organ.png'), 32, 32, () => 255);
  data = [
    mapping('sam-med2d', { root: join(DATA, 'sam-med2d', 'data_demo'), modality: 'CT' }),
    mapping('cxr-lung', { root: join(DATA, 'cxr-lung', 'Data'), modality: 'CR', objects: { mask: 'lungs' } }),
    mapping('brain', {
      root: join(DATA, 'pyradiomics'),
      modality: 'MR',
      labels: { 1: 'tumour' },
      items: [{ image: 'brain1_image.nrrd', labelMap: 'brain1_label.nrrd' }],
    }),
    mapping('liver', { root: join(ROOT, 'viewer', 'samples', 'dcmqi-liver-ct') }),
    bad,
  ];
  out = join(work, 'out');
  args = ['--data', data.join(','), ...OPTIONS, '--jobs', '2', '--out', out];
  first = await evalCli(args);
  if (first.code === 0) summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run eval on the project data with the default model', () => {
  it('runs, counting every image and object once and reporting every bad file', () => {
    expectClean(first);
    // 4 SAM-Med2D slices (30 objects), 4 X-rays, 7 tumour slices of brain1 (> 50 px), 3 liver slices.
    expect(summary.totals).toMatchObject({ refsDone: 10, images: 18, objects: 44 });
    const reasons = summary.totals.skippedList.map((s) => `${s.path}: ${s.reason}`).join('\n');
    expect(summary.totals.skipped).toBe(4);
    expect(reasons).toMatch(/amos_0507_31\.png: no mask file/);
    expect(reasons).toMatch(/lonely\.png: no mask file/);
    expect(reasons).toMatch(/corrupt\.png: .*not a readable PNG/);
    expect(reasons).toMatch(/small_organ\.png is 32 x 32; its image is 64 x 64/);
    expect(summary.totals.modalities).toEqual(['CR', 'CT', 'MR']);
  });

  it('reaches the Dice the default model reaches, oracle never below the predicted-IoU choice', () => {
    // Box (S5) Dice with the best candidate; measured on this data (the model is deterministic).
    expect(group('S5', 'oracle', 'CT').dice.mean).toBeCloseTo(0.875, 2);
    expect(group('S5', 'oracle', 'CR').dice.mean).toBeCloseTo(0.81, 2);
    expect(group('S5', 'oracle', 'MR').dice.mean).toBeCloseTo(0.883, 2);
    for (const g of summary.groups.filter((x) => x.select === 'oracle' && x.mode !== 'S1' && x.mode !== 'clicks')) {
      const iou = summary.groups.find(
        (x) =>
          x.select === 'iou' &&
          x.level === g.level &&
          x.mode === g.mode &&
          x.perturb === g.perturb &&
          x.object === g.object &&
          x.modality === g.modality,
      )!;
      expect(g.dice.mean!).toBeGreaterThanOrEqual(iou.dice.mean! - 1e-9);
    }
    // Boxes beat single points; perturbing a box by 10-20 px costs Dice.
    expect(group('S5', 'oracle', 'CT').dice.mean!).toBeGreaterThan(group('S2', 'oracle', 'CT').dice.mean!);
    const drop = summary.drops.find((d) => d.mode === 'S5' && d.select === 'oracle' && d.band === '10-20')!;
    expect(drop.drop!).toBeLessThan(-0.05);
  });

  it('scores S1 by matching generated masks, and the interactive run with NoC', () => {
    const s1 = group('S1', 'oracle', 'CT');
    expect(s1.n).toBe(33); // 30 SAM-Med2D objects + the liver on 3 slices
    expect(s1.dice.mean!).toBeGreaterThan(0.2);
    const clicks = group('clicks', 'oracle', 'CT');
    expect(clicks.clicks!.diceByClick).toHaveLength(3);
    expect(clicks.clicks!.noc85.mean!).toBeGreaterThanOrEqual(1);
    expect(clicks.clicks!.noc85.mean!).toBeLessThanOrEqual(3);
  });

  it('gives distances in mm where the file has a spacing (NRRD, DICOM) and in pixels otherwise', () => {
    const rows = rowsOf(join(out, 'results.jsonl'));
    expect(
      new Set(rows.filter((r) => r.modality === 'CT' && r.dataset === 'liver').map((r) => r.distanceUnit)),
    ).toEqual(new Set(['mm']));
    expect(new Set(rows.filter((r) => r.dataset === 'sam-med2d').map((r) => r.distanceUnit))).toEqual(new Set(['px']));
    const brain = rows.find((r) => r.dataset === 'brain' && r.mode === 'S5' && r.select === 'oracle')!;
    expect(brain.image).toMatch(/^brain:brain1_image\.nrrd#z=\d+$/);
    expect(brain.object).toBe('tumour');
  });

  it('writes the CSV, the summary CSV and a self-contained report', () => {
    const rows = rowsOf(join(out, 'results.jsonl'));
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\r\n');
    expect(csv).toHaveLength(rows.length + 1);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toMatch(/S5,none,oracle/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('tumour');
    expect(html).not.toMatch(/<script|src=|https?:/);
    expect(first.stdout).toMatch(/### S5/);
  });

  it('resumes: a rerun does nothing; after an interrupted write it redoes only the unfinished reference', async () => {
    const results = join(out, 'results.jsonl');
    const before = readFileSync(results, 'utf8');
    const again = await evalCli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/12 done earlier, nothing to do/);
    expect(readFileSync(results, 'utf8')).toBe(before);

    // Simulate a crash in the middle of the last reference: its done line lost, a torn line after it.
    const all = before.split('\n').filter(Boolean);
    const lastDone = all.map((l) => l.startsWith('{"type":"done"')).lastIndexOf(true);
    writeFileSync(results, `${all.slice(0, lastDone).join('\n')}\n{"type":"row","ref":"tor`);
    const resumed = await evalCli(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/11 done earlier, 1 to do on 1 worker/);
    const after = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    // Timings differ run to run; everything counted must not.
    const counts = (t: Summary['totals']) => ({ ...t, ms: 0, meanMsPerRef: 0 });
    expect(counts(after.totals)).toEqual(counts(summary.totals));
    expect(after.groups).toEqual(summary.groups);
  }, 300_000);

  it('refuses other options into the same folder, naming the option', async () => {
    const other = await evalCli([...args, '--seed', '5']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/seed: 0 before, 5 now/);
  });

  it('gives the same rows on one worker as on two', async () => {
    const single = join(work, 'single');
    const run = await evalCli(['--data', data[1]!, ...OPTIONS, '--jobs', '1', '--out', single]);
    expect(run.code).toBe(0);
    const key = (r: ResultRow) => JSON.stringify(r);
    const two = rowsOf(join(out, 'results.jsonl'))
      .filter((r) => r.dataset === 'cxr-lung')
      .map(key)
      .sort();
    const one = rowsOf(join(single, 'results.jsonl'))
      .filter((r) => r.dataset === 'cxr-lung')
      .map(key)
      .sort();
    expect(one).toEqual(two);
  }, 300_000);
});
