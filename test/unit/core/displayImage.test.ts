import {
  PROTOCOL_PERCENTILE_WINDOW,
  applyModalityLut,
  percentiles,
  resolveVoiRange,
  toDisplayImage,
  type SlicePixels,
} from '../../../extensions/sam-segmentation/src/core';

const grey = (values: SlicePixels['values'], over: Partial<SlicePixels> = {}): SlicePixels => ({
  values,
  rows: 1,
  columns: values.length,
  samplesPerPixel: 1,
  photometricInterpretation: 'MONOCHROME2',
  ...over,
});

const abdomen = { kind: 'window', center: 40, width: 400 } as const;

/** Sort-based NumPy 'linear' percentile, the reference for the quickselect. */
function numpyPercentile(values: number[], p: number): number {
  const a = [...values].sort((x, y) => x - y);
  const rank = (p / 100) * (a.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, a.length - 1);
  return a[lo]! + (a[hi]! - a[lo]!) * (rank - lo);
}

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('modality LUT', () => {
  it('turns CT stored values into Hounsfield units', () => {
    const hu = applyModalityLut(Int16Array.from([0, 984, 1024, 1064, 3071]), 1, -1024);
    expect(Array.from(hu)).toEqual([-1024, -40, 0, 40, 2047]);
    expect(Array.from(applyModalityLut(Uint16Array.from([0, 500, 1000]), 2, -1000))).toEqual([-1000, 0, 1000]);
  });

  it('refuses a zero slope', () => {
    expect(() => applyModalityLut(Int16Array.from([1]), 0, 0)).toThrow(
      'Invalid modality LUT: rescale slope 0, intercept 0.',
    );
  });
});

describe('VOI window', () => {
  it('applies the DICOM linear function to HU (c=40, w=400)', () => {
    // stored → HU: -1024, -160, -40, 0, 40, 200, 239, 240, 976
    const stored = Int16Array.from([0, 864, 984, 1024, 1064, 1224, 1263, 1264, 2000]);
    const { image, voiRange } = toDisplayImage(grey(stored, { rescaleSlope: 1, rescaleIntercept: -1024 }), abdomen);
    expect(voiRange).toEqual({ lower: -160, upper: 239 });
    // ((x - 39.5) / 399 + 0.5) * 255, rounded: -40 → 76.69, 0 → 102.26, 40 → 127.82, 200 → 230.08
    expect(Array.from(image.data)).toEqual([0, 0, 77, 102, 128, 230, 255, 255, 255]);
    expect(image.channels).toBe(1);
  });

  it('inverts MONOCHROME1 after the window', () => {
    const stored = Int16Array.from([0, 984, 1024, 1064, 1224, 2000]);
    const mono2 = toDisplayImage(grey(stored, { rescaleIntercept: -1024 }), abdomen).image.data;
    const mono1 = toDisplayImage(
      grey(stored, { rescaleIntercept: -1024, photometricInterpretation: 'MONOCHROME1' }),
      abdomen,
    ).image.data;
    expect(Array.from(mono1)).toEqual(Array.from(mono2, (v) => 255 - v));
    expect(Array.from(mono1)).toEqual([255, 178, 153, 127, 25, 0]);
  });

  it('treats a width-1 window as a threshold', () => {
    const { image } = toDisplayImage(grey(Float32Array.from([9, 9.5, 10, 11])), {
      kind: 'window',
      center: 10,
      width: 1,
    });
    expect(Array.from(image.data)).toEqual([0, 0, 255, 255]);
  });

  it('refuses a window narrower than 1', () => {
    expect(() => toDisplayImage(grey(Int16Array.from([1])), { kind: 'window', center: 0, width: 0 })).toThrow(
      /width of at least 1, got centre 0, width 0/,
    );
  });
});

describe('percentiles and the automatic window', () => {
  it('matches NumPy linear percentiles, including the 0.95th (not 95th)', () => {
    const next = random(3);
    const shuffled = Float32Array.from({ length: 1000 }, (_, i) => i);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    // ranks 0.0095 * 999 = 9.4905 and 0.995 * 999 = 994.005
    const [lo, hi] = percentiles(shuffled, [0.95, 99.5]);
    expect(lo).toBeCloseTo(9.4905, 4);
    expect(hi).toBeCloseTo(994.005, 3);
  });

  it('agrees with a sort on random data full of duplicates', () => {
    const next = random(7);
    for (const n of [1, 2, 5, 100, 4097]) {
      const values = Array.from({ length: n }, () => Math.floor(next() * 20) - 1000 * Math.floor(next() * 2));
      const ps = [0, 0.5, 0.95, 25, 50, 99.5, 100];
      const got = percentiles(Float32Array.from(values), ps);
      ps.forEach((p, i) => expect(got[i]).toBeCloseTo(numpyPercentile(values, p), 4));
    }
  });

  it('clips at the 0.95th and 99.5th percentiles, then maps min-max to 0-255', () => {
    // CT-like: 1000 pixels at air, a ramp of 1000 tissue values, 10 bright outliers.
    const hu = [
      ...new Array(1000).fill(-1000),
      ...Array.from({ length: 1000 }, (_, i) => i - 100),
      ...new Array(10).fill(3000),
    ];
    const lower = numpyPercentile(hu, 0.95);
    const upper = numpyPercentile(hu, 99.5);
    expect(lower).toBe(-1000);
    expect(upper).toBeCloseTo(898.955, 3); // rank 0.995 * 2009 = 1998.955: between the ramp's 898 and 899
    const range = resolveVoiRange(PROTOCOL_PERCENTILE_WINDOW, Float32Array.from(hu));
    expect(range.lower).toBe(lower);
    expect(range.upper).toBeCloseTo(upper, 3);
    const probe = Int16Array.from([-1000, -100, 0, 500, 889, 900, 3000]);
    const all = Int16Array.from([...hu, ...probe]);
    const { image } = toDisplayImage(grey(all), PROTOCOL_PERCENTILE_WINDOW);
    const tail = Array.from(image.data.slice(-probe.length));
    // (x + 1000) / (upper + 1000) * 255 with the percentiles of all 2017 values
    const [l, u] = [numpyPercentile(Array.from(all), 0.95), numpyPercentile(Array.from(all), 99.5)];
    const expected = Array.from(probe, (x) => (x <= l ? 0 : x > u ? 255 : Math.round(((x - l) / (u - l)) * 255)));
    expect(tail).toEqual(expected);
    expect(tail[0]).toBe(0);
    expect(tail[6]).toBe(255);
  });

  it('refuses percentiles outside 0-100 and a reversed window', () => {
    expect(() => percentiles(Float32Array.from([1]), [101])).toThrow('Percentile must be in 0..100, got 101.');
    expect(() => resolveVoiRange({ kind: 'percentile', lowerPercentile: 99, upperPercentile: 1 }, [1])).toThrow(
      /lower < upper/,
    );
  });
});

describe('colour slices', () => {
  const rgbPixels = [
    [255, 0, 0],
    [0, 128, 0],
    [10, 20, 30],
    [1, 2, 3],
    [200, 100, 50],
    [0, 0, 255],
  ];
  const colour = (values: SlicePixels['values'], pi: string, over: Partial<SlicePixels> = {}): SlicePixels => ({
    values,
    rows: 2,
    columns: 3,
    samplesPerPixel: 3,
    photometricInterpretation: pi,
    ...over,
  });

  it('reads interleaved and planar RGB to the same image', () => {
    const interleaved = Uint8Array.from(rgbPixels.flat());
    const planar = Uint8Array.from([0, 1, 2].flatMap((c) => rgbPixels.map((p) => p[c]!)));
    const a = toDisplayImage(colour(interleaved, 'RGB'), abdomen).image;
    const b = toDisplayImage(colour(planar, 'RGB', { planarConfiguration: 1 }), abdomen).image;
    expect(a.channels).toBe(3);
    expect(Array.from(a.data)).toEqual(rgbPixels.flat());
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('scales 16-bit RGB with bitsStored and asks for it when missing', () => {
    const values = Uint16Array.from(rgbPixels.flat().map((v) => v * 16)); // 12 bits
    const { image } = toDisplayImage(colour(values, 'RGB', { bitsStored: 12 }), abdomen);
    expect(image.data[0]).toBe(Math.round((255 * 16 * 255) / 4095));
    expect(() => toDisplayImage(colour(values, 'RGB'), abdomen)).toThrow(/Uint16Array need bitsStored/);
  });

  it('converts full-range YBR to RGB', () => {
    const ybr = Uint8Array.from([128, 128, 128, 76, 85, 255, 255, 128, 128, 0, 128, 128, 150, 44, 21, 29, 255, 107]);
    const { image } = toDisplayImage(colour(ybr, 'YBR_FULL_422'), abdomen);
    // grey, red, white, black, green, blue (8-bit rounding leaves ±1 on green and blue)
    expect(Array.from(image.data)).toEqual([128, 128, 128, 254, 0, 0, 255, 255, 255, 0, 0, 0, 0, 255, 1, 0, 0, 254]);
  });

  it('expands PALETTE COLOR through 16-bit LUTs, clamping outside values', () => {
    const lut = (data: number[]) => ({ descriptor: [4, 10, 16] as const, data: Uint16Array.from(data) });
    const palette = {
      red: lut([0, 0x4000, 0x8000, 0xffff]),
      green: lut([0xffff, 0x8000, 0x4000, 0]),
      blue: lut([0x1000, 0x1000, 0x1000, 0x1000]),
    };
    const slice: SlicePixels = {
      values: Uint16Array.from([9, 10, 11, 12, 13, 40]),
      rows: 2,
      columns: 3,
      samplesPerPixel: 1,
      photometricInterpretation: 'PALETTE COLOR',
      palette,
    };
    const { image } = toDisplayImage(slice, abdomen);
    expect(image.channels).toBe(3);
    expect(Array.from(image.data)).toEqual([0, 255, 16, 0, 255, 16, 64, 128, 16, 128, 64, 16, 255, 0, 16, 255, 0, 16]);
  });

  it('reads 8-bit palettes with 0 meaning 65536 entries only when the data has them', () => {
    const lut8 = { descriptor: [3, 0, 8] as const, data: Uint8Array.from([5, 6, 7]) };
    const slice: SlicePixels = {
      values: Uint8Array.from([0, 1, 2]),
      rows: 1,
      columns: 3,
      samplesPerPixel: 1,
      photometricInterpretation: 'PALETTE COLOR',
      palette: { red: lut8, green: lut8, blue: lut8 },
    };
    expect(Array.from(toDisplayImage(slice, abdomen).image.data)).toEqual([5, 5, 5, 6, 6, 6, 7, 7, 7]);
    const short = {
      ...slice,
      palette: { red: { descriptor: [0, 0, 16] as const, data: new Uint16Array(4) }, green: lut8, blue: lut8 },
    };
    expect(() => toDisplayImage(short, abdomen)).toThrow(
      'The red palette has 4 entries; its descriptor announces 65536.',
    );
    expect(() => toDisplayImage({ ...slice, palette: undefined }, abdomen)).toThrow(
      /PALETTE COLOR needs the red, green and blue/,
    );
  });
});

describe('slice checks', () => {
  it('refuses an unsupported photometric interpretation and lists the supported ones', () => {
    expect(() => toDisplayImage(grey(Int16Array.from([1]), { photometricInterpretation: 'YBR_ICT' }), abdomen)).toThrow(
      'Unsupported photometric interpretation "YBR_ICT". Should be one of: MONOCHROME1, MONOCHROME2, RGB, PALETTE COLOR, YBR_FULL, YBR_FULL_422.',
    );
  });

  it('refuses pixel data of the wrong length and mismatched samples', () => {
    expect(() => toDisplayImage(grey(Int16Array.from([1, 2, 3]), { rows: 2, columns: 2 }), abdomen)).toThrow(
      'Pixel data has 3 values; 2 rows x 2 columns x 1 sample(s) need 4.',
    );
    expect(() =>
      toDisplayImage(grey(Uint8Array.from([1, 2, 3]), { photometricInterpretation: 'RGB', columns: 1 }), abdomen),
    ).toThrow('RGB needs 3 sample(s) per pixel, got 1.');
  });
});

describe('a window that shows the image flat', () => {
  // A CT-like slice: a ramp of 100 × 100 values from -1000 to 1000 HU.
  const ramp = Float32Array.from({ length: 10_000 }, (_, i) => -1000 + (2000 * i) / 9999);
  const ct = grey(ramp, { rows: 100, columns: 100 });

  it('is replaced by the protocol’s percentile window, with a note that says so', () => {
    const farAbove = { kind: 'window', center: 5000, width: 100 } as const;
    const { image, voiRange, windowNote } = toDisplayImage(ct, farAbove);
    expect(voiRange).toEqual(resolveVoiRange(PROTOCOL_PERCENTILE_WINDOW, ramp));
    expect(new Set(image.data).size).toBeGreaterThan(200); // a ramp again, not one level
    expect(windowNote).toMatch(
      /^The display window \(centre 5000, width 100\) shows 100% of this image as black: SAM sees it with its own intensity range \(0\.95-99\.5 percentile\)/,
    );
  });

  it('names the level the user sees: white on an inverted (MONOCHROME1) image', () => {
    const { windowNote } = toDisplayImage(
      { ...ct, photometricInterpretation: 'MONOCHROME1' },
      {
        kind: 'window',
        center: 5000,
        width: 100,
      },
    );
    expect(windowNote).toMatch(/shows 100% of this image as white/);
  });

  it('is kept when some of the image shows (a small body in a black field)', () => {
    const body = Float32Array.from({ length: 10_000 }, (_, i) => (i < 9_850 ? -1000 : 40)); // 1.5% tissue
    const { image, windowNote } = toDisplayImage(grey(body, { rows: 100, columns: 100 }), abdomen);
    expect(windowNote).toBeUndefined();
    expect(image.data[9_999]).toBe(128);
    expect(image.data[0]).toBe(0);
  });

  it('is kept when the image itself is flat (a blank slice): no other window shows more', () => {
    const blank = grey(new Int16Array(10_000).fill(-1000), { rows: 100, columns: 100 });
    const { image, windowNote } = toDisplayImage(blank, abdomen);
    expect(windowNote).toBeUndefined();
    expect(image.data.every((v) => v === 0)).toBe(true);
  });
});
