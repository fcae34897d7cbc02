import {
  boundaryPixels,
  distanceTransform,
  percentileOfSorted,
  squaredDistanceTransform,
  surfaceDistances,
} from '../../../extensions/sam-segmentation/src/core/metrics/surfaceDistance';

/** A mask from rows of '#' (foreground) and '.' (background). */
function draw(rows: string[]) {
  const width = rows[0]!.length;
  const mask = Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  return { mask, width, height: rows.length };
}

/** A width x height mask with the pixels (x, y) for which `inside` holds. */
function shape(width: number, height: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = inside(x, y) ? 1 : 0;
  return mask;
}

const scored = (r: ReturnType<typeof surfaceDistances>) => {
  if (r.kind !== 'scored') throw new Error(`expected distances, got ${r.kind}`);
  return r;
};

describe('boundary pixels', () => {
  it('are foreground pixels with a background 4-neighbour or on the image edge', () => {
    const { mask, width, height } = draw(['......', '.####.', '.####.', '.####.', '......']);
    const { mask: expected } = draw(['......', '.####.', '.#..#.', '.####.', '......']);
    expect(Array.from(boundaryPixels(mask, width, height))).toEqual(Array.from(expected));
  });

  it('include pixels on the image edge', () => {
    const { mask, width, height } = draw(['####', '####', '####']);
    const { mask: expected } = draw(['####', '#..#', '####']);
    expect(Array.from(boundaryPixels(mask, width, height))).toEqual(Array.from(expected));
  });
});

describe('Euclidean distance transform', () => {
  it('matches brute force on random masks, isotropic and anisotropic', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const spacing of [
      [1, 1],
      [2, 1],
      [0.7, 1.9],
    ] as const) {
      for (let trial = 0; trial < 5; trial++) {
        const width = 17;
        const height = 11;
        const features = shape(width, height, () => random() < 0.08);
        const got = squaredDistanceTransform(features, width, height, spacing);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            let best = Infinity;
            for (let v = 0; v < height; v++) {
              for (let u = 0; u < width; u++) {
                if (!features[v * width + u]) continue;
                const d = ((x - u) * spacing[0]) ** 2 + ((y - v) * spacing[1]) ** 2;
                if (d < best) best = d;
              }
            }
            expect(got[y * width + x]).toBeCloseTo(best, 9);
          }
        }
      }
    }
  });

  it('is Infinity everywhere without a feature pixel, and 0 on feature pixels', () => {
    expect(Array.from(squaredDistanceTransform(new Uint8Array(6), 3, 2))).toEqual(Array(6).fill(Infinity));
    const features = shape(5, 5, (x, y) => x === 0 && y === 0);
    const d = distanceTransform(features, 5, 5);
    expect(d[0]).toBe(0);
    expect(d[4 * 5 + 3]).toBeCloseTo(5, 12); // (3, 4): a 3-4-5 triangle
  });
});

describe('percentile', () => {
  it('interpolates linearly between order statistics (numpy default)', () => {
    const sorted = Float64Array.from([0, 0, 1, 2]);
    expect(percentileOfSorted(sorted, 95)).toBeCloseTo(1.85, 12); // rank 0.95 * 3 = 2.85
    expect(percentileOfSorted(sorted, 100)).toBe(2);
    expect(percentileOfSorted(sorted, 0)).toBe(0);
    expect(percentileOfSorted(Float64Array.from([7]), 95)).toBe(7);
  });
});

describe('surface distances', () => {
  it('are 0 for identical masks', () => {
    const { mask, width, height } = draw(['.....', '.###.', '.###.', '..#..']);
    expect(surfaceDistances(mask, mask, width, height)).toEqual({ kind: 'scored', hd95: 0, hdMax: 0, asd: 0, assd: 0 });
  });

  it('are 3 between single pixels 3 pixels apart', () => {
    const a = shape(8, 3, (x, y) => x === 1 && y === 1);
    const b = shape(8, 3, (x, y) => x === 4 && y === 1);
    expect(surfaceDistances(a, b, 8, 3)).toEqual({ kind: 'scored', hd95: 3, hdMax: 3, asd: 3, assd: 3 });
    // Diagonal: offset (3, 4) is 5 pixels.
    const c = shape(8, 6, (x, y) => x === 1 && y === 1);
    const d = shape(8, 6, (x, y) => x === 4 && y === 5);
    expect(scored(surfaceDistances(c, d, 8, 6)).hdMax).toBeCloseTo(5, 12);
  });

  it('pool both directed distance sets (hand-computed pixel vs segment)', () => {
    // Directed pixel → segment: {0}; segment → pixel: {0, 1, 2}; pooled {0, 0, 1, 2}.
    const a = shape(5, 3, (x, y) => x === 1 && y === 1);
    const b = shape(5, 3, (x, y) => x >= 1 && x <= 3 && y === 1);
    const r = scored(surfaceDistances(a, b, 5, 3));
    expect(r.hdMax).toBe(2);
    expect(r.asd).toBeCloseTo(0.75, 12);
    // MedPy's assd: the directed means 0 and 1, averaged; each direction weighs half, not each pixel.
    expect(r.assd).toBeCloseTo(0.5, 12);
    expect(r.hd95).toBeCloseTo(1.85, 12);
    // Symmetric in its arguments.
    expect(surfaceDistances(b, a, 5, 3)).toEqual(r);
  });

  it('give hdMax = k for two squares shifted by k pixels', () => {
    for (const k of [1, 2, 4, 7]) {
      const a = shape(24, 12, (x, y) => x >= 2 && x <= 6 && y >= 3 && y <= 7);
      const b = shape(24, 12, (x, y) => x >= 2 + k && x <= 6 + k && y >= 3 && y <= 7);
      expect(scored(surfaceDistances(a, b, 24, 12)).hdMax).toBeCloseTo(k, 12);
    }
  });

  it('scale horizontal distances by sx and vertical ones by sy', () => {
    const a = shape(8, 8, (x, y) => x === 1 && y === 1);
    const right = shape(8, 8, (x, y) => x === 4 && y === 1);
    const below = shape(8, 8, (x, y) => x === 1 && y === 4);
    const diagonal = shape(8, 8, (x, y) => x === 4 && y === 5);
    expect(scored(surfaceDistances(a, right, 8, 8, [2, 1])).hdMax).toBeCloseTo(6, 12);
    expect(scored(surfaceDistances(a, below, 8, 8, [2, 1])).hdMax).toBeCloseTo(3, 12);
    expect(scored(surfaceDistances(a, diagonal, 8, 8, [2, 1])).hdMax).toBeCloseTo(Math.sqrt(36 + 16), 12);
    expect(scored(surfaceDistances(a, below, 8, 8, [1, 0.5])).asd).toBeCloseTo(1.5, 12);
  });

  it('report empty masks apart instead of scoring them', () => {
    const empty = new Uint8Array(12);
    const some = shape(4, 3, (x, y) => x === 1 && y === 1);
    expect(surfaceDistances(empty, some, 4, 3)).toEqual({ kind: 'empty-prediction' });
    expect(surfaceDistances(some, empty, 4, 3)).toEqual({ kind: 'empty-reference' });
    expect(surfaceDistances(empty, empty, 4, 3)).toEqual({ kind: 'both-empty' });
  });

  it('count the hole of a ring against a disc (square ring, exact)', () => {
    // 11 x 11 square (columns and rows 1..11 of 13) vs the same with a 3 x 3 hole at 5..7.
    // Outer boundaries coincide (40 pixels each, distance 0); the ring's 12 inner boundary pixels are 3
    // from the outer boundary. Pooled: 80 zeros and 12 threes.
    const inSquare = (x: number, y: number) => x >= 1 && x <= 11 && y >= 1 && y <= 11;
    const inHole = (x: number, y: number) => x >= 5 && x <= 7 && y >= 5 && y <= 7;
    const disc = shape(13, 13, inSquare);
    const ring = shape(13, 13, (x, y) => inSquare(x, y) && !inHole(x, y));
    const r = scored(surfaceDistances(ring, disc, 13, 13));
    expect(r.hdMax).toBeCloseTo(3, 12);
    expect(r.hd95).toBeCloseTo(3, 12); // rank 0.95 * 91 = 86.45 ≥ 80
    expect(r.asd).toBeCloseTo(36 / 92, 12);
    // Ring → disc: 40 zeros and 12 threes (mean 36 / 52); disc → ring: 40 zeros (mean 0).
    expect(r.assd).toBeCloseTo(36 / 52 / 2, 12);
  });

  it('count the hole of a ring against a disc (round)', () => {
    // Disc of radius 10, ring with a hole of radius 5: the inner boundary lies about 10 - 5 = 5 from the
    // outer one, less the pixel rasterisation.
    const c = 15;
    const r2 = (x: number, y: number) => (x - c) ** 2 + (y - c) ** 2;
    const disc = shape(31, 31, (x, y) => r2(x, y) <= 100);
    const ring = shape(31, 31, (x, y) => r2(x, y) <= 100 && r2(x, y) > 25);
    const r = scored(surfaceDistances(disc, ring, 31, 31));
    expect(r.hdMax).toBeGreaterThanOrEqual(3.5);
    expect(r.hdMax).toBeLessThanOrEqual(5);
    expect(r.hd95).toBeGreaterThan(3);
    expect(r.hd95).toBeLessThanOrEqual(r.hdMax);
    expect(r.asd).toBeGreaterThan(0);
    expect(r.asd).toBeLessThan(r.hd95);
  });

  it('refuses masks that do not fit the grid and bad spacing', () => {
    expect(() => surfaceDistances(new Uint8Array(5), new Uint8Array(6), 3, 2)).toThrow(/5 pixels/);
    expect(() => surfaceDistances(new Uint8Array(6), new Uint8Array(6), 3, 2, [0, 1])).toThrow(/spacing/);
  });
});
