/**
 * `npm run eval`'s exit status and what it says about references it did not evaluate, end to end in child
 * processes (onnxruntime-web cannot run inside jest's VM): a model that fails on every reference (a
 * decoder that loads and passes its family's checks but fails at run time) gives `failed` lines, a
 * non-zero exit and a rerun that retries them; a folder where nothing can be evaluated (an empty mask,
 * objects of 50 pixels or fewer, BMP / TIFF / GIF files, a `.dcm` of random bytes) lists every file with
 * its reason and exits non-zero, also on a rerun; an image above a lowered --max-pixels is refused with a
 * reason naming the option, and evaluated by a rerun under the default limit.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { GraphBuilder } from '../../../models/generator/graphBuilder';
import { attr, encodeModel } from '../../../models/generator/onnxModel';
import { OFFICIAL_DECODER_INPUTS, OFFICIAL_DECODER_OUTPUTS } from '../../../models/generator/samOfficialModel';
import { cudaProviderInstalled } from '../../../tools/models/toolRuntime';
import { runTsTool } from '../../support/runTsTool';
import { readSummary, resultLines } from './cliFiles';

const ROOT = join(__dirname, '..', '..', '..');
/** The bound on one CLI run (an outer limit for a loaded machine, not a timing). */
const CLI_BOUND_MS = 180_000;
const evalCli = (args: string[]) => runTsTool('tools/eval/cli.ts', args, CLI_BOUND_MS);
/** Exit statuses of docs/evaluation.md. */
const FAILED = 3;
const NOTHING_EVALUATED = 4;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'eval-exit-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A grey PNG, `on(x, y)` pixels 200 and the rest 40 (masks: 255 / 0). */
function png(path: string, size: number, on: (x: number, y: number) => boolean, mask = false): void {
  const image = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const o = 4 * (y * size + x);
      image.data.fill(on(x, y) ? (mask ? 255 : 200) : mask ? 0 : 40, o, o + 3);
      image.data[o + 3] = 255;
    }
  writeFileSync(path, PNG.sync.write(image));
}
const square = (x: number, y: number) => x >= 20 && x < 44 && y >= 20 && y < 44;

/** A folder with one 64 x 64 image and its mask (a 24 x 24 square). */
function goodFolder(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'masks'), { recursive: true });
  png(join(dir, 'a.png'), 64, square);
  png(join(dir, 'masks', 'a_organ.png'), 64, square, true);
  return dir;
}

/**
 * A decoder with the official SAM export's inputs and outputs that fails on every run: it reshapes the
 * embedding to [1, 4, H + W + 1, -1], which no odd row count divides (2^20 values). The row count comes
 * from `orig_im_size`, known only at run time, so the graph loads and passes the family's checks.
 */
function failingDecoder(): Uint8Array {
  const g = new GraphBuilder();
  const sum = g.op('ReduceSum', ['orig_im_size'], { keepdims: attr.int(1) });
  const rows = g.op('Cast', [g.add(sum, g.f32(1))], { to: attr.int(7) });
  const shape = g.op('Concat', [g.i64([1, 4]), rows, g.i64([-1])], { axis: attr.int(0) });
  const bad = g.op('Reshape', ['image_embeddings', shape]);
  // Outputs last: naming one renames its node's output, which later nodes could not read any more.
  const iou = g.op('ReduceMax', [bad], { axes: attr.ints([2, 3]), keepdims: attr.int(0) });
  const lowRes = g.op('Neg', [bad]);
  g.output('iou_predictions', iou);
  g.output('low_res_masks', lowRes);
  g.output('masks', bad);
  return encodeModel(g.graph('failing_decoder', OFFICIAL_DECODER_INPUTS, OFFICIAL_DECODER_OUTPUTS), { opset: 17 });
}

/** A models folder with one model: the default model's encoder and the failing decoder. */
function failingModelsDir(): string {
  const dir = join(work, 'models');
  mkdirSync(join(dir, 'failing'), { recursive: true });
  copyFileSync(join(ROOT, 'models', 'intensity-similarity-v1', 'encoder.onnx'), join(dir, 'failing', 'encoder.onnx'));
  writeFileSync(join(dir, 'failing', 'decoder.onnx'), failingDecoder());
  const described = (file: string) => {
    const bytes = readFileSync(join(dir, 'failing', file));
    return { file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  };
  const entry = {
    id: 'failing',
    name: 'A decoder that fails at run time',
    family: 'sam',
    version: 'test',
    description: 'test',
    licence: { spdx: 'MIT' },
    segmentAnythingWeights: false,
    files: { encoder: described('encoder.onnx'), decoder: described('decoder.onnx') },
    recommendedBackend: 'any',
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: 1, defaultModel: 'failing', models: [entry] }));
  return dir;
}

describe('npm run eval exit status', () => {
  it('fails when the model fails on every reference, writes failed lines, and retries them on a rerun', async () => {
    const data = goodFolder('good-for-failing');
    const out = join(work, 'out-failing');
    const args = ['--data', data, '--models-dir', failingModelsDir(), '--model', 'failing'];
    args.push('--modes', 'S5', '--select', 'oracle', '--jobs', '1', '--out', out);
    const first = await evalCli(args);
    expect(first.stderr).toMatch(/failed .*a\.png: evaluation of .*a\.png failed: .*[Rr]eshape/);
    expect(first.stderr).toMatch(/1 reference failed \(a model or runtime error\).*rerun the same command to retry/);
    expect(first.code).toBe(FAILED);
    const lines = resultLines(join(out, 'results.jsonl'));
    expect(lines.map((l) => l.type)).toEqual(['failed']);
    expect(readSummary(out).totals).toMatchObject({ refsDone: 0, failed: 1, skipped: 0 });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<h2>Failed references</h2>');

    // The failed line is complete: kept, not cut as a torn write; the reference is tried again.
    const again = await evalCli(args);
    expect(again.stderr).not.toMatch(/Cut \d+ bytes/);
    expect(again.stderr).toMatch(/0 done earlier, 1 to do on 1 worker/);
    expect(again.code).toBe(FAILED);
    expect(resultLines(join(out, 'results.jsonl')).map((l) => l.type)).toEqual(['failed', 'failed']);
    expect(readSummary(out).totals.failed).toBe(1);
  }, 180_000);

  it('fails when nothing is evaluated, listing every file with its reason, also on a rerun', async () => {
    const data = join(work, 'nothing');
    mkdirSync(join(data, 'masks'), { recursive: true });
    png(join(data, 'empty.png'), 64, square);
    png(join(data, 'masks', 'empty_organ.png'), 64, () => false, true);
    png(join(data, 'tiny.png'), 64, square);
    png(join(data, 'masks', 'tiny_organ.png'), 64, (x, y) => x < 5 && y < 4, true); // 20 pixels
    const noise = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 2654435761 + 7) % 251));
    for (const name of ['photo.bmp', 'scan.tif', 'anim.gif', 'random.dcm']) writeFileSync(join(data, name), noise);
    writeFileSync(join(data, 'README.md'), 'about this data');
    const out = join(work, 'out-nothing');
    const args = ['--data', data, '--modes', 'S5', '--select', 'oracle', '--jobs', '1', '--out', out];
    const first = await evalCli(args);
    const said = (file: string, reason: string | RegExp) =>
      expect(first.stderr).toMatch(
        new RegExp(`skipped ${join(data, file)}: ${typeof reason === 'string' ? reason : reason.source}`),
      );
    said('empty.png', 'no object: the mask is empty\\.');
    said('tiny.png', 'no object above 50 pixels \\(largest 20');
    said('photo.bmp', 'BMP images are not read \\(this tool reads PNG and JPEG\\)');
    said('scan.tif', 'TIFF images are not read');
    said('anim.gif', 'GIF images are not read');
    said('random.dcm', /not a DICOM file/);
    expect(first.stderr).not.toContain('README.md');
    expect(first.stderr).toMatch(/Nothing was evaluated: no reference is done/);
    expect(first.code).toBe(NOTHING_EVALUATED);
    const totals = readSummary(out).totals;
    expect(totals).toMatchObject({ refsDone: 0, skipped: 6, failed: 0 });

    const again = await evalCli(args);
    expect(again.stderr).toMatch(/nothing to do/);
    expect(again.code).toBe(NOTHING_EVALUATED);
  }, 180_000);

  it('refuses an image above --max-pixels, naming its size, the limit and the option; a higher limit evaluates it', async () => {
    const data = goodFolder('good-for-limit');
    const out = join(work, 'out-limit');
    const args = ['--data', data, '--modes', 'S5', '--select', 'oracle', '--jobs', '1', '--out', out];
    const small = await evalCli([...args, '--max-pixels', '1000']);
    expect(small.stderr).toMatch(
      /skipped .*a\.png: the image is 64 x 64 = 4,096 pixels, above the limit of 1,000 \(--max-pixels/,
    );
    expect(small.code).toBe(NOTHING_EVALUATED);

    // The limit is not an option that changes what a row means: the same folder, retried under the default.
    const retried = await evalCli(args);
    expect(retried.stderr).toMatch(/0 done earlier, 1 to do on 1 worker/);
    expect(retried.code).toBe(0);
    expect(readSummary(out).totals).toMatchObject({ refsDone: 1, skipped: 0, failed: 0 });
  }, 180_000);
});

describe('npm run eval backends', () => {
  it(
    'runs on onnxruntime-node by default and on onnxruntime-web with --backend wasm, with the same rows',
    async () => {
      const data = goodFolder('backends');
      const native = await evalCli(['--data', data, '--out', join(work, 'native'), '--jobs', '1']);
      const web = await evalCli(['--data', data, '--out', join(work, 'web'), '--jobs', '1', '--backend', 'wasm']);
      expect([native.code, web.code]).toEqual([0, 0]);
      expect(native.stderr).toMatch(/onnxruntime-node \((CPU|CUDA)\)/);
      expect(web.stderr).toMatch(/onnxruntime-web \(WASM\)/);
      // The same prompts, the same candidates chosen, the same masks' scores to the fourth decimal; the
      // decoder's own IoU prediction differs in float rounding only (the two builds order sums differently).
      const round = (v: number | null) => (v === null ? null : Number(v.toFixed(4)));
      const rows = (out: string) => resultLines(join(work, out, 'results.jsonl')).filter((l) => l.type === 'row');
      const scores = (out: string, iou: (v: number) => unknown = (v) => v) =>
        rows(out).map(({ predictedIou, ...r }) => ({
          ...r,
          ...{ dice: round(r.dice), iou: round(r.iou), hd95: round(r.hd95), hdMax: round(r.hdMax), asd: round(r.asd) },
          predictedIou: predictedIou === null ? null : iou(predictedIou),
        }));
      expect(scores('native').length).toBeGreaterThan(0);
      expect(scores('web')).toEqual(scores('native', (v) => expect.closeTo(v, 3)));
    },
    2 * CLI_BOUND_MS,
  );

  it(
    'refuses --backend cuda where the provider is not installed, saying how to install it (runs on it where it is)',
    async () => {
      const run = await evalCli(['--data', goodFolder('cuda'), '--out', join(work, 'cuda'), '--backend', 'cuda']);
      if (cudaProviderInstalled()) {
        // A machine that has the provider runs on it.
        expect(run.code).toBe(0);
        expect(run.stderr).toContain('onnxruntime-node (CUDA)');
        return;
      }
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("onnxruntime-node's CUDA provider is not installed");
      expect(run.stderr).toContain('--backend cpu');
    },
    CLI_BOUND_MS,
  );
});

describe('npm run eval report header', () => {
  it(
    'names the dataset, keeps the run’s command after --report, and says whether clean-up ran',
    async () => {
      const data = goodFolder('header-set');
      const out = join(work, 'header');
      const run = await evalCli(['--data', data, '--out', out, '--jobs', '1', '--modes', 'S5']);
      expect(run.code).toBe(0);
      const report = () => readFileSync(join(out, 'report.html'), 'utf8');
      // The default model cleans up its candidates (manifest "cleanup": true): the report says so.
      expect(report()).toContain('<title>SAM evaluation: intensity-similarity-v1 on header-set</title>');
      expect(report()).toMatch(/<dt>mask clean-up<\/dt><dd>on: the model&#39;s clean-up step/);
      const rebuilt = await evalCli(['--report', '--out', out]);
      expect(rebuilt.code).toBe(0);
      expect(report()).toContain(`<dt>command</dt><dd><code>npm run eval -- --data ${data} --out ${out}`);
      expect(report()).toContain(`<dt>rebuilt by</dt><dd>npm run eval -- --report --out ${out}</dd>`);
      // Raw masks are other results: not into the same folder, and said in the report.
      const mixed = await evalCli(['--data', data, '--out', out, '--jobs', '1', '--modes', 'S5', '--no-cleanup']);
      expect(mixed.code).toBe(1);
      expect(mixed.stderr).toContain('cleanup: undefined before, "off" now');
      const rawOut = join(work, 'header-raw');
      const raw = await evalCli(['--data', data, '--out', rawOut, '--jobs', '1', '--modes', 'S5', '--no-cleanup']);
      expect(raw.code).toBe(0);
      expect(readFileSync(join(rawOut, 'report.html'), 'utf8')).toContain(
        '<dt>mask clean-up</dt><dd>off (--no-cleanup): raw masks, as the study scores them</dd>',
      );
    },
    4 * CLI_BOUND_MS,
  );
});
