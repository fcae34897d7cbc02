import { runTsScriptAsync } from '../../support/runTsScriptAsync';

interface HwcChecks {
  dims: number[][];
  maxDifference: number;
  maxMagnitude: number;
  hwcEncoderAsNchw: string;
  nchwEncoderAsHwc: string;
}

jest.setTimeout(120_000);

describe('an encoder that takes the resized 0-255 image as [H,W,3] (real onnxruntime-web)', () => {
  let result: HwcChecks;
  beforeAll(async () => {
    result = await runTsScriptAsync<HwcChecks>('test/support/runHwcEncoderChecks.ts');
  });

  it('gives the same embeddings as the NCHW encoder fed the normalised, padded tensor', () => {
    expect(result.dims).toEqual([
      [1, 256, 64, 64],
      [1, 256, 64, 64],
    ]);
    expect(result.maxMagnitude).toBeGreaterThan(0.5);
    expect(result.maxDifference).toBeLessThan(1e-4);
  });

  it('is refused for a model whose manifest does not declare it, with the fix in the message', () => {
    expect(result.hwcEncoderAsNchw).toMatch(/^GraphMismatchError: .*does not match its model family/);
    expect(result.hwcEncoderAsNchw).toContain(
      'input input_image is [image_height,image_width,3], expected input_image float32[1,3,1024,1024]',
    );
    expect(result.hwcEncoderAsNchw).toContain('set "preprocess": { "encoderInput": "hwc-resized-0-255" }');
  });

  it('refuses an NCHW encoder for a model declared HWC, pointing back to NCHW', () => {
    expect(result.nchwEncoderAsHwc).toContain(
      'input input_image is [1,3,1024,1024], expected input_image float32[H,W,3]',
    );
    expect(result.nchwEncoderAsHwc).toContain('"encoderInput": "nchw-normalised"');
  });
});
