import { runTsScriptAsync } from '../../support/runTsScriptAsync';
import { runTsScript } from '../../support/runTsScript';

interface PipelineResult {
  embeddingShapes: Record<string, number[]>;
  maskLength: number;
  results: Record<string, { dice: number; maskPixels: number; candidates: number; mask: string }>;
  refinedDice: number;
  outsideError: string;
}

jest.setTimeout(120_000);

/** Each family's test models; 'sam-hwc': an encoder taking the resized 0-255 image as [H,W,3] (MobileSAM exports). */
const SETUPS = ['sam', 'sam-hwc', 'sam2', 'transformersjs'];

/** The two runtimes: the browser's WASM build, and onnxruntime-node on the CPU (the command-line tools'). */
const RUNTIMES = [
  ['wasm', 'onnxruntime-web, WASM'],
  ['cpu', 'onnxruntime-node, CPU'],
] as const;
const pipelines = new Map<string, Promise<PipelineResult>>();
/** One child process per family and runtime, shared by the tests that read it. */
const pipeline = (family: string, runtime: string) => {
  const key = `${family}/${runtime}`;
  if (!pipelines.has(key)) {
    pipelines.set(key, runTsScriptAsync<PipelineResult>('test/support/runSamModelPipeline.ts', [family, runtime]));
  }
  return pipelines.get(key)!;
};

/** Dice of two bit-packed masks (as runSamModelPipeline.ts prints them). */
function packedDice(a: string, b: string): number {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b, 'base64');
  const ones = (v: number) => v.toString(2).replace(/0/g, '').length;
  let both = 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    both += ones(x[i]! & y[i]!);
    sum += ones(x[i]!) + ones(y[i]!);
  }
  return sum === 0 ? 1 : (2 * both) / sum;
}

describe.each(SETUPS.flatMap((f) => RUNTIMES.map(([r, label]) => [f, r, label])))(
  'SamModel on the %s test models (real %s: %s)',
  (family, runtime) => {
    let result: PipelineResult;
    beforeAll(async () => {
      result = await pipeline(family, runtime);
    });

    it('encodes once into the family’s embeddings and returns masks on the original 512x384 grid', () => {
      expect(Object.values(result.embeddingShapes).some((d) => d.join() === '1,256,64,64')).toBe(true);
      expect(result.maskLength).toBe(512 * 384);
    });

    it('puts the mask of a click on the disc’s pixels', () => {
      expect(result.results.centrePoint!.dice).toBeGreaterThan(0.85);
    });

    it('puts the mask of a box on the disc’s pixels', () => {
      expect(result.results.box!.dice).toBeGreaterThan(0.85);
    });

    it('does not segment the disc for a click in the body elsewhere', () => {
      expect(result.results.backgroundPoint!.dice).toBeLessThan(0.1);
    });

    it('refines with a second point and the previous mask fed back', () => {
      expect(result.refinedDice).toBeGreaterThan(0.85);
    });

    it('refuses a prompt outside the image with a clear message', () => {
      expect(result.outsideError).toMatch(/outside the 512x384 image/);
    });
  },
);

describe.each(SETUPS)('onnxruntime-node and onnxruntime-web on the %s test models', (family) => {
  it('give the same masks for every prompt (Dice ≥ 0.999)', async () => {
    const [web, native] = await Promise.all([pipeline(family, 'wasm'), pipeline(family, 'cpu')]);
    // Each prompt's Dice, named, so a failure says which prompt differs (the web masks are not empty:
    // the tests above put them on the disc).
    const dices = Object.entries(web.results).map(([prompt, { mask }]) => [
      prompt,
      packedDice(mask, native.results[prompt]!.mask),
    ]);
    expect(dices.filter(([, d]) => (d as number) < 0.999)).toEqual([]);
    expect(dices).toHaveLength(3);
  });
});

describe('loading bad model files', () => {
  const errors = runTsScript<Record<string, string>>('test/support/runSamModelErrors.ts');

  it('says a truncated or non-ONNX file could not be loaded, naming the model and role', () => {
    expect(errors.truncated).toMatch(
      /^Error: The encoder of cut could not be loaded by onnxruntime \(wasm\): .*Is it a complete ONNX file\?/,
    );
    expect(errors.notOnnx).toMatch(/^Error: The encoder of text could not be loaded/);
  });

  it('refuses an encoder given as decoder, naming the mismatches', () => {
    expect(errors.swapped).toMatch(
      /^GraphMismatchError: The encoder swapped encoder .* does not match its model family:/,
    );
    expect(errors.swapped).toMatch(/missing input input_image float32\[1,3,1024,1024\]|unexpected input/);
  });
});
