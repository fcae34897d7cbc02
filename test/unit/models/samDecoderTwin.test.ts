import { runTsScript } from '../../support/runTsScript';

interface TwinRun {
  bytes: number;
  candidates: Array<{ index: number; token: string; w: number; h: number }>;
  maskPixels: number;
  finite: boolean;
  decoderRunMs: number;
}

describe("the compute twin of SAM's decoder (bench only)", () => {
  it('has the official export’s inputs and outputs: SamModel accepts it and decodes 4 candidates of 256 x 256', () => {
    const run = runTsScript<TwinRun>('test/support/runSamDecoderTwin.ts');
    // SAM ViT-B's decoder export is 16.5 MB; the twin carries the same weights' sizes plus its
    // positional-encoding constant.
    expect(run.bytes).toBeGreaterThan(15e6);
    expect(run.bytes).toBeLessThan(25e6);
    expect(run.candidates).toEqual([
      { index: 0, token: 'single-mask', w: 256, h: 256 },
      { index: 1, token: 'multimask', w: 256, h: 256 },
      { index: 2, token: 'multimask', w: 256, h: 256 },
      { index: 3, token: 'multimask', w: 256, h: 256 },
    ]);
    expect(run.maskPixels).toBe(512 * 384);
    expect(run.finite).toBe(true);
    expect(run.decoderRunMs).toBeGreaterThan(0);
  });
});
