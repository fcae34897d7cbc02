import {
  chooseContinuation,
  DEFAULT_STOP,
  maskIou,
  nextSlicePrompt,
  stopReason,
} from '../../../extensions/sam-segmentation/src/core';

const W = 40;
const H = 30;
/** A filled rectangle x0..x1, y0..y1 (inclusive) on the W×H image. */
function rect(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * W + x] = 1;
  return m;
}
const options = { boxMargin: 0.1, interiorPoint: true, choose: 'overlap' as const, maskInput: false };

describe('propagation by re-prompting: the next slice’s prompt', () => {
  it('is the previous mask’s box grown by the margin (at least a pixel), with an include point at its deepest pixel', () => {
    const prompt = nextSlicePrompt(rect(10, 5, 29, 14), W, H, { ...options, acceptsPoints: true });
    expect(prompt?.box).toEqual({ x0: 8, y0: 4, x1: 31, y1: 15 });
    // Rows 9 and 10, columns 14 to 25 are all 5 pixels from outside: the first in row-major order.
    expect(prompt?.points).toEqual([{ x: 14, y: 9, label: 'include' }]);
  });

  it('stays on the image, has no point for a box-only family, and is none for an empty mask', () => {
    const prompt = nextSlicePrompt(rect(0, 0, 39, 29), W, H, { ...options, acceptsPoints: false });
    expect(prompt).toEqual({ points: [], box: { x0: -0.5, y0: -0.5, x1: 39.5, y1: 29.5 } });
    expect(nextSlicePrompt(new Uint8Array(W * H), W, H, { ...options, acceptsPoints: true })).toBeUndefined();
  });

  it('puts the point inside a crescent, where its centroid is not', () => {
    const crescent = rect(5, 5, 25, 25);
    const hole = rect(10, 5, 25, 20);
    for (let i = 0; i < crescent.length; i++) if (hole[i]) crescent[i] = 0;
    const [point] = nextSlicePrompt(crescent, W, H, { ...options, acceptsPoints: true })!.points;
    expect(crescent[point!.y * W + point!.x]).toBe(1);
  });
});

describe('propagation by re-prompting: which candidate, and when to stop', () => {
  const previous = rect(10, 10, 19, 19);

  it('chooses the candidate that overlaps the previous mask most, or the most confident one', () => {
    const candidates = [
      { mask: rect(0, 0, 39, 29), predictedIou: 0.95 }, // the whole image: confident but another thing
      { mask: rect(11, 11, 19, 19), predictedIou: 0.8 },
    ];
    expect(chooseContinuation(candidates, previous, 'overlap')).toBe(1);
    expect(chooseContinuation(candidates, previous, 'predicted-iou')).toBe(0);
  });

  it('stops when the mask vanished, the model doubts it, it leaked, or it jumped', () => {
    expect(stopReason(previous, { mask: rect(10, 10, 11, 11), predictedIou: 0.9 }, DEFAULT_STOP)).toBe('vanished');
    expect(stopReason(previous, { mask: rect(10, 10, 18, 18), predictedIou: 0.3 }, DEFAULT_STOP)).toBe('uncertain');
    expect(stopReason(previous, { mask: rect(0, 0, 39, 29), predictedIou: 0.9 }, DEFAULT_STOP)).toBe('grew');
    expect(stopReason(previous, { mask: rect(25, 2, 34, 11), predictedIou: 0.9 }, DEFAULT_STOP)).toBe('jumped');
  });

  it('goes on through a structure that shrinks towards its end, or grows by a few pixels', () => {
    expect(stopReason(previous, { mask: rect(13, 13, 15, 15), predictedIou: 0.9 }, DEFAULT_STOP)).toBeUndefined();
    // On a 256×256 slice a small structure may grow by more than the ratio: 36 → 100 pixels.
    const square = (size: number) => {
      const m = new Uint8Array(256 * 256);
      for (let y = 100; y < 100 + size; y++) for (let x = 100; x < 100 + size; x++) m[y * 256 + x] = 1;
      return m;
    };
    expect(stopReason(square(6), { mask: square(10), predictedIou: 0.9 }, DEFAULT_STOP)).toBeUndefined();
    expect(stopReason(square(10), { mask: square(30), predictedIou: 0.9 }, DEFAULT_STOP)).toBe('grew');
  });

  it('measures IoU exactly', () => {
    expect(maskIou(rect(0, 0, 1, 0), rect(1, 0, 2, 0))).toBeCloseTo(1 / 3, 12);
    expect(maskIou(new Uint8Array(4), new Uint8Array(4))).toBe(0);
  });
});
