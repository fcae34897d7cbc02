import {
  NOC_MAX_CLICKS,
  correctiveClick,
  noc,
} from '../../../extensions/sam-segmentation/src/core/protocol/correctiveClick';

/** A width x height mask with the pixels (x, y) for which `inside` holds. */
function shape(width: number, height: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = inside(x, y) ? 1 : 0;
  return mask;
}

/** Inclusive pixel rectangle test. */
const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) =>
  x >= x0 && x <= x1 && y >= y0 && y <= y1;

const union =
  (...parts: ((x: number, y: number) => boolean)[]) =>
  (x: number, y: number) =>
    parts.some((p) => p(x, y));

const W = 20;
const H = 14;

describe('simulated corrective click', () => {
  it('puts an include click at the centre of a missed square', () => {
    const gt = shape(W, H, rect(3, 2, 7, 6));
    expect(correctiveClick(new Uint8Array(W * H), gt, W, H)).toEqual({ x: 5, y: 4, label: 'include' });
    // Missed part of an otherwise found object: the 5 x 5 right half of a 10 x 5 block.
    const big = shape(W, H, rect(3, 2, 12, 6));
    const found = shape(W, H, rect(3, 2, 7, 6));
    expect(correctiveClick(found, big, W, H)).toEqual({ x: 10, y: 4, label: 'include' });
  });

  it('puts an exclude click at the centre of a false-positive blob', () => {
    const gt = shape(W, H, rect(1, 1, 4, 4));
    const pred = shape(W, H, union(rect(1, 1, 4, 4), rect(10, 5, 16, 11))); // 7 x 7 blob, centre (13, 8)
    expect(correctiveClick(pred, gt, W, H)).toEqual({ x: 13, y: 8, label: 'exclude' });
  });

  it('goes to the larger of two error regions', () => {
    const gt = shape(W, H, rect(1, 1, 5, 5)); // missed: 5 x 5 = 25 pixels
    const falsePositive = rect(12, 2, 14, 4); // 3 x 3 = 9 pixels
    expect(correctiveClick(shape(W, H, falsePositive), gt, W, H)).toEqual({ x: 3, y: 3, label: 'include' });
    const gtSmall = shape(W, H, rect(1, 1, 3, 3)); // missed: 9 pixels
    const predBig = shape(W, H, rect(10, 3, 16, 9)); // false positive: 49 pixels
    expect(correctiveClick(predBig, gtSmall, W, H)).toEqual({ x: 13, y: 6, label: 'exclude' });
  });

  it('returns undefined when the prediction is perfect', () => {
    const gt = shape(W, H, rect(3, 2, 7, 6));
    expect(correctiveClick(gt, Uint8Array.from(gt), W, H)).toBeUndefined();
    expect(correctiveClick(new Uint8Array(W * H), new Uint8Array(W * H), W, H)).toBeUndefined();
  });

  it('breaks distance ties by smallest y, then x', () => {
    // A 4 x 4 missed square: its four central pixels tie; the top-left one wins.
    const gt = shape(W, H, rect(2, 2, 5, 5));
    expect(correctiveClick(new Uint8Array(W * H), gt, W, H)).toEqual({ x: 3, y: 3, label: 'include' });
  });

  it('counts the outside of the image as outside the region', () => {
    // A 3-row strip along the top edge: the middle row (y = 1) is 2 from outside; along it, every x at
    // least 2 from the left and right ends ties, and the smallest (x = 1) wins.
    const gt = shape(9, 6, rect(0, 0, 8, 2));
    expect(correctiveClick(new Uint8Array(54), gt, 9, 6)).toEqual({ x: 1, y: 1, label: 'include' });
  });

  it('keeps misses and false positives apart where they touch', () => {
    // Missed columns 0..2 and false-positive columns 3..7 share an edge; as one region they would have no
    // single label. The false positives (30 pixels) beat the misses (18).
    const gt = shape(8, 6, rect(0, 0, 2, 5));
    const pred = shape(8, 6, rect(3, 0, 7, 5));
    expect(correctiveClick(pred, gt, 8, 6)).toEqual({ x: 5, y: 2, label: 'exclude' });
  });

  it('uses 4-connectivity by default, 8 on request', () => {
    // Two 3 x 3 misses touching at a corner (9 + 9, or 18 joined) vs a 4 x 4 miss (16).
    const gt = shape(W, H, union(rect(1, 1, 3, 3), rect(4, 4, 6, 6), rect(12, 2, 15, 5)));
    const none = new Uint8Array(W * H);
    expect(correctiveClick(none, gt, W, H)).toEqual({ x: 13, y: 3, label: 'include' });
    expect(correctiveClick(none, gt, W, H, { connectivity: 4 })).toEqual({ x: 13, y: 3, label: 'include' });
    expect(correctiveClick(none, gt, W, H, { connectivity: 8 })).toEqual({ x: 2, y: 2, label: 'include' });
  });

  it('refuses masks that do not fit the grid', () => {
    expect(() => correctiveClick(new Uint8Array(5), new Uint8Array(6), 3, 2)).toThrow(/5 and 6 pixels/);
  });
});

describe('NoC', () => {
  const curve = [0.5, 0.8, 0.86, 0.91, 0.95];

  it('counts clicks from 1 to the first Dice at or above the threshold', () => {
    expect(noc(curve, 0.85)).toBe(3);
    expect(noc(curve, 0.9)).toBe(4);
    expect(noc(curve, 0.5)).toBe(1);
    expect(noc(curve, 0.86)).toBe(3); // reaching the threshold exactly counts
  });

  it('scores a threshold never reached as the click budget (20 by default)', () => {
    expect(NOC_MAX_CLICKS).toBe(20);
    expect(noc(curve, 0.99)).toBe(20);
    expect(noc([], 0.85)).toBe(20);
    expect(noc(curve, 0.99, 10)).toBe(10);
  });

  it('ignores clicks past the budget', () => {
    expect(noc(curve, 0.9, 3)).toBe(3); // reached at click 4, outside a 3-click budget
    expect(noc(curve, 0.85, 3)).toBe(3);
    expect(noc(curve, 0.8, 3)).toBe(2);
  });

  it('takes the threshold as a fraction and refuses a percentage', () => {
    expect(() => noc(curve, 85)).toThrow(/fraction/);
    expect(() => noc(curve, 0.85, 0)).toThrow(/budget/);
  });
});
