/**
 * Reading `results.jsonl` back, one line at a time (node:readline over a read stream: memory does not grow
 * with the file). `readResultLines` parses every line and ignores a torn final line (a run killed during
 * its last append); `readCompleteLines` / `readCompleteRows` also drop the rows of any reference that has
 * no `done` line, so an interrupted run never counts half a reference.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DoneLine, FailedLine, ResultLine, ResultRow, SkippedLine } from './rows';

/** The lines that count: rows of finished references, and the references' done, skipped and failed lines. */
export type CompleteLine = ResultRow | DoneLine | SkippedLine | FailedLine;

/** What the reader saw besides the lines it yielded (filled in while iterating). */
export interface ReadStats {
  /** Non-blank lines read, the torn one included. */
  lines: number;
  /** The last line did not parse and was ignored. */
  tornFinalLine: boolean;
  /** Rows dropped because their reference has no done line, and how many such references. */
  droppedRows: number;
  droppedRefs: number;
  /**
   * A reference whose rows start over before its done line (its first row's key seen again): the rows of
   * the earlier, unfinished attempt are dropped. Happens only when a resumed run appended after a partial
   * write that happened to end on a line boundary.
   */
  restarts: number;
}

export function newReadStats(): ReadStats {
  return { lines: 0, tornFinalLine: false, droppedRows: 0, droppedRefs: 0, restarts: 0 };
}

/** A line that is not valid JSON of a known shape; the message names the file and line. */
export class ResultsFormatError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${path}:${line}: ${detail}`);
    this.name = 'ResultsFormatError';
  }
}

/** Parses one line; throws a plain Error with the reason. */
function parseLine(text: string): ResultLine {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  const { type, ref } = value as { type?: unknown; ref?: unknown };
  if (type !== 'row' && type !== 'done' && type !== 'skipped' && type !== 'failed')
    throw new Error(`unknown line type ${String(type)}`);
  if (typeof ref !== 'string') throw new Error('no "ref" string');
  return value as ResultLine;
}

/**
 * Every line of the file, parsed, in order. Blank lines are skipped. An unparsable last line is ignored
 * (recorded in `stats.tornFinalLine`); an unparsable line followed by more lines is corruption, not a torn
 * write, and throws `ResultsFormatError` (a resume must cut a torn tail before appending).
 */
export async function* readResultLines(path: string, stats: ReadStats = newReadStats()): AsyncGenerator<ResultLine> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  // A bad line is only known to be the last one when the file ends, so its error waits one line.
  let pending: ResultsFormatError | null = null;
  let lineNo = 0;
  try {
    for await (const text of lines) {
      lineNo++;
      if (text.trim() === '') continue;
      if (pending) throw pending;
      stats.lines++;
      let parsed: ResultLine;
      try {
        parsed = parseLine(text);
      } catch (e) {
        pending = new ResultsFormatError(path, lineNo, `${(e as Error).message} (only the last line may be torn)`);
        continue;
      }
      yield parsed;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (pending) stats.tornFinalLine = true;
}

/** Same image, object, mode, perturbation and selection: the same row again means the reference started over. */
function sameRow(a: ResultRow, b: ResultRow): boolean {
  return (
    a.image === b.image &&
    a.object === b.object &&
    a.pixels === b.pixels &&
    a.mode === b.mode &&
    a.perturb === b.perturb &&
    a.select === b.select
  );
}

/**
 * The lines that count: rows of references that have a done line (yielded just before that done line),
 * done lines, skipped lines and failed lines. Rows of one reference are contiguous and followed by its done line, so
 * only one reference's rows are buffered at a time; they are dropped when another reference's line comes
 * first, when the reference starts over, or when the file ends.
 */
export async function* readCompleteLines(
  path: string,
  stats: ReadStats = newReadStats(),
): AsyncGenerator<CompleteLine> {
  let buffer: ResultRow[] = [];
  const drop = () => {
    if (buffer.length > 0) {
      stats.droppedRows += buffer.length;
      stats.droppedRefs++;
      buffer = [];
    }
  };
  for await (const line of readResultLines(path, stats)) {
    if (line.type === 'row') {
      const first = buffer[0];
      if (first && line.ref !== first.ref) drop();
      else if (first && sameRow(first, line)) {
        stats.restarts++;
        drop();
      }
      buffer.push(line);
    } else if (line.type === 'done') {
      if (buffer.length > 0 && line.ref === buffer[0]!.ref) {
        for (const row of buffer) yield row;
        buffer = [];
      } else drop();
      yield line;
    } else {
      // A skipped or failed line never sits inside a reference's group: any rows before it are unfinished.
      drop();
      yield line;
    }
  }
  drop();
}

/** Only the rows of finished references (see `readCompleteLines`). */
export async function* readCompleteRows(path: string, stats: ReadStats = newReadStats()): AsyncGenerator<ResultRow> {
  for await (const line of readCompleteLines(path, stats)) if (line.type === 'row') yield line;
}
