import { cleanUpMask, fillHoles, labelComponents, type Prompt } from '../../../extensions/sam-segmentation/src/core';

/** A mask from rows of '#' (foreground) and '.' (background). */
function draw(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const width = rows[0]!.length;
  const mask = Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  return { mask, width, height: rows.length };
}

function show(mask: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < mask.length; i += width)
    rows.push(Array.from(mask.subarray(i, i + width), (v) => (v ? '#' : '.')).join(''));
  return rows;
}

const include = (x: number, y: number) => ({ x, y, label: 'include' as const });

describe('labelComponents', () => {
  const diagonal = draw(['##....', '##....', '..##..', '..##..', '......', '.....#']);

  it('joins diagonal neighbours with 8-connectivity only', () => {
    expect(labelComponents(diagonal.mask, 6, 6, 8).count).toBe(2);
    const four = labelComponents(diagonal.mask, 6, 6, 4);
    expect(four.count).toBe(3);
    expect(Array.from(four.sizes)).toEqual([0, 4, 4, 1]);
  });

  it('labels a 512x512 serpentine without recursion', () => {
    const n = 512;
    const mask = new Uint8Array(n * n);
    for (let y = 0; y < n; y += 2) mask.fill(1, y * n, (y + 1) * n); // full rows
    for (let y = 1; y < n; y += 2) mask[y * n + (y % 4 === 1 ? n - 1 : 0)] = 1; // alternate ends
    const { count, sizes } = labelComponents(mask, n, n, 4);
    expect(count).toBe(1);
    expect(sizes[1]).toBe(256 * 512 + 256);
  });

  it('refuses a mask of the wrong size', () => {
    expect(() => labelComponents(new Uint8Array(5), 2, 2)).toThrow('Mask has 5 pixels; 2 x 2 needs 4.');
  });
});

describe('fillHoles', () => {
  it('fills a ring but not a bay open to the border', () => {
    const { mask, width, height } = draw([
      '..........',
      '.#####....',
      '.#...#..##',
      '.#...#..#.',
      '.#####..##',
      '..........',
    ]);
    expect(show(fillHoles(mask, width, height), width)).toEqual([
      '..........',
      '.#####....',
      '.#####..##',
      '.#####..#.',
      '.#####..##',
      '..........',
    ]);
  });

  it('treats a diagonal gap as closed for 8-connected foreground, open for 4-connected', () => {
    const { mask, width, height } = draw(['.....', '..#..', '.#.#.', '..#..', '.....']);
    expect(show(fillHoles(mask, width, height, 8), width)[2]).toBe('.###.');
    expect(show(fillHoles(mask, width, height, 4), width)[2]).toBe('.#.#.');
  });
});

describe('cleanUpMask', () => {
  const twoBlobs = draw([
    '............',
    '.###....##..',
    '.###....##..',
    '.###........',
    '............',
    '......#.....',
  ]);

  it('keeps only the component holding an include point', () => {
    const prompt: Prompt = { points: [include(2, 2), { x: 8, y: 1, label: 'exclude' }] };
    expect(show(cleanUpMask(twoBlobs.mask, 12, 6, prompt), 12)).toEqual([
      '............',
      '.###........',
      '.###........',
      '.###........',
      '............',
      '............',
    ]);
  });

  it('keeps every component an include point touches (rounded to the nearest pixel)', () => {
    const out = cleanUpMask(twoBlobs.mask, 12, 6, { points: [include(2, 2), include(8.6, 2.4)] });
    expect(out.reduce((a, b) => a + b, 0)).toBe(13);
  });

  it('follows the connectivity parameter', () => {
    const diag = draw(['##...', '##...', '..##.', '..##.', '.....']);
    const prompt = { points: [include(0, 0)] };
    expect(cleanUpMask(diag.mask, 5, 5, prompt, { connectivity: 8 }).reduce((a, b) => a + b, 0)).toBe(8);
    expect(cleanUpMask(diag.mask, 5, 5, prompt, { connectivity: 4 }).reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('fills the hole of a prompted ring, and can leave it', () => {
    const ring = draw(['.......', '.#####.', '.#...#.', '.#...#.', '.#####.', '.......']);
    const prompt = { points: [include(1, 1)] };
    expect(cleanUpMask(ring.mask, 7, 6, prompt).reduce((a, b) => a + b, 0)).toBe(20);
    expect(cleanUpMask(ring.mask, 7, 6, prompt, { fillHoles: false }).reduce((a, b) => a + b, 0)).toBe(14);
  });

  it('with a box keeps the components reaching its central region, not those in its margin', () => {
    const m = draw(['##..........', '##..........', '.....####...', '.....####...', '.....####...', '##..........']);
    // box x 0..11, y 0..5: central region x 2.75..8.25 → 3..8, y 1.25..3.75 → 2..3
    expect(show(cleanUpMask(m.mask, 12, 6, { points: [], box: { x0: 0, y0: 0, x1: 11, y1: 5 } }), 12)).toEqual([
      '............',
      '............',
      '.....####...',
      '.....####...',
      '.....####...',
      '............',
    ]);
  });

  it('with a box and nothing central keeps the component with most pixels inside the box', () => {
    const m = draw(['###.........', '###.........', '............', '............', '.........###', '.........#..']);
    const out = cleanUpMask(m.mask, 12, 6, { points: [], box: { x0: 0, y0: 0, x1: 11, y1: 4 } });
    expect(show(out, 12)).toEqual([
      '###.........',
      '###.........',
      '............',
      '............',
      '............',
      '............',
    ]);
  });

  it('drops nothing for the prompt when no include point lands on the mask, but drops small islands', () => {
    const prompt = { points: [include(5, 3)] }; // background
    expect(cleanUpMask(twoBlobs.mask, 12, 6, prompt).reduce((a, b) => a + b, 0)).toBe(14);
    const out = cleanUpMask(twoBlobs.mask, 12, 6, prompt, { minComponentSize: 2 });
    expect(out.reduce((a, b) => a + b, 0)).toBe(13);
    expect(out[5 * 12 + 6]).toBe(0);
  });

  it("keeps everything above the size limit with keep: 'all', and never drops an anchored island", () => {
    expect(
      cleanUpMask(twoBlobs.mask, 12, 6, { points: [include(2, 2)] }, { keep: 'all', minComponentSize: 5 }).reduce(
        (a, b) => a + b,
        0,
      ),
    ).toBe(9);
    const tiny = cleanUpMask(twoBlobs.mask, 12, 6, { points: [include(6, 5)] }, { minComponentSize: 5 });
    expect(tiny.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('does not modify its input', () => {
    const copy = twoBlobs.mask.slice();
    cleanUpMask(twoBlobs.mask, 12, 6, { points: [include(2, 2)] });
    expect(twoBlobs.mask).toEqual(copy);
  });
});
