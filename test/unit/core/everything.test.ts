import {
  EverythingMaskGenerator,
  boxNms,
  checkPointsPerSide,
  dice,
  everythingGrid,
  generateEverythingMasks,
  matchObjectsToMasks,
  selectEverythingMaskByIou,
  selectMasksByPredictedIou,
  stabilityScore,
  type EverythingCandidate,
  type PromptPoint,
} from '../../../extensions/sam-segmentation/src/core';

const W = 16;
const H = 12;

/** A width x height mask with the pixels (x, y) for which `inside` holds. */
function shape(inside: (x: number, y: number) => boolean, width = W, height = H): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = inside(x, y) ? 1 : 0;
  return mask;
}

/** Inclusive pixel rectangle test. */
const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) =>
  x >= x0 && x <= x1 && y >= y0 && y <= y1;

/** Confident logits: +10 inside, -10 outside (stability 1). */
const confident = (mask: Uint8Array) => Float32Array.from(mask, (v) => (v ? 10 : -10));

const candidate = (mask: Uint8Array, predictedIou: number): EverythingCandidate => ({
  logits: confident(mask),
  predictedIou,
});

const origin: PromptPoint = { x: 0, y: 0, label: 'include' };

describe('S1 Everything: the point grid', () => {
  it("is SAM's build_point_grid, row by row, in SAM's numbers by default", () => {
    // n = 2: offsets 1/4 and 3/4 of each side. 4 x 4: 1 and 3.
    expect(everythingGrid(4, 4, 2).map(({ x, y }) => [x, y])).toEqual([
      [1, 1],
      [3, 1],
      [1, 3],
      [3, 3],
    ]);
    // 10 x 6: x = 2.5, 7.5; y = 1.5, 4.5.
    expect(everythingGrid(10, 6, 2).map(({ x, y }) => [x, y])).toEqual([
      [2.5, 1.5],
      [7.5, 1.5],
      [2.5, 4.5],
      [7.5, 4.5],
    ]);
    expect(everythingGrid(10, 6, 2).every((p) => p.label === 'include')).toBe(true);
  });

  it("'pixel-centre' puts the points half a pixel up-left: the grid cells' centres in pixel indices", () => {
    expect(everythingGrid(4, 4, 2, 'pixel-centre').map(({ x, y }) => [x, y])).toEqual([
      [0.5, 0.5],
      [2.5, 0.5],
      [0.5, 2.5],
      [2.5, 2.5],
    ]);
    expect(everythingGrid(10, 6, 2, 'pixel-centre').map(({ x, y }) => [x, y])).toEqual([
      [2, 1],
      [7, 1],
      [2, 4],
      [7, 4],
    ]);
  });

  it('has n x n points inside the image, clamped only when n exceeds the side', () => {
    const grid = everythingGrid(512, 384, 32);
    expect(grid).toHaveLength(1024);
    expect(grid[0]).toEqual({ x: 8, y: 6, label: 'include' });
    expect(grid[1023]).toEqual({ x: 504, y: 378, label: 'include' });
    // 3 per side on a 2-pixel side: 1/3, 1, 5/3 → the last clamped to 1.5 (the image edge).
    expect(
      everythingGrid(2, 2, 3)
        .slice(0, 3)
        .map((p) => p.x),
    ).toEqual([1 / 3, 1, 1.5]);
  });

  it('refuses bad sizes and densities outside 8..256', () => {
    expect(() => everythingGrid(0, 4, 2)).toThrow('positive integer width and height');
    expect(() => everythingGrid(4, 4, 0)).toThrow('Points per side must be a positive integer');
    expect(() => checkPointsPerSide(7)).toThrow('8..256');
    expect(() => checkPointsPerSide(257)).toThrow('8..256');
    expect(() => checkPointsPerSide(32)).not.toThrow();
  });
});

describe('S1 Everything: stability score', () => {
  it('is count(logit > +1) / count(logit > -1), strict at the thresholds', () => {
    // Ramp -3 … 3: above +1: 1.5, 2, 3; above -1: -0.5, 0.5, 1.5, 2, 3.
    expect(stabilityScore(Float32Array.of(-3, -2, -1.5, -0.5, 0.5, 1.5, 2, 3))).toBeCloseTo(3 / 5, 12);
    // Exactly ±1 is not above: above +1 only 2; above -1: 0, 1, 2.
    expect(stabilityScore(Float32Array.of(-1, 0, 1, 2))).toBeCloseTo(1 / 3, 12);
    // A 30-pixel ramp x - 10: above +1 for x ≥ 12 (18 pixels), above -1 for x ≥ 10 (20).
    expect(stabilityScore(Float32Array.from({ length: 30 }, (_, x) => x - 10))).toBeCloseTo(0.9, 12);
    // Other threshold and offset: above 12 (x ≥ 23: 7), above 8 (x ≥ 19: 11).
    expect(
      stabilityScore(
        Float32Array.from({ length: 30 }, (_, x) => x - 10),
        10,
        2,
      ),
    ).toBeCloseTo(7 / 11, 12);
  });

  it('is 1 for confident masks and 0 when nothing is above the lower threshold', () => {
    expect(stabilityScore(confident(shape(rect(2, 2, 5, 5))))).toBe(1);
    expect(stabilityScore(new Float32Array(10).fill(-5))).toBe(0);
    expect(stabilityScore(new Float32Array(0))).toBe(0);
  });
});

describe('S1 Everything: filtering and NMS', () => {
  it('drops a near-duplicate box (IoU > 0.7) and keeps the higher predicted IoU; masks come out in score order', () => {
    const a = shape(rect(2, 2, 9, 9));
    const b = shape(rect(3, 2, 10, 9)); // torchvision box IoU with a: 42 / (49 + 49 - 42) = 0.75
    const far = shape(rect(12, 8, 14, 10));
    const generator = new EverythingMaskGenerator(W, H);
    const p1: PromptPoint = { x: 5, y: 5, label: 'include' };
    const p2: PromptPoint = { x: 13, y: 9, label: 'include' };
    generator.add(p1, [candidate(a, 0.95), candidate(b, 0.97)]);
    generator.add(p2, [candidate(far, 0.9)]);
    const kept = generator.finish();
    expect(kept.map((k) => k.predictedIou)).toEqual([0.97, 0.9]);
    expect(kept[0]).toEqual({
      mask: b,
      box: { x0: 3, y0: 2, x1: 10, y1: 9 },
      predictedIou: 0.97,
      stability: 1,
      area: 64,
      point: p1,
      candidateIndex: 1,
    });
    expect(kept[1]!.mask).toEqual(far);
    expect(kept[1]!.point).toBe(p2);
    expect(kept[1]!.area).toBe(9);
    expect(generator.counts).toEqual({ points: 2, candidates: 3, passedIou: 3, passedStability: 3, kept: 2 });
  });

  it('keeps overlapping boxes at IoU ≤ 0.7', () => {
    // Box IoU: (9 - 4) * 7 / (49 + 49 - 35) = 35 / 63 = 0.556.
    const generator = new EverythingMaskGenerator(W, H);
    generator.add(origin, [candidate(shape(rect(2, 2, 9, 9)), 0.95), candidate(shape(rect(4, 2, 11, 9)), 0.97)]);
    expect(generator.finish()).toHaveLength(2);
  });

  it('drops a predicted IoU not above 0.88 and a stability below 0.95, in float32 as SAM', () => {
    const m = shape(rect(1, 1, 4, 4));
    // 19 pixels at +5 and one at +0.5 (in the mask, not above +1): stability 19 / 20 = 0.95, kept.
    const edge = confident(shape(rect(0, 0, 18, 0)));
    edge.fill(5, 0, 19);
    edge[19] = 0.5;
    // 18 at +5 and one at +0.5: 18 / 19 = 0.947, dropped.
    const unstable = confident(shape(rect(0, 2, 18, 2)));
    unstable.fill(5, 2 * W, 2 * W + 18);
    unstable[2 * W + 18] = 0.5;
    const generator = new EverythingMaskGenerator(W, H);
    generator.add(origin, [
      candidate(m, 0.88), // not above 0.88: dropped
      candidate(shape(rect(10, 5, 12, 7)), 0.881), // float32(0.881) > float32(0.88): kept
      { logits: edge, predictedIou: 0.99 },
      { logits: unstable, predictedIou: 0.99 },
    ]);
    const kept = generator.finish();
    expect(kept.map((k) => [k.predictedIou, k.stability])).toEqual([
      [0.99, 0.95],
      [0.881, 1],
    ]);
    expect(generator.counts).toEqual({ points: 1, candidates: 4, passedIou: 3, passedStability: 2, kept: 2 });
  });

  it('takes other thresholds through the options', () => {
    const generator = new EverythingMaskGenerator(W, H, { predIouThreshold: 0.5, boxNmsThreshold: 0.8 });
    generator.add(origin, [candidate(shape(rect(2, 2, 9, 9)), 0.6), candidate(shape(rect(3, 2, 10, 9)), 0.7)]);
    expect(generator.finish()).toHaveLength(2); // IoU 0.75 is not above 0.8
  });

  it('refuses logits of the wrong size; no points give no masks', () => {
    const generator = new EverythingMaskGenerator(W, H);
    expect(() => generator.add(origin, [{ logits: new Float32Array(5), predictedIou: 0.99 }])).toThrow(
      'Candidate 0 has 5 logits; a 16x12 image needs 192.',
    );
    expect(new EverythingMaskGenerator(W, H).finish()).toEqual([]);
    expect(() => new EverythingMaskGenerator(W, H, { stabilityOffset: -1 })).toThrow('stability offset must be ≥ 0');
  });

  it('boxNms: greedy by score, ties by index, and zero-area boxes (one pixel wide) suppress nothing', () => {
    const box = { x0: 0, y0: 0, x1: 10, y1: 10 };
    expect(boxNms([box, box, { x0: 20, y0: 0, x1: 30, y1: 10 }], [0.5, 0.5, 0.9], 0.7)).toEqual([2, 0]);
    const column = { x0: 3, y0: 0, x1: 3, y1: 10 };
    expect(boxNms([column, column], [0.9, 0.8], 0.7)).toEqual([0, 1]); // torchvision: 0 / 0 is not > 0.7
    expect(() => boxNms([box], [], 0.7)).toThrow('NMS got 1 boxes and 0 scores.');
  });

  it('generateEverythingMasks decodes each point once, in order, and reports progress', async () => {
    const points = everythingGrid(W, H, 2);
    const seen: PromptPoint[] = [];
    const progress: number[] = [];
    const masks = await generateEverythingMasks(
      points,
      async (p) => {
        seen.push(p);
        // Each point's quadrant, with a predicted IoU rising along the grid.
        const qx = p.x < W / 2 ? 0 : W / 2;
        const qy = p.y < H / 2 ? 0 : H / 2;
        return [candidate(shape(rect(qx + 1, qy + 1, qx + 5, qy + 4)), 0.9 + seen.length / 100)];
      },
      W,
      H,
      { onProgress: (done, total) => progress.push(done / total) },
    );
    expect(seen).toEqual(points);
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    expect(masks.map((m) => m.point)).toEqual([points[3], points[2], points[1], points[0]]);
    expect(masks[3]!.box).toEqual({ x0: 1, y0: 1, x1: 5, y1: 4 });
  });
});

describe('S1 Everything: matching masks to objects', () => {
  const left = shape(rect(0, 0, 3, 3)); // 16 pixels
  const right = shape(rect(4, 0, 7, 3)); // 16 pixels
  const wide = shape(rect(0, 0, 5, 3)); // 24 pixels: all of left, half of right

  it('oracle: each object gets its best-Dice mask, one mask may serve two objects', () => {
    // Dice: left 2 * 16 / 40 = 0.8, right 2 * 8 / 40 = 0.4.
    expect(matchObjectsToMasks([left, right], [wide], W)).toEqual([
      { maskIndex: 0, dice: 0.8 },
      { maskIndex: 0, dice: 0.4 },
    ]);
    expect(matchObjectsToMasks([left, right], [wide, right], W)).toEqual([
      { maskIndex: 0, dice: 0.8 },
      { maskIndex: 1, dice: 1 },
    ]);
  });

  it('oracle: agrees with the plain Dice, with or without the width', () => {
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const blob = () => {
      const [x0, y0] = [Math.floor(random() * W), Math.floor(random() * H)];
      const [x1, y1] = [x0 + Math.floor(random() * 8), y0 + Math.floor(random() * 6)];
      return shape((x, y) => rect(x0, y0, x1, y1)(x, y) && random() < 0.8);
    };
    const objects = Array.from({ length: 6 }, blob).filter((o) => o.some((v) => v));
    const masks = Array.from({ length: 12 }, blob);
    const expected = objects.map((o) => {
      const scores = masks.map((m) => dice(m, o));
      const best = Math.max(...scores);
      return best > 0 ? { maskIndex: scores.indexOf(best), dice: best } : { maskIndex: -1, dice: 0 };
    });
    expect(matchObjectsToMasks(objects, masks, W)).toEqual(expected);
    expect(matchObjectsToMasks(objects, masks)).toEqual(expected);
    // Generated masks with their box and area given, as EverythingMaskGenerator returns them.
    const generator = new EverythingMaskGenerator(W, H, { boxNmsThreshold: 1 });
    generator.add(
      origin,
      masks.filter((m) => m.some((v) => v)).map((m, i) => candidate(m, 0.99 - i / 1000)),
    );
    const generated = generator.finish();
    const boxed = objects.map((o) => {
      const scores = generated.map((g) => dice(g.mask, o));
      const best = Math.max(...scores);
      return best > 0 ? { maskIndex: scores.indexOf(best), dice: best } : { maskIndex: -1, dice: 0 };
    });
    expect(matchObjectsToMasks(objects, generated, W)).toEqual(boxed);
    expect(matchObjectsToMasks(objects, generated)).toEqual(boxed);
  });

  it('oracle: no masks, no overlap, no objects', () => {
    expect(matchObjectsToMasks([left, right], [])).toEqual([
      { maskIndex: -1, dice: 0 },
      { maskIndex: -1, dice: 0 },
    ]);
    expect(matchObjectsToMasks([left], [shape(rect(10, 8, 12, 10))], W)).toEqual([{ maskIndex: -1, dice: 0 }]);
    expect(matchObjectsToMasks([], [wide], W)).toEqual([]);
  });

  it('refuses empty objects and masks of other sizes', () => {
    expect(() => matchObjectsToMasks([new Uint8Array(W * H)], [wide], W)).toThrow('Object 0 is empty');
    expect(() => matchObjectsToMasks([left], [new Uint8Array(10)], W)).toThrow('Mask 0 has 10 pixels');
    expect(() => matchObjectsToMasks([left], [wide], 5)).toThrow('cannot be laid out in rows of 5');
  });

  it("by predicted IoU: the highest-scoring mask covering the object's S2 point", () => {
    const object = shape(rect(4, 4, 8, 8)); // centroid (6, 6)
    const generated = [
      { mask: shape(rect(0, 0, 15, 11)), predictedIou: 0.9 }, // covers it
      { mask: shape(rect(5, 5, 7, 7)), predictedIou: 0.95 }, // covers it, higher: chosen
      { mask: shape(rect(10, 0, 15, 3)), predictedIou: 0.99 }, // off the point
    ];
    // Dice of the 3 x 3 mask: 2 * 9 / (25 + 9).
    expect(selectMasksByPredictedIou([object], generated, W, H)).toEqual([{ maskIndex: 1, dice: 18 / 34 }]);
    // The oracle agrees here: the whole-image mask scores 2 * 25 / (192 + 25) = 0.23 < 0.53.
    expect(
      matchObjectsToMasks(
        [object],
        generated.map((g) => g.mask),
        W,
      )[0]!.maskIndex,
    ).toBe(1);
  });

  it('by predicted IoU: none when no mask covers the point; an off-object centroid uses the seeded mask pixel', () => {
    const object = shape(rect(4, 4, 8, 8));
    expect(
      selectMasksByPredictedIou([object], [{ mask: shape(rect(10, 0, 15, 3)), predictedIou: 0.99 }], W, H),
    ).toEqual([{ maskIndex: -1, dice: 0 }]);
    expect(selectMasksByPredictedIou([object], [], W, H)).toEqual([{ maskIndex: -1, dice: 0 }]);
    // An L: its centroid (2, 3) is off it, so the S2 point is an L pixel; only the L-covering mask contains it.
    const ell = shape((x, y) => (x === 0 && y <= 4) || (y === 4 && x <= 7));
    const generated = [
      { mask: shape(rect(1, 0, 7, 3)), predictedIou: 0.99 }, // covers the centroid, not the L
      { mask: ell, predictedIou: 0.9 },
    ];
    for (const seed of [0, 1, 2]) {
      expect(selectMasksByPredictedIou([ell], generated, W, H, { seed })).toEqual([{ maskIndex: 1, dice: 1 }]);
    }
    expect(selectEverythingMaskByIou(ell, W, H, generated, 3)).toBe(1);
    expect(selectEverythingMaskByIou(object, W, H, generated)).toBe(-1);
    expect(() => selectMasksByPredictedIou([object], [], 10, 10)).toThrow('needs 100');
    expect(() => selectEverythingMaskByIou(object, 10, 10, [])).toThrow('needs 100');
    expect(() => selectEverythingMaskByIou(new Uint8Array(W * H), W, H, [])).toThrow('The mask is empty');
  });
});
