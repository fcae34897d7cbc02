import { runTsScriptAsync } from '../../support/runTsScriptAsync';
import { runTsScript } from '../../support/runTsScript';

interface PipelineResult {
  embeddingShapes: Record<string, number[]>;
  maskLength: number;
  results: Record<string, { dice: number; maskPixels: number; candidates: number }>;
  refinedDice: number;
  outsideError: string;
}

jest.setTimeout(120_000);

/** Each family's test models; 'sam-hwc': an encoder taking the resized 0-255 image as [H,W,3] (MobileSAM exports). */
const SETUPS = ['sam', 'sam-hwc', 'sam2', 'transformersjs'];

describe.each(SETUPS)('SamModel on the %s test models (real onnxruntime-web)', (family) => {
  let result: PipelineResult;
  beforeAll(async () => {
    result = await runTsScriptAsync<PipelineResult>('test/support/runSamModelPipeline.ts', [family]);
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
