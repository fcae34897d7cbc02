/**
 * `npm run eval` with the volume modes, end to end in child processes (onnxruntime-web cannot run inside
 * jest's VM), with the default model on the project's volumes: the CT phantom (64 DICOM slices with its
 * DICOM SEG, 5 objects), the pyradiomics brain MRI and prostate phantom (NRRD label maps), the dcmqi CT
 * (3 slices) with its liver SEG; plus a 2D image and a bad volume pair, which are skipped lines. Two runs
 * side by side keep the time down: the phantom with 3D-box and S5-all-slices (oracle, no clicks), the rest
 * with all three modes, both selections and one NoC-3D click. The numbers are the default model's
 * (deterministic); docs/evaluation.md lists the full runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REPROMPT, DEFAULT_STOP } from '../../../extensions/sam-segmentation/src/core';
import type { GroupSummary, Summary } from '../../../tools/eval/results/aggregate';
import { runTsTool, type ToolRun as Run } from '../../support/runTsTool';
import { readSummary, resultRows, writeMapping, expectClean } from './cliFiles';
import { niftiFile } from './volumeWriters';

const ROOT = join(__dirname, '..', '..', '..');
const DATA = join(ROOT, 'test', 'data');
const PHANTOM = join(ROOT, 'viewer', 'samples', 'generated', 'phantom-ct');
const DCMQI = join(ROOT, 'viewer', 'samples', 'dcmqi-liver-ct');

const evalCli = (args: string[]) => runTsTool('tools/eval/cli.ts', args, 240_000);
const rowsOf = (out: string) => resultRows(join(out, 'results.jsonl'));
const summaryOf = readSummary;
const allGroup = (s: Summary, mode: string, select: string): GroupSummary =>
  s.groups.find((g) => g.level === 'all' && g.mode === mode && g.select === select)!;

let work: string;
let phantomOut: string;
let restOut: string;
let restArgs: string[];
let phantom: Run;
let rest: Run;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'eval-volumes-'));
  const mapping = (name: string, body: object) => writeMapping(work, name, body);
  // A volume pair on two grids: a skipped line, not a crash.
  const bad = join(work, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'case.nii'), niftiFile({ dims: [8, 8, 2], datatype: 4, data: new Int16Array(128) }));
  writeFileSync(join(bad, 'case_label.nii'), niftiFile({ dims: [8, 8, 3], datatype: 2, data: new Uint8Array(192) }));
  const data = [
    mapping('brain', {
      root: join(DATA, 'pyradiomics'),
      modality: 'MR',
      labels: { 1: 'tumour' },
      items: [{ image: 'brain1_image.nrrd', labelMap: 'brain1_label.nrrd' }],
    }),
    mapping('prostate', {
      root: join(DATA, 'pyradiomics'),
      modality: 'MR',
      items: [{ image: 'prostate_phantom_subvolume.nrrd', labelMap: 'prostate_phantom_subvolume-label.nrrd' }],
    }),
    mapping('liver', { root: DCMQI }),
    mapping('slice2d', {
      root: join(DATA, 'sam-med2d', 'data_demo'),
      items: [{ image: 'images/amos_0004_75.png', masks: { liver: 'masks/amos_0004_75_liver_000.png' } }],
    }),
    bad,
  ];
  phantomOut = join(work, 'phantom');
  restOut = join(work, 'rest');
  restArgs = ['--data', data.join(','), '--modes', '3D-box,3D-point,S5-all-slices', '--clicks-3d', '1'];
  restArgs.push('--jobs', '2', '--out', restOut);
  [phantom, rest] = await Promise.all([
    evalCli(
      ['--data', PHANTOM, '--modes', '3D-box,S5-all-slices', '--select', 'oracle', '--clicks-3d', '0'].concat([
        '--jobs',
        '1',
        '--out',
        phantomOut,
      ]),
    ),
    evalCli(restArgs),
  ]);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the volume modes on the CT phantom (64 slices, DICOM SEG)', () => {
  it('runs, one row per object and mode', () => {
    expectClean(phantom);
    const rows = rowsOf(phantomOut);
    expect(rows.map((r) => `${r.mode}/${r.select}`).sort()).toEqual([
      ...Array<string>(5).fill('3D-box/oracle'),
      ...Array<string>(5).fill('S5-all-slices/oracle'),
    ]);
    expect(new Set(rows.map((r) => r.object))).toEqual(
      new Set(['Lesion', 'Calcified nodule', 'Organ', 'Fat pad', 'Vessel']),
    );
    expect(summaryOf(phantomOut).totals).toMatchObject({ refsDone: 1, images: 64, objects3d: 5, skipped: 0 });
  });

  it('propagates a box on each object’s largest slice to 3D Dice ≥ 0.9, stopping within the object', () => {
    const box = rowsOf(phantomOut).filter((r) => r.mode === '3D-box');
    for (const r of box) {
      expect(r.dice).toBeGreaterThanOrEqual(0.9);
      expect([r.endedUp, r.endedDown]).toEqual(['uncertain', 'uncertain']);
      expect((r.overrunUp ?? 0) + (r.overrunDown ?? 0)).toBe(0);
    }
    const lesion = box.find((r) => r.object === 'Lesion')!;
    expect(lesion.dice).toBeCloseTo(0.933, 2);
    expect(lesion.startSlice).toBe(38);
    // The lesion spans slices 33-43: one per-slice Dice each, the start slice's the best decoded.
    expect(lesion.sliceDice!.map(([d]) => d)).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5]);
    expect(lesion.sliceDice!.find(([d]) => d === 0)![1]).toBeGreaterThan(0.95);
    expect(lesion.earlyUp! + lesion.earlyDown!).toBeLessThanOrEqual(1);
  });

  it('scores a box on every slice above the propagated box: the upper reference', () => {
    const s = summaryOf(phantomOut);
    const box = allGroup(s, '3D-box', 'oracle');
    const all = allGroup(s, 'S5-all-slices', 'oracle');
    expect(box.dice.mean).toBeCloseTo(0.96, 2);
    expect(all.dice.mean).toBeCloseTo(0.993, 2);
    expect(all.dice.mean!).toBeGreaterThanOrEqual(box.dice.mean!);
    expect(box.volume!.ended).toEqual({ uncertain: 10 });
    expect(box.volume!.drift.find((d) => d.distance === 0)!.n).toBe(5);
    const html = readFileSync(join(phantomOut, 'report.html'), 'utf8');
    expect(html).toContain('aria-label="Per-slice Dice vs distance from the start slice"');
    expect(html).not.toMatch(/<script|src=|https?:/);
  });
});

describe('the volume modes on the MRI volumes, the dcmqi CT and bad input', () => {
  it('runs every mode with both selections on each volume object, and skips what is not a usable volume', () => {
    expectClean(rest);
    const rows = rowsOf(restOut);
    const objects = ['brain/tumour', 'liver/Liver', 'prostate/label_8', 'prostate/label_9'];
    for (const mode of ['3D-box', '3D-point', 'S5-all-slices'])
      for (const select of ['oracle', 'iou'])
        expect(
          rows
            .filter((r) => r.mode === mode && r.select === select)
            .map((r) => `${r.dataset}/${r.object}`)
            .sort(),
        ).toEqual(objects);
    const s = summaryOf(restOut);
    expect(s.totals).toMatchObject({ refsDone: 3, objects3d: 4, skipped: 2 });
    const reasons = s.totals.skippedList.map((l) => `${l.path}: ${l.reason}`).join('\n');
    expect(reasons).toMatch(/amos_0004_75\.png: a 2D image: the volume modes \(3D-box, 3D-point, S5-all-slices\) need/);
    expect(reasons).toMatch(/case_label\.nii: the label map is 8 x 8 x 3 voxels; its image case\.nii is 8 x 8 x 2/);
  });

  it('shows where the default model runs past the brain tumour, and what a box on every slice gets', () => {
    const rows = rowsOf(restOut).filter((r) => r.dataset === 'brain');
    const box = rows.find((r) => r.mode === '3D-box' && r.select === 'oracle')!;
    // The tumour is on slices 11-17; the walk from slice 16 runs to both ends of the 25 slices.
    expect([box.startSlice, box.endedUp, box.endedDown]).toEqual([16, 'series-end', 'series-end']);
    expect([box.overrunUp, box.overrunDown, box.earlyUp, box.earlyDown]).toEqual([7, 11, 0, 0]);
    expect(box.dice).toBeCloseTo(0.118, 2);
    const all = rows.find((r) => r.mode === 'S5-all-slices' && r.select === 'oracle')!;
    expect(all.dice).toBeCloseTo(0.883, 2);
    const liver = rowsOf(restOut).find((r) => r.dataset === 'liver' && r.mode === '3D-box' && r.select === 'oracle')!;
    expect(liver.dice).toBeCloseTo(0.881, 2);
    const s = summaryOf(restOut);
    for (const select of ['oracle', 'iou'])
      expect(allGroup(s, 'S5-all-slices', select).dice.mean!).toBeGreaterThan(allGroup(s, '3D-box', select).dice.mean!);
  });

  it('runs NoC-3D within its budget: the 3D Dice before and after the click, NoC counted from 0', () => {
    for (const r of rowsOf(restOut)) {
      expect(r.diceByClick!.length).toBeGreaterThanOrEqual(1);
      expect(r.diceByClick!.length).toBeLessThanOrEqual(2);
      expect(r.diceByClick![0]).toBeCloseTo(r.dice, 5);
      expect(r.noc85!).toBeLessThanOrEqual(r.noc90!);
      expect(r.noc90!).toBeLessThanOrEqual(1);
      // Reached before any click: 0; else at the one click, or never (the budget, 1): 1 either way.
      expect(r.noc85).toBe(r.dice >= 0.85 ? 0 : 1);
    }
    // One corrective click on the brain's S5-all-slices: 0.883 → 0.899.
    const brain = rowsOf(restOut).find(
      (r) => r.dataset === 'brain' && r.mode === 'S5-all-slices' && r.select === 'oracle',
    )!;
    expect(brain.diceByClick![1]).toBeGreaterThan(brain.diceByClick![0]!);
    expect(brain.noc85).toBe(0);
  });

  it('records the volume options in run.json and resumes with nothing to do', async () => {
    const run = JSON.parse(readFileSync(join(restOut, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(run).toMatchObject({ modes: ['3D-box', '3D-point', 'S5-all-slices'], clicks3d: 1 });
    expect(JSON.parse(run.propagation as string)).toEqual({ reprompt: DEFAULT_REPROMPT, stop: DEFAULT_STOP });
    const again = await evalCli(restArgs);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/4 done earlier, nothing to do/);
    expect(again.stdout).toMatch(/### 3D-point/);
  });
});
