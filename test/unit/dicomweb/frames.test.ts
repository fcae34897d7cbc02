import { checkPixelData, frame, pixelDataByteLength, type PixelLayout } from '../../../viewer/dicomweb/frames';

/** Packs 0/1 samples LSB first, as DICOM packs BitsAllocated = 1 pixel data. */
function pack(bits: number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    if (bit) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return out;
}

describe('frames of native pixel data', () => {
  it('cuts 16-bit frames as views of the pixel data', () => {
    const layout: PixelLayout = { rows: 2, columns: 3, samplesPerPixel: 1, bitsAllocated: 16, numberOfFrames: 2 };
    const data = Uint8Array.from({ length: 24 }, (_, i) => i);
    expect(Array.from(frame(layout, data, 1))).toEqual(Array.from(data.subarray(0, 12)));
    expect(Array.from(frame(layout, data, 2))).toEqual(Array.from(data.subarray(12, 24)));
    expect(() => frame(layout, data, 3)).toThrow(RangeError);
    expect(() => frame(layout, data, 0)).toThrow(RangeError);
  });

  it('realigns bit-packed frames that do not start on a byte boundary', () => {
    // 3 frames of 3x3 = 9 bits each: frames 2 and 3 start at bits 9 and 18.
    const layout: PixelLayout = { rows: 3, columns: 3, samplesPerPixel: 1, bitsAllocated: 1, numberOfFrames: 3 };
    const frames = [
      [1, 0, 1, 1, 0, 0, 1, 1, 1],
      [0, 1, 1, 0, 1, 0, 0, 0, 1],
      [1, 1, 0, 0, 0, 1, 1, 0, 1],
    ];
    const data = pack(frames.flat());
    expect(pixelDataByteLength(layout)).toBe(4);
    frames.forEach((bits, i) => {
      // Each frame on its own starts at bit 0 and is zero-padded to 2 bytes.
      expect(Array.from(frame(layout, data, i + 1))).toEqual(Array.from(pack(bits)));
    });
  });

  it('serves byte-aligned binary frames as they are', () => {
    const layout: PixelLayout = { rows: 4, columns: 4, samplesPerPixel: 1, bitsAllocated: 1, numberOfFrames: 2 };
    const data = Uint8Array.from([1, 2, 3, 4]);
    expect(Array.from(frame(layout, data, 2))).toEqual([3, 4]);
  });

  it('reports pixel data too short for its frames', () => {
    const layout: PixelLayout = { rows: 512, columns: 512, samplesPerPixel: 1, bitsAllocated: 1, numberOfFrames: 3 };
    expect(checkPixelData(layout, new Uint8Array(98304))).toBeUndefined();
    expect(checkPixelData(layout, new Uint8Array(98303))).toMatch(/98303 bytes/);
    expect(checkPixelData({ ...layout, bitsAllocated: 12 }, new Uint8Array(1 << 20))).toMatch(/BitsAllocated/);
  });
});
