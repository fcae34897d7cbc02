import {
  PROMPT_MODES,
  boxAndPointPrompt,
  boxPrompt,
  fivePlusFivePointPrompt,
  fivePointPrompt,
  maskBox,
  maskCentroid,
  onePointPrompt,
  sampleDistinct,
  seededRandom,
} from '../../../extensions/sam-segmentation/src/core';

/** A mask from rows of '#' (foreground) and '.' (background). */
function draw(rows: string[]) {
  const width = rows[0]!.length;
  const mask = Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  return { mask, width, height: rows.length };
}

const at = ({ mask, width }: { mask: Uint8Array; width: number }, x: number, y: number) => mask[y * width + x];

describe('prompt modes of the study protocol', () => {
  // A 4x3 block in columns 2-5, rows 1-3: centroid (3.5, 2) truncated to (3, 2).
  const block = draw(['........', '..####..', '..####..', '..####..', '........']);
  // An L whose centroid falls outside it.
  const ell = draw(['#.......', '#.......', '#.......', '#.......', '########']);

  it('centroid: image moments truncated to integer pixels', () => {
    expect(maskCentroid(block.mask, block.width, block.height)).toEqual({ x: 3, y: 2 });
    // L: x = (4 * 0 + 0 + 1 + ... + 7) / 12 = 28 / 12 = 2.33, y = (0 + 1 + 2 + 3 + 8 * 4) / 12 = 3.17.
    expect(maskCentroid(ell.mask, ell.width, ell.height)).toEqual({ x: 2, y: 3 });
  });

  it('S2: the centroid when it lies on the mask', () => {
    expect(onePointPrompt(block.mask, block.width, block.height)).toEqual({
      points: [{ x: 3, y: 2, label: 'include' }],
    });
  });

  it('S2: a seeded uniform mask pixel when the centroid is off the mask (same seed, same point)', () => {
    expect(at(ell, 2, 3)).toBe(0);
    const first = onePointPrompt(ell.mask, ell.width, ell.height, { seed: 7 });
    expect(first.points).toHaveLength(1);
    const p = first.points[0]!;
    expect(p.label).toBe('include');
    expect(at(ell, p.x, p.y)).toBe(1);
    expect(onePointPrompt(ell.mask, ell.width, ell.height, { seed: 7 })).toEqual(first);
    const seen = new Set(
      Array.from({ length: 40 }, (_, seed) =>
        JSON.stringify(onePointPrompt(ell.mask, ell.width, ell.height, { seed })),
      ),
    );
    expect(seen.size).toBeGreaterThan(5); // the seed does change the draw
  });

  it('S3: the centroid and the row-major pixels at step, 2 step, 3 step, 4 step (step = floor(n / 5))', () => {
    // 12 pixels, step 2: row-major indices 2, 4, 6, 8 → (4,1), (2,2), (4,2), (2,3).
    expect(fivePointPrompt(block.mask, block.width, block.height).points).toEqual([
      { x: 3, y: 2, label: 'include' },
      { x: 4, y: 1, label: 'include' },
      { x: 2, y: 2, label: 'include' },
      { x: 4, y: 2, label: 'include' },
      { x: 2, y: 3, label: 'include' },
    ]);
  });

  it('S3: 5 distinct seeded mask pixels when the centroid is off the mask', () => {
    const { points } = fivePointPrompt(ell.mask, ell.width, ell.height, { seed: 3 });
    expect(points).toHaveLength(5);
    expect(new Set(points.map((p) => `${p.x},${p.y}`)).size).toBe(5);
    for (const p of points) expect(at(ell, p.x, p.y)).toBe(1);
    expect(fivePointPrompt(ell.mask, ell.width, ell.height, { seed: 3 })).toEqual({ points });
  });

  it('S4: S3 plus 5 background exclude points inside the doubled tight box', () => {
    const { points } = fivePlusFivePointPrompt(block.mask, block.width, block.height, { seed: 1 });
    expect(points.slice(0, 5)).toEqual(fivePointPrompt(block.mask, block.width, block.height).points);
    const negatives = points.slice(5);
    expect(negatives).toHaveLength(5);
    for (const p of negatives) {
      expect(p.label).toBe('exclude');
      expect(at(block, p.x, p.y)).toBe(0);
      // Box columns 2-5 (width 4) grow by 2 each side, rows 1-3 (height 3) by 2: clipped to the image.
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(7);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(4);
    }
    expect(new Set(negatives.map((p) => `${p.x},${p.y}`)).size).toBe(5);
  });

  it('S5: the tight box, inclusive pixel indices', () => {
    expect(maskBox(block.mask, block.width, block.height)).toEqual({ x0: 2, y0: 1, x1: 5, y1: 3 });
    expect(boxPrompt(block.mask, block.width, block.height)).toEqual({
      points: [],
      box: { x0: 2, y0: 1, x1: 5, y1: 3 },
    });
    const single = draw(['...', '.#.', '...']);
    expect(maskBox(single.mask, 3, 3)).toEqual({ x0: 1, y0: 1, x1: 1, y1: 1 });
  });

  it('S6: the box and the S2 point', () => {
    expect(boxAndPointPrompt(block.mask, block.width, block.height)).toEqual({
      points: [{ x: 3, y: 2, label: 'include' }],
      box: { x0: 2, y0: 1, x1: 5, y1: 3 },
    });
  });

  it('are listed by id', () => {
    expect(Object.keys(PROMPT_MODES)).toEqual(['S2', 'S3', 'S4', 'S5', 'S6']);
    expect(PROMPT_MODES.S5.build(block.mask, block.width, block.height)).toEqual(
      boxPrompt(block.mask, block.width, block.height),
    );
  });

  it('refuse an empty mask and a mask of the wrong size', () => {
    const empty = new Uint8Array(12);
    expect(() => onePointPrompt(empty, 4, 3)).toThrow('The mask is empty');
    expect(() => boxPrompt(empty, 4, 3)).toThrow('The mask is empty');
    expect(() => boxPrompt(empty, 5, 3)).toThrow('Mask has 12 pixels; 5 x 3 needs 15.');
  });
});

describe('seeded sampling', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 100; i++) {
      const v = a();
      expect(v).toBe(b());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });

  it('draws distinct items, all of them when there are fewer', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const drawn = sampleDistinct(items, 5, seededRandom(1));
    expect(new Set(drawn).size).toBe(5);
    for (const v of drawn) expect(items).toContain(v);
    expect(sampleDistinct([1, 2], 5, seededRandom(1)).sort()).toEqual([1, 2]);
  });
});
