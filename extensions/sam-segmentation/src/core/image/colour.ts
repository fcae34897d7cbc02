/**
 * Colour slices → 8-bit interleaved RGB. The modality LUT and VOI window do not apply to colour
 * images (DICOM PS3.3 C.11), so colour values go straight to display values.
 */
import type { PaletteLut, StoredValues } from './slicePixels';

const { round } = Math;

/** Factor bringing samples of `bitsStored` bits to 0-255. */
function sampleScale(values: StoredValues, bitsStored: number | undefined): number {
  const bits = bitsStored ?? (values instanceof Uint8Array ? 8 : undefined);
  if (bits === undefined) {
    throw new Error(`Colour samples in a ${values.constructor.name} need bitsStored to be scaled to 8 bits.`);
  }
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new Error(`Unsupported bitsStored ${bits} for colour.`);
  return 255 / (2 ** bits - 1);
}

const clamp8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : round(v));

/**
 * Three-sample pixels (RGB, or YBR_FULL / YBR_FULL_422 decoded to full channels) → interleaved RGB.
 * `planar` = planar configuration 1 (all red, then all green, then all blue).
 */
export function threeSamplesToRgb8(
  values: StoredValues,
  pixelCount: number,
  planar: boolean,
  ybr: boolean,
  bitsStored: number | undefined,
  out: Uint8Array = new Uint8Array(pixelCount * 3),
): Uint8Array {
  const k = sampleScale(values, bitsStored);
  const step = planar ? 1 : 3;
  const [o0, o1, o2] = planar ? [0, pixelCount, 2 * pixelCount] : [0, 1, 2];
  for (let i = 0, s = 0; i < pixelCount; i++, s += step) {
    const a = values[s + o0]! * k;
    const b = values[s + o1]! * k;
    const c = values[s + o2]! * k;
    if (ybr) {
      // Full-range YCbCr (PS3.3 C.7.6.3.1.2).
      out[3 * i] = clamp8(a + 1.402 * (c - 128));
      out[3 * i + 1] = clamp8(a - 0.344136 * (b - 128) - 0.714136 * (c - 128));
      out[3 * i + 2] = clamp8(a + 1.772 * (b - 128));
    } else {
      out[3 * i] = clamp8(a);
      out[3 * i + 1] = clamp8(b);
      out[3 * i + 2] = clamp8(c);
    }
  }
  return out;
}

/** One palette channel as 8-bit values indexed by (stored value - first mapped value). */
function paletteChannel8(lut: PaletteLut, name: string): { first: number; table: Uint8Array } {
  const [entries, first, bits] = lut.descriptor;
  const count = entries === 0 ? 65536 : entries;
  if (lut.data.length < count) {
    throw new Error(`The ${name} palette has ${lut.data.length} entries; its descriptor announces ${count}.`);
  }
  if (bits !== 8 && bits !== 16) throw new Error(`The ${name} palette has ${bits}-bit entries; should be 8 or 16.`);
  const shift = bits === 16 ? 8 : 0;
  const table = new Uint8Array(count);
  for (let i = 0; i < count; i++) table[i] = lut.data[i]! >> shift;
  return { first, table };
}

/** PALETTE COLOR: each stored value looks up red, green and blue; values outside the LUT clamp to its ends. */
export function paletteToRgb8(
  values: StoredValues,
  palette: { red: PaletteLut; green: PaletteLut; blue: PaletteLut } | undefined,
  out: Uint8Array = new Uint8Array(values.length * 3),
): Uint8Array {
  if (!palette) throw new Error('PALETTE COLOR needs the red, green and blue palette LUTs (descriptors and data).');
  const channels = [
    paletteChannel8(palette.red, 'red'),
    paletteChannel8(palette.green, 'green'),
    paletteChannel8(palette.blue, 'blue'),
  ];
  const n = values.length;
  for (let c = 0; c < 3; c++) {
    const { first, table } = channels[c]!;
    const last = table.length - 1;
    for (let i = 0; i < n; i++) {
      const index = values[i]! - first;
      out[3 * i + c] = table[index <= 0 ? 0 : index >= last ? last : index]!;
    }
  }
  return out;
}
