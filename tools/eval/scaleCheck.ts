/**
 * Measures whether `npm run eval` holds at scale (docs/evaluation.md, "At scale"): memory that does not
 * grow with the number of references, throughput on --jobs workers, the cost of writing the outputs at
 * the end, and resuming after the process is killed.
 *
 *   npx tsx tools/eval/scaleCheck.ts --images N [--size 64] [--jobs 2] [--interval 1000] [--no-resume]
 *                                    [--keep] [--json] [--samples file.csv]
 *
 * 1. Generates N synthetic grey PNG images (a bright disc or square of seeded size, position and
 *    brightness on a noisy background) with one or two PNG masks each, in SAM-Med2D's layout
 *    (`images/<id>.png`, `masks/<id>_<object>_000.png`), in a temporary folder. Up to 2,000 distinct
 *    patterns are encoded; a larger N reuses their encoded files under new names.
 * 2. Runs the real CLI as a child process (`node_modules/.bin/tsx tools/eval/cli.ts --data <dir>/data
 *    --modes S5 --jobs J --out <dir>/out`, the default model) and samples every --interval ms the resident
 *    memory (VmRSS, and the high-water mark VmHWM, of /proc/<pid>/status) of the CLI's node process: tsx
 *    starts node as a child, so that is the launcher's child; its worker threads are part of it. With
 *    each sample it records the references finished so far, counted incrementally from the `done` lines
 *    appended to results.jsonl (only the new bytes are read, on every change of the output folder).
 * 3. Prints the RSS at 10, 25, 50, 75 and 100 % of the references, the peak, the rates, the memory slope
 *    (least-squares fit of RSS on references done over the second half, in MiB per 1,000 images), the
 *    time from the last `done` line to the end of the process (results.csv, summary, report.html), the
 *    output sizes, a `--report` rebuild of the outputs (its time and peak RSS), and the heap one reference
 *    costs the main thread (the discovered reference and its finished key, measured in this process
 *    around `discoverDataset` and `prepareResults` with forced garbage collections).
 * 4. Resuming (unless --no-resume): the same command into a second folder is killed (SIGKILL to its
 *    process group) once half of the references are done, then run again; reports whether the rerun did only
 *    the rest (done lines = N, no reference twice, rows identical to the uninterrupted run's) and times
 *    the resume scan (`prepareResults` over the killed run's results.jsonl, in this process) and the
 *    rerun's start (spawn to its "done earlier" line).
 *
 * The temporary folder is removed at the end unless --keep. --json prints the measurements as one JSON
 * line after the tables (test/unit/eval/scaleCheck.test.ts runs this at a tiny size); --samples writes the
 * uninterrupted run's memory samples as CSV.
 */
import { seededRandom } from '../../extensions/sam-segmentation/src/core/protocol/random';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PNG } from 'pngjs';
import { prepareResults } from './run/resume';
import { discoverDataset } from './sources/discover';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'tools', 'eval', 'cli.ts');
const MIB = 1024 * 1024;
/** Distinct image patterns encoded; references beyond reuse their files (under their own names). */
const PATTERNS = 2000;
/** The fractions of the references at which the memory is reported. */
const MARKS = [0.1, 0.25, 0.5, 0.75, 1];

export interface ScaleOptions {
  images: number;
  size: number;
  jobs: number;
  intervalMs: number;
  resume: boolean;
  keep: boolean;
  json: boolean;
  /** A CSV file for the uninterrupted run's samples (t, done, RSS, HWM). */
  samples?: string;
}

const USAGE =
  'npx tsx tools/eval/scaleCheck.ts --images N [--size 64] [--jobs 2] [--interval 1000] [--no-resume] [--keep] [--json] [--samples file.csv]';

export function parseScaleArgs(argv: readonly string[]): ScaleOptions {
  const options: ScaleOptions = {
    images: 0,
    size: 64,
    jobs: 2,
    intervalMs: 1000,
    resume: true,
    keep: false,
    json: false,
  };
  const integer = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer ≥ ${min}.\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--images') options.images = integer(arg, argv[++i], 2);
    else if (arg === '--size') options.size = integer(arg, argv[++i], 16);
    else if (arg === '--jobs') options.jobs = integer(arg, argv[++i], 1);
    else if (arg === '--interval') options.intervalMs = integer(arg, argv[++i], 50);
    else if (arg === '--no-resume') options.resume = false;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--samples' && argv[i + 1]) options.samples = resolve(argv[++i]!);
    else throw new Error(`Unknown argument ${arg}.\n${USAGE}`);
  }
  if (options.images === 0) throw new Error(`--images is required.\n${USAGE}`);
  return options;
}

// ---------------------------------------------------------------------------------------------------
// The synthetic dataset

function greyPng(size: number, values: Uint8Array): Buffer {
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}

interface Pattern {
  image: Buffer;
  masks: { object: string; png: Buffer }[];
}

/** One image: noise, a bright disc or square ("lesion"), and for half of them a dimmer square ("organ"). */
function makePattern(index: number, size: number): Pattern {
  const random = seededRandom(0x5ca1e000 + index);
  const n = size * size;
  const values = new Uint8Array(n);
  const background = 30 + random() * 50;
  for (let i = 0; i < n; i++) values[i] = Math.round(background + (random() - 0.5) * 30);
  /** Draws a shape of seeded size and position into `values`; returns its mask (255 inside). */
  const draw = (brightness: number, disc: boolean, maxHalf: number): Uint8Array => {
    const half = 4 + random() * (maxHalf - 4);
    const cx = half + 1 + random() * (size - 2 * half - 2);
    const cy = half + 1 + random() * (size - 2 * half - 2);
    const mask = new Uint8Array(n);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (disc ? dx * dx + dy * dy > half * half : Math.abs(dx) > half || Math.abs(dy) > half) continue;
        mask[y * size + x] = 255;
        values[y * size + x] = Math.min(255, Math.round(brightness + (random() - 0.5) * 20));
      }
    return mask;
  };
  const organ = random() < 0.5 ? draw(110 + random() * 30, false, size / 4) : null;
  // The lesion is drawn over the organ: the organ's mask is what stays visible of it.
  const lesion = draw(170 + random() * 70, random() < 0.5, size / 5);
  const masks: Pattern['masks'] = [];
  if (organ) {
    let visible = 0;
    for (let i = 0; i < n; i++) if (lesion[i]) organ[i] = 0;
    for (let i = 0; i < n; i++) if (organ[i]) visible++;
    if (visible > 50) masks.push({ object: 'organ', png: greyPng(size, organ) });
  }
  masks.push({ object: 'lesion', png: greyPng(size, lesion) });
  return { image: greyPng(size, values), masks };
}

export interface GeneratedData {
  dir: string;
  images: number;
  objects: number;
  bytes: number;
  ms: number;
}

/** Writes N images and their masks under `dir` (images/, masks/). */
export function generateDataset(dir: string, images: number, size: number): GeneratedData {
  const started = performance.now();
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  const patterns: Pattern[] = [];
  let objects = 0;
  let bytes = 0;
  for (let i = 0; i < images; i++) {
    const p = i % PATTERNS;
    const pattern = (patterns[p] ??= makePattern(p, size));
    // SAM-Med2D-like names: <dataset>_<case>_<slice>.png and <stem>_<object>_000.png.
    const stem = `scale_${String(Math.floor(i / 100)).padStart(5, '0')}_${String(i % 100).padStart(2, '0')}`;
    writeFileSync(join(dir, 'images', `${stem}.png`), pattern.image);
    bytes += pattern.image.length;
    for (const m of pattern.masks) {
      writeFileSync(join(dir, 'masks', `${stem}_${m.object}_000.png`), m.png);
      bytes += m.png.length;
    }
    objects += pattern.masks.length;
  }
  return { dir, images, objects, bytes, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------------
// Watching the child

interface ProcStatus {
  rssKiB: number;
  hwmKiB: number;
  threads: number;
}

function procStatus(pid: number): ProcStatus | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM'), threads: field('Threads') };
}

function childrenOf(pid: number): number[] {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return tasks.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The process running cli.ts: the deepest descendant of the tsx launcher whose command line names it. */
function cliProcess(launcher: number): number | null {
  let found: number | null = null;
  const walk = (pid: number) => {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return;
    }
    if (cmdline.includes('cli.ts')) found = pid;
    for (const child of childrenOf(pid)) walk(child);
  };
  walk(launcher);
  return found;
}

/** Counts the `done` and `skipped` lines of a growing results.jsonl, reading only what was appended. */
class LineCounter {
  done = 0;
  skipped = 0;
  rows = 0;
  private offset = 0;
  private rest = '';
  private decoder = new StringDecoder('utf8');

  constructor(private readonly path: string) {}

  poll(): void {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return;
    }
    if (size < this.offset) {
      // Cut by a resuming run (a torn tail): count again from the start.
      Object.assign(this, { done: 0, skipped: 0, rows: 0, offset: 0, rest: '', decoder: new StringDecoder('utf8') });
    }
    if (size === this.offset) return;
    const fd = openSync(this.path, 'r');
    try {
      const chunk = Buffer.alloc(Math.min(size - this.offset, 64 * MIB));
      const read = readSync(fd, chunk, 0, chunk.length, this.offset);
      this.offset += read;
      const lines = (this.rest + this.decoder.write(chunk.subarray(0, read))).split('\n');
      this.rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{"type":"done"')) this.done++;
        else if (line.startsWith('{"type":"skipped"')) this.skipped++;
        else if (line.startsWith('{"type":"row"')) this.rows++;
      }
    } finally {
      closeSync(fd);
    }
  }
}

interface Sample {
  /** Seconds since the child was started. */
  t: number;
  done: number;
  rssMiB: number;
  hwmMiB: number;
  /** The tsx launcher's RSS (a separate, idle node process). */
  launcherMiB: number;
  threads: number;
}

interface Trace {
  samples: Sample[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Seconds since the start: first done line seen, all `total` done, the process gone, the plan line. */
  firstDoneS: number | null;
  allDoneS: number | null;
  exitS: number;
  planS: number | null;
  doneAtStart: number;
  doneAtFirst: number;
  final: LineCounter;
  peakHwmMiB: number;
  killedAtDone: number | null;
}

const say = (text: string) => process.stderr.write(`${text}\n`);

/** Runs the CLI with `args`, watching `out`/results.jsonl; SIGKILLs its process group at `killAt` done lines. */
function runCli(
  label: string,
  args: string[],
  out: string,
  total: number,
  intervalMs: number,
  killAt?: number,
): Promise<Trace> {
  mkdirSync(out, { recursive: true });
  const counter = new LineCounter(join(out, 'results.jsonl'));
  counter.poll();
  const doneAtStart = counter.done;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const child = spawn(TSX, [CLI, ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const trace: Trace = {
    samples: [],
    code: null,
    signal: null,
    stdout: '',
    stderr: '',
    firstDoneS: null,
    allDoneS: null,
    exitS: 0,
    planS: null,
    doneAtStart,
    doneAtFirst: 0,
    final: counter,
    peakHwmMiB: 0,
    killedAtDone: null,
  };
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const onSignal = () => {
    killGroup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  child.stdout.setEncoding('utf8').on('data', (text: string) => (trace.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    trace.stderr += text;
    if (trace.planS === null && /done earlier/.test(trace.stderr)) trace.planS = seconds();
    for (const line of text.split('\n')) if (line.trim()) say(`  [${label} cli] ${line.trim()}`);
  });

  let cliPid: number | null = null;
  let lastReport = 0;
  /** Records the CLI process's memory now, with the references done so far. */
  const measure = () => {
    cliPid ??= child.pid ? cliProcess(child.pid) : null;
    const status = cliPid === null ? null : procStatus(cliPid);
    if (!status || !Number.isFinite(status.rssKiB)) return;
    const launcher = child.pid ? procStatus(child.pid) : null;
    const s: Sample = {
      t: seconds(),
      done: counter.done,
      rssMiB: status.rssKiB / 1024,
      hwmMiB: status.hwmKiB / 1024,
      launcherMiB: (launcher?.rssKiB ?? 0) / 1024,
      threads: status.threads,
    };
    trace.samples.push(s);
    trace.peakHwmMiB = Math.max(trace.peakHwmMiB, s.hwmMiB);
    if (s.t - lastReport >= 15) {
      lastReport = s.t;
      say(`[${label}] ${counter.done}/${total} done · RSS ${s.rssMiB.toFixed(0)} MiB · ${s.t.toFixed(0)} s`);
    }
  };
  // Besides the regular samples, one as the count first reaches 10, 25, 50, 75 and 100 % of the total.
  const marks = MARKS.map((p) => Math.max(1, Math.ceil(p * total)));
  const check = () => {
    counter.poll();
    if (counter.done > doneAtStart && trace.firstDoneS === null) {
      trace.firstDoneS = seconds();
      trace.doneAtFirst = counter.done;
    }
    if (counter.done >= total && trace.allDoneS === null) trace.allDoneS = seconds();
    if (killAt !== undefined && trace.killedAtDone === null && counter.done >= killAt) {
      killGroup();
      trace.killedAtDone = counter.done;
    }
    if (killAt === undefined && marks.length > 0 && counter.done >= marks[0]!) {
      while (marks.length > 0 && counter.done >= marks[0]!) marks.shift();
      measure();
    }
  };
  // Every append to results.jsonl is seen at once (inotify), so the kill and the last done are timed closely.
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(out, () => check());
  } catch {
    // polled below
  }
  const sample = () => {
    check();
    measure();
  };
  const timer = setInterval(sample, intervalMs);
  // After the last reference (the outputs being written), sample every 100 ms: that phase is short.
  const poller = setInterval(() => {
    check();
    if (trace.allDoneS !== null) measure();
  }, 100);
  return new Promise((resolveTrace) => {
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearInterval(poller);
      watcher?.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      check();
      trace.exitS = seconds();
      trace.code = code;
      trace.signal = signal;
      resolveTrace(trace);
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Measuring

/** Least-squares slope of y on x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

/** Order-independent digest of the row lines (done lines carry a time, so they are left out), and counts. */
async function rowDigest(path: string): Promise<{ rows: number; done: number; refs: number; digest: string }> {
  let sum = 0n;
  let rows = 0;
  let done = 0;
  const refs = new Set<string>();
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.startsWith('{"type":"row"')) {
      rows++;
      sum = (sum + BigInt(`0x${createHash('sha256').update(line).digest('hex').slice(0, 16)}`)) % 2n ** 64n;
    } else if (line.startsWith('{"type":"done"')) {
      done++;
      refs.add((JSON.parse(line) as { ref: string }).ref);
    }
  }
  return { rows, done, refs: refs.size, digest: sum.toString(16).padStart(16, '0') };
}

const gc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The heap the main thread keeps per reference: the discovered reference (with the CLI's `todo` copy of
 * the list), and its key in the finished set. Each is built `repeats` times and all copies kept, so the
 * garbage collector's noise (~100 kB) is small against what is measured.
 */
async function heapPerReference(data: string, results: string, images: number) {
  // About 20,000 references in all, so that what is measured (a few MB) dwarfs the collector's noise
  // even for a small dataset (24 images: 834 copies, a few seconds).
  const repeats = Math.max(1, Math.min(1000, Math.ceil(20_000 / images)));
  // Warm-up: compiled code and caches are not per reference.
  discoverDataset(data);
  await prepareResults(results);
  const base = heapUsed();
  const kept: unknown[] = [];
  let started = performance.now();
  for (let i = 0; i < repeats; i++) {
    const listing = discoverDataset(data);
    kept.push(
      listing,
      listing.refs.filter(() => true),
    );
  }
  const discoverMs = (performance.now() - started) / repeats;
  const afterRefs = heapUsed();
  const finished: number[] = [];
  started = performance.now();
  for (let i = 0; i < repeats; i++) {
    const resume = await prepareResults(results);
    kept.push(resume);
    finished.push(resume.finished.size);
  }
  const scanMs = (performance.now() - started) / repeats;
  const afterKeys = heapUsed();
  return {
    repeats,
    discoverMs,
    scanFullMs: scanMs,
    refBytes: (afterRefs - base) / (repeats * images),
    keyBytes: (afterKeys - afterRefs) / (repeats * images),
    finished: finished[0] ?? 0,
    kept: kept.length,
  };
}

const fileMiB = (path: string) => (existsSync(path) ? statSync(path).size / MIB : NaN);
const f = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

export async function main(argv: readonly string[]): Promise<number> {
  let options: ScaleOptions;
  try {
    options = parseScaleArgs(argv);
  } catch (err) {
    say((err as Error).message);
    return 2;
  }
  const { images: n, size, jobs, intervalMs } = options;
  const work = mkdtempSync(join(tmpdir(), 'eval-scale-'));
  try {
    const data = join(work, 'data');
    const generated = generateDataset(data, n, size);
    say(
      `Generated ${n} images (${size}×${size}), ${generated.objects} objects, ` +
        `${f(generated.bytes / MIB)} MiB in ${f(generated.ms / 1000)} s → ${data}`,
    );
    const out = join(work, 'out');
    const cliArgs = (dir: string) => ['--data', data, '--modes', 'S5', '--jobs', String(jobs), '--out', dir];

    // The uninterrupted run.
    const run = await runCli('run', cliArgs(out), out, n, intervalMs);
    if (run.code !== 0) throw new Error(`The CLI failed (code ${run.code}, ${run.signal ?? 'no signal'}).`);
    // The evaluation: the samples up to the first one that saw every reference done (then come the outputs).
    const lastEval = run.samples.findIndex((s) => s.done >= n);
    const evalSamples = lastEval < 0 ? run.samples : run.samples.slice(0, lastEval + 1);
    const at = (fraction: number) => evalSamples.find((s) => s.done >= fraction * n) ?? null;
    const secondHalf = evalSamples.filter((s) => s.done >= n / 2).map((s) => ({ x: s.done, y: s.rssMiB }));
    const firstHalf = evalSamples.filter((s) => s.done > 0 && s.done < n / 2).map((s) => ({ x: s.done, y: s.rssMiB }));
    const peak = run.samples.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a), run.samples[0]!);
    const secondHalfRss = secondHalf.map((p) => p.y);
    const evalPeak = Math.max(...evalSamples.map((s) => s.rssMiB));
    const evalSeconds = run.allDoneS !== null && run.firstDoneS !== null ? run.allDoneS - run.firstDoneS : NaN;
    const results = join(out, 'results.jsonl');
    const measured = {
      images: n,
      objects: generated.objects,
      done: run.final.done,
      skipped: run.final.skipped,
      rows: run.final.rows,
      rssAt: Object.fromEntries(MARKS.map((p) => [String(p), at(p)?.rssMiB ?? null])),
      peakRssMiB: peak.rssMiB,
      peakAtDone: peak.done,
      peakAtS: peak.t,
      evalPeakRssMiB: evalPeak,
      secondHalfRssMinMiB: Math.min(...secondHalfRss),
      secondHalfRssMaxMiB: Math.max(...secondHalfRss),
      peakHwmMiB: run.peakHwmMiB,
      launcherMiB: run.samples.at(-1)?.launcherMiB ?? null,
      threads: Math.max(...run.samples.map((s) => s.threads)),
      slopeMiBPer1000: slope(secondHalf) * 1000,
      slopeFirstHalfMiBPer1000: slope(firstHalf) * 1000,
      startS: run.firstDoneS,
      wallS: run.exitS,
      imagesPerS: (n - run.doneAtFirst) / evalSeconds,
      imagesPerSOverall: run.allDoneS !== null ? n / run.allDoneS : NaN,
      outputsS: run.allDoneS !== null ? run.exitS - run.allDoneS : NaN,
      resultsJsonlMiB: fileMiB(results),
      resultsCsvMiB: fileMiB(join(out, 'results.csv')),
      reportHtmlMiB: fileMiB(join(out, 'report.html')),
      summaryJsonMiB: fileMiB(join(out, 'summary.json')),
      samples: run.samples.length,
    };

    // The outputs again, alone: `--report` streams results.jsonl into the CSV, the summary and the report.
    const report = await runCli('report', ['--report', '--out', out], out, n, Math.min(intervalMs, 250));
    const reportRun = { wallS: report.exitS, peakHwmMiB: report.peakHwmMiB, code: report.code };

    const heap = await heapPerReference(data, results, n);
    const uninterrupted = await rowDigest(results);

    let resume: Record<string, unknown> | null = null;
    if (options.resume) {
      const out2 = join(work, 'out-resume');
      const killed = await runCli('killed', cliArgs(out2), out2, n, intervalMs, Math.round(n / 2));
      const results2 = join(out2, 'results.jsonl');
      const afterKill = new LineCounter(results2);
      afterKill.poll();
      const scanCopy = join(work, 'killed-results.jsonl');
      copyFileSync(results2, scanCopy);
      let started = performance.now();
      const scan = await prepareResults(scanCopy);
      const scanMs = performance.now() - started;
      started = performance.now();
      const rerun = await runCli('resumed', cliArgs(out2), out2, n, intervalMs);
      const plan = /(\d+) done earlier, (?:(\d+) to do|nothing to do)/.exec(rerun.stderr);
      const cut = /Cut (\d+) bytes/.exec(rerun.stderr);
      const final = await rowDigest(results2);
      resume = {
        killedAtDone: killed.killedAtDone,
        killedSignal: killed.signal,
        doneInFileAfterKill: afterKill.done,
        tornBytesCut: cut ? Number(cut[1]) : 0,
        scanMs,
        scanFinished: scan.finished.size,
        rerunCode: rerun.code,
        rerunDoneEarlier: plan ? Number(plan[1]) : null,
        rerunToDo: plan ? Number(plan[2] ?? 0) : null,
        rerunStartS: rerun.planS,
        rerunFirstDoneS: rerun.firstDoneS,
        rerunWallS: rerun.exitS,
        doneLines: final.done,
        distinctRefs: final.refs,
        rows: final.rows,
        rowsIdentical: final.digest === uninterrupted.digest && final.rows === uninterrupted.rows,
      };
    }

    if (options.samples)
      writeFileSync(
        options.samples,
        `t_s,done,rss_mib,hwm_mib\n${run.samples.map((x) => `${f(x.t, 2)},${x.done},${f(x.rssMiB)},${f(x.hwmMiB)}`).join('\n')}\n`,
      );
    const measurement = {
      command: `npx tsx tools/eval/scaleCheck.ts ${argv.join(' ')}`,
      main: measured,
      reportRun,
      heap,
      resume,
    };
    printTables(measurement, generated, uninterrupted);
    if (options.json) console.log(JSON.stringify(measurement));
    return 0;
  } finally {
    if (options.keep) say(`Kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function printTables(
  m: {
    main: Record<string, unknown> & { rssAt: Record<string, number | null> };
    reportRun: { wallS: number; peakHwmMiB: number };
    heap: Awaited<ReturnType<typeof heapPerReference>>;
    resume: Record<string, unknown> | null;
  },
  generated: GeneratedData,
  rows: { rows: number; done: number; refs: number },
): void {
  const x = m.main as Record<string, number>;
  const r = m.main.rssAt;
  console.log(
    [
      '| images done | RSS MiB at 10 % / 25 % / 50 % / 75 % / 100 % | peak RSS MiB | slope MiB per 1,000 images (2nd half; 1st half) | 2nd-half RSS range MiB | images/s (steady; overall) | start s | outputs s | wall s |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${x.done} of ${x.images} (${x.skipped} skipped; ${rows.rows} rows) | ${['0.1', '0.25', '0.5', '0.75', '1'].map((k) => f(r[k], 0)).join(' / ')} | ${f(x.peakRssMiB, 0)} at ${x.peakAtDone} done (HWM ${f(x.peakHwmMiB, 0)}; evaluating ${f(x.evalPeakRssMiB, 0)}) | ${f(x.slopeMiBPer1000, 2)}; ${f(x.slopeFirstHalfMiBPer1000, 2)} | ${f(x.secondHalfRssMinMiB, 0)}–${f(x.secondHalfRssMaxMiB, 0)} | ${f(x.imagesPerS)}; ${f(x.imagesPerSOverall)} | ${f(x.startS)} | ${f(x.outputsS)} | ${f(x.wallS)} |`,
    ].join('\n'),
  );
  console.log(
    `\nData: ${generated.images} images, ${generated.objects} objects, ${f(generated.bytes / MIB)} MiB, generated in ${f(generated.ms / 1000)} s. ` +
      `Outputs: results.jsonl ${f(x.resultsJsonlMiB, 2)} MiB, results.csv ${f(x.resultsCsvMiB, 2)} MiB, ` +
      `report.html ${f(x.reportHtmlMiB, 3)} MiB, summary.json ${f(x.summaryJsonMiB, 3)} MiB. ` +
      `The tsx launcher (a separate process): ${f(x.launcherMiB, 0)} MiB; CLI threads: ${x.threads}.`,
  );
  console.log(
    `--report rebuild: ${f(m.reportRun.wallS)} s, peak RSS ${f(m.reportRun.peakHwmMiB, 0)} MiB. ` +
      `Main-thread heap per reference: ${f(m.heap.refBytes, 0)} B (discovered reference) + ${f(m.heap.keyBytes, 0)} B ` +
      `(finished key), over ${m.heap.repeats} copies; discovery ${f(m.heap.discoverMs, 0)} ms, resume scan of the full results ${f(m.heap.scanFullMs, 0)} ms.`,
  );
  const s = m.resume;
  if (s)
    console.log(
      `Resume: killed (${String(s.killedSignal)}) at ${String(s.killedAtDone)} done lines ` +
        `(${String(s.doneInFileAfterKill)} in the file, ${String(s.tornBytesCut)} torn bytes cut by the rerun); ` +
        `scan of the killed results ${f(s.scanMs as number, 0)} ms (${String(s.scanFinished)} finished); ` +
        `rerun: ${String(s.rerunDoneEarlier)} done earlier, ${String(s.rerunToDo)} to do, plan line after ` +
        `${f(s.rerunStartS as number)} s, first new done after ${f(s.rerunFirstDoneS as number)} s, wall ${f(s.rerunWallS as number)} s; ` +
        `final: ${String(s.doneLines)} done lines, ${String(s.distinctRefs)} distinct references, ${String(s.rows)} rows, ` +
        `rows identical to the uninterrupted run: ${String(s.rowsIdentical)}.`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      say(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
