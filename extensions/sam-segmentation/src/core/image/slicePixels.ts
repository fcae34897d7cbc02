/**
 * A slice as stored in DICOM: the raw sample values and the attributes needed to display them.
 * Plain data (typed arrays and numbers), so it crosses to a worker unchanged.
 */

export type StoredValues =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export const SUPPORTED_PHOTOMETRIC_INTERPRETATIONS = [
  'MONOCHROME1',
  'MONOCHROME2',
  'RGB',
  'PALETTE COLOR',
  'YBR_FULL',
  'YBR_FULL_422',
] as const;

export type PhotometricInterpretation = (typeof SUPPORTED_PHOTOMETRIC_INTERPRETATIONS)[number];

/** One channel of a palette: (0028,110x) descriptor [entries (0 = 65536), first mapped value, bits] and data. */
export interface PaletteLut {
  descriptor: readonly [number, number, number];
  data: Uint8Array | Uint16Array;
}

export interface SlicePixels {
  /** rows × columns × samplesPerPixel stored values (before the modality LUT). */
  values: StoredValues;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** (0028,0004); YBR_FULL_422 must already be decoded to full-resolution channels. */
  photometricInterpretation: string;
  /** (0028,0006) for 3 samples: 0 = interleaved (r,g,b,r,g,b…), 1 = planes (r…, g…, b…). Default 0. */
  planarConfiguration?: number;
  /** (0028,0101); needed for colour samples wider than 8 bits. */
  bitsStored?: number;
  /** (0028,1053) and (0028,1052): stored value → modality value (HU for CT). Defaults 1 and 0. */
  rescaleSlope?: number;
  rescaleIntercept?: number;
  /** Required for PALETTE COLOR. */
  palette?: { red: PaletteLut; green: PaletteLut; blue: PaletteLut };
}

const EXPECTED_SAMPLES: Record<PhotometricInterpretation, number> = {
  MONOCHROME1: 1,
  MONOCHROME2: 1,
  'PALETTE COLOR': 1,
  RGB: 3,
  YBR_FULL: 3,
  YBR_FULL_422: 3,
};

/** Checks a slice's attributes agree with each other; returns its photometric interpretation, typed. */
export function checkSlice(slice: SlicePixels): PhotometricInterpretation {
  const pi = slice.photometricInterpretation.trim().toUpperCase();
  if (!(SUPPORTED_PHOTOMETRIC_INTERPRETATIONS as readonly string[]).includes(pi)) {
    throw new Error(
      `Unsupported photometric interpretation "${slice.photometricInterpretation}". ` +
        `Should be one of: ${SUPPORTED_PHOTOMETRIC_INTERPRETATIONS.join(', ')}.`,
    );
  }
  const interpretation = pi as PhotometricInterpretation;
  const { rows, columns, samplesPerPixel, values } = slice;
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(columns) || columns < 1) {
    throw new Error(`A slice needs positive integer rows and columns, got ${rows} x ${columns}.`);
  }
  if (samplesPerPixel !== EXPECTED_SAMPLES[interpretation]) {
    throw new Error(
      `${interpretation} needs ${EXPECTED_SAMPLES[interpretation]} sample(s) per pixel, got ${samplesPerPixel}.`,
    );
  }
  const expected = rows * columns * samplesPerPixel;
  if (values.length !== expected) {
    throw new Error(
      `Pixel data has ${values.length} values; ${rows} rows x ${columns} columns x ${samplesPerPixel} ` +
        `sample(s) need ${expected}.`,
    );
  }
  return interpretation;
}
