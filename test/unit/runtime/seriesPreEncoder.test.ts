import { CancelledError } from '../../../extensions/sam-segmentation/src/runtime/cancellation';
import {
  SeriesPreEncoder,
  encodingOrder,
  type PreEncodingProgress,
} from '../../../extensions/sam-segmentation/src/runtime/seriesPreEncoder';

describe('encodingOrder', () => {
  it('starts at the slice on screen and goes outward', () => {
    expect(encodingOrder(3, 7)).toEqual([3, 4, 2, 5, 1, 6, 0]);
    expect(encodingOrder(0, 4)).toEqual([0, 1, 2, 3]);
    expect(encodingOrder(3, 4)).toEqual([3, 2, 1, 0]);
    expect(encodingOrder(9, 3)).toEqual([2, 1, 0]); // clamped
    expect(encodingOrder(0, 0)).toEqual([]);
  });
});

/** Fake encoder: resolves each slice after `ms`, records the order, can fail one slice. */
function fakeDeps(options: { ms?: number; failAt?: number; cachedAt?: number[] } = {}) {
  const encoded: number[] = [];
  const progress: PreEncodingProgress[] = [];
  let aborted = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const deps = {
    encode(index: number, signal: AbortSignal) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<{ cached: boolean; encodeMs: number }>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          inFlight--;
          aborted++;
          reject(new CancelledError());
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          inFlight--;
          if (index === options.failAt) reject(new Error(`slice ${index} is corrupt`));
          else {
            encoded.push(index);
            resolve({ cached: options.cachedAt?.includes(index) ?? false, encodeMs: 10 });
          }
        }, options.ms ?? 1);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    onProgress: (p: PreEncodingProgress) => progress.push(p),
    resumeDelayMs: 30,
  };
  return { deps, encoded, progress, aborted: () => aborted, maxInFlight: () => maxInFlight };
}

describe('SeriesPreEncoder', () => {
  it('encodes every slice once, outward from the current one, one request at a time', async () => {
    const f = fakeDeps();
    const final = await new SeriesPreEncoder(5, f.deps).run(2);
    expect(f.encoded).toEqual([2, 3, 1, 4, 0]);
    expect(f.maxInFlight()).toBe(1);
    expect(final).toMatchObject({ state: 'complete', done: 5, total: 5 });
  });

  it('does not count cache hits as encoding time', async () => {
    const f = fakeDeps({ cachedAt: [0, 1] });
    expect((await new SeriesPreEncoder(3, f.deps).run(0)).encodeMs).toBe(10);
  });

  it('holds new work while the user interacts, then resumes', async () => {
    const f = fakeDeps({ ms: 5 });
    const encoder = new SeriesPreEncoder(4, f.deps);
    const run = encoder.run(0);
    await new Promise((r) => setTimeout(r, 2));
    encoder.pause();
    const final = await run;
    expect(f.progress.map((p) => p.state)).toContain('paused');
    expect(final.state).toBe('complete');
  });

  it('stops at once when cancelled (the series changed), cancelling the request in flight', async () => {
    const f = fakeDeps({ ms: 20 });
    const encoder = new SeriesPreEncoder(10, f.deps);
    const run = encoder.run(0);
    await new Promise((r) => setTimeout(r, 30));
    encoder.cancel();
    const final = await run;
    expect(final.state).toBe('cancelled');
    expect(f.aborted()).toBe(1);
    expect(final.done).toBeLessThan(10);
  });

  it('reports a failing slice as an error and stops', async () => {
    const f = fakeDeps({ failAt: 1 });
    const final = await new SeriesPreEncoder(4, f.deps).run(0);
    expect(final).toMatchObject({ state: 'error', done: 1, message: 'slice 1 is corrupt' });
  });
});

describe('SeriesPreEncoder.hold', () => {
  it('starts no encode while held, and goes on where it was once released', async () => {
    const encoded: number[] = [];
    let release: () => void = () => undefined;
    const encoder = new SeriesPreEncoder(4, {
      encode: async (index) => {
        encoded.push(index);
        if (encoded.length === 1) release = encoder.hold();
        return { cached: false, encodeMs: 1 };
      },
      onProgress: () => undefined,
    });
    const done = encoder.run(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(encoded).toEqual([0]);
    release();
    expect((await done).state).toBe('complete');
    expect(encoded).toEqual([0, 1, 2, 3]);
  });
});
