import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_MODELS } from '../../../models/generate';
import { RUNTIME_PROBE_FILE } from '../../../models/generator/runtimeProbeModel';
import { runTsScript } from '../../support/runTsScript';

const MODELS_DIR = join(__dirname, '..', '..', '..', 'models');

describe('models the project generates', () => {
  it.each(Object.keys(GENERATED_MODELS))('committed %s is exactly what the generator writes', (file) => {
    const committed = readFileSync(join(MODELS_DIR, file));
    expect(Buffer.from(GENERATED_MODELS[file]!()).equals(committed)).toBe(true);
  });

  it('the runtime probe runs in onnxruntime-web and computes the 3x3 box mean it is built for', () => {
    const result = runTsScript<{ inputNames: string[]; outputNames: string[]; dims: number[]; data: number[] }>(
      'test/support/runProbeModel.ts',
      [join(MODELS_DIR, RUNTIME_PROBE_FILE)],
    );
    expect(result.inputNames).toEqual(['input']);
    expect(result.outputNames).toEqual(['output']);
    expect(result.dims).toEqual([1, 4, 1, 1]);
    // Output k = mean over the image of a zero-padded 3x3 box filter of channel k % 3 (+1 for k = 3).
    // On a constant 6x10 image, the padded box mean is c * (sum over pixels of covered cells / 9) / 60.
    const coverage = (n: number) => 3 * n - 2; // covered cells along one axis, summed over positions
    const meanFactor = (coverage(6) * coverage(10)) / 9 / 60;
    const expected = [1 * meanFactor, 2 * meanFactor, 3 * meanFactor, 1 * meanFactor + 1];
    result.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });
});
