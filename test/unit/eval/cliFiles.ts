/** What the CLI tests write for a run (mapping files) and read back (results.jsonl, summary.json). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../../../tools/eval/results/aggregate';
import type { ResultLine, ResultRow } from '../../../tools/eval/results/rows';

/** Every line of a results.jsonl file, parsed. */
export const resultLines = (path: string): ResultLine[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ResultLine);

/** The rows of a results.jsonl file. */
export const resultRows = (path: string) => resultLines(path).filter((l): l is ResultRow => l.type === 'row');

/** The summary.json of an output folder. */
export const readSummary = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;

/** Writes `<dir>/<name>.json`, a mapping file named `name` (docs/evaluation.md), and returns its path. */
export function writeMapping(dir: string, name: string, body: object): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, ...body }));
  return path;
}

/** A CLI run that finished cleanly: exit code 0 and no error or stack trace on stderr. */
export function expectClean(run: { code: number; stderr: string }): void {
  expect(run.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
  expect(run.code).toBe(0);
}
