/**
 * SAM 2's memory bank and the tensor layouts around it, as plain arrays (no onnxruntime): what
 * runtime/propagation/memoryEngine.ts feeds the video modules. The per-slice step follows
 * facebookresearch/sam2 `sam2_base.py`: the conditioning slice's memory is kept for the whole run
 * with the last temporal encoding row, the previous slices' memories (newest first) take rows 0, 1, …
 * (the slice t steps back: row t-1), and the memory encoder's mask is sigmoid(logits) (a prompted
 * slice: its binary mask) times 20 minus 10.
 */
import { ModelFrame } from '../geometry/modelFrame';
import { bilinearTable, packedPlane, resamplePlane } from '../image/resample';

/** One slice's memory, sequence first: [positions * channels], channel fastest. */
export interface SliceMemory {
  features: Float32Array;
  positions: Float32Array;
}

/** [1,C,HW] (channels first, as encoders give it) → [HW,1,C] (sequence first), minus `subtract[c]` if given. */
export function sequenceFirst(
  chw: Float32Array,
  channels: number,
  positions: number,
  subtract?: Float32Array,
): Float32Array<ArrayBuffer> {
  if (chw.length !== channels * positions) {
    throw new Error(`A [${channels},${positions}] map has ${channels * positions} values, not ${chw.length}.`);
  }
  const out = new Float32Array(chw.length);
  for (let c = 0; c < channels; c++) {
    const minus = subtract ? subtract[c]! : 0;
    const from = c * positions;
    for (let p = 0; p < positions; p++) out[p * channels + c] = chw[from + p]! - minus;
  }
  return out;
}

/** [HW,1,C] → [1,C,HW]. */
export function channelsFirst(seq: Float32Array, channels: number, positions: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(seq.length);
  for (let p = 0; p < positions; p++) {
    const from = p * channels;
    for (let c = 0; c < channels; c++) out[c * positions + p] = seq[from + c]!;
  }
  return out;
}

export interface MaskScaling {
  scale: number;
  bias: number;
}

/**
 * A binary mask on the image grid as the memory encoder takes it: in the model frame (inputSize²,
 * the image resized as the encoder saw it, padding outside), 1 → scale + bias, 0 → bias.
 */
export function binaryMaskForMemory(
  mask: Uint8Array,
  frame: ModelFrame,
  scaling: MaskScaling,
): Float32Array<ArrayBuffer> {
  const { imageWidth: w, imageHeight: h, resizedWidth: rw, resizedHeight: rh, inputSize: s } = frame;
  if (mask.length !== w * h) throw new Error(`The mask has ${mask.length} values for a ${w}x${h} image.`);
  const resized = new Float32Array(rw * rh);
  resamplePlane(mask, packedPlane(w), resized, packedPlane(rw), bilinearTable(w, rw), bilinearTable(h, rh));
  const out = new Float32Array(s * s).fill(scaling.bias);
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) if (resized[y * rw + x]! >= 0.5) out[y * s + x] = scaling.scale + scaling.bias;
  }
  return out;
}

/**
 * A decoder's low-resolution logits (size²) as the memory encoder takes them: bilinear to the model
 * frame (SAM 2: `interpolate(…, align_corners=False)`), then sigmoid times scale plus bias.
 */
export function logitsForMemory(
  logits: Float32Array,
  size: number,
  inputSize: number,
  scaling: MaskScaling,
): Float32Array<ArrayBuffer> {
  if (logits.length !== size * size) throw new Error(`Expected ${size}x${size} logits, got ${logits.length} values.`);
  const out = new Float32Array(inputSize * inputSize);
  const table = bilinearTable(size, inputSize);
  resamplePlane(logits, packedPlane(size), out, packedPlane(inputSize), table, table);
  for (let i = 0; i < out.length; i++) out[i] = scaling.scale / (1 + Math.exp(-out[i]!)) + scaling.bias;
  return out;
}

/**
 * The conditioning slice's memory and the last `recent` slices' memories of one direction of travel.
 * `assemble` concatenates them for memory attention, each slice's positions plus its temporal row.
 */
export class MemoryBank {
  private readonly recentMemories: SliceMemory[] = [];

  constructor(
    private readonly conditioning: SliceMemory,
    private readonly recent: number,
    /** Memory channels (SAM 2: 64). */
    private readonly channels: number,
    /** The temporal encoding, [rows * channels]: rows = recent + 1. */
    private readonly temporal: Float32Array,
  ) {
    if (temporal.length !== (recent + 1) * channels) {
      throw new Error(
        `The temporal encoding has ${temporal.length} values; ${recent + 1} rows of ${channels} expected.`,
      );
    }
  }

  /** The newest slice's memory; the oldest beyond `recent` is dropped. */
  push(memory: SliceMemory): void {
    this.recentMemories.unshift(memory);
    if (this.recentMemories.length > this.recent) this.recentMemories.pop();
  }

  get size(): number {
    return this.recentMemories.length + 1;
  }

  /** Memory and its position encoding, [M*HW*C] each: recent memories newest first, the conditioning last. */
  assemble(): { memory: Float32Array<ArrayBuffer>; memoryPos: Float32Array<ArrayBuffer>; slots: number } {
    const slots = [...this.recentMemories.map((m, i) => ({ m, row: i })), { m: this.conditioning, row: this.recent }];
    const length = this.conditioning.features.length;
    const memory = new Float32Array(slots.length * length);
    const memoryPos = new Float32Array(slots.length * length);
    const c = this.channels;
    slots.forEach(({ m, row }, k) => {
      memory.set(m.features, k * length);
      const tRow = this.temporal.subarray(row * c, (row + 1) * c);
      const base = k * length;
      for (let i = 0; i < length; i += c) {
        for (let j = 0; j < c; j++) memoryPos[base + i + j] = m.positions[i + j]! + tRow[j]!;
      }
    });
    return { memory, memoryPos, slots: slots.length };
  }
}
