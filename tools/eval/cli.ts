/**
 * `npm run eval`: the study protocol ("Segment Anything Model for Medical Images?") on a user's data, in
 * Node, with the viewer's own core and runtime, on onnxruntime-node by default (`--backend wasm`: the
 * browser's onnxruntime-web). See docs/evaluation.md and `--help`.
 *
 * A run: discover the references (images, volumes, series) of every --data, skip those finished by an
 * earlier run into the same --out, evaluate the rest on --jobs worker threads (each appends whole
 * references to results.jsonl), then stream results.jsonl once into results.csv, summary.json,
 * summary.csv and report.html, and print the summary table.
 *
 * Exit status (docs/evaluation.md): 0 when references were evaluated and none failed; 1 when an error
 * stopped the run (model files, options that differ from run.json, an unreadable mapping file); 2 for a bad
 * command line; 3 when the model or the runtime failed on some references (a rerun retries them); 4 when
 * nothing was evaluated: no reference done, in this run or an earlier one into --out.
 */
import { appendFileSync, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { basename, join, resolve } from 'node:path';
import {
  formatPerturbBand,
  getFamily,
  parsePerturbBands,
  type ModelEntry,
} from '../../extensions/sam-segmentation/src/core';
import { loadManifest } from '../models/cli';
import { readLocalModel } from '../models/localModel';
import { parseEvalArgs, USAGE, UsageError, type EvalArgs } from './args';
import { summarize, type Summary } from './results/aggregate';
import { summaryCsv, summaryMarkdown, writeRowsCsv } from './results/csv';
import { newReadStats, readCompleteLines, readCompleteRows } from './results/readResults';
import { renderReport } from './results/report';
import type { ResultLine } from './results/rows';
import type { EvaluationOptions } from './run/evaluateImage';
import type { VolumeEvaluationOptions } from './run/evaluateVolume';
import { Progress } from './run/progress';
import { checkRunIdentity, prepareResults, readRunAbout, type RunAbout } from './run/resume';
import { runOnWorkers } from './run/workerPool';
import { describeToolBackend, resolveToolBackend } from '../models/toolRuntime';
import { discoverDataset } from './sources/discover';
import type { ImageRef } from './sources/types';

export const RESULTS_FILE = 'results.jsonl';

/** What the report says about the candidates' clean-up (the study scores raw masks). */
const CLEANUP_NOTES: Record<RunAbout['cleanup'], string | undefined> = {
  on: "on: the model's clean-up step (its manifest entry) ran on every candidate before scoring; the study scores raw masks (rerun with --no-cleanup for them)",
  off: 'off (--no-cleanup): raw masks, as the study scores them',
  none: undefined,
};

/** Exit statuses besides 0, 1 (an error stopped the run) and 2 (a bad command line). */
export const EXIT_FAILED = 3;
export const EXIT_NOTHING_EVALUATED = 4;

const say = (text: string) => process.stderr.write(`${text}\n`);

/** The evaluation options the workers apply, from the arguments and what the model can take. */
export function evaluationOptions(args: EvalArgs, entry: ModelEntry): EvaluationOptions {
  return {
    modes: args.modes,
    ...(args.everything && {
      everything: { pointsPerSide: args.grid, predIouThreshold: args.s1Iou, stabilityThreshold: args.s1Stability },
    }),
    selections: args.selections,
    perturb: (args.perturb.length > 0 ? parsePerturbBands(args.perturb.join(',')) : []).map((band) => ({
      label: formatPerturbBand(band),
      band,
    })),
    clicks: args.clicks,
    seed: args.seed,
    ...(entry.cleanup && !args.noCleanup && { cleanup: {} }),
  };
}

/** The volume modes' options (undefined when none is asked for). */
export function volumeOptions(args: EvalArgs): VolumeEvaluationOptions | undefined {
  if (args.volumeModes.length === 0) return undefined;
  return {
    modes: args.volumeModes,
    selections: args.selections,
    clicks: args.clicks3d,
    settings: args.propagation,
    seed: args.seed,
  };
}

/**
 * Rebuilds results.csv, summary.json, summary.csv and report.html from results.jsonl (streamed); returns the
 * printed summary table and the totals.
 */
export async function writeOutputs(
  out: string,
  meta: { model: string; command: string },
): Promise<{ table: string; totals: Summary['totals'] }> {
  // The run's own command and datasets, also when `--report` rebuilds the outputs later.
  const about = readRunAbout(join(out, 'run.json'));
  const results = join(out, RESULTS_FILE);
  if (!existsSync(results)) throw new Error(`${results} does not exist: nothing to report.`);
  const csv = createWriteStream(join(out, 'results.csv'));
  await writeRowsCsv(readCompleteRows(results), csv);
  csv.end();
  await once(csv, 'finish');
  const stats = newReadStats();
  const summary = await summarize(readCompleteLines(results, stats));
  const command = about?.command ?? meta.command;
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify({ ...meta, command, ...summary }, null, 2)}\n`);
  writeFileSync(join(out, 'summary.csv'), summaryCsv(summary));
  const datasets = about?.datasets.join(' + ') || basename(resolve(out));
  const cleanup = about && CLEANUP_NOTES[about.cleanup];
  writeFileSync(
    join(out, 'report.html'),
    renderReport(summary, {
      title: `SAM evaluation: ${meta.model} on ${datasets}`,
      model: meta.model,
      createdAt: new Date().toISOString(),
      command,
      ...(meta.command !== command && { 'rebuilt by': meta.command }),
      ...(cleanup && { 'mask clean-up': cleanup }),
    }),
  );
  return { table: summaryMarkdown(summary), totals: summary.totals };
}

function selectRefs(refs: ImageRef[], args: EvalArgs): ImageRef[] {
  let chosen = args.shard ? refs.filter((_, i) => i % args.shard!.count === args.shard!.index) : refs;
  if (args.limit !== undefined) chosen = chosen.slice(0, args.limit);
  return chosen;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: EvalArgs | 'help';
  try {
    args = parseEvalArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    say(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const command = `npm run eval -- ${argv.join(' ')}`;

  if (args.reportOnly) {
    const model = args.model ?? loadManifest(args.modelsDir).defaultModel;
    console.log((await writeOutputs(args.out!, { model, command })).table);
    return 0;
  }

  // Read and checked once, before any work starts; the workers get the checked bytes.
  const model = await readLocalModel(args.model, args.modelsDir);
  const { id: modelId, family } = model.entry;
  if (args.volumeModes.includes('3D-point') && !getFamily(family).prompt.acceptsPoints) {
    say(`${modelId} takes a box prompt only: mode 3D-point needs a model that takes points.`);
    return 2;
  }
  let backend;
  try {
    backend = resolveToolBackend(args.backend);
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const listings = args.data.map((d) => discoverDataset(d));
  const out = resolve(args.out ?? join('eval-results', `${listings.map((l) => l.name).join('+')}-${modelId}`));
  mkdirSync(out, { recursive: true });
  const results = join(out, RESULTS_FILE);
  if (args.fresh) for (const f of [RESULTS_FILE, 'run.json']) rmSync(join(out, f), { force: true });
  const cleanup = !model.entry.cleanup ? 'none' : args.noCleanup ? 'off' : 'on';
  checkRunIdentity(
    join(out, 'run.json'),
    {
      model: modelId,
      modes: [...(args.everything ? ['S1'] : []), ...args.modes, ...args.volumeModes],
      // Only runs with volume modes record their settings (as resolved: a change of the defaults counts),
      // so older run.json files still match.
      ...(args.volumeModes.length > 0 && { clicks3d: args.clicks3d, propagation: JSON.stringify(args.propagation) }),
      selections: args.selections,
      perturb: args.perturb,
      clicks: args.clicks,
      grid: args.everything ? args.grid : null,
      s1Thresholds: args.everything ? [String(args.s1Iou), String(args.s1Stability)] : null,
      seed: args.seed,
      window: args.window,
      // Only a run that turns a model's clean-up off records it, so older run.json files still match.
      ...(cleanup === 'off' && { cleanup: 'off' }),
    },
    { command, datasets: listings.map((l) => l.name), cleanup },
  );
  const resume = await prepareResults(results, { maxPixels: args.maxPixels });
  if (resume.droppedBytes > 0) say(`Cut ${resume.droppedBytes} bytes of an interrupted write from ${results}.`);

  // Files the discovery could not use: reported once, as skipped lines (a rerun does not repeat them).
  const discoverySkips: ResultLine[] = listings.flatMap((l) =>
    l.skipped
      .map((s) => ({ type: 'skipped' as const, ref: `${l.name}:${s.path}`, path: s.path, reason: s.reason }))
      .filter((s) => !resume.finished.has(s.ref)),
  );
  if (discoverySkips.length > 0) appendFileSync(results, discoverySkips.map((l) => `${JSON.stringify(l)}\n`).join(''));
  for (const s of discoverySkips) if (s.type === 'skipped') say(`skipped ${s.path}: ${s.reason}`);

  const refs = selectRefs(
    listings.flatMap((l) => l.refs),
    args,
  );
  const todo = refs.filter((r) => !resume.finished.has(r.key));
  const options = evaluationOptions(args, model.entry);
  const workers = Math.min(args.jobs, todo.length);
  const plan =
    todo.length === 0 ? 'nothing to do' : `${todo.length} to do on ${workers} worker${workers > 1 ? 's' : ''}`;
  say(
    `${modelId} (${family}, ${describeToolBackend(backend)}) on ${listings.map((l) => `${l.name}: ${l.refs.length} references`).join(', ')}; ` +
      `${refs.length - todo.length} done earlier, ${plan} → ${out}`,
  );
  let failed = 0;
  if (todo.length > 0) {
    const progress = new Progress(todo.length);
    const volume = volumeOptions(args);
    const setup = {
      model,
      backend,
      options,
      window: args.window,
      cacheBytes: args.cacheBytes,
      maxPixels: args.maxPixels,
      ...(volume && { volume }),
    };
    await runOnWorkers(todo, workers, setup, (result) => {
      // One append per reference: its rows, then its done line (resume.ts relies on that order).
      appendFileSync(results, result.lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      const counts = { skipped: 0, failed: 0 };
      for (const l of result.lines) {
        if (l.type !== 'skipped' && l.type !== 'failed') continue;
        counts[l.type]++;
        say(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${l.type} ${l.path}: ${l.reason}`);
      }
      failed += counts.failed;
      progress.add({ refs: 1, images: result.images, objects: result.objects, ...counts });
    });
    progress.finish();
  }
  const { table, totals } = await writeOutputs(out, { model: modelId, command });
  console.log(table);
  say(`Results: ${join(out, 'report.html')}, summary.csv, summary.json, results.csv, ${RESULTS_FILE}`);
  // Every reference of this run was tried, so its failures are exactly those left unfinished among them.
  if (failed > 0) {
    say(
      `${failed} reference${failed === 1 ? '' : 's'} failed (a model or runtime error), listed above and in the ` +
        'report: not counted and not finished; rerun the same command to retry them.',
    );
    return EXIT_FAILED;
  }
  if (totals.refsDone === 0) {
    say(
      `Nothing was evaluated: no reference is done in ${out} (${totals.skipped} skipped, with the reasons ` +
        'above and in the report).',
    );
    return EXIT_NOTHING_EVALUATED;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      say(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
