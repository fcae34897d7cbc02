import {
  boxAndPointPrompt,
  boxPrompt,
  formatPerturbBand,
  onePointPrompt,
  parsePerturbBands,
  perturbPrompt,
  type Prompt,
  type PromptBox,
} from '../../../extensions/sam-segmentation/src/core';

const W = 200;
const H = 160;
const SEEDS = Array.from({ length: 300 }, (_, i) => i);
const BANDS = parsePerturbBands('0-10,10-20,20-30');
const EPS = 1e-9;

const centrePoint: Prompt = { points: [{ x: 100, y: 80, label: 'include' }] };
const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

describe('perturbation bands', () => {
  it('parses MIN-MAX pixel bands separated by commas', () => {
    expect(BANDS).toEqual([
      { min: 0, max: 10 },
      { min: 10, max: 20 },
      { min: 20, max: 30 },
    ]);
    expect(parsePerturbBands(' 0 - 2.5 , 2.5-5 ')).toEqual([
      { min: 0, max: 2.5 },
      { min: 2.5, max: 5 },
    ]);
    expect(BANDS.map(formatPerturbBand).join(',')).toBe('0-10,10-20,20-30');
  });

  it('rejects bad text with a message naming the problem', () => {
    expect(() => parsePerturbBands('10-5')).toThrow(
      'Perturbation band "10-5": the minimum (10) must be below the maximum (5).',
    );
    expect(() => parsePerturbBands('10-10')).toThrow('the minimum (10) must be below the maximum (10)');
    expect(() => parsePerturbBands('-5-10')).toThrow('Perturbation band "-5-10": distances are non-negative pixels.');
    expect(() => parsePerturbBands('0-10,abc')).toThrow('Perturbation band "abc" is not MIN-MAX in pixels');
    expect(() => parsePerturbBands('0-10,,20-30')).toThrow('Empty perturbation band in "0-10,,20-30"');
    expect(() => parsePerturbBands('  ')).toThrow('No perturbation bands given');
    expect(() => perturbPrompt(centrePoint, { min: 5, max: 5 }, W, H, 0)).toThrow('the minimum must be below');
    expect(() => perturbPrompt(centrePoint, { min: -1, max: 5 }, W, H, 0)).toThrow('non-negative');
  });
});

describe('perturbPrompt: points', () => {
  it.each(BANDS.map((b) => [formatPerturbBand(b), b] as const))(
    'moves a point by a length in the band %s, in every direction',
    (_, band) => {
      const lengths: number[] = [];
      const quadrants = new Set<string>();
      for (const seed of SEEDS) {
        const p = perturbPrompt(centrePoint, band, W, H, seed).points[0]!;
        const d = distance(p, centrePoint.points[0]!);
        lengths.push(d);
        quadrants.add(`${Math.sign(p.x - 100)}${Math.sign(p.y - 80)}`);
        expect(p.label).toBe('include');
      }
      expect(Math.min(...lengths)).toBeGreaterThanOrEqual(band.min - EPS);
      expect(Math.max(...lengths)).toBeLessThan(band.max + EPS);
      // Spread over the band (uniform length: 300 draws reach within 1 px of each end).
      expect(Math.min(...lengths)).toBeLessThan(band.min + 1);
      expect(Math.max(...lengths)).toBeGreaterThan(band.max - 1);
      expect(quadrants).toEqual(new Set(['11', '1-1', '-11', '-1-1']));
    },
  );

  it('is reproducible for a seed, and different seeds give different points', () => {
    const prompt: Prompt = {
      points: [
        { x: 50, y: 40, label: 'include' },
        { x: 120, y: 90, label: 'exclude' },
      ],
    };
    const band = { min: 10, max: 20 };
    expect(perturbPrompt(prompt, band, W, H, 42)).toEqual(perturbPrompt(prompt, band, W, H, 42));
    expect(perturbPrompt(prompt, band, W, H, 42)).not.toEqual(perturbPrompt(prompt, band, W, H, 43));
    const distinct = new Set(SEEDS.map((seed) => JSON.stringify(perturbPrompt(prompt, band, W, H, seed))));
    expect(distinct.size).toBe(SEEDS.length);
    // Each point moves on its own; labels never change.
    const moved = perturbPrompt(prompt, band, W, H, 42).points;
    expect(moved.map((p) => p.label)).toEqual(['include', 'exclude']);
    expect(distance(moved[0]!, prompt.points[0]!)).not.toBeCloseTo(distance(moved[1]!, prompt.points[1]!), 6);
  });

  it('clamps to the image pixel centres, which can shorten the move', () => {
    const corner: Prompt = { points: [{ x: 0, y: 0, label: 'include' }] };
    let shortened = 0;
    for (const seed of SEEDS) {
      const p = perturbPrompt(corner, { min: 20, max: 30 }, W, H, seed).points[0]!;
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeGreaterThanOrEqual(0);
      if (distance(p, { x: 0, y: 0 }) < 20) shortened++;
    }
    expect(shortened).toBeGreaterThan(SEEDS.length / 2); // three quarters of the directions leave the image
    const far: Prompt = { points: [{ x: W - 1, y: H - 1, label: 'include' }] };
    for (const seed of SEEDS.slice(0, 50)) {
      const p = perturbPrompt(far, { min: 20, max: 30 }, W, H, seed).points[0]!;
      expect(p.x).toBeLessThanOrEqual(W - 1);
      expect(p.y).toBeLessThanOrEqual(H - 1);
    }
  });

  it('keeps the previous mask and adds no box', () => {
    const previousMask = new Float32Array(256 * 256);
    const out = perturbPrompt({ ...centrePoint, previousMask }, { min: 0, max: 10 }, W, H, 1);
    expect(out.previousMask).toBe(previousMask);
    expect(out.box).toBeUndefined();
  });
});

describe('perturbPrompt: box', () => {
  const box: PromptBox = { x0: 50, y0: 40, x1: 150, y1: 120 };

  it.each(BANDS.map((b) => [formatPerturbBand(b), b] as const))(
    'moves each edge by a distance in the band %s, outward or inward',
    (_, band) => {
      const signs = new Set<string>();
      for (const seed of SEEDS) {
        const out = perturbPrompt({ points: [], box }, band, W, H, seed).box!;
        expect(out.x0).toBeLessThanOrEqual(out.x1);
        expect(out.y0).toBeLessThanOrEqual(out.y1);
        // Outward moves, positive: x0 and y0 go down, x1 and y1 up.
        const moves = [box.x0 - out.x0, box.y0 - out.y0, out.x1 - box.x1, out.y1 - box.y1];
        for (const m of moves) {
          expect(Math.abs(m)).toBeGreaterThanOrEqual(band.min - EPS);
          expect(Math.abs(m)).toBeLessThan(band.max + EPS);
          signs.add(m > 0 ? 'out' : m < 0 ? 'in' : 'zero');
        }
      }
      expect(signs.has('out') && signs.has('in')).toBe(true);
    },
  );

  it('re-orders crossed edges and clamps to the image: the box stays valid', () => {
    const small: PromptBox = { x0: 2, y0: 3, x1: 6, y1: 5 }; // inward moves of 20-30 px cross
    for (const seed of SEEDS) {
      const out = perturbPrompt({ points: [], box: small }, { min: 20, max: 30 }, W, H, seed).box!;
      expect(out.x0).toBeGreaterThanOrEqual(0);
      expect(out.y0).toBeGreaterThanOrEqual(0);
      expect(out.x1).toBeLessThanOrEqual(W - 1);
      expect(out.y1).toBeLessThanOrEqual(H - 1);
      expect(out.x0).toBeLessThanOrEqual(out.x1);
      expect(out.y0).toBeLessThanOrEqual(out.y1);
    }
    // A box given up-left is read as the same box.
    const upLeft = { x0: box.x1, y0: box.y1, x1: box.x0, y1: box.y0 };
    expect(perturbPrompt({ points: [], box: upLeft }, { min: 0, max: 10 }, W, H, 5)).toEqual(
      perturbPrompt({ points: [], box }, { min: 0, max: 10 }, W, H, 5),
    );
  });

  it('moves the S5 box as the S6 box, and the S2 point as the S6 point, for one seed', () => {
    const mask = new Uint8Array(W * H);
    for (let y = 60; y < 100; y++) for (let x = 70; x < 130; x++) mask[y * W + x] = 1;
    const band = { min: 10, max: 20 };
    for (const seed of [0, 7, 99]) {
      const s2 = perturbPrompt(onePointPrompt(mask, W, H), band, W, H, seed);
      const s5 = perturbPrompt(boxPrompt(mask, W, H), band, W, H, seed);
      const s6 = perturbPrompt(boxAndPointPrompt(mask, W, H), band, W, H, seed);
      expect(s6.box).toEqual(s5.box);
      expect(s6.points).toEqual(s2.points);
    }
  });
});
