import { maskBounds } from '../../../extensions/sam-segmentation/src/core';

describe('maskBounds', () => {
  // 4 x 3:  0 1 0 0 / 0 2 2 0 / 0 0 0 1
  const image = Uint8Array.from([0, 1, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);

  it('boxes every non-zero pixel, inclusive indices, with the count', () => {
    expect(maskBounds(image, 4, 3)).toEqual({ count: 4, x0: 1, y0: 0, x1: 3, y1: 2 });
  });

  it('boxes the pixels of one label value', () => {
    expect(maskBounds(image, 4, 3, 2)).toEqual({ count: 2, x0: 1, y0: 1, x1: 2, y1: 1 });
  });

  it('says empty with count 0 and x1 < x0', () => {
    const empty = maskBounds(new Uint8Array(12), 4, 3);
    expect(empty.count).toBe(0);
    expect(empty.x1).toBeLessThan(empty.x0);
  });
});
