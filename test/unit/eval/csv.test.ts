/**
 * Rows → CSV (RFC 4180 quoting of commas, quotes and line breaks; nulls empty; numbers to 6 decimals;
 * diceByClick joined by ';'), streamed to a writable; the summary as CSV and as Markdown tables.
 */
import { PassThrough } from 'node:stream';
import { SummaryBuilder } from '../../../tools/eval/results/aggregate';
import {
  SUMMARY_CSV_COLUMNS,
  csvHeader,
  csvRecords,
  rowToCsv,
  summaryCsv,
  summaryMarkdown,
  writeRowsCsv,
} from '../../../tools/eval/results/csv';
import { formatNumber } from '../../../tools/eval/results/format';
import { CSV_COLUMNS, type ResultRow } from '../../../tools/eval/results/rows';
import { resultRow } from './rowFixture';

const row = (over: Partial<ResultRow> = {}) => resultRow(over);

/** A small RFC 4180 reader, to check the writer round-trips. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      rec.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

describe('rows CSV', () => {
  it('writes the header from CSV_COLUMNS', () => {
    expect(csvHeader()).toBe(CSV_COLUMNS.join(',') + '\r\n');
  });

  it('quotes commas, quotes and line breaks, and leaves nulls empty', () => {
    const name = 'left, "upper"\nlobe';
    const line = rowToCsv(
      row({ object: name, hd95: null, hdMax: null, asd: null, predictedIou: null, empty: 'empty-prediction' }),
    );
    expect(line).toContain('"left, ""upper""\nlobe"');
    expect(line.endsWith('\r\n')).toBe(true);
    const [fields] = parseCsv(line);
    expect(fields).toHaveLength(CSV_COLUMNS.length);
    const at = (c: (typeof CSV_COLUMNS)[number]) => fields![CSV_COLUMNS.indexOf(c)];
    expect(at('object')).toBe(name);
    expect(at('predictedIou')).toBe('');
    expect(at('hd95')).toBe('');
    expect(at('asd')).toBe('');
    expect(at('empty')).toBe('empty-prediction');
    expect(at('noc85')).toBe(''); // absent outside mode "clicks"
    expect(at('diceByClick')).toBe('');
    expect(at('candidate')).toBe('1');
  });

  it('formats numbers to at most 6 decimals and joins diceByClick with ";"', () => {
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(1e-7)).toBe('0');
    expect(formatNumber(-1e-7)).toBe('0');
    expect(formatNumber(123456.7)).toBe('123456.7');
    expect(formatNumber(NaN)).toBe('');
    expect(formatNumber(null)).toBe('');
    const [fields] = parseCsv(
      rowToCsv(row({ mode: 'clicks', diceByClick: [0.5, 0.75, 2 / 3], noc85: 3, noc90: 20, dice: 2 / 3 })),
    );
    expect(fields![CSV_COLUMNS.indexOf('diceByClick')]).toBe('0.5;0.75;0.666667');
    expect(fields![CSV_COLUMNS.indexOf('dice')]).toBe('0.666667');
    expect(fields![CSV_COLUMNS.indexOf('noc90')]).toBe('20');
  });

  it('streams rows to a writable and round-trips through a CSV reader', async () => {
    async function* rows() {
      yield row({ object: 'a,b' });
      yield row({ object: 'c"d', dice: 0.25 });
      yield row({ object: 'e\r\nf' });
    }
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    expect(await writeRowsCsv(rows(), out)).toBe(3);
    out.end();
    const records = parseCsv(chunks.join(''));
    expect(records).toHaveLength(4);
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    expect(records.slice(1).map((r) => r[CSV_COLUMNS.indexOf('object')])).toEqual(['a,b', 'c"d', 'e\r\nf']);
    expect(records[2]![CSV_COLUMNS.indexOf('dice')]).toBe('0.25');

    const lines: string[] = [];
    for await (const l of csvRecords([row()])) lines.push(l);
    expect(lines).toHaveLength(2);
  });
});

describe('summary CSV and Markdown', () => {
  const b = new SummaryBuilder();
  for (const dice of [0.2, 0.4, 0.6, 0.8, 1.0]) b.add(row({ dice, iou: dice / 2 }));
  b.add(row({ dice: 0.9, select: 'iou' }));
  b.add(row({ object: 'a|b', modality: 'MR', dice: 0.7, hd95: 3, distanceUnit: 'mm' }));
  b.add(row({ mode: 'clicks', diceByClick: [0.8, 0.9], noc85: 2, noc90: 2, dice: 0.9 }));
  b.add(row({ mode: 'S5', perturb: '0-10', dice: 0.5 }));
  b.add(row({ mode: 'S5', dice: 0.9 }));
  const summary = b.build();

  it('writes one line per group (and per distance unit when a group mixes them)', () => {
    const records = parseCsv(summaryCsv(summary));
    expect(records[0]).toEqual([...SUMMARY_CSV_COLUMNS]);
    const mixed = summary.groups.filter((g) => g.distances.length > 1).length;
    expect(mixed).toBeGreaterThan(0); // the S2 oracle roll-ups hold px (CT) and mm (MR)
    expect(records).toHaveLength(1 + summary.groups.length + mixed);
    const col = (r: string[], c: (typeof SUMMARY_CSV_COLUMNS)[number]) => r[SUMMARY_CSV_COLUMNS.indexOf(c)];
    const liver = records.find(
      (r) =>
        col(r, 'level') === 'object' &&
        col(r, 'object') === 'liver' &&
        col(r, 'mode') === 'S2' &&
        col(r, 'select') === 'oracle',
    )!;
    expect(col(liver, 'n')).toBe('5');
    expect(col(liver, 'dice_mean')).toBe('0.6');
    expect(col(liver, 'dice_std')).toBe(formatNumber(Math.sqrt(0.1)));
    expect(col(liver, 'unit')).toBe('px');
    expect(col(liver, 'noc85')).toBe('');
    const all = records.filter(
      (r) => col(r, 'level') === 'all' && col(r, 'mode') === 'S2' && col(r, 'select') === 'oracle',
    );
    expect(all.map((r) => col(r, 'unit'))).toEqual(['mm', 'px']);
    expect(all.every((r) => col(r, 'object') === '' && col(r, 'modality') === '')).toBe(true);
    const clicks = records.find((r) => col(r, 'level') === 'all' && col(r, 'mode') === 'clicks')!;
    expect(col(clicks, 'noc85')).toBe('2');
    expect(records.some((r) => col(r, 'object') === 'a|b')).toBe(true);
  });

  it('prints a table per mode with mean ± std × 100 for both selections, and the drops', () => {
    const text = summaryMarkdown(summary);
    expect(text).toContain('### S2');
    expect(text).toContain('### S5');
    expect(text).toContain('### clicks');
    expect(text).toContain('Dice oracle | Dice iou');
    // CT liver, S2: oracle 60.00 ± 31.62 over 5 rows, iou 90.00 (one row, no std).
    expect(text).toMatch(/\| CT \| liver \| 5 \| 60\.00 ± 31\.62 \| 90\.00 \|/);
    expect(text).toContain('a\\|b'); // a pipe in a name does not break the table
    expect(text).toContain('Dice drop');
    expect(text).toMatch(/\| S5 \| 0-10 \| 1 \| -40\.00 \| – \|/);
  });
});
