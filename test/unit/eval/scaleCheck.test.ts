/**
 * tools/eval/scaleCheck.ts at a tiny size, in a child process (it runs the eval CLI, whose onnxruntime-web
 * cannot run inside jest's VM): the generated data is evaluated in full, memory samples and the output
 * sizes are reported, and the run killed at half resumes with only the rest, without repeating a reference,
 * to the same rows as the uninterrupted run.
 */
import { runTsTool } from '../../support/runTsTool';

const IMAGES = 24;

interface Measurement {
  main: {
    images: number;
    done: number;
    skipped: number;
    rows: number;
    objects: number;
    rssAt: Record<string, number | null>;
    peakRssMiB: number;
    samples: number;
    resultsJsonlMiB: number;
    reportHtmlMiB: number;
    outputsS: number;
  };
  reportRun: { code: number | null };
  heap: { finished: number; refBytes: number };
  resume: {
    killedSignal: string | null;
    killedAtDone: number;
    rerunDoneEarlier: number;
    rerunToDo: number;
    doneLines: number;
    distinctRefs: number;
    rowsIdentical: boolean;
  };
}

const scaleCheck = (args: string[]) => runTsTool('tools/eval/scaleCheck.ts', args, 240_000);

test('scaleCheck measures a run, its outputs and a resume after SIGKILL', async () => {
  const run = await scaleCheck(['--images', String(IMAGES), '--jobs', '1', '--interval', '100', '--json']);
  if (run.code !== 0) throw new Error(`scaleCheck failed (${run.code}):\n${run.stderr}`);
  const json = run.stdout.trim().split('\n').at(-1)!;
  const m = JSON.parse(json) as Measurement;

  expect(m.main.images).toBe(IMAGES);
  expect(m.main.done).toBe(IMAGES);
  expect(m.main.skipped).toBe(0);
  // S5, both selections: two rows per object.
  expect(m.main.rows).toBe(2 * m.main.objects);
  expect(m.main.objects).toBeGreaterThanOrEqual(IMAGES);
  expect(m.main.samples).toBeGreaterThan(0);
  expect(m.main.peakRssMiB).toBeGreaterThan(20);
  expect(m.main.rssAt['1']).not.toBeNull();
  expect(m.main.resultsJsonlMiB).toBeGreaterThan(0);
  expect(m.main.reportHtmlMiB).toBeGreaterThan(0);
  expect(m.main.outputsS).toBeGreaterThanOrEqual(0);
  expect(m.reportRun.code).toBe(0);
  expect(m.heap.finished).toBe(IMAGES);
  expect(m.heap.refBytes).toBeGreaterThan(0);

  expect(m.resume.killedSignal).toBe('SIGKILL');
  expect(m.resume.rerunDoneEarlier).toBeGreaterThanOrEqual(IMAGES / 2);
  expect(m.resume.rerunDoneEarlier).toBeLessThan(IMAGES);
  expect(m.resume.rerunDoneEarlier + m.resume.rerunToDo).toBe(IMAGES);
  expect(m.resume.doneLines).toBe(IMAGES);
  expect(m.resume.distinctRefs).toBe(IMAGES);
  expect(m.resume.rowsIdentical).toBe(true);
  expect(run.stdout).toContain('| images done |');
}, 300_000);
