/**
 * CSV and Markdown out of the results: the rows as CSV (streamed, RFC 4180: CRLF records, fields with a
 * comma, quote or line break quoted, quotes doubled), the summary's groups as CSV, and the compact Markdown
 * tables the CLI prints at the end (mean ± std × 100, as the paper reports, both selections side by side).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { GroupSummary, Summary } from './aggregate';
import { distance, formatNumber, groupIndex, modesOf, pairsOf, pct, plain, points, reachCounts } from './format';
import { CSV_COLUMNS, isVolumeMode, type ResultRow, type Selection } from './rows';

export const CSV_EOL = '\r\n';

/** One field, quoted when it holds a comma, a quote, CR or LF. */
export function csvField(value: string | number | null | undefined): string {
  const s = typeof value === 'number' ? formatNumber(value) : (value ?? '');
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',') + CSV_EOL;
}

export function csvHeader(): string {
  return csvLine(CSV_COLUMNS);
}

/** One row as a CSV record (with its CRLF). */
export function rowToCsv(row: ResultRow): string {
  return csvLine(
    CSV_COLUMNS.map((c) => {
      if (c === 'diceByClick') return row.diceByClick?.map(formatNumber).join(';');
      if (c === 'sliceDice') return row.sliceDice?.map(([d, x]) => `${d}:${formatNumber(x)}`).join(';');
      return row[c];
    }),
  );
}

/** The header, then one record per row, as they come. */
export async function* csvRecords(rows: AsyncIterable<ResultRow> | Iterable<ResultRow>): AsyncGenerator<string> {
  yield csvHeader();
  for await (const row of rows) yield rowToCsv(row);
}

/** Writes the rows' CSV to `out` honouring back-pressure; resolves to the number of rows (out stays open). */
export async function writeRowsCsv(
  rows: AsyncIterable<ResultRow> | Iterable<ResultRow>,
  out: Writable,
): Promise<number> {
  let n = -1;
  for await (const record of csvRecords(rows)) {
    n++;
    if (!out.write(record)) await once(out, 'drain');
  }
  return n;
}

export const SUMMARY_CSV_COLUMNS = [
  'level',
  'mode',
  'perturb',
  'select',
  'object',
  'modality',
  'n',
  'dice_mean',
  'dice_std',
  'iou_mean',
  'iou_std',
  'hd95_mean',
  'hd95_std',
  'asd_mean',
  'asd_std',
  'assd_mean',
  'assd_std',
  'unit',
  'distance_n',
  'empty_none',
  'empty_prediction',
  'empty_reference',
  'both_empty',
  'noc85',
  'noc90',
  'dice_min',
  'dice_q1',
  'dice_median',
  'dice_q3',
  'dice_max',
  'early_stops',
  'overruns',
] as const;

/**
 * One line per group (on the 0..1 scale, stds are sample stds). Rolled-up groups leave `object` (and
 * `modality`) empty; `level` tells them apart. A group whose distances come in two units gets one line per
 * unit, the other columns repeated, so px and mm are never averaged together.
 */
export function summaryCsv(summary: Summary): string {
  let out = csvLine(SUMMARY_CSV_COLUMNS);
  for (const g of summary.groups) {
    const units = g.distances.length > 0 ? g.distances : [null];
    for (const d of units) {
      out += csvLine([
        g.level,
        g.mode,
        g.perturb,
        g.select,
        g.object,
        g.modality,
        g.n,
        g.dice.mean,
        g.dice.std,
        g.iou.mean,
        g.iou.std,
        d?.hd95.mean,
        d?.hd95.std,
        d?.asd.mean,
        d?.asd.std,
        d?.assd.mean,
        d?.assd.std,
        d?.unit,
        d?.n ?? 0,
        g.empty.none,
        g.empty['empty-prediction'],
        g.empty['empty-reference'],
        g.empty['both-empty'],
        g.clicks?.noc85.mean,
        g.clicks?.noc90.mean,
        g.diceBox?.min,
        g.diceBox?.q1,
        g.diceBox?.median,
        g.diceBox?.q3,
        g.diceBox?.max,
        g.volume?.earlyStops,
        g.volume?.overruns,
      ]);
    }
  }
  return out;
}

/** A Markdown cell: pipes escaped, line breaks flattened. */
function md(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

const mdRow = (cells: string[]) => `| ${cells.join(' | ')} |\n`;

/**
 * A table per mode over the unperturbed rows: everything, each modality, each object; Dice and IoU as
 * mean ± std × 100 and HD95 in its unit, oracle and predicted-IoU selection side by side (NoC for "clicks").
 * Then the Dice drop per perturbation band, in points of Dice.
 */
export function summaryMarkdown(summary: Summary): string {
  const get = groupIndex(summary);
  const pairs = pairsOf(summary);
  const modalities = [...new Set(pairs.map((p) => p.modality))];
  const sels: Selection[] = ['oracle', 'iou'];
  let out = '';
  for (const mode of modesOf(summary)) {
    const volume = isVolumeMode(mode);
    const clicks = mode === 'clicks' || volume;
    const head = ['modality', 'object', 'n'];
    for (const m of volume ? ['3D Dice', '3D IoU'] : ['Dice', 'IoU', 'HD95'])
      for (const s of sels) head.push(`${m} ${s}`);
    if (clicks) for (const s of sels) head.push(`${volume ? 'NoC-3D' : 'NoC'}@85/90 ${s}`);
    if (volume) for (const s of sels) head.push(`early/overrun ${s}`);
    const lines: string[] = [];
    const line = (label: [string, string], of: (s: Selection) => GroupSummary | undefined) => {
      const gs = sels.map(of);
      if (gs.every((g) => g === undefined)) return;
      const cells = [md(label[0]), md(label[1]), String(gs.find((g) => g)?.n ?? 0)];
      for (const g of gs) cells.push(pct(g?.dice));
      for (const g of gs) cells.push(pct(g?.iou));
      if (!volume) for (const g of gs) cells.push(g ? distance(g.distances, 'hd95') : '–');
      if (clicks)
        for (const g of gs) cells.push(g?.clicks ? `${plain(g.clicks.noc85)} / ${plain(g.clicks.noc90)}` : '–');
      if (volume) for (const g of gs) cells.push(reachCounts(g));
      lines.push(mdRow(cells));
    };
    const base = { mode, perturb: 'none' };
    line(['all', 'all'], (select) => get({ ...base, select, level: 'all' }));
    if (modalities.length > 1)
      for (const modality of modalities)
        line([modality, 'all'], (select) => get({ ...base, select, level: 'modality', modality }));
    for (const p of pairs) line([p.modality, p.object], (select) => get({ ...base, select, level: 'object', ...p }));
    if (lines.length === 0) continue;
    out += `### ${mode}${clicks ? '' : ' (no perturbation)'}\n\n`;
    if (volume)
      out +=
        'One row per object of a volume: 3D scores; early/overrun: rows that stopped early / ran past the object.\n\n';
    out += mdRow(head) + mdRow(head.map(() => '---')) + lines.join('') + '\n';
  }
  const drops = summary.drops;
  if (drops.length > 0) {
    out += '### Dice drop vs perturbation (points of Dice, band minus unperturbed)\n\n';
    out += mdRow(['mode', 'band', 'n', ...sels.map((s) => `ΔDice ${s}`)]) + mdRow(['---', '---', '---', '---', '---']);
    const seen = new Set<string>();
    for (const d of drops) {
      const key = `${d.mode}\u0000${d.band}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const cells = sels.map((s) => {
        const x = drops.find((e) => e.mode === d.mode && e.band === d.band && e.select === s);
        return points(x?.drop ?? null);
      });
      out += mdRow([d.mode, md(d.band), String(d.n), ...cells]);
    }
    out += '\n';
  }
  return out;
}
