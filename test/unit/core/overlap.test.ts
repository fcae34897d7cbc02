import { dice, diceFromCounts, iou, overlapCounts } from '../../../extensions/sam-segmentation/src/core';

const mask = (rows: string[]) => Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));

describe('Dice and IoU', () => {
  const a = mask(['##..', '##..', '....']); // 4 pixels
  const b = mask(['.##.', '.##.', '....']); // 4 pixels, 2 shared

  it('count the overlap', () => {
    expect(overlapCounts(a, b)).toEqual({ predicted: 4, reference: 4, intersection: 2 });
  });

  it('give 2|P∩G| / (|P| + |G|) and |P∩G| / |P∪G|', () => {
    expect(dice(a, b)).toBeCloseTo(0.5, 12);
    expect(iou(a, b)).toBeCloseTo(2 / 6, 12);
  });

  it('are 1 for identical masks and 0 for disjoint ones', () => {
    expect(dice(a, a)).toBe(1);
    expect(iou(a, a)).toBe(1);
    const c = mask(['....', '....', '.###']);
    expect(dice(a, c)).toBe(0);
    expect(iou(a, c)).toBe(0);
  });

  it('treat any non-zero value as foreground', () => {
    expect(
      dice(
        Uint8Array.from(a, (v) => v * 255),
        b,
      ),
    ).toBeCloseTo(0.5, 12);
  });

  it('score two empty masks 1 (nothing to find, nothing found) and one empty mask 0', () => {
    const empty = new Uint8Array(12);
    expect(dice(empty, empty)).toBe(1);
    expect(iou(empty, empty)).toBe(1);
    expect(dice(empty, a)).toBe(0);
    expect(iou(a, empty)).toBe(0);
    expect(diceFromCounts({ predicted: 0, reference: 0, intersection: 0 })).toBe(1);
  });

  it('refuse masks of different sizes', () => {
    expect(() => dice(a, new Uint8Array(5))).toThrow('Masks differ in size: 12 and 5 pixels.');
  });
});
