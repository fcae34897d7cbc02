// Frames of native (uncompressed) pixel data, as WADO-RS RetrieveFrames returns them.
//
// Frames of BitsAllocated = 1 (binary SEG) are bit-packed back to back in PixelData, so a frame
// may start in the middle of a byte. PS3.18 and the Cornerstone SEG loader both want each
// frame on its own, starting at bit 0 of its first byte and padded with zero bits to a whole
// byte: that is what frame() returns, shifting the bits when the frame is not byte-aligned.

/** Little-endian uncompressed transfer syntaxes, whose PixelData bytes are the frames in order. */
export const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  '1.2.840.10008.1.2', // Implicit VR Little Endian
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2.1.99', // Deflated Explicit VR Little Endian (dcmjs inflates it)
]);

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface PixelLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  numberOfFrames: number;
}

export function bitsPerFrame(layout: PixelLayout): number {
  return layout.rows * layout.columns * layout.samplesPerPixel * layout.bitsAllocated;
}

/** Bytes that all frames need (PixelData may have one more, its even-length padding). */
export function pixelDataByteLength(layout: PixelLayout): number {
  return Math.ceil((bitsPerFrame(layout) * layout.numberOfFrames) / 8);
}

/** Checks that `pixelData` holds every frame of `layout`; the message names what is wrong. */
export function checkPixelData(layout: PixelLayout, pixelData: Uint8Array): string | undefined {
  const { rows, columns, samplesPerPixel, bitsAllocated, numberOfFrames } = layout;
  for (const [name, value] of Object.entries({ rows, columns, samplesPerPixel, numberOfFrames })) {
    if (!Number.isInteger(value) || value < 1) return `${name} is ${value}`;
  }
  if (bitsAllocated !== 1 && bitsAllocated % 8 !== 0) return `BitsAllocated ${bitsAllocated} is not 1 or whole bytes`;
  const needed = pixelDataByteLength(layout);
  if (pixelData.length < needed) {
    return `PixelData has ${pixelData.length} bytes, ${numberOfFrames} frames of ${rows}x${columns} need ${needed}`;
  }
  return undefined;
}

/** Frame `frameNumber` (1-based) of `pixelData`; a view into it unless bits had to be moved. */
export function frame(layout: PixelLayout, pixelData: Uint8Array, frameNumber: number): Uint8Array {
  if (!Number.isInteger(frameNumber) || frameNumber < 1 || frameNumber > layout.numberOfFrames) {
    throw new RangeError(`frame ${frameNumber} is outside 1..${layout.numberOfFrames}`);
  }
  const bits = bitsPerFrame(layout);
  const startBit = (frameNumber - 1) * bits;
  const length = Math.ceil(bits / 8);
  if (startBit % 8 === 0 && bits % 8 === 0) {
    return pixelData.subarray(startBit / 8, startBit / 8 + length);
  }
  // Bit-packed frame: copy bit by bit (LSB first, as DICOM packs them), zero padding bits.
  const out = new Uint8Array(length);
  for (let i = 0; i < bits; i++) {
    const source = startBit + i;
    if ((pixelData[source >> 3] ?? 0) & (1 << (source & 7))) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7));
  }
  return out;
}
