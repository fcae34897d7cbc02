/**
 * Number formatting and group look-ups shared by the CSV, the Markdown table and the HTML report, so the
 * three show the same figures.
 */
import {
  MODE_ORDER,
  perturbOrder,
  type DistanceStats,
  type GroupSummary,
  type MeanStd,
  type Summary,
} from './aggregate';
import type { RowMode, Selection } from './rows';

/** At most 6 decimals, trailing zeros dropped, never an exponent; non-finite / null → ''. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '';
  if (Number.isInteger(x)) return String(x);
  const s = x.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** "81.70 ± 12.34": a 0..1 metric as the paper reports it (× 100); "–" when there is no value. */
export function pct(m: MeanStd | null | undefined, digits = 2): string {
  if (!m || m.mean === null) return '–';
  const mean = (m.mean * 100).toFixed(digits);
  return m.std === null ? mean : `${mean} ± ${(m.std * 100).toFixed(digits)}`;
}

/** "4.21 ± 1.30" without scaling; "–" when there is no value. */
export function plain(m: MeanStd | null | undefined, digits = 2): string {
  if (!m || m.mean === null) return '–';
  const mean = m.mean.toFixed(digits);
  return m.std === null ? mean : `${mean} ± ${m.std.toFixed(digits)}`;
}

/** A distance metric over every unit present, e.g. "3.10 ± 1.20 px" or "3.1 px; 2.0 mm" when mixed. */
export function distance(ds: DistanceStats[], metric: 'hd95' | 'hdMax' | 'asd' | 'assd', digits = 2): string {
  const parts = ds.filter((d) => d[metric].mean !== null).map((d) => `${plain(d[metric], digits)} ${d.unit}`);
  return parts.length > 0 ? parts.join('; ') : '–';
}

/** Dice drop in points of Dice (× 100), signed. */
export function points(x: number | null, digits = 2): string {
  if (x === null) return '–';
  const s = (x * 100).toFixed(digits);
  return x > 0 ? `+${s}` : s;
}

export interface GroupQuery {
  level: GroupSummary['level'];
  mode: RowMode;
  perturb: string;
  select: Selection;
  modality?: string | null;
  object?: string | null;
}

const queryKey = (q: GroupQuery) =>
  JSON.stringify([q.level, q.mode, q.perturb, q.select, q.modality ?? null, q.object ?? null]);

/** A look-up of the summary's groups by level/mode/perturb/select/modality/object (one map, built once). */
export function groupIndex(summary: Summary): (q: GroupQuery) => GroupSummary | undefined {
  const map = new Map<string, GroupSummary>();
  for (const g of summary.groups) map.set(queryKey(g), g);
  return (q) => map.get(queryKey(q));
}

/** Modes present in the summary, in the study's order, the volume modes last. */
export function modesOf(summary: Summary): RowMode[] {
  const seen = new Set(summary.groups.map((g) => g.mode));
  return [...MODE_ORDER.filter((m) => seen.has(m)), ...[...seen].filter((m) => !MODE_ORDER.includes(m))];
}

/** "2 / 5": rows that stopped early / ran past the object; "–" for a group without propagation. */
export function reachCounts(g: GroupSummary | undefined): string {
  const v = g?.volume;
  if (!v || Object.keys(v.ended).length === 0) return '–';
  return `${v.earlyStops} / ${v.overruns}`;
}

/** (modality, object) pairs present, sorted by modality then object. */
export function pairsOf(summary: Summary): { modality: string; object: string }[] {
  const seen = new Map<string, { modality: string; object: string }>();
  for (const g of summary.groups)
    if (g.level === 'object' && g.modality !== null && g.object !== null)
      seen.set(JSON.stringify([g.modality, g.object]), { modality: g.modality, object: g.object });
  return [...seen.values()].sort((a, b) =>
    a.modality < b.modality ? -1 : a.modality > b.modality ? 1 : a.object < b.object ? -1 : a.object > b.object ? 1 : 0,
  );
}

/** Perturbations present for a mode: "none" first, then bands in order. */
export function perturbsOf(summary: Summary, mode: RowMode): string[] {
  const seen = new Set<string>();
  for (const g of summary.groups) if (g.mode === mode) seen.add(g.perturb);
  return [...seen].sort(perturbOrder);
}
