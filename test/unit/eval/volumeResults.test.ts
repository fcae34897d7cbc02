/**
 * The volume modes' rows through the results pipeline: the summary's 3D Dice, NoC-3D, drift and
 * early-stop / overrun counts, the CSV columns, the printed table and the report's drift plot, with
 * the 2D rows' summary unchanged beside them.
 */
import { SummaryBuilder } from '../../../tools/eval/results/aggregate';
import { CSV_EOL, rowToCsv, summaryCsv, summaryMarkdown } from '../../../tools/eval/results/csv';
import { renderReport } from '../../../tools/eval/results/report';
import { CSV_COLUMNS, type ResultRow } from '../../../tools/eval/results/rows';
import { resultRow } from './rowFixture';

/** A 3D-box row with the volume fields; any field overridden. */
const volumeRow = (over: Partial<ResultRow> = {}): ResultRow =>
  resultRow({
    ref: 'v1',
    image: 'v1',
    mode: '3D-box',
    hd95: null,
    hdMax: null,
    asd: null,
    startSlice: 5,
    sliceDice: [
      [-1, 0.8],
      [0, 0.9],
      [1, 0.7],
    ],
    endedUp: 'uncertain',
    endedDown: 'series-end',
    earlyUp: 0,
    earlyDown: 0,
    overrunUp: 0,
    overrunDown: 0,
    diceByClick: [0.8],
    noc85: 0,
    noc90: 20,
    ...over,
  });

function summary() {
  const b = new SummaryBuilder();
  b.add(volumeRow({ dice: 0.8, diceByClick: [0.8, 0.86, 0.91], noc85: 1, noc90: 2 }));
  b.add(
    volumeRow({ object: 'kidney', dice: 0.6, earlyUp: 2, overrunDown: 3, endedDown: 'grew', sliceDice: [[0, 0.5]] }),
  );
  b.add(
    volumeRow({ mode: 'S5-all-slices', dice: 0.95, endedUp: undefined, endedDown: undefined, diceByClick: [0.95] }),
  );
  b.add(resultRow({ mode: 'S5', dice: 0.7 }));
  b.addDone({ type: 'done', ref: 'v1', images: 12, objects: 0, ms: 100, objects3d: 2 });
  return b.build();
}

describe('the summary of volume rows', () => {
  const s = summary();
  const all = (mode: string) => s.groups.find((g) => g.level === 'all' && g.mode === mode && g.select === 'oracle')!;

  it('gives per-mode 3D Dice, NoC-3D from click 0, and counts the volume objects', () => {
    const box = all('3D-box');
    expect(box.n).toBe(2);
    expect(box.dice.mean).toBeCloseTo(0.7, 10);
    expect(box.clicks!.noc85.mean).toBeCloseTo(0.5, 10);
    expect(box.clicks!.noc90.mean).toBeCloseTo(11, 10);
    // Curves [0.8, 0.86, 0.91] and [0.8], the shorter carried forward.
    expect(box.clicks!.diceByClick.map((x) => Number(x.toFixed(3)))).toEqual([0.8, 0.83, 0.855]);
    expect(s.totals.objects3d).toBe(2);
    expect(s.groups.map((g) => g.mode).filter((m, i, a) => a.indexOf(m) === i)).toEqual([
      'S5',
      '3D-box',
      'S5-all-slices',
    ]);
  });

  it('averages per-slice Dice by distance from the start slice and counts early stops, overruns and ends', () => {
    const { volume } = all('3D-box');
    expect(volume!.drift).toEqual([
      { distance: -1, n: 1, dice: 0.8 },
      { distance: 0, n: 2, dice: 0.7 },
      { distance: 1, n: 1, dice: 0.7 },
    ]);
    expect(volume).toMatchObject({ earlyStops: 1, earlySlices: 2, overruns: 1, overrunSlices: 3 });
    expect(volume!.ended).toEqual({ grew: 1, 'series-end': 1, uncertain: 2 });
    expect(all('S5-all-slices').volume!.ended).toEqual({});
    expect(all('S5').volume).toBeUndefined();
  });

  it('puts the volume fields in the CSV and the summary CSV', () => {
    const fields = rowToCsv(volumeRow({ earlyUp: 2 }))
      .replace(CSV_EOL, '')
      .split(',');
    const at = (c: (typeof CSV_COLUMNS)[number]) => fields[CSV_COLUMNS.indexOf(c)];
    expect(at('mode')).toBe('3D-box');
    expect(at('sliceDice')).toBe('-1:0.8;0:0.9;1:0.7');
    expect([at('startSlice'), at('endedUp'), at('endedDown'), at('earlyUp')]).toEqual([
      '5',
      'uncertain',
      'series-end',
      '2',
    ]);
    expect(at('hd95')).toBe('');
    const line = summaryCsv(s)
      .split(CSV_EOL)
      .find((l) => l.startsWith('all,3D-box,none,oracle'))!;
    expect(line.split(',').slice(-2)).toEqual(['1', '1']);
  });

  it('prints a table per volume mode with 3D Dice, NoC-3D and early / overrun counts', () => {
    const md = summaryMarkdown(s);
    expect(md).toMatch(/### 3D-box\n/);
    expect(md).toMatch(/\| modality \| object \| n \| 3D Dice oracle \| 3D Dice iou \|/);
    expect(md).toMatch(
      /\| all \| all \| 2 \| 70\.00 ± 14\.14 \| – \| .* \| 0\.50 ± 0\.71 \/ 11\.00 ± 12\.73 \| – \| 1 \/ 1 \| – \|/,
    );
    expect(md).toMatch(/### S5\b/);
  });

  it('draws the drift plot and the propagation table in the report', () => {
    const html = renderReport(s, { title: 't', model: 'm', createdAt: 'now', command: 'c' });
    expect(html).toContain('<h2>Volumes: propagation</h2>');
    expect(html).toContain('aria-label="Per-slice Dice vs distance from the start slice"');
    expect(html).toContain('aria-label="3D Dice vs corrective clicks, 3D-box"');
    expect(html).toMatch(
      /<td>1 \(2\)<\/td><td>1 \(3\)<\/td><td style="text-align:left">grew 1, series-end 1, uncertain 2/,
    );
    expect(html).toContain('volume objects');
    expect(html).not.toMatch(/<script|src=|https?:/);
  });
});
