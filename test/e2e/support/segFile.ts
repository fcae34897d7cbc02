/**
 * DICOM SEG files read in Node with dcmjs, independently of OHIF: the dataset, its segments, and
 * each frame with the source image it labels (1-bit binary frames, 8-bit label maps, raw or RLE Lossless).
 */
import dcmjs from 'dcmjs';

const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

/** Decodes one DICOM RLE Lossless frame of 8-bit single-sample pixels (PS3.5 annex G). */
export function decodeRle(frame: ArrayBuffer, size: number): Uint8Array {
  const header = new DataView(frame);
  if (header.getUint32(0, true) !== 1) throw new Error('not an RLE frame of one segment (8 bits, one sample)');
  const bytes = new Uint8Array(frame);
  const out = new Uint8Array(size);
  let o = 0;
  for (let p = header.getUint32(4, true); p < bytes.length && o < size;) {
    const n = (bytes[p++]! << 24) >> 24;
    if (n >= 0) for (let k = 0; k <= n; k++) out[o++] = bytes[p++]!;
    else if (n !== -128) out.fill(bytes[p++]!, o, (o += 1 - n));
  }
  return out;
}

/** Pixels `start`…`start + length` of a 1-bit pixel stream (frames follow each other bit by bit). */
function unpackBits(data: ArrayBuffer, start: number, length: number): Uint8Array {
  const bytes = new Uint8Array(data);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (bytes[(start + i) >> 3]! >> ((start + i) & 7)) & 1;
  return out;
}

export interface SegFrame {
  referencedSopInstanceUID: string;
  pixels: Uint8Array;
}

/** Reads a SEG file with dcmjs: its dataset and its frames, each with the source image it labels. */
export function readSeg(bytes: Uint8Array) {
  const dict = dcmjs.data.DicomMessage.readFile(new Uint8Array(bytes).buffer);
  const seg = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
  const transferSyntax = (dict.meta['00020010']?.Value as string[])[0]!;
  const rows = seg.Rows as number;
  const columns = seg.Columns as number;
  type Item = Record<string, unknown>;
  const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
  const perFrame = asArray(seg.PerFrameFunctionalGroupsSequence as Item | Item[]);
  const pixelData = asArray(seg.PixelData as ArrayBuffer | ArrayBuffer[]);
  const frames: SegFrame[] = perFrame.map((item, f) => {
    const derivation = asArray(item.DerivationImageSequence as Item | Item[])[0]!;
    const source = asArray(derivation.SourceImageSequence as Item | Item[])[0]!;
    const size = rows * columns;
    const pixels =
      transferSyntax === RLE_LOSSLESS
        ? decodeRle(pixelData[f]!, size)
        : Number(seg.BitsAllocated) === 1
          ? unpackBits(pixelData[0]!, f * size, size)
          : new Uint8Array(pixelData[0]!, f * size, size);
    return { referencedSopInstanceUID: source.ReferencedSOPInstanceUID as string, pixels };
  });
  const segments = asArray(seg.SegmentSequence as Item | Item[]);
  return { seg, transferSyntax, frames, segments };
}
