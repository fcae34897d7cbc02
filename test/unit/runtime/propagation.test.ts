/**
 * Propagation through a series: the walk (propagateSeries) with a runtime whose steps the test
 * scripts, then the whole path with the real onnxruntime and the default model on the CT phantom.
 */
import { DEFAULT_REPROMPT, DEFAULT_STOP } from '../../../extensions/sam-segmentation/src/core';
import type { PropagationStep } from '../../../extensions/sam-segmentation/src/runtime/propagation/propagationEngine';
import {
  propagateSeries,
  type PropagationRuntime,
} from '../../../extensions/sam-segmentation/src/runtime/propagation/propagateSeries';
import type { ImageSource } from '../../../extensions/sam-segmentation/src/runtime/runtimeSession';
import { runTsScriptAsync } from '../../support/runTsScriptAsync';

const settings = { reprompt: DEFAULT_REPROMPT, stop: DEFAULT_STOP };
const images: ImageSource[] = Array.from({ length: 10 }, (_, k) => ({
  imageKey: `s${k}`,
  preprocessingKey: 'w',
  voi: { kind: 'window', center: 0, width: 1 },
  pixels: async () => {
    throw new Error('not needed');
  },
}));

/** A runtime whose step on slice k stops there when `stopAt` says so; it logs what it was asked, in order. */
function scripted(stopAt: Record<string, PropagationStep['stop']>) {
  const log: string[] = [];
  let runs = 0;
  const runtime: PropagationRuntime = {
    startPropagation: async () => {
      log.push(`start run${++runs}`);
      return `run${runs}`;
    },
    propagateStep: async (run, image) => {
      log.push(`step ${run} ${image.imageKey}`);
      const stop = stopAt[image.imageKey];
      return {
        mask: new Uint8Array(4),
        width: 2,
        height: 2,
        predictedIou: 0.9,
        decodeMs: 1,
        decoderRunMs: 1,
        ...(stop && { stop }),
      };
    },
    endPropagation: (run) => void log.push(`end ${run}`),
  };
  return { runtime, log };
}

const seed = { mask: new Uint8Array(4), width: 2, height: 2 };

describe('propagateSeries', () => {
  it('walks each direction from the start until the engine stops it or the series ends', async () => {
    const { runtime, log } = scripted({ s7: 'uncertain' });
    const kept: number[] = [];
    const outcome = await propagateSeries(runtime, {
      images,
      start: 4,
      seed,
      directions: [1, -1],
      settings,
      onSlice: (k) => void kept.push(k),
    });
    expect(kept).toEqual([5, 6, 3, 2, 1, 0]);
    expect(outcome.kept).toEqual({ 1: 2, [-1]: 4 });
    expect(outcome.ended).toEqual({ 1: 'uncertain', [-1]: 'series-end' });
    expect(log.slice(0, 5)).toEqual(['start run1', 'step run1 s5', 'step run1 s6', 'step run1 s7', 'end run1']);
    expect(log).toContain('end run1');
    expect(log).toContain('end run2');
  });

  it('keeps to the slice limit, and stops, keeping what is done, when cancelled', async () => {
    const { runtime } = scripted({});
    const limited = await propagateSeries(runtime, {
      images,
      start: 4,
      seed,
      directions: [1],
      maxSlices: 2,
      settings,
      onSlice: () => undefined,
    });
    expect(limited).toMatchObject({ kept: { 1: 2 }, ended: { 1: 'limit' } });

    const abort = new AbortController();
    const kept: number[] = [];
    const cancelled = await propagateSeries(runtime, {
      images,
      start: 4,
      seed,
      directions: [1, -1],
      settings,
      signal: abort.signal,
      onSlice: (k) => {
        kept.push(k);
        if (kept.length === 2) abort.abort();
      },
    });
    expect(kept).toEqual([5, 6]);
    expect(cancelled.ended).toEqual({ 1: 'cancelled', [-1]: 'cancelled' });
  });
});

interface PhantomResult {
  results: Array<{
    object: string;
    dice3d: number;
    objectSlices: [number, number];
    maskSlices: [number, number];
  }>;
}

describe('propagation on the CT phantom (real onnxruntime, default model, a box on each object’s largest slice)', () => {
  let result: Promise<PhantomResult>;
  beforeAll(() => {
    result = runTsScriptAsync<PhantomResult>('test/support/runPhantomPropagation.ts', [], 170_000);
    result.catch(() => undefined);
  });

  it('segments the lesion sphere in 3D (Dice ≥ 0.95), every object ≥ 0.85, and stops where each object ends', async () => {
    const { results } = await result;
    const byId = Object.fromEntries(results.map((r) => [r.object, r]));
    expect(byId.lesion!.dice3d).toBeGreaterThanOrEqual(0.95);
    expect(byId.organ!.dice3d).toBeGreaterThanOrEqual(0.95);
    for (const r of results) {
      expect(r.dice3d).toBeGreaterThanOrEqual(0.85);
      // Within a slice of the object's own extent, both ends.
      expect(Math.abs(r.maskSlices[0] - r.objectSlices[0])).toBeLessThanOrEqual(1);
      expect(Math.abs(r.maskSlices[1] - r.objectSlices[1])).toBeLessThanOrEqual(1);
    }
  }, 180_000);
});
