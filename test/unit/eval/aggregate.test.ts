/**
 * The evaluation summary on hand-made rows (means, sample stds, histogram quantiles, NoC, the padded
 * Dice-vs-clicks curve, Dice drops, empty cases, mixed distance units, totals), and reading results.jsonl
 * back: a torn last line, a reference without a done line, a restarted reference, a corrupt middle line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HISTOGRAM_BINS,
  SKIPPED_LIST_CAP,
  SummaryBuilder,
  perturbOrder,
  summarize,
  summarizeFile,
  type GroupSummary,
  type Summary,
} from '../../../tools/eval/results/aggregate';
import {
  ResultsFormatError,
  newReadStats,
  readCompleteLines,
  readCompleteRows,
  readResultLines,
} from '../../../tools/eval/results/readResults';
import type { DoneLine, ResultLine, ResultRow } from '../../../tools/eval/results/rows';
import { resultRow } from './rowFixture';

const sqrt = Math.sqrt;
const abs = Math.abs;
const floor = Math.floor;

const row = (over: Partial<ResultRow> = {}) => resultRow({ candidate: 0, ...over });

const done = (ref: string, images = 1, objects = 1, ms = 100): DoneLine => ({ type: 'done', ref, images, objects, ms });

function find(s: Summary, q: Partial<GroupSummary>): GroupSummary {
  const g = s.groups.find((x) => (Object.keys(q) as (keyof GroupSummary)[]).every((k) => x[k] === q[k]));
  if (!g) throw new Error(`no group ${JSON.stringify(q)}`);
  return g;
}

/** Sample std of a list, computed the textbook way. */
function sampleStd(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

const HALF_BIN = 0.5 / HISTOGRAM_BINS + 1e-12;

describe('SummaryBuilder', () => {
  it('computes mean, sample std and box quantiles per group and rolls them up', () => {
    const b = new SummaryBuilder();
    const dices = [0.2, 0.4, 0.6, 0.8, 1.0];
    const ious = [0.1, 0.2, 0.3, 0.4, 0.5];
    dices.forEach((dice, i) => b.add(row({ dice, iou: ious[i]!, hd95: i + 1, asd: 2 * (i + 1), image: `i${i}` })));
    b.add(row({ modality: 'MR', object: 'kidney', dice: 0.9, iou: 0.8, hd95: 10, asd: 1 }));
    const s = b.build();

    const liver = find(s, { level: 'object', object: 'liver', modality: 'CT', mode: 'S2', select: 'oracle' });
    expect(liver.n).toBe(5);
    expect(liver.dice.n).toBe(5);
    expect(liver.dice.mean).toBeCloseTo(0.6, 12);
    expect(liver.dice.std).toBeCloseTo(sqrt(0.1), 12); // deviations .4,.2,0,.2,.4 → 0.4 / (5 − 1)
    expect(liver.iou.mean).toBeCloseTo(0.3, 12);
    expect(liver.iou.std).toBeCloseTo(sqrt(0.025), 12);
    expect(liver.distances).toHaveLength(1);
    expect(liver.distances[0]!.unit).toBe('px');
    expect(liver.distances[0]!.hd95.mean).toBeCloseTo(3, 12);
    expect(liver.distances[0]!.hd95.std).toBeCloseTo(sqrt(2.5), 12);
    expect(liver.distances[0]!.asd.mean).toBeCloseTo(6, 12);
    expect(liver.distances[0]!.asd.std).toBeCloseTo(sqrt(10), 12);
    // Type-7 quantiles of 5 values are the order statistics 1, 2, 3; bins are 0.001 wide.
    const box = liver.diceBox!;
    expect(box.min).toBe(0.2);
    expect(box.max).toBe(1);
    expect(abs(box.q1 - 0.4)).toBeLessThanOrEqual(HALF_BIN);
    expect(abs(box.median - 0.6)).toBeLessThanOrEqual(HALF_BIN);
    expect(abs(box.q3 - 0.8)).toBeLessThanOrEqual(HALF_BIN);
    expect(liver.clicks).toBeNull();

    const kidney = find(s, { level: 'object', object: 'kidney' });
    expect(kidney.n).toBe(1);
    expect(kidney.dice.mean).toBe(0.9);
    expect(kidney.dice.std).toBeNull(); // n − 1 = 0
    expect(kidney.diceBox).toEqual({ min: 0.9, q1: 0.9, median: 0.9, q3: 0.9, max: 0.9 });

    const ct = find(s, { level: 'modality', modality: 'CT' });
    expect(ct.object).toBeNull();
    expect(ct.n).toBe(5);
    const all = find(s, { level: 'all' });
    expect(all.modality).toBeNull();
    expect(all.object).toBeNull();
    expect(all.n).toBe(6);
    expect(all.dice.mean).toBeCloseTo(3.9 / 6, 12);
    expect(all.dice.std).toBeCloseTo(sampleStd([...dices, 0.9]), 12);
    expect(all.distances[0]!.hd95.mean).toBeCloseTo(25 / 6, 12);
    expect(s.totals.rows).toBe(6);
    expect(s.totals.modalities).toEqual(['CT', 'MR']);
    expect(s.totals.objectNames).toEqual(['kidney', 'liver']);
    expect(s.method.std).toBe('sample');
    // Plain JSON: survives a round trip unchanged (no NaN, Infinity, Map or typed array).
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('quantiles from the histogram stay within half a bin of the exact ones', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) ** 2;
    const xs: number[] = [];
    const b = new SummaryBuilder();
    for (let i = 0; i < 2001; i++) {
      const x = rand();
      xs.push(x);
      b.add(row({ dice: x }));
    }
    xs.sort((a, c) => a - c);
    const exact = (p: number) => {
      const h = p * (xs.length - 1);
      const lo = xs[floor(h)]!;
      return lo + (h - floor(h)) * (xs[floor(h) + 1 === xs.length ? floor(h) : floor(h) + 1]! - lo);
    };
    const box = find(b.build(), { level: 'all' }).diceBox!;
    expect(box.min).toBe(xs[0]);
    expect(box.max).toBe(xs[xs.length - 1]);
    for (const [p, v] of [
      [0.25, box.q1],
      [0.5, box.median],
      [0.75, box.q3],
    ] as const)
      expect(abs(v - exact(p))).toBeLessThanOrEqual(HALF_BIN);
  });

  it('keeps empty cases apart and never mixes distance units', () => {
    const b = new SummaryBuilder();
    b.add(row({ dice: 0.8, hd95: 2, hdMax: 4, asd: 1, distanceUnit: 'px' }));
    b.add(row({ dice: 0.6, hd95: 4, hdMax: 8, asd: 3, distanceUnit: 'px' }));
    b.add(row({ dice: 0.7, hd95: 1.5, hdMax: 3, asd: 0.5, distanceUnit: 'mm' }));
    b.add(row({ dice: 0, iou: 0, hd95: null, hdMax: null, asd: null, empty: 'empty-prediction' }));
    b.add(row({ dice: 0, iou: 0, hd95: null, hdMax: null, asd: null, empty: 'empty-prediction', distanceUnit: 'mm' }));
    b.add(row({ dice: 1, iou: 1, hd95: null, hdMax: null, asd: null, empty: 'both-empty' }));
    const g = find(b.build(), { level: 'object' });
    expect(g.n).toBe(6);
    expect(g.empty).toEqual({ none: 3, 'empty-prediction': 2, 'empty-reference': 0, 'both-empty': 1 });
    // Dice still counts every row (an empty prediction scores 0 Dice; only distances are undefined).
    expect(g.dice.mean).toBeCloseTo(3.1 / 6, 12);
    expect(g.distances.map((d) => d.unit)).toEqual(['mm', 'px']);
    const [mm, px] = g.distances;
    expect(mm!.n).toBe(1);
    expect(mm!.hd95).toEqual({ n: 1, mean: 1.5, std: null });
    expect(px!.n).toBe(2);
    expect(px!.hd95.mean).toBe(3);
    expect(px!.hd95.std).toBeCloseTo(sqrt(2), 12);
    expect(px!.hdMax.mean).toBe(6);
    expect(px!.asd.mean).toBe(2);
    expect(px!.asd.std).toBeCloseTo(sqrt(2), 12);
  });

  it('averages ASSD beside ASD, over the rows that have it (rows written before it have none)', () => {
    const b = new SummaryBuilder();
    b.add(row({ hd95: 2, hdMax: 4, asd: 1, assd: 0.5 }));
    b.add(row({ hd95: 4, hdMax: 8, asd: 3, assd: 2.5 }));
    b.add(row({ hd95: 4, hdMax: 8, asd: 3 })); // an older row: no assd field
    const [px] = find(b.build(), { level: 'object' }).distances;
    expect(px!.asd).toMatchObject({ n: 3 });
    expect(px!.asd.mean).toBeCloseTo(7 / 3, 12);
    expect(px!.assd).toMatchObject({ n: 2, mean: 1.5 });
  });

  it('ignores missing values (null predicted IoU, a NaN written as null) in means', () => {
    const b = new SummaryBuilder();
    b.add(row({ predictedIou: null, dice: 0.4 }));
    b.add(row({ predictedIou: 0.8, dice: null as unknown as number }));
    const g = find(b.build(), { level: 'all' });
    expect(g.n).toBe(2);
    expect(g.predictedIou).toEqual({ n: 1, mean: 0.8, std: null });
    expect(g.dice).toEqual({ n: 1, mean: 0.4, std: null });
  });

  it('averages NoC and the Dice-vs-clicks curve, carrying shorter curves forward', () => {
    const b = new SummaryBuilder();
    const clicks = (diceByClick: number[], noc85: number, noc90: number, select: 'oracle' | 'iou' = 'oracle') =>
      row({ mode: 'clicks', select, diceByClick, noc85, noc90, dice: diceByClick[diceByClick.length - 1]! });
    b.add(clicks([0.5, 0.8, 0.9], 3, 3));
    b.add(clicks([0.6, 0.86], 2, 20));
    b.add(clicks([0.7], 20, 20));
    b.add(clicks([0.95], 1, 1, 'iou'));
    const s = b.build();
    const c = find(s, { level: 'all', mode: 'clicks', select: 'oracle' }).clicks!;
    expect(c.n).toBe(3);
    expect(c.noc85.mean).toBeCloseTo(25 / 3, 12);
    expect(c.noc90.mean).toBeCloseTo(43 / 3, 12);
    expect(c.noc85.std).toBeCloseTo(sampleStd([3, 2, 20]), 12);
    expect(c.diceByClick).toHaveLength(3);
    expect(c.diceByClick[0]).toBeCloseTo(0.6, 12); // (.5 + .6 + .7) / 3
    expect(c.diceByClick[1]).toBeCloseTo(2.36 / 3, 12); // (.8 + .86 + .7) / 3: 0.7 carried
    expect(c.diceByClick[2]).toBeCloseTo(2.46 / 3, 12); // (.9 + .86 + .7) / 3: .86 and .7 carried
    expect(c.reached85).toBe(2);
    expect(c.reached90).toBe(1);
    const ci = find(s, { level: 'all', mode: 'clicks', select: 'iou' }).clicks!;
    expect(ci.diceByClick).toEqual([0.95]);
    expect(find(s, { level: 'all', mode: 'clicks', select: 'oracle' }).dice.mean).toBeCloseTo(2.46 / 3, 12);
  });

  it('computes the Dice drop per mode, selection and band against perturb "none"', () => {
    const b = new SummaryBuilder();
    for (const [perturb, dices] of [
      ['none', [0.8, 1.0]],
      ['0-10', [0.7, 0.7]],
      ['20-30', [0.4, 0.6]],
      ['10-20', [0.6, 0.6]],
    ] as const)
      for (const dice of dices) {
        b.add(row({ mode: 'S5', perturb, dice }));
        b.add(row({ mode: 'S5', perturb, select: 'iou', dice: dice - 0.1 }));
      }
    b.add(row({ mode: 'S2', perturb: '0-10', dice: 0.3 })); // no baseline for S2
    const s = b.build();
    const s5 = s.drops.filter((d) => d.mode === 'S5');
    expect(s5.map((d) => `${d.band}/${d.select}`)).toEqual([
      '0-10/oracle',
      '0-10/iou',
      '10-20/oracle',
      '10-20/iou',
      '20-30/oracle',
      '20-30/iou',
    ]);
    const drop = (band: string, select: string) => s5.find((d) => d.band === band && d.select === select)!;
    expect(drop('0-10', 'oracle').drop).toBeCloseTo(-0.2, 12);
    expect(drop('0-10', 'oracle').baseline).toBeCloseTo(0.9, 12);
    expect(drop('0-10', 'oracle').n).toBe(2);
    expect(drop('0-10', 'oracle').nBaseline).toBe(2);
    expect(drop('10-20', 'iou').drop).toBeCloseTo(-0.3, 12);
    expect(drop('20-30', 'oracle').drop).toBeCloseTo(-0.4, 12);
    expect(drop('20-30', 'iou').dice).toBeCloseTo(0.4, 12);
    const s2 = s.drops.find((d) => d.mode === 'S2')!;
    expect(s2).toMatchObject({ band: '0-10', baseline: null, drop: null, nBaseline: 0 });
    // Groups too are ordered none, 0-10, 10-20, 20-30 (numerically, not as text).
    const bands = s.groups.filter((g) => g.level === 'all' && g.mode === 'S5' && g.select === 'oracle');
    expect(bands.map((g) => g.perturb)).toEqual(['none', '0-10', '10-20', '20-30']);
    expect(['20-30', 'none', '5-10', '100-200', 'x'].sort(perturbOrder)).toEqual([
      'none',
      '5-10',
      '20-30',
      '100-200',
      'x',
    ]);
  });

  it('totals done lines, deduplicates skipped references and caps their list', () => {
    const b = new SummaryBuilder();
    b.addDone(done('a', 3, 7, 1000));
    b.addDone(done('b', 1, 2, 500));
    for (let i = 0; i < SKIPPED_LIST_CAP + 5; i++)
      b.addSkipped({ type: 'skipped', ref: `s${i}`, path: `/x/s${i}.png`, reason: 'unreadable' });
    b.addSkipped({ type: 'skipped', ref: 's0', path: '/x/s0.png', reason: 'size mismatch' }); // again: latest wins
    b.addSkipped({ type: 'skipped', ref: 'c', path: '/x/c.nii', reason: 'timeout' });
    b.addDone(done('c', 2, 2, 1500)); // retried later and finished: no longer skipped
    const t = b.build().totals;
    expect(t.refsDone).toBe(3);
    expect(t.images).toBe(6);
    expect(t.objects).toBe(11);
    expect(t.ms).toBe(3000);
    expect(t.meanMsPerRef).toBe(1000);
    expect(t.skipped).toBe(SKIPPED_LIST_CAP + 5);
    expect(t.skippedList).toHaveLength(SKIPPED_LIST_CAP);
    expect(t.skippedNotListed).toBe(5);
    expect(t.skippedList.some((x) => x.ref === 'c')).toBe(false);
    expect(t.skippedList.filter((x) => x.ref === 's0')).toHaveLength(0); // moved to the end, beyond the cap
    expect(new SummaryBuilder().build().totals.meanMsPerRef).toBeNull();
  });
});

describe('failed references', () => {
  it('are listed apart from skipped ones until a later run finishes them', () => {
    const b = new SummaryBuilder();
    const failed = (ref: string, reason: string) => ({ type: 'failed' as const, ref, path: `/x/${ref}.png`, reason });
    b.addLine(failed('a', 'decoder threw'));
    b.addLine(failed('b', 'decoder threw'));
    b.addLine(failed('a', 'decoder threw again')); // a rerun failed again: one failure, the latest reason
    b.addLine(failed('c', 'worker died'));
    b.addDone(done('c')); // retried and finished
    b.addSkipped({ type: 'skipped', ref: 'd', path: '/x/d.png', reason: 'unreadable' });
    const t = b.build().totals;
    expect(t.refsDone).toBe(1);
    expect(t.failed).toBe(2);
    expect(t.failedList).toEqual([
      { ref: 'b', path: '/x/b.png', reason: 'decoder threw' },
      { ref: 'a', path: '/x/a.png', reason: 'decoder threw again' },
    ]);
    expect(t.failedNotListed).toBe(0);
    expect(t.skipped).toBe(1);
  });
});

describe('readResults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-results-'));
  const write = (name: string, lines: (ResultLine | string)[], tail = '\n') => {
    const path = join(dir, name);
    writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + tail);
    return path;
  };
  const collect = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };

  it('yields only rows of references with a done line and ignores a torn last line', async () => {
    const torn = JSON.stringify(row({ ref: 'e' })).slice(0, 40);
    const path = write(
      'torn.jsonl',
      [
        row({ ref: 'a', object: 'x' }),
        row({ ref: 'a', object: 'y' }),
        done('a'),
        row({ ref: 'b' }), // b never finished: a different ref starts without b's done line
        row({ ref: 'c', dice: 0.25 }),
        done('c'),
        { type: 'skipped', ref: 'd', path: '/d.png', reason: 'unreadable' },
        row({ ref: 'e' }),
        torn,
      ],
      '',
    );
    const stats = newReadStats();
    const lines = await collect(readCompleteLines(path, stats));
    expect(lines.map((l) => `${l.type}:${l.ref}`)).toEqual([
      'row:a',
      'row:a',
      'done:a',
      'row:c',
      'done:c',
      'skipped:d',
    ]);
    expect(stats).toEqual({ lines: 9, tornFinalLine: true, droppedRows: 2, droppedRefs: 2, restarts: 0 });
    expect((await collect(readCompleteRows(path))).map((r) => r.ref)).toEqual(['a', 'a', 'c']);
    // The raw reader still yields the unfinished rows, only not the torn line.
    expect(await collect(readResultLines(path))).toHaveLength(8);

    const s = await summarize(readCompleteLines(path));
    expect(s.totals.rows).toBe(3);
    expect(s.totals.refsDone).toBe(2);
    expect(s.totals.skipped).toBe(1);
    const fromFile = await summarizeFile(path);
    expect(fromFile.totals.rows).toBe(3);
    expect(fromFile.input).toEqual({ lines: 9, tornFinalLine: true, droppedRows: 2, droppedRefs: 2, restarts: 0 });
  });

  it('drops the unfinished first attempt of a reference that starts over, and accepts CRLF', async () => {
    const r = (object: string) => row({ ref: 'f', object });
    const path = join(dir, 'restart.jsonl');
    writeFileSync(
      path,
      [r('x'), r('y'), r('x'), r('y'), r('z'), done('f')].map((l) => JSON.stringify(l)).join('\r\n') + '\r\n',
    );
    const stats = newReadStats();
    const rows = await collect(readCompleteRows(path, stats));
    expect(rows.map((x) => x.object)).toEqual(['x', 'y', 'z']);
    expect(stats.restarts).toBe(1);
    expect(stats.droppedRows).toBe(2);
    expect(stats.tornFinalLine).toBe(false);
  });

  it('drops rows when the file ends without their done line, and rows before an unrelated done', async () => {
    const path = write('nodone.jsonl', [row({ ref: 'g' }), done('h'), row({ ref: 'i' })]);
    const stats = newReadStats();
    expect((await collect(readCompleteLines(path, stats))).map((l) => `${l.type}:${l.ref}`)).toEqual(['done:h']);
    expect(stats.droppedRows).toBe(2);
    expect(stats.tornFinalLine).toBe(false);
  });

  it('throws on an unparsable line that is not the last', async () => {
    const path = write('corrupt.jsonl', [row({ ref: 'a' }), '{"type":"row","re', done('a')]);
    await expect(collect(readResultLines(path))).rejects.toThrow(ResultsFormatError);
    await expect(collect(readResultLines(path))).rejects.toThrow(/corrupt\.jsonl:2/);
    // A failed line is a line of its own kind, complete, not corruption.
    const failed = write('failed.jsonl', [
      { type: 'failed', ref: 'a', path: '/a.png', reason: 'decoder threw' },
      done('b'),
    ]);
    expect((await collect(readCompleteLines(failed))).map((l) => `${l.type}:${l.ref}`)).toEqual(['failed:a', 'done:b']);
    const unknown = write('unknown.jsonl', ['{"type":"what","ref":"a"}', JSON.stringify(done('a'))]);
    await expect(collect(readResultLines(unknown))).rejects.toThrow(/unknown line type/);
  });
});
