/**
 * The volume modes' pure bookkeeping (tools/eval/run/volumeScoring.ts) on small built volumes with
 * known answers: per-slice and 3D scores, the drift pairs, early stops and overruns, the corrective
 * click's slice, NoC-3D, and which masks a correction invalidates and how far a walk may go.
 */
import * as scoring from '../../../tools/eval/run/volumeScoring';

const { SliceOrigins, largestSlice, noc3d, propagationReach, sliceDiceByDistance } = scoring;
const { sliceOverlaps, volumeOverlap, worstSlice } = scoring;

const PLANE = 10;

/** A volume of slices of 10 pixels, slice k with the first `counts[k]` pixels on (from `offset`). */
function volume(counts: number[], offset = 0): Uint8Array {
  const v = new Uint8Array(counts.length * PLANE);
  counts.forEach((n, k) => v.fill(1, k * PLANE + offset, k * PLANE + offset + n));
  return v;
}

const counts = (predicted: number[], truth: number[], offset = 0) =>
  sliceOverlaps(volume(predicted, offset), volume(truth), PLANE);

describe('per-slice and 3D overlap', () => {
  it('scores each slice and the whole volume exactly', () => {
    const slices = counts([0, 4, 6, 2, 0], [0, 4, 4, 4, 0]);
    expect(slices.map((s) => s.intersection)).toEqual([0, 4, 4, 2, 0]);
    // 3D: 2 * 10 / (12 + 12)
    expect(volumeOverlap(slices)).toEqual({ dice: 20 / 24, iou: 10 / 14, predicted: 12 });
    expect(volumeOverlap(counts([0, 0], [0, 0]))).toMatchObject({ dice: 1, iou: 1, predicted: 0 });
  });

  it('refuses volumes that are not whole slices of one size', () => {
    expect(() => sliceOverlaps(new Uint8Array(20), new Uint8Array(21), PLANE)).toThrow(/not slices of 10 pixels/);
  });

  it('gives Dice by signed distance from the start slice, only where object or mask has pixels', () => {
    const slices = counts([0, 4, 6, 2, 3, 0], [0, 4, 4, 4, 0, 0]);
    expect(sliceDiceByDistance(slices, 2)).toEqual([
      [-1, 1],
      [0, 0.8],
      [1, 4 / 6],
      [2, 0],
    ]);
  });

  it('takes the largest slice, the first among equals', () => {
    expect(largestSlice([0, 3, 7, 7, 2])).toBe(2);
    expect(largestSlice([5])).toBe(0);
  });
});

describe('propagationReach', () => {
  it.each([
    // Object on slices 1-6; start 3; propagated 1 slice up (to 4) and 3 down (to 0); a mask on 0 (no object).
    [
      'object slices beyond the last propagated slice, and a mask without object',
      [3, 3, 3, 3, 3, 0, 0, 0],
      [0, 4, 4, 4, 4, 4, 4, 0],
      3,
      { up: 1, down: 3 },
      [2, 0, 0, 1],
    ],
    // Object on 0-1 and 4 (a gap at 2-3); start 0; the walk went up to 3 then stopped.
    [
      'an object continuing after a gap, and masks on the gap',
      [4, 4, 2, 2, 0],
      [4, 4, 0, 0, 4],
      0,
      { up: 3, down: 0 },
      [1, 0, 2, 0],
    ],
  ] as const)(
    'counts %s, each way',
    (_, predicted, truth, start, kept, [earlyUp, earlyDown, overrunUp, overrunDown]) => {
      expect(propagationReach(counts([...predicted], [...truth]), start, kept)).toEqual({
        earlyUp,
        earlyDown,
        overrunUp,
        overrunDown,
      });
    },
  );
});

describe('worstSlice', () => {
  it('takes the lowest Dice among the slices a click can improve', () => {
    const slices = counts([5, 5, 5, 5], [5, 5, 4, 5]);
    expect(worstSlice(slices, 0, 3)).toBe(2);
    expect(worstSlice(counts([5, 5], [5, 5]), 0, 3)).toBeUndefined(); // all perfect
  });

  it('never clicks an object sliver of at most the minimum object size that has no mask', () => {
    // Slice 1: 3 object pixels, no mask (Dice 0) but too small to prompt; slice 2: Dice 0.75.
    const slices = counts([5, 0, 3], [5, 3, 5]);
    expect(worstSlice(slices, 0, 3)).toBe(2);
    expect(worstSlice(slices, 0, 2)).toBe(1);
  });

  it('breaks equal Dice by the distance from the start slice, then by the most wrong pixels', () => {
    // Slices 0, 3 and 4 all score 0 (masks without object); 3 is nearest to the start slice 2.
    expect(worstSlice(counts([2, 5, 5, 6, 6], [0, 5, 5, 0, 0]), 2, 1)).toBe(3);
    // Slices 1 and 3 are both one away from the start: the one with more wrong pixels.
    expect(worstSlice(counts([0, 2, 5, 6], [0, 0, 5, 0]), 2, 1)).toBe(3);
  });
});

describe('noc3d', () => {
  it('counts corrective clicks to the target: 0 when the start reaches it, the budget when never', () => {
    expect(noc3d([0.9], 0.85, 20)).toBe(0);
    expect(noc3d([0.5, 0.8, 0.86, 0.91], 0.85, 20)).toBe(2);
    expect(noc3d([0.5, 0.8, 0.86, 0.91], 0.9, 20)).toBe(3);
    expect(noc3d([0.5, 0.6], 0.85, 20)).toBe(20);
    // A curve longer than the budget is read only up to it.
    expect(noc3d([0.1, 0.2, 0.95], 0.9, 1)).toBe(1);
  });
});

describe('SliceOrigins', () => {
  // 10 slices: the seed decoded on 4, propagated from it up to 7 and down to 1.
  function seeded(): scoring.SliceOrigins {
    const o = new SliceOrigins(10);
    o.decoded(4);
    for (let k = 5; k <= 7; k++) o.propagated(k, 4, 1);
    for (let k = 3; k >= 1; k--) o.propagated(k, 4, -1);
    return o;
  }

  it('tells which masks continued a slice: those propagated through it, beyond it', () => {
    const o = seeded();
    expect([6, 7, 5, 3, 1].map((k) => o.continues(k, 5))).toEqual([true, true, false, false, false]);
    expect(o.continues(1, 3)).toBe(true);
    expect(o.continues(5, 4)).toBe(true); // the seed's own walk
    expect(o.continues(4, 4)).toBe(false); // a decoded slice continues nothing
  });

  it('lists the stale masks beyond where a new walk ended, up to the next prompted slice', () => {
    const o = seeded();
    // Slice 5 corrected; its walk up stopped at 5 itself: 6 and 7 had continued its old mask.
    expect(o.staleBeyond(5, 5, 1)).toEqual([6, 7]);
    // Below 5 lies the seed, a prompted slice: nothing there is stale.
    expect(o.staleBeyond(5, 5, -1)).toEqual([]);
    // A prompted slice stops the scan: with 7 decoded, nothing beyond it is stale.
    o.decoded(7);
    expect(o.staleBeyond(5, 5, 1)).toEqual([6]);
  });

  it('lets a walk go up to the next prompted slice, all the way when there is none', () => {
    const o = seeded();
    o.decoded(8);
    expect(o.reach(5, 1)).toBe(2); // 6 and 7, not 8
    expect(o.reach(5, -1)).toBe(0); // 4 (the seed) is next to it
    expect(o.reach(2, -1)).toBeUndefined();
    const copy = o.copy();
    copy.clear(8);
    expect(copy.reach(5, 1)).toBeUndefined();
    expect(o.reach(5, 1)).toBe(2);
  });
});
