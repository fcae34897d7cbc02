/**
 * Resuming a run: `results.jsonl` holds whole references only up to its last `done`, `skipped` or `failed`
 * line; anything after it is the torn output of a run that stopped while writing, and is cut off before
 * new lines are appended. The finished references (done or skipped) are skipped by the rerun; a failed
 * one (the model or the runtime failed, not its data) is kept in the file and tried again, and so is an
 * image refused for its size when the rerun's --max-pixels holds it.
 *
 * `run.json` records the options the results were made with: a rerun with other options into the same
 * folder would mix incomparable rows, so it is refused with a message saying which option differs.
 */
import { createReadStream, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ResumeState {
  /** Keys of references finished (evaluated or skipped) by earlier runs. */
  finished: Set<string>;
  /** Bytes of the results file kept; a torn tail beyond it was cut off. */
  keptBytes: number;
  droppedBytes: number;
}

export interface ResumeOptions {
  /** The rerun's --max-pixels: an image skipped for its size that this holds is not finished. */
  maxPixels?: number;
}

/** Reads the finished references and cuts a torn tail; a missing file is an empty state. */
export async function prepareResults(path: string, options: ResumeOptions = {}): Promise<ResumeState> {
  const finished = new Set<string>();
  if (!existsSync(path)) return { finished, keptBytes: 0, droppedBytes: 0 };
  let offset = 0;
  let keptBytes = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    offset += Buffer.byteLength(line, 'utf8') + 1;
    // Only a reference's last line moves the kept mark: its rows were all written before its done line,
    // and a skipped or failed line is written alone. A failed line is whole, but does not finish it.
    const failed = line.startsWith('{"type":"failed"');
    if (!failed && !line.startsWith('{"type":"done"') && !line.startsWith('{"type":"skipped"')) continue;
    try {
      const parsed = JSON.parse(line) as { ref?: unknown; pixels?: unknown };
      if (typeof parsed.ref === 'string') {
        keptBytes = offset;
        const retry =
          failed ||
          (typeof parsed.pixels === 'number' && options.maxPixels !== undefined && parsed.pixels <= options.maxPixels);
        if (!retry) finished.add(parsed.ref);
        // A later failure of a reference skipped before (its size now allowed) leaves it unfinished.
        else finished.delete(parsed.ref);
      }
    } catch {
      // A torn line: not finished.
    }
  }
  const total = statSync(path).size;
  // The last kept line may lack its newline (cut exactly after it); never keep beyond the file.
  keptBytes = Math.min(keptBytes, total);
  if (keptBytes < total) truncateSync(path, keptBytes);
  return { finished, keptBytes, droppedBytes: total - keptBytes };
}

/** The options that decide what a row means; a resumed run must match them. */
export type RunIdentity = Record<string, string | number | boolean | string[] | null>;

/**
 * What the report says about the run without deciding what a row means (kept in run.json under
 * `about`, never compared): the last command that evaluated into the folder, the datasets' names, and
 * whether the model's clean-up ran on the candidates. `--report` reads it back.
 */
export interface RunAbout {
  command: string;
  datasets: string[];
  /** "on" (the model's clean-up ran), "off" (--no-cleanup), "none" (the model has none). */
  cleanup: 'on' | 'off' | 'none';
}

/** The `about` of an output folder's run.json, when it has one. */
export function readRunAbout(path: string): RunAbout | undefined {
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, 'utf8')) as { about?: RunAbout }).about;
}

/**
 * Writes `run.json`, or checks that an existing one matches (throws naming the differing options); then
 * records `about`.
 */
export function checkRunIdentity(path: string, identity: RunIdentity, about?: RunAbout): void {
  const write = () => writeFileSync(path, `${JSON.stringify({ ...identity, ...(about && { about }) }, null, 2)}\n`);
  if (!existsSync(path)) {
    write();
    return;
  }
  const { about: _earlier, ...previous } = JSON.parse(readFileSync(path, 'utf8')) as RunIdentity & {
    about?: RunAbout;
  };
  const differing = Object.keys({ ...previous, ...identity }).filter(
    (k) => JSON.stringify(previous[k]) !== JSON.stringify(identity[k]),
  );
  if (differing.length > 0) {
    const detail = differing.map(
      (k) => `${k}: ${JSON.stringify(previous[k])} before, ${JSON.stringify(identity[k])} now`,
    );
    throw new Error(
      `The output folder holds results of a run with other options (${detail.join('; ')}). ` +
        'Use another --out, or --fresh to discard them.',
    );
  }
  write();
}
