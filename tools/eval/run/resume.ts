/**
 * Resuming a run: `results.jsonl` holds whole references only up to its last `done` (or `skipped`) line;
 * anything after it is the torn output of a run that stopped while writing, and is cut off before new
 * lines are appended. The finished references are skipped by the rerun.
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

/** Reads the finished references and cuts a torn tail; a missing file is an empty state. */
export async function prepareResults(path: string): Promise<ResumeState> {
  const finished = new Set<string>();
  if (!existsSync(path)) return { finished, keptBytes: 0, droppedBytes: 0 };
  let offset = 0;
  let keptBytes = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    offset += Buffer.byteLength(line, 'utf8') + 1;
    // Only a finished reference moves the kept mark: its rows were all written before its done line.
    if (!line.startsWith('{"type":"done"') && !line.startsWith('{"type":"skipped"')) continue;
    try {
      const parsed = JSON.parse(line) as { ref?: unknown };
      if (typeof parsed.ref === 'string') {
        finished.add(parsed.ref);
        keptBytes = offset;
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

/** Writes `run.json`, or checks that an existing one matches; throws naming the differing options. */
export function checkRunIdentity(path: string, identity: RunIdentity): void {
  if (!existsSync(path)) {
    writeFileSync(path, `${JSON.stringify(identity, null, 2)}\n`);
    return;
  }
  const previous = JSON.parse(readFileSync(path, 'utf8')) as RunIdentity;
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
}
