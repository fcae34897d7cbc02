import {
  fitPrompt,
  getFamily,
  refinesPrompt,
  samePrompt,
  type PromptPart,
} from '../../../extensions/sam-segmentation/src/core';

const SAM = getFamily('sam');
const MEDSAM = getFamily('medsam');
const include = (source: string, x: number, y: number): PromptPart<string> => ({
  source,
  point: { x, y, label: 'include' },
});
const exclude = (source: string, x: number, y: number): PromptPart<string> => ({
  source,
  point: { x, y, label: 'exclude' },
});
const box = (source: string, x0: number, y0: number, x1: number, y1: number): PromptPart<string> => ({
  source,
  box: { x0, y0, x1, y1 },
});

describe('fitPrompt: the parts drawn → what the model can take on a 100×80 image', () => {
  it('keeps points and a box on the image, and names the sources used', () => {
    const fitted = fitPrompt([include('p', 10, 20), box('b', 5, 6, 50, 60)], 100, 80, SAM);
    expect(fitted.prompt).toEqual({
      points: [{ x: 10, y: 20, label: 'include' }],
      box: { x0: 5, y0: 6, x1: 50, y1: 60 },
    });
    expect(fitted.used).toEqual(['p', 'b']);
    expect(fitted.refused).toEqual([]);
  });

  it('refuses a point outside the image, saying where it was, and keeps the rest', () => {
    const fitted = fitPrompt([include('in', 10, 10), include('out', 120, 10)], 100, 80, SAM);
    expect(fitted.prompt?.points).toEqual([{ x: 10, y: 10, label: 'include' }]);
    expect(fitted.refused).toEqual([
      { source: 'out', reason: expect.stringMatching(/\(120, 10\) is outside the 100×80 image/) },
    ]);
  });

  it('accepts the image edges (pixel centres span -0.5 … W - 0.5)', () => {
    expect(fitPrompt([include('a', -0.5, 79.5)], 100, 80, SAM).refused).toEqual([]);
    expect(fitPrompt([include('a', -0.51, 10)], 100, 80, SAM).refused).toHaveLength(1);
  });

  it('clips a box that reaches past the edge, orders its corners, and refuses one wholly outside', () => {
    expect(fitPrompt([box('b', 90, 70, -20, 10)], 100, 80, SAM).prompt?.box).toEqual({
      x0: -0.5,
      y0: 10,
      x1: 90,
      y1: 70,
    });
    const outside = fitPrompt([box('b', 200, 10, 300, 40)], 100, 80, SAM);
    expect(outside.prompt).toBeUndefined();
    expect(outside.refused[0]?.reason).toMatch(/box lies outside the 100×80 image/);
  });

  it('takes the newest box and lists the older ones as replaced, not refused', () => {
    const fitted = fitPrompt([box('old', 1, 1, 10, 10), box('new', 20, 20, 30, 40)], 100, 80, SAM);
    expect(fitted.prompt?.box).toEqual({ x0: 20, y0: 20, x1: 30, y1: 40 });
    expect(fitted.replaced).toEqual(['old']);
    expect(fitted.used).toEqual(['new']);
  });

  it('refuses points for a box-only family, with what to do', () => {
    const fitted = fitPrompt([include('p', 10, 10), box('b', 1, 1, 50, 50)], 100, 80, MEDSAM);
    expect(fitted.prompt).toEqual({ points: [], box: { x0: 1, y0: 1, x1: 50, y1: 50 } });
    expect(fitted.refused[0]?.reason).toMatch(/takes boxes only: draw a box/);
  });

  it('gives no prompt for exclude points alone, and says what is missing', () => {
    const fitted = fitPrompt([exclude('e', 10, 10)], 100, 80, SAM);
    expect(fitted.prompt).toBeUndefined();
    expect(fitted.incomplete).toMatch(/include point or a box/);
    expect(fitPrompt([], 100, 80, SAM)).toEqual({ prompt: undefined, used: [], refused: [], replaced: [] });
  });
});

describe('samePrompt and refinesPrompt', () => {
  const p = (points: Array<[number, number, 'include' | 'exclude']>, b?: [number, number, number, number]) => ({
    points: points.map(([x, y, label]) => ({ x, y, label })),
    ...(b && { box: { x0: b[0], y0: b[1], x1: b[2], y1: b[3] } }),
  });

  it('compares points and box within 1e-3 px', () => {
    expect(samePrompt(p([[1, 2, 'include']]), p([[1.0001, 2, 'include']]))).toBe(true);
    expect(samePrompt(p([[1, 2, 'include']]), p([[1, 2, 'exclude']]))).toBe(false);
    expect(samePrompt(p([], [0, 0, 5, 5]), p([], [0, 0, 5, 6]))).toBe(false);
    expect(samePrompt(undefined, undefined)).toBe(true);
  });

  it('refines when points are added to the same box and points, in any tool order', () => {
    const before = p(
      [
        [1, 2, 'include'],
        [9, 9, 'exclude'],
      ],
      [0, 0, 50, 50],
    );
    expect(
      refinesPrompt(
        before,
        p(
          [
            [1, 2, 'include'],
            [5, 5, 'include'],
            [9, 9, 'exclude'],
          ],
          [0, 0, 50, 50],
        ),
      ),
    ).toBe(true);
  });

  it('starts afresh when a point moved or went, or the box changed', () => {
    const before = p([[1, 2, 'include']]);
    expect(
      refinesPrompt(
        before,
        p([
          [1, 3, 'include'],
          [5, 5, 'include'],
        ]),
      ),
    ).toBe(false);
    expect(
      refinesPrompt(
        p([
          [1, 2, 'include'],
          [5, 5, 'include'],
        ]),
        before,
      ),
    ).toBe(false);
    expect(
      refinesPrompt(
        before,
        p(
          [
            [1, 2, 'include'],
            [5, 5, 'include'],
          ],
          [0, 0, 9, 9],
        ),
      ),
    ).toBe(false);
  });
});
