/**
 * The evaluation's summary, built in one pass over the rows with memory that does not grow with their
 * number: per group a Welford accumulator per metric, a fixed Dice histogram for the box plots, and for
 * mode "clicks" per-click sums. Groups are mode × perturb × select × object × modality, rolled up to
 * mode × perturb × select × modality and mode × perturb × select over everything.
 *
 * Choices (also stated in `Summary.method`):
 * - std is the sample standard deviation (n − 1), null for fewer than 2 values;
 * - quantiles of Dice come from a 1000-bin histogram over [0, 1] (resolution 0.001; min and max are exact),
 *   interpolated between order statistics like R's type 7 / numpy's default;
 * - surface distances only count rows whose `empty` is "none"; the other cases are counted apart, and the
 *   distance statistics are kept per unit (px, mm) so a group never mixes them;
 * - the Dice-vs-clicks curve carries a row's last Dice forward up to the longest curve of its group (a run
 *   that stops clicking once the target is reached keeps that Dice);
 * - the Dice drop of a band is mean Dice at the band minus mean Dice with perturb "none", same mode and
 *   selection, both over all rows (the same objects, since every object is run at every band);
 * - volume modes (3D-box, 3D-point, S5-all-slices): `dice` / `iou` are the rows' 3D scores, `clicks` their
 *   NoC-3D (curve index 0 = no corrective click yet), and `volume` the drift (mean per-slice Dice per signed
 *   distance from the start slice, memory bounded by the deepest volume) and the early-stop / overrun counts.
 */
import { newReadStats, readCompleteLines, type CompleteLine } from './readResults';
import {
  VOLUME_MODES,
  isVolumeMode,
  type DoneLine,
  type EmptyCase,
  type FailedLine,
  type ResultRow,
  type RowMode,
  type Selection,
  type SkippedLine,
} from './rows';

const sqrt = Math.sqrt;
const floor = Math.floor;
const ceil = Math.ceil;
const min = Math.min;
const max = Math.max;

export const HISTOGRAM_BINS = 1000;
export const SKIPPED_LIST_CAP = 100;
export const MODE_ORDER: readonly RowMode[] = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'clicks', ...VOLUME_MODES];
export const SELECT_ORDER: readonly Selection[] = ['oracle', 'iou'];
export const EMPTY_CASES: readonly EmptyCase[] = ['none', 'empty-prediction', 'empty-reference', 'both-empty'];

/** Mean and sample std of the finite values seen (null / NaN values are not counted in `n`). */
export interface MeanStd {
  n: number;
  mean: number | null;
  std: number | null;
}

/** Five-number summary of Dice (from the histogram: q1, median, q3 to ±0.0005; min, max exact). */
export interface BoxStats {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** Surface distances of the rows with `empty` "none" in one unit. */
export interface DistanceStats {
  unit: 'px' | 'mm';
  n: number;
  hd95: MeanStd;
  hdMax: MeanStd;
  asd: MeanStd;
  assd: MeanStd;
}

/** Mode "clicks"; the volume modes' NoC-3D (where `diceByClick` index 0 is before any corrective click). */
export interface ClickStats {
  /** Rows with a non-empty `diceByClick`. */
  n: number;
  noc85: MeanStd;
  noc90: MeanStd;
  /** Mean Dice after click 1, 2, … (index 0 = one click), last values carried forward. */
  diceByClick: number[];
  /** Rows whose curve reaches 0.85 / 0.90 Dice at some click. */
  reached85: number;
  reached90: number;
}

/** Volume modes only: what propagation did over the group's rows (one row per object and selection). */
export interface VolumeStats {
  /** Mean per-slice Dice by signed distance (slices) from the start slice, ascending; the drift plot. */
  drift: { distance: number; n: number; dice: number }[];
  /** Rows whose propagation stopped early (object slices beyond its last slice) one way or both, and those slices. */
  earlyStops: number;
  earlySlices: number;
  /** Rows whose propagation ran past the object (masks on slices without it), and those slices. */
  overruns: number;
  overrunSlices: number;
  /** How the directions ended (two per propagated row), by DirectionEnd. */
  ended: Record<string, number>;
}

export type GroupLevel = 'object' | 'modality' | 'all';

export interface GroupSummary {
  /** "object": one object of one modality; "modality": all objects of a modality; "all": everything. */
  level: GroupLevel;
  mode: RowMode;
  perturb: string;
  select: Selection;
  /** null when rolled up over objects (levels "modality" and "all"). */
  object: string | null;
  /** null when rolled up over modalities (level "all"). */
  modality: string | null;
  /** Rows in the group. */
  n: number;
  dice: MeanStd;
  iou: MeanStd;
  predictedIou: MeanStd;
  diceBox: BoxStats | null;
  /** Count of rows per empty case (the distance statistics only use "none"). */
  empty: Record<EmptyCase, number>;
  /** One entry per distance unit present among the "none" rows (usually exactly one). */
  distances: DistanceStats[];
  clicks: ClickStats | null;
  /** Volume modes only (absent otherwise). */
  volume?: VolumeStats;
}

/** Mean Dice at a perturbation band minus mean Dice without perturbation (same mode and selection). */
export interface DiceDrop {
  mode: RowMode;
  select: Selection;
  band: string;
  /** Rows at the band and without perturbation. */
  n: number;
  nBaseline: number;
  dice: number | null;
  baseline: number | null;
  /** `dice - baseline` (negative = worse), on the 0..1 scale. */
  drop: number | null;
}

export interface Totals {
  /** Done lines seen: references fully evaluated. */
  refsDone: number;
  images: number;
  objects: number;
  /** Objects of whole volumes evaluated by the volume modes. */
  objects3d: number;
  /** Rows added (rows of unfinished references are dropped before, by the reader). */
  rows: number;
  ms: number;
  meanMsPerRef: number | null;
  /** References skipped and never done later (deduplicated by ref). */
  skipped: number;
  /** The first `SKIPPED_LIST_CAP` of them; `skippedNotListed` more. */
  skippedList: { ref: string; path: string; reason: string }[];
  skippedNotListed: number;
  /**
   * References whose evaluation failed (the model or the runtime, not their data) and that no later run
   * finished (deduplicated by ref, the latest reason); the first `SKIPPED_LIST_CAP` listed.
   */
  failed: number;
  failedList: { ref: string; path: string; reason: string }[];
  failedNotListed: number;
  /** Modalities and objects seen, sorted. */
  modalities: string[];
  objectNames: string[];
}

export interface Summary {
  version: 1;
  method: {
    std: 'sample';
    histogramBins: number;
    quantiles: 'type7-from-histogram';
    curvePadding: 'carry-last-forward';
    distances: 'empty-none-only';
    dice: 'exact';
  };
  totals: Totals;
  /** Sorted: level (all, modality, object), mode, perturb (none first, bands by lower bound), select, modality, object. */
  groups: GroupSummary[];
  drops: DiceDrop[];
  /** What the reader reported (torn line, dropped rows), when the CLI passes it in. */
  input?: { lines: number; tornFinalLine: boolean; droppedRows: number; droppedRefs: number; restarts: number };
}

/** Welford's running mean and sum of squared deviations. */
class Welford {
  n = 0;
  mean = 0;
  m2 = 0;
  add(x: number | null | undefined): void {
    if (x === null || x === undefined || !Number.isFinite(x)) return;
    const n = ++this.n;
    const d = x - this.mean;
    this.mean += d / n;
    this.m2 += d * (x - this.mean);
  }
  result(): MeanStd {
    const n = this.n;
    return { n, mean: n > 0 ? this.mean : null, std: n > 1 ? sqrt(this.m2 / (n - 1)) : null };
  }
}

class DistanceAcc {
  n = 0;
  readonly hd95 = new Welford();
  readonly hdMax = new Welford();
  readonly asd = new Welford();
  readonly assd = new Welford();
}

/** Fixed-size histogram of values in [0, 1] with exact min and max. */
class UnitHistogram {
  readonly counts = new Uint32Array(HISTOGRAM_BINS);
  n = 0;
  lo = Infinity;
  hi = -Infinity;
  add(x: number): void {
    if (!Number.isFinite(x)) return;
    const v = x < 0 ? 0 : x > 1 ? 1 : x;
    this.counts[min(HISTOGRAM_BINS - 1, floor(v * HISTOGRAM_BINS))]!++;
    this.n++;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }
  /** The k-th smallest value (0-based), as the centre of its bin, clamped to [min, max]. */
  private orderStat(k: number): number {
    if (k <= 0) return this.lo;
    if (k >= this.n - 1) return this.hi;
    let seen = 0;
    const counts = this.counts;
    for (let b = 0; b < HISTOGRAM_BINS; b++) {
      seen += counts[b]!;
      if (seen > k) return min(this.hi, max(this.lo, (b + 0.5) / HISTOGRAM_BINS));
    }
    return this.hi;
  }
  quantile(p: number): number {
    const h = p * (this.n - 1);
    const a = this.orderStat(floor(h));
    const b = this.orderStat(ceil(h));
    return a + (h - floor(h)) * (b - a);
  }
  box(): BoxStats | null {
    if (this.n === 0) return null;
    return { min: this.lo, q1: this.quantile(0.25), median: this.quantile(0.5), q3: this.quantile(0.75), max: this.hi };
  }
}

/**
 * Dice-vs-clicks sums in memory bounded by the longest curve: `sums[k]` adds the value at click k of every
 * curve that long, `tailSums[L]` the last value of curves of length L (added at build time to the indices
 * ≥ L, which is the carry-forward without knowing the longest curve in advance).
 */
class ClickAcc {
  n = 0;
  readonly noc85 = new Welford();
  readonly noc90 = new Welford();
  readonly sums: number[] = [];
  readonly tailSums: number[] = [];
  reached85 = 0;
  reached90 = 0;
  add(row: ResultRow): void {
    this.noc85.add(row.noc85);
    this.noc90.add(row.noc90);
    const curve = row.diceByClick;
    if (!curve || curve.length === 0) return;
    this.n++;
    let best = -Infinity;
    let last = 0;
    for (let k = 0; k < curve.length; k++) {
      // A null (NaN in the run) counts as the previous click's value.
      const raw = curve[k];
      const v = raw === null || raw === undefined || !Number.isFinite(raw) ? last : raw;
      this.sums[k] = (this.sums[k] ?? 0) + v;
      last = v;
      if (v > best) best = v;
    }
    const len = curve.length;
    this.tailSums[len] = (this.tailSums[len] ?? 0) + last;
    if (best >= 0.85) this.reached85++;
    if (best >= 0.9) this.reached90++;
  }
  result(): ClickStats {
    const longest = this.sums.length;
    const curve: number[] = [];
    let carried = 0;
    for (let k = 0; k < longest; k++) {
      carried += this.tailSums[k] ?? 0;
      curve.push(this.n > 0 ? ((this.sums[k] ?? 0) + carried) / this.n : 0);
    }
    return {
      n: this.n,
      noc85: this.noc85.result(),
      noc90: this.noc90.result(),
      diceByClick: curve,
      reached85: this.reached85,
      reached90: this.reached90,
    };
  }
}

/** Drift sums per distance and the propagation counts of the volume modes' rows. */
class VolumeAcc {
  private readonly drift = new Map<number, { n: number; sum: number }>();
  private earlyStops = 0;
  private earlySlices = 0;
  private overruns = 0;
  private overrunSlices = 0;
  private readonly ended: Record<string, number> = {};
  add(row: ResultRow): void {
    for (const [distance, dice] of row.sliceDice ?? []) {
      if (!Number.isFinite(distance) || !Number.isFinite(dice)) continue;
      const d = this.drift.get(distance) ?? { n: 0, sum: 0 };
      d.n++;
      d.sum += dice;
      this.drift.set(distance, d);
    }
    const early = (row.earlyUp ?? 0) + (row.earlyDown ?? 0);
    const overrun = (row.overrunUp ?? 0) + (row.overrunDown ?? 0);
    if (early > 0) this.earlyStops++;
    this.earlySlices += early;
    if (overrun > 0) this.overruns++;
    this.overrunSlices += overrun;
    for (const end of [row.endedUp, row.endedDown]) if (end) this.ended[end] = (this.ended[end] ?? 0) + 1;
  }
  result(): VolumeStats {
    return {
      drift: [...this.drift]
        .sort(([a], [b]) => a - b)
        .map(([distance, { n, sum }]) => ({ distance, n, dice: sum / n })),
      earlyStops: this.earlyStops,
      earlySlices: this.earlySlices,
      overruns: this.overruns,
      overrunSlices: this.overrunSlices,
      ended: Object.fromEntries(Object.entries(this.ended).sort(([a], [b]) => cmpStr(a, b))),
    };
  }
}

class GroupAcc {
  n = 0;
  readonly dice = new Welford();
  readonly iou = new Welford();
  readonly predictedIou = new Welford();
  readonly hist = new UnitHistogram();
  readonly empty: Record<EmptyCase, number> = { none: 0, 'empty-prediction': 0, 'empty-reference': 0, 'both-empty': 0 };
  readonly distances = new Map<'px' | 'mm', DistanceAcc>();
  clicks: ClickAcc | null = null;
  volume: VolumeAcc | null = null;
  constructor(
    readonly level: GroupLevel,
    readonly mode: RowMode,
    readonly perturb: string,
    readonly select: Selection,
    readonly modality: string | null,
    readonly object: string | null,
  ) {}
  add(row: ResultRow): void {
    this.n++;
    this.dice.add(row.dice);
    this.iou.add(row.iou);
    this.predictedIou.add(row.predictedIou);
    this.hist.add(row.dice);
    const empty = row.empty in this.empty ? row.empty : 'none';
    this.empty[empty]++;
    if (empty === 'none') {
      let d = this.distances.get(row.distanceUnit);
      if (!d) this.distances.set(row.distanceUnit, (d = new DistanceAcc()));
      d.n++;
      d.hd95.add(row.hd95);
      d.hdMax.add(row.hdMax);
      d.asd.add(row.asd);
      d.assd.add(row.assd);
    }
    if (row.mode === 'clicks' || (isVolumeMode(row.mode) && row.diceByClick)) (this.clicks ??= new ClickAcc()).add(row);
    if (isVolumeMode(row.mode)) (this.volume ??= new VolumeAcc()).add(row);
  }
  result(): GroupSummary {
    const units = [...this.distances.keys()].sort();
    return {
      level: this.level,
      mode: this.mode,
      perturb: this.perturb,
      select: this.select,
      object: this.object,
      modality: this.modality,
      n: this.n,
      dice: this.dice.result(),
      iou: this.iou.result(),
      predictedIou: this.predictedIou.result(),
      diceBox: this.hist.box(),
      empty: { ...this.empty },
      distances: units.map((unit) => {
        const d = this.distances.get(unit)!;
        const { hd95, hdMax, asd, assd } = d;
        return { unit, n: d.n, hd95: hd95.result(), hdMax: hdMax.result(), asd: asd.result(), assd: assd.result() };
      }),
      clicks: this.clicks ? this.clicks.result() : null,
      ...(this.volume && { volume: this.volume.result() }),
    };
  }
}

/** Code-unit order, not the locale's: the same summary on every machine. */
export const cmpStr = (a: string | null, b: string | null): number => {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Sort key of a perturbation: "none" first, then bands by their lower bound, then anything else by name. */
export function perturbOrder(a: string, b: string): number {
  const rank = (p: string): [number, number, string] => {
    if (p === 'none') return [0, 0, p];
    const m = /^(\d+(?:\.\d+)?)/.exec(p);
    return m ? [1, Number(m[1]), p] : [2, 0, p];
  };
  const [ra, na, sa] = rank(a);
  const [rb, nb, sb] = rank(b);
  return ra - rb || na - nb || cmpStr(sa, sb);
}

const LEVEL_ORDER: Record<GroupLevel, number> = { all: 0, modality: 1, object: 2 };
const modeRank = (m: RowMode) => {
  const i = MODE_ORDER.indexOf(m);
  return i < 0 ? MODE_ORDER.length : i;
};

export function compareGroups(a: GroupSummary, b: GroupSummary): number {
  return (
    LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
    modeRank(a.mode) - modeRank(b.mode) ||
    cmpStr(a.mode, b.mode) ||
    perturbOrder(a.perturb, b.perturb) ||
    SELECT_ORDER.indexOf(a.select) - SELECT_ORDER.indexOf(b.select) ||
    cmpStr(a.modality, b.modality) ||
    cmpStr(a.object, b.object)
  );
}

/** Builds a `Summary` from rows, done lines and skipped lines, in any interleaving, one pass. */
export class SummaryBuilder {
  private readonly groups = new Map<string, GroupAcc>();
  private refsDone = 0;
  private images = 0;
  private objects = 0;
  private objects3d = 0;
  private rows = 0;
  private ms = 0;
  // Bounded by the number of skipped references, not rows; a later done line removes its ref.
  private readonly skipped = new Map<string, SkippedLine>();
  // Failed references: a later done or skipped line (a rerun that got further) removes its ref.
  private readonly failures = new Map<string, FailedLine>();
  private readonly modalities = new Set<string>();
  private readonly objectNames = new Set<string>();
  private input: Summary['input'];

  private group(level: GroupLevel, row: ResultRow, modality: string | null, object: string | null): GroupAcc {
    // NUL cannot occur in a name read from a file name or a JSON mapping in practice; cheaper than JSON.stringify.
    const key = `${level}\u0000${row.mode}\u0000${row.perturb}\u0000${row.select}\u0000${modality ?? ''}\u0000${object ?? ''}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = new GroupAcc(level, row.mode, row.perturb, row.select, modality, object)));
    return g;
  }

  add(row: ResultRow): void {
    this.rows++;
    this.modalities.add(row.modality);
    this.objectNames.add(row.object);
    this.group('object', row, row.modality, row.object).add(row);
    this.group('modality', row, row.modality, null).add(row);
    this.group('all', row, null, null).add(row);
  }

  addDone(d: DoneLine): void {
    this.refsDone++;
    this.images += d.images;
    this.objects += d.objects;
    this.objects3d += d.objects3d ?? 0;
    this.ms += d.ms;
    this.skipped.delete(d.ref);
    this.failures.delete(d.ref);
  }

  addSkipped(s: SkippedLine): void {
    this.skipped.delete(s.ref); // re-inserted last: the latest reason wins, in order of last report
    this.skipped.set(s.ref, s);
    this.failures.delete(s.ref);
  }

  addFailed(f: FailedLine): void {
    this.failures.delete(f.ref); // as for skipped: the latest reason, in order of last report
    this.failures.set(f.ref, f);
    this.skipped.delete(f.ref);
  }

  /** Any line of the results file. */
  addLine(line: CompleteLine): void {
    if (line.type === 'row') this.add(line);
    else if (line.type === 'done') this.addDone(line);
    else if (line.type === 'failed') this.addFailed(line);
    else this.addSkipped(line);
  }

  /** The reader's statistics, copied into `Summary.input`. */
  setInputStats(stats: NonNullable<Summary['input']>): void {
    this.input = { ...stats };
  }

  build(): Summary {
    const groups = [...this.groups.values()].map((g) => g.result()).sort(compareGroups);
    const skippedList = [...this.skipped.values()]
      .slice(0, SKIPPED_LIST_CAP)
      .map(({ ref, path, reason }) => ({ ref, path, reason }));
    const failedList = [...this.failures.values()]
      .slice(0, SKIPPED_LIST_CAP)
      .map(({ ref, path, reason }) => ({ ref, path, reason }));
    const summary: Summary = {
      version: 1,
      method: {
        std: 'sample',
        histogramBins: HISTOGRAM_BINS,
        quantiles: 'type7-from-histogram',
        curvePadding: 'carry-last-forward',
        distances: 'empty-none-only',
        dice: 'exact',
      },
      totals: {
        refsDone: this.refsDone,
        images: this.images,
        objects: this.objects,
        objects3d: this.objects3d,
        rows: this.rows,
        ms: this.ms,
        meanMsPerRef: this.refsDone > 0 ? this.ms / this.refsDone : null,
        skipped: this.skipped.size,
        skippedList,
        skippedNotListed: this.skipped.size - skippedList.length,
        failed: this.failures.size,
        failedList,
        failedNotListed: this.failures.size - failedList.length,
        modalities: [...this.modalities].sort(),
        objectNames: [...this.objectNames].sort(),
      },
      groups,
      drops: diceDrops(groups),
    };
    if (this.input) summary.input = this.input;
    return summary;
  }
}

/** The Dice drop of every (mode, select, band) from the "all" groups. */
function diceDrops(groups: GroupSummary[]): DiceDrop[] {
  const all = groups.filter((g) => g.level === 'all');
  const baseline = new Map<string, GroupSummary>();
  for (const g of all) if (g.perturb === 'none') baseline.set(`${g.mode}\u0000${g.select}`, g);
  const drops: DiceDrop[] = [];
  for (const g of all) {
    if (g.perturb === 'none') continue;
    const base = baseline.get(`${g.mode}\u0000${g.select}`);
    const dice = g.dice.mean;
    const ref = base?.dice.mean ?? null;
    drops.push({
      mode: g.mode,
      select: g.select,
      band: g.perturb,
      n: g.n,
      nBaseline: base?.n ?? 0,
      dice,
      baseline: ref,
      drop: dice !== null && ref !== null ? dice - ref : null,
    });
  }
  return drops; // already in group order: mode, band, select
}

/** Convenience: a summary of any iterable of lines (e.g. `readCompleteLines(path)`). */
export async function summarize(lines: AsyncIterable<CompleteLine> | Iterable<CompleteLine>): Promise<Summary> {
  const b = new SummaryBuilder();
  for await (const line of lines) b.addLine(line);
  return b.build();
}

/** The summary of a results file: only finished references count (see `readCompleteLines`). */
export async function summarizeFile(path: string): Promise<Summary> {
  const stats = newReadStats();
  const b = new SummaryBuilder();
  for await (const line of readCompleteLines(path, stats)) b.addLine(line);
  b.setInputStats(stats);
  return b.build();
}
