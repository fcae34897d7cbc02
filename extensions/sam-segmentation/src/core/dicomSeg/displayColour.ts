/**
 * A segment's colour as DICOM records it: RecommendedDisplayCIELabValue, CIE L*a*b* (D65) scaled to
 * 0–65535 (PS3.3 C.10.7.1.1), from the sRGB colour the viewer shows, and back.
 */

const D65 = [0.95047, 1, 1.08883] as const;

function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function gamma(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.round(Math.min(1, Math.max(0, v)) * 255);
}

const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
const fInverse = (t: number) => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));

/** sRGB 0–255 → DICOM-scaled CIELab [L, a, b], each 0–65535. */
export function rgbToDicomLab([r, g, b]: readonly number[]): [number, number, number] {
  const [lr, lg, lb] = [linear(r ?? 0), linear(g ?? 0), linear(b ?? 0)];
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / D65[0];
  const y = (0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb) / D65[1];
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / D65[2];
  const L = 116 * f(y) - 16;
  const a = 500 * (f(x) - f(y));
  const bb = 200 * (f(y) - f(z));
  const scale = (v: number, lo: number, hi: number) =>
    Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * 65535);
  return [scale(L, 0, 100), scale(a, -128, 127), scale(bb, -128, 127)];
}

/** DICOM-scaled CIELab → sRGB 0–255 (for reading a SEG's colours back). */
export function dicomLabToRgb([L, a, b]: readonly number[]): [number, number, number] {
  const l = ((L ?? 0) / 65535) * 100;
  const av = ((a ?? 0) / 65535) * 255 - 128;
  const bv = ((b ?? 0) / 65535) * 255 - 128;
  const fy = (l + 16) / 116;
  const x = fInverse(fy + av / 500) * D65[0];
  const y = fInverse(fy) * D65[1];
  const z = fInverse(fy - bv / 200) * D65[2];
  const lr = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const lg = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const lb = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  return [gamma(lr), gamma(lg), gamma(lb)];
}
