import { runTsScript } from '../../support/runTsScript';

describe('float16-cached embeddings', () => {
  const result = runTsScript<Record<string, { differingPixels: number; maskPixels: number }>>(
    'test/support/runFloat16Masks.ts',
  );

  it.each(['sam', 'sam2', 'transformersjs'])('give the same masks as float32 on the %s test models', (family) => {
    const { differingPixels, maskPixels } = result[family]!;
    expect(maskPixels).toBeGreaterThan(1000); // the prompts did segment something
    // At most a handful of boundary pixels may flip where a logit sits within float16 error of 0.
    expect(differingPixels / maskPixels).toBeLessThan(0.001);
  });
});
