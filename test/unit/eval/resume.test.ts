import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration, Progress } from '../../../tools/eval/run/progress';
import { checkRunIdentity, prepareResults } from '../../../tools/eval/run/resume';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eval-resume-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const row = (ref: string) => JSON.stringify({ type: 'row', ref, dice: 0.5 });
const done = (ref: string) => JSON.stringify({ type: 'done', ref, images: 1, objects: 1, ms: 3 });
const skipped = (ref: string) => JSON.stringify({ type: 'skipped', ref, path: ref, reason: 'unreadable' });
const failed = (ref: string) => JSON.stringify({ type: 'failed', ref, path: ref, reason: 'the decoder threw' });

describe('resuming a run', () => {
  it('finds finished and skipped references, and cuts the rows of an unfinished one and a torn line', async () => {
    const path = join(dir, 'results.jsonl');
    const kept = `${row('a')}\n${done('a')}\n${skipped('b')}\n`;
    writeFileSync(path, `${kept}${row('c')}\n${row('c').slice(0, 10)}`);
    const state = await prepareResults(path);
    expect([...state.finished]).toEqual(['a', 'b']);
    expect(readFileSync(path, 'utf8')).toBe(kept);
    expect(state.droppedBytes).toBeGreaterThan(0);
  });

  it('keeps a complete file as it is, and starts empty without one', async () => {
    const path = join(dir, 'results.jsonl');
    expect((await prepareResults(path)).finished.size).toBe(0);
    const text = `${row('a')}\n${done('a')}\n`;
    writeFileSync(path, text);
    expect((await prepareResults(path)).droppedBytes).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('keeps a failed line as a complete line without counting its reference as finished', async () => {
    const path = join(dir, 'results.jsonl');
    const kept = `${row('a')}\n${done('a')}\n${failed('b')}\n${failed('c')}\n`;
    writeFileSync(path, `${kept}${row('d')}\n`);
    const state = await prepareResults(path);
    expect([...state.finished]).toEqual(['a']);
    expect(readFileSync(path, 'utf8')).toBe(kept);
    // A failure retried and done later is finished.
    writeFileSync(path, `${kept}${row('b')}\n${done('b')}\n`);
    expect([...(await prepareResults(path)).finished]).toEqual(['a', 'b']);
  });

  it('retries an image refused for its size when the pixel limit has been raised to hold it', async () => {
    const path = join(dir, 'results.jsonl');
    const big = JSON.stringify({ type: 'skipped', ref: 'big', path: 'big.png', reason: 'too large', pixels: 5000 });
    writeFileSync(path, `${big}\n${skipped('bad')}\n`);
    expect([...(await prepareResults(path, { maxPixels: 4999 })).finished]).toEqual(['big', 'bad']);
    expect([...(await prepareResults(path, { maxPixels: 5000 })).finished]).toEqual(['bad']);
    expect((await prepareResults(path, { maxPixels: 5000 })).droppedBytes).toBe(0);
  });

  it('refuses to mix results of runs with other options, naming the option', () => {
    const path = join(dir, 'run.json');
    checkRunIdentity(path, { model: 'm', seed: 0, modes: ['S2'] });
    expect(() => checkRunIdentity(path, { model: 'm', seed: 0, modes: ['S2'] })).not.toThrow();
    expect(() => checkRunIdentity(path, { model: 'm', seed: 1, modes: ['S2'] })).toThrow(
      /seed: 0 before, 1 now.*--fresh/,
    );
  });
});

describe('progress line', () => {
  it('shows done of total, rate and time left', () => {
    let t = 0;
    const writes: string[] = [];
    const stream = { isTTY: false, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const progress = new Progress(10, stream, () => t);
    t = 4000;
    progress.add({ refs: 2, images: 4, objects: 8 });
    expect(progress.line()).toBe('2/10 (20.0%) · 4 images, 8 objects · 1.00 images/s · elapsed 4s · left 16s');
    t = 100_000;
    progress.add({ refs: 8, images: 8, objects: 8, skipped: 1 });
    expect(writes.at(-1)).toMatch(/^10\/10 \(100\.0%\) · 12 images, 16 objects, 1 skipped .* left 0s\n$/);
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(7322)).toBe('2h02m');
    expect(formatDuration(Infinity)).toBe('?');
  });
});
