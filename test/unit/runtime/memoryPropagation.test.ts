/**
 * SAM 2 memory propagation with the real onnxruntime: the SAM 2 stand-in's video modules (test graphs
 * with the family's module contract; not SAM 2) carry each CT phantom object from a box on its largest
 * slice through the series, and wrong module files are refused on load with what is wrong.
 */
import { runTsScript } from '../../support/runTsScript';
import { runTsScriptAsync } from '../../support/runTsScriptAsync';

interface PhantomResult {
  engine: string;
  results: Array<{ object: string; dice3d: number; objectSlices: [number, number]; maskSlices: [number, number] }>;
}

describe('SAM 2 memory propagation on the CT phantom (real onnxruntime, the stand-in’s video modules)', () => {
  let result: Promise<PhantomResult>;
  beforeAll(() => {
    result = runTsScriptAsync<PhantomResult>('test/support/runPhantomPropagation.ts', ['{}', 'sam2-memory'], 170_000);
    result.catch(() => undefined);
  });

  it('runs the memory engine, every object ≥ 0.85 in 3D, each ending where the object ends', async () => {
    const { engine, results } = await result;
    expect(engine).toBe('memory');
    expect(results).toHaveLength(5);
    for (const r of results) {
      expect(r.dice3d).toBeGreaterThanOrEqual(0.85);
      expect(Math.abs(r.maskSlices[0] - r.objectSlices[0])).toBeLessThanOrEqual(1);
      expect(Math.abs(r.maskSlices[1] - r.objectSlices[1])).toBeLessThanOrEqual(1);
    }
  }, 180_000);
});

describe('loading SAM 2’s video modules', () => {
  const errors = runTsScript<Record<string, string>>('test/support/runSam2MemoryErrors.ts');

  it('loads the stand-in’s four files beside its encoder and decoder', () => {
    expect(errors.loaded).toBe('loaded');
  });

  it('refuses the memory attention and encoder swapped, naming the mismatches', () => {
    expect(errors.swapped).toMatch(
      /^GraphMismatchError: The memory attention of sam2-memory-test \(SAM 2 \/ 2.1\) does not match/,
    );
    expect(errors.swapped).toMatch(/missing input curr float32\[4096,1,256\]/);
  });

  it('refuses a constant of the wrong size, saying what it should hold', () => {
    expect(errors.shortConstant).toMatch(
      /vision_pos_embed file of sam2-memory-test has 4096 bytes; 1048576 float32 values \(4194304 bytes\) expected/,
    );
  });

  it('says the modules were not given when a memory model comes without them', () => {
    expect(errors.missing).toMatch(/propagates with SAM 2's memory but its video modules were not given/);
  });
});
