/**
 * The run's HTML report: one self-contained page (inline CSS, inline SVG drawn here, no script, font, image
 * or link to anything outside the file), computed from the summary alone. Every piece of text that comes
 * from the run (object and modality names, paths, reasons, the command) is escaped.
 */
import { SELECT_ORDER, type DiceDrop, type GroupSummary, type Summary } from './aggregate';
import { distance, groupIndex, type GroupQuery, modesOf, pairsOf, pct, perturbsOf, plain, points } from './format';
import { isVolumeMode, type RowMode, type Selection, type VolumeMode } from './rows';

/** What the header shows about the run; any extra field is listed too (name and value escaped). */
export interface ReportMeta {
  title: string;
  model: string;
  createdAt: string;
  command: string;
  [extra: string]: string | number | boolean | null | undefined;
}

/** HTML text and attribute escaping (the five characters that matter). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = escapeHtml;

const COLORS: Record<Selection, string> = { oracle: '#2b6cb0', iou: '#dd6b20' };
const SELECT_LABEL: Record<Selection, string> = { oracle: 'oracle (mask matching)', iou: 'predicted IoU' };
const MODE_LABEL: Record<string, string> = {
  S1: 'S1 everything',
  S2: 'S2 1 point',
  S3: 'S3 5 points',
  S4: 'S4 5+/5− points',
  S5: 'S5 box',
  S6: 'S6 box + point',
  clicks: 'clicks',
};
const VOLUME_COLORS: Record<VolumeMode, string> = {
  '3D-box': '#2f855a',
  '3D-point': '#c53030',
  'S5-all-slices': '#6b46c1',
};
const modeLabel = (m: string) => MODE_LABEL[m] ?? m;

/** Coordinates with at most 2 decimals keep the SVG small. */
const n2 = (x: number) => String(Math.round(x * 100) / 100);

/** A round step giving about `count` intervals over [lo, hi]. */
function niceStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
}

/** Round tick values from lo to hi, widened outwards to whole steps (so the axis ends on a labelled tick). */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep(lo, hi, count);
  const out: number[] = [];
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  for (let i = first; i <= last; i++) out.push(Math.round(i * step * 1e6) / 1e6);
  return out;
}

const tickLabel = (v: number) => String(Math.round(v * 1000) / 1000);

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A plot's outer svg, title, y grid with labels, and axis titles; `y` maps a value to a pixel row. */
function svgFrame(
  f: Frame,
  label: string,
  yRange: [number, number],
  yTicks: number[],
  xTitle: string,
  yTitle: string,
  body: (y: (v: number) => number) => string,
): string {
  const [lo, hi] = yRange;
  const plotH = f.height - f.top - f.bottom;
  const y = (v: number) => f.top + plotH * (1 - (v - lo) / (hi - lo || 1));
  let s = `<svg class="plot" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>`;
  for (const t of yTicks) {
    const ty = n2(y(t));
    s += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${ty}" y2="${ty}" class="grid"/>`;
    s += `<text x="${f.left - 6}" y="${ty}" class="tick" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>`;
  }
  s += `<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.height - f.bottom}" class="axis"/>`;
  s += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${f.height - f.bottom}" y2="${f.height - f.bottom}" class="axis"/>`;
  s += `<text x="${n2((f.left + f.width - f.right) / 2)}" y="${f.height - 6}" class="axis-title" text-anchor="middle">${esc(xTitle)}</text>`;
  const cy = n2((f.top + f.height - f.bottom) / 2);
  s += `<text x="14" y="${cy}" class="axis-title" text-anchor="middle" transform="rotate(-90 14 ${cy})">${esc(yTitle)}</text>`;
  return s + body(y) + '</svg>';
}

function legend(x: number, y: number, entries: { color: string; label: string; dashed?: boolean }[]): string {
  let s = '';
  entries.forEach((e, i) => {
    const ly = y + i * 16;
    s += e.dashed
      ? `<line x1="${x}" x2="${x + 14}" y1="${ly}" y2="${ly}" stroke="${e.color}" stroke-dasharray="4 3"/>`
      : `<rect x="${x}" y="${ly - 5}" width="14" height="10" fill="${e.color}"/>`;
    s += `<text x="${x + 20}" y="${ly}" class="tick" dominant-baseline="middle">${esc(e.label)}</text>`;
  });
  return s;
}

/** Box plots of Dice per mode (unperturbed, all objects), oracle and predicted-IoU side by side. */
function boxPlot(groups: { mode: RowMode; bySelect: (GroupSummary | undefined)[] }[]): string {
  const slot = 92;
  const f: Frame = {
    width: Math.max(420, 70 + slot * groups.length + 20),
    height: 320,
    left: 56,
    right: 16,
    top: 40,
    bottom: 64,
  };
  return svgFrame(
    f,
    'Dice per prompt mode, box plots',
    [0, 1],
    ticks(0, 1, 5),
    'Prompt mode (no perturbation)',
    'Dice',
    (y) => {
      let s = legend(
        f.left + 8,
        14,
        SELECT_ORDER.map((sel) => ({ color: COLORS[sel], label: SELECT_LABEL[sel] })),
      );
      groups.forEach(({ mode, bySelect }, i) => {
        const cx = f.left + slot * i + slot / 2 + 6;
        bySelect.forEach((g, j) => {
          const sel = SELECT_ORDER[j]!;
          const b = g?.diceBox;
          if (!b) return;
          const x = cx + (j - 0.5) * 32;
          const w = 24;
          const c = COLORS[sel];
          const tip = `${modeLabel(mode)}, ${sel}: n=${g.n}, min ${tickLabel(b.min)}, q1 ${tickLabel(b.q1)}, median ${tickLabel(b.median)}, q3 ${tickLabel(b.q3)}, max ${tickLabel(b.max)}`;
          s += `<g><title>${esc(tip)}</title>`;
          s += `<line x1="${n2(x)}" x2="${n2(x)}" y1="${n2(y(b.max))}" y2="${n2(y(b.q3))}" stroke="${c}"/>`;
          s += `<line x1="${n2(x)}" x2="${n2(x)}" y1="${n2(y(b.q1))}" y2="${n2(y(b.min))}" stroke="${c}"/>`;
          for (const v of [b.min, b.max])
            s += `<line x1="${n2(x - w / 4)}" x2="${n2(x + w / 4)}" y1="${n2(y(v))}" y2="${n2(y(v))}" stroke="${c}"/>`;
          s += `<rect x="${n2(x - w / 2)}" y="${n2(y(b.q3))}" width="${w}" height="${n2(Math.max(1, y(b.q1) - y(b.q3)))}" fill="${c}" fill-opacity="0.25" stroke="${c}"/>`;
          s += `<line x1="${n2(x - w / 2)}" x2="${n2(x + w / 2)}" y1="${n2(y(b.median))}" y2="${n2(y(b.median))}" stroke="${c}" stroke-width="2.5"/>`;
          s += '</g>';
        });
        const n = bySelect.find((g) => g)?.n ?? 0;
        s += `<text x="${n2(cx)}" y="${f.height - f.bottom + 16}" class="tick" text-anchor="middle">${esc(modeLabel(mode))}</text>`;
        s += `<text x="${n2(cx)}" y="${f.height - f.bottom + 30}" class="tick muted" text-anchor="middle">n=${n}</text>`;
      });
      return s;
    },
  );
}

/**
 * Mean Dice after each click, one line per selection, with the 85% / 90% targets and NoC in the legend.
 * `first` is the click count of a curve's first value: 1 for the 2D clicks, 0 for NoC-3D (before any).
 */
function clickChart(
  bySelect: (GroupSummary | undefined)[],
  { title, first, noc }: { title: string; first: 0 | 1; noc: string } = {
    title: 'Mean Dice vs number of clicks',
    first: 1,
    noc: 'NoC',
  },
): string {
  const curves = bySelect.map((g) => g?.clicks?.diceByClick ?? []);
  const longest = Math.max(1, ...curves.map((c) => c.length));
  // NoC-3D charts carry their title above the legend.
  const titled = first === 0;
  const f: Frame = { width: 560, height: 320, left: 56, right: 16, top: titled ? 56 : 40, bottom: 44 };
  const plotW = f.width - f.left - f.right;
  const x = (k: number) => f.left + (longest === 1 ? plotW / 2 : (plotW * k) / (longest - 1));
  const xTitle = titled ? 'Corrective clicks' : 'Clicks';
  return svgFrame(f, title, [0, 1], ticks(0, 1, 5), xTitle, 'Mean Dice', (y) => {
    let s =
      first === 0
        ? `<text x="${f.width - f.right}" y="14" class="plot-title" text-anchor="end">${esc(title)}</text>`
        : '';
    const step = longest <= 10 ? 1 : Math.ceil(niceStep(1, longest, 10));
    for (let t = 1; t <= longest; t += t === 1 && step > 1 ? step - 1 : step) {
      s += `<text x="${n2(x(t - 1))}" y="${f.height - f.bottom + 14}" class="tick" text-anchor="middle">${t - 1 + first}</text>`;
    }
    // The 90% label above its line, the 85% one below, so the two do not overlap.
    for (const [target, dy] of [
      [0.85, 11],
      [0.9, -4],
    ] as const)
      s += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${n2(y(target))}" y2="${n2(y(target))}" class="target"/><text x="${f.width - f.right - 4}" y="${n2(y(target) + dy)}" class="tick muted" text-anchor="end">${target * 100}%</text>`;
    curves.forEach((c, j) => {
      if (c.length === 0) return;
      const col = COLORS[SELECT_ORDER[j]!];
      s += `<polyline fill="none" stroke="${col}" stroke-width="2" points="${c.map((v, k) => `${n2(x(k))},${n2(y(v))}`).join(' ')}"/>`;
      for (let k = 0; k < c.length; k++)
        s += `<circle cx="${n2(x(k))}" cy="${n2(y(c[k]!))}" r="2.5" fill="${col}"><title>${k + first} clicks: ${tickLabel(c[k]!)}</title></circle>`;
    });
    s += legend(
      f.left + 8,
      titled ? 30 : 14,
      bySelect.flatMap((g, j) => {
        const sel = SELECT_ORDER[j]!;
        if (!g?.clicks) return [];
        return [
          {
            color: COLORS[sel],
            label: `${SELECT_LABEL[sel]}: ${noc}@85 ${plain(g.clicks.noc85)}, ${noc}@90 ${plain(g.clicks.noc90)}`,
          },
        ];
      }),
    );
    return s;
  });
}

/** Dice drop (points) per perturbation band for one mode, bars per selection. */
function dropChart(mode: RowMode, drops: DiceDrop[]): string {
  const bands = [...new Set(drops.map((d) => d.band))];
  const values = drops.map((d) => (d.drop ?? 0) * 100);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const t = ticks(lo, hi === lo ? lo + 1 : hi, 5);
  const range: [number, number] = [t[0]!, t[t.length - 1]!];
  const f: Frame = { width: 360, height: 250, left: 56, right: 12, top: 36, bottom: 44 };
  const slot = (f.width - f.left - f.right) / Math.max(1, bands.length);
  const title = `Dice drop vs perturbation, ${modeLabel(mode)}`;
  return svgFrame(f, title, range, t, 'Perturbation band (px)', 'ΔDice (points)', (y) => {
    let s = `<text x="${f.left}" y="14" class="plot-title">${esc(modeLabel(mode))}</text>`;
    s += `<line x1="${f.left}" x2="${f.width - f.right}" y1="${n2(y(0))}" y2="${n2(y(0))}" class="axis"/>`;
    bands.forEach((band, i) => {
      const cx = f.left + slot * (i + 0.5);
      SELECT_ORDER.forEach((sel, j) => {
        const d = drops.find((e) => e.band === band && e.select === sel);
        if (!d || d.drop === null) return;
        const v = d.drop * 100;
        const w = Math.min(28, slot / 3);
        const x = cx + (j - 1) * w;
        const top = Math.min(y(v), y(0));
        s += `<rect x="${n2(x)}" y="${n2(top)}" width="${n2(w - 2)}" height="${n2(Math.max(1, Math.abs(y(v) - y(0))))}" fill="${COLORS[sel]}"><title>${esc(`${band}, ${sel}: ${points(d.drop)} (${tickLabel(d.dice ?? 0)} vs ${tickLabel(d.baseline ?? 0)}, n=${d.n})`)}</title></rect>`;
      });
      s += `<text x="${n2(cx)}" y="${f.height - f.bottom + 14}" class="tick" text-anchor="middle">${esc(band)}</text>`;
    });
    return s;
  });
}

/**
 * The drift plot: mean per-slice Dice against the signed distance (slices) from the start slice, one line
 * per volume mode (colour) and selection (oracle solid, predicted IoU dashed), over all objects.
 */
function driftChart(lines: { mode: VolumeMode; select: Selection; group: GroupSummary }[]): string {
  const points = lines.flatMap((l) => l.group.volume?.drift ?? []);
  const lo = Math.min(0, ...points.map((p) => p.distance));
  const hi = Math.max(0, ...points.map((p) => p.distance));
  const xTicks = ticks(lo, hi === lo ? lo + 1 : hi, 8);
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const f: Frame = {
    width: 640,
    height: 340,
    left: 56,
    right: 16,
    top: 30 + 16 * lines.length,
    bottom: 44,
  };
  const plotW = f.width - f.left - f.right;
  const x = (d: number) => f.left + (plotW * (d - x0)) / (x1 - x0 || 1);
  const label = 'Per-slice Dice vs distance from the start slice';
  return svgFrame(f, label, [0, 1], ticks(0, 1, 5), 'Slices from the start slice (signed)', 'Mean slice Dice', (y) => {
    let s = '';
    for (const t of xTicks)
      s += `<text x="${n2(x(t))}" y="${f.height - f.bottom + 14}" class="tick" text-anchor="middle">${tickLabel(t)}</text>`;
    s += `<line x1="${n2(x(0))}" x2="${n2(x(0))}" y1="${f.top}" y2="${f.height - f.bottom}" class="target"/>`;
    for (const { mode, select, group } of lines) {
      const drift = group.volume?.drift ?? [];
      if (drift.length === 0) continue;
      const col = VOLUME_COLORS[mode];
      const dash = select === 'iou' ? ' stroke-dasharray="5 3"' : '';
      s += `<polyline fill="none" stroke="${col}" stroke-width="2"${dash} points="${drift.map((p) => `${n2(x(p.distance))},${n2(y(p.dice))}`).join(' ')}"/>`;
      for (const p of drift)
        s += `<circle cx="${n2(x(p.distance))}" cy="${n2(y(p.dice))}" r="2" fill="${col}"><title>${esc(`${mode}, ${select}, ${p.distance} slices: ${tickLabel(p.dice)} (n=${p.n})`)}</title></circle>`;
    }
    s += legend(
      f.left + 8,
      14,
      lines.map((l) => ({
        color: VOLUME_COLORS[l.mode],
        label: `${l.mode}, ${SELECT_LABEL[l.select]}`,
        dashed: l.select === 'iou',
      })),
    );
    return s;
  });
}

/** Per volume mode and selection: objects, 3D Dice, NoC-3D, early stops, overruns and how directions ended. */
function volumeTable(lines: { mode: VolumeMode; select: Selection; group: GroupSummary }[]): string {
  let s = '<div class="scroll"><table><thead><tr><th>mode</th><th>selection</th><th>objects</th><th>3D Dice ×100</th>';
  s += '<th>NoC-3D@85</th><th>NoC-3D@90</th><th title="rows (object slices missed)">stopped early</th>';
  s += '<th title="rows (slices with a mask and no object)">ran past</th><th>directions ended</th></tr></thead><tbody>';
  for (const { mode, select, group: g } of lines) {
    const v = g.volume!;
    const propagated = Object.keys(v.ended).length > 0;
    const ended = Object.entries(v.ended)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    s += `<tr><th scope="row">${esc(mode)}</th><td>${esc(SELECT_LABEL[select])}</td><td>${g.n}</td><td>${pct(g.dice)}</td>`;
    s += `<td>${plain(g.clicks?.noc85)}</td><td>${plain(g.clicks?.noc90)}</td>`;
    s += propagated
      ? `<td>${v.earlyStops} (${v.earlySlices})</td><td>${v.overruns} (${v.overrunSlices})</td>`
      : '<td>–</td><td>–</td>';
    s += `<td style="text-align:left">${esc(ended || '–')}</td></tr>`;
  }
  return s + '</tbody></table></div>';
}

/** A table cell pair (oracle, iou) for each metric; rows are (label, groups by selection). */
function metricTable(rows: { label: string; sub?: boolean; bySelect: (GroupSummary | undefined)[] }[]): string {
  let s = '<div class="scroll"><table><thead><tr><th rowspan="2">mode</th><th rowspan="2">n</th>';
  for (const m of ['Dice ×100', 'IoU ×100', 'HD95', 'ASD (pooled)', 'ASSD']) s += `<th colspan="2">${m}</th>`;
  s +=
    '<th rowspan="2" title="empty prediction / empty reference / both empty; oracle · predicted IoU">empty p/r/b</th></tr><tr>';
  for (let i = 0; i < 5; i++) s += '<th>oracle</th><th>pred. IoU</th>';
  s += '</tr></thead><tbody>';
  for (const r of rows) {
    const gs = r.bySelect;
    const any = gs.find((g) => g);
    if (!any) continue;
    s += `<tr${r.sub ? ' class="sub"' : ''}><th scope="row">${esc(r.label)}</th><td>${any.n}</td>`;
    for (const g of gs) s += `<td>${pct(g?.dice)}</td>`;
    for (const g of gs) s += `<td>${pct(g?.iou)}</td>`;
    // Two units in one group (mixed px and mm sources) go on two lines of the cell.
    const dist = (g: GroupSummary | undefined, m: 'hd95' | 'asd' | 'assd') =>
      g ? distance(g.distances, m).split('; ').map(esc).join('<br>') : '–';
    for (const g of gs) s += `<td>${dist(g, 'hd95')}</td>`;
    for (const g of gs) s += `<td>${dist(g, 'asd')}</td>`;
    for (const g of gs) s += `<td>${dist(g, 'assd')}</td>`;
    s += `<td>${gs.map((g) => (g ? `${g.empty['empty-prediction']}/${g.empty['empty-reference']}/${g.empty['both-empty']}` : '–')).join(' · ')}</td></tr>`;
  }
  return s + '</tbody></table></div>';
}

const VOLUME_NOTE =
  'Stopped early: the object has slices beyond the last propagated one; ran past: masks on slices without the object. ' +
  'NoC-3D: corrective clicks on the worst slice, each propagated again, until 3D Dice 0.85 / 0.90 (the budget when never). ' +
  "The drift plot: mean Dice of each slice by its signed distance from the start slice (the object's largest).";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a202c;margin:0;background:#f7fafc}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #cbd5e0}
h3{font-size:15px;margin:18px 0 6px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}
dl.meta dt{color:#4a5568}dl.meta dd{margin:0;word-break:break-all}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.totals{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
.totals div{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:6px 12px}
.totals b{display:block;font-size:18px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:#fff;font-size:12.5px;margin:4px 0 12px}
th,td{border:1px solid #e2e8f0;padding:3px 7px;text-align:right;white-space:nowrap}
thead th{background:#edf2f7;text-align:center}tbody th{text-align:left;font-weight:600}
tr.sub th,tr.sub td{color:#4a5568;font-weight:normal;font-size:12px}
.plots{display:flex;flex-wrap:wrap;gap:12px}
svg.plot{background:#fff;border:1px solid #e2e8f0;border-radius:6px;max-width:100%;height:auto}
svg .grid{stroke:#edf2f7}svg .axis{stroke:#718096}svg .target{stroke:#a0aec0;stroke-dasharray:5 4}
svg text{font:11px system-ui,sans-serif;fill:#2d3748}svg .axis-title{font-size:12px;fill:#4a5568}
svg .plot-title{font-size:12px;font-weight:600}svg .muted{fill:#718096}
.note{background:#fff;border-left:4px solid #2b6cb0;padding:8px 14px;margin:12px 0}
.note li{margin:2px 0}details{margin:6px 0}summary{cursor:pointer;font-weight:600}
`;

/** The report page. */
export function renderReport(summary: Summary, meta: ReportMeta): string {
  const get = groupIndex(summary);
  const modes = modesOf(summary);
  const pairs = pairsOf(summary);
  const t = summary.totals;
  const both = (q: Omit<GroupQuery, 'select'>) => SELECT_ORDER.map((select) => get({ ...q, select }));

  const { title, model, createdAt, command, ...extra } = meta;
  let h = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`;
  h += `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>`;
  h += `<h1>${esc(title)}</h1><dl class="meta"><dt>model</dt><dd>${esc(model)}</dd><dt>created</dt><dd>${esc(createdAt)}</dd>`;
  h += `<dt>command</dt><dd><code>${esc(command)}</code></dd>`;
  for (const [k, v] of Object.entries(extra))
    if (v !== undefined && v !== null) h += `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`;
  h += '</dl><div class="totals">';
  const total = (label: string, value: string) => `<div>${esc(label)}<b>${esc(value)}</b></div>`;
  h += total('references done', String(t.refsDone)) + total('images', String(t.images));
  h += total('objects', String(t.objects)) + total('rows', String(t.rows)) + total('skipped', String(t.skipped));
  if (t.failed > 0) h += total('failed', String(t.failed));
  if (t.objects3d > 0) h += total('volume objects', String(t.objects3d));
  h += total('mean time / reference', t.meanMsPerRef === null ? '–' : `${(t.meanMsPerRef / 1000).toFixed(2)} s`);
  h += total('modalities', t.modalities.join(', ') || '–');
  h += '</div>';
  if (summary.input && (summary.input.tornFinalLine || summary.input.droppedRows > 0 || summary.input.restarts > 0))
    h += `<p class="muted">Input: ${summary.input.droppedRows} rows of ${summary.input.droppedRefs} unfinished references not counted${summary.input.tornFinalLine ? '; a torn last line ignored' : ''}${summary.input.restarts > 0 ? `; ${summary.input.restarts} restarted references` : ''}.</p>`;

  h += `<div class="note"><b>How to read</b><ul>
<li><b>oracle</b> keeps, among the decoder's candidates, the mask with the highest Dice against the ground truth: the study's "mask matching" (it needs the answer, so it is an upper bound). <b>pred. IoU</b> keeps the candidate with the highest predicted IoU: what a deployed tool can do.</li>
<li>Dice = 2|P∩G| / (|P|+|G|), exact: without the released code's +0.1 smoothing. Dice and IoU are mean ± sample std (n−1) × 100, as the paper reports them.</li>
<li>ASD (pooled) is the mean of the two boundaries' surface distances pooled into one set; ASSD is MedPy's <code>assd</code>, the mean of the two directed mean distances (each direction weighs half). HD95, ASD and ASSD are in pixels or mm (as stated) and only over objects where both masks are non-empty; empty predictions, empty references and both-empty cases are counted apart (column "empty p/r/b"), never scored as 0.</li>
<li>Box plots: whiskers at min and max, box at the quartiles (from a ${summary.method.histogramBins}-bin histogram, ±${(0.5 / summary.method.histogramBins).toFixed(4)}). Dice drop: mean Dice at a band minus mean Dice unperturbed, same mode and selection, over all objects.</li>
<li>Dice vs clicks: an object whose run stopped early keeps its last Dice up to the longest run.</li>
</ul></div>`;

  h += '<h2>Overview (all objects, no perturbation)</h2>';
  h += metricTable(
    modes.map((mode) => ({ label: modeLabel(mode), bySelect: both({ level: 'all', mode, perturb: 'none' }) })),
  );

  h += '<h2>Dice per prompt mode</h2><div class="plots">';
  const boxGroups = modes
    .map((mode) => ({ mode, bySelect: both({ level: 'all', mode, perturb: 'none' }) }))
    .filter((g) => g.bySelect.some((x) => x?.diceBox));
  h += boxGroups.length > 0 ? boxPlot(boxGroups) : '<p>No rows.</p>';
  h += '</div>';

  if (modes.includes('clicks')) {
    h += '<h2>Dice vs clicks</h2><div class="plots">';
    h += clickChart(both({ level: 'all', mode: 'clicks', perturb: 'none' }));
    h += '</div>';
  }

  const volumeLines = modes.filter(isVolumeMode).flatMap((mode) =>
    SELECT_ORDER.flatMap((select) => {
      const group = get({ level: 'all', mode, perturb: 'none', select });
      return group?.volume ? [{ mode, select, group }] : [];
    }),
  );
  if (volumeLines.length > 0) {
    h += '<h2>Volumes: propagation</h2>';
    h += `<p>One row per object of a volume (a label over all its slices). ${esc(VOLUME_NOTE)}</p>`;
    h += volumeTable(volumeLines) + '<div class="plots">' + driftChart(volumeLines);
    // A NoC-3D chart where some object took a corrective click.
    for (const mode of modes.filter(isVolumeMode))
      if (
        SELECT_ORDER.some(
          (select) => (get({ level: 'all', mode, perturb: 'none', select })?.clicks?.diceByClick.length ?? 0) > 1,
        )
      )
        h += clickChart(both({ level: 'all', mode, perturb: 'none' }), {
          title: `3D Dice vs corrective clicks, ${mode}`,
          first: 0,
          noc: 'NoC-3D',
        });
    h += '</div>';
  }

  const dropModes = modes.filter((m) => summary.drops.some((d) => d.mode === m));
  if (dropModes.length > 0) {
    h += '<h2>Dice drop vs perturbation</h2><div class="plots">';
    for (const mode of dropModes)
      h += dropChart(
        mode,
        summary.drops.filter((d) => d.mode === mode),
      );
    h += `</div><div>${legendHtml()}</div>`;
  }

  const modalities = [...new Set(pairs.map((p) => p.modality))];
  h += '<h2>Per modality and object</h2>';
  const rowsFor = (q: { level: 'modality' | 'object'; modality: string; object?: string }) =>
    modes.flatMap((mode) =>
      perturbsOf(summary, mode).map((perturb) => ({
        label: perturb === 'none' ? modeLabel(mode) : `${mode}, moved ${perturb} px`,
        sub: perturb !== 'none',
        bySelect: both({ ...q, mode, perturb }),
      })),
    );
  for (const modality of modalities) {
    if (modalities.length > 1 || pairs.filter((p) => p.modality === modality).length > 1) {
      h += `<details open><summary>${esc(modality)}: all objects</summary>${metricTable(rowsFor({ level: 'modality', modality }))}</details>`;
    }
    for (const p of pairs.filter((q) => q.modality === modality))
      h += `<details open><summary>${esc(p.modality)} · ${esc(p.object)}</summary>${metricTable(rowsFor({ level: 'object', ...p }))}</details>`;
  }

  // Failures are not the data's: said apart from the skipped files, with what to do about them.
  if (t.failed > 0) {
    h += '<h2>Failed references</h2>';
    h += `<p>The model or the runtime failed on ${t.failed === 1 ? 'this reference' : `these ${t.failed} references`} (not their data): not counted, and not finished; a rerun of the same command retries them.</p>`;
    h += '<div class="scroll"><table><thead><tr><th>reference</th><th>path</th><th>reason</th></tr></thead><tbody>';
    for (const f of t.failedList)
      h += `<tr><td style="text-align:left">${esc(f.ref)}</td><td style="text-align:left"><code>${esc(f.path)}</code></td><td style="text-align:left;white-space:normal">${esc(f.reason)}</td></tr>`;
    h += '</tbody></table></div>';
    if (t.failedNotListed > 0) h += `<p>… and ${t.failedNotListed} more (see results.jsonl).</p>`;
  }

  h += '<h2>Skipped files</h2>';
  if (t.skipped === 0) h += '<p>None.</p>';
  else {
    h += '<div class="scroll"><table><thead><tr><th>reference</th><th>path</th><th>reason</th></tr></thead><tbody>';
    for (const s of t.skippedList)
      h += `<tr><td style="text-align:left">${esc(s.ref)}</td><td style="text-align:left"><code>${esc(s.path)}</code></td><td style="text-align:left;white-space:normal">${esc(s.reason)}</td></tr>`;
    h += '</tbody></table></div>';
    if (t.skippedNotListed > 0) h += `<p>… and ${t.skippedNotListed} more (see results.jsonl).</p>`;
  }
  return h + '</main></body></html>\n';
}

function legendHtml(): string {
  return SELECT_ORDER.map(
    (s) =>
      `<span style="display:inline-block;width:12px;height:10px;background:${COLORS[s]};margin:0 4px 0 12px"></span>${esc(SELECT_LABEL[s])}`,
  ).join('');
}
