import {
  MemoryBank,
  ModelFrame,
  binaryMaskForMemory,
  channelsFirst,
  logitsForMemory,
  sequenceFirst,
  SAM2,
} from '../../../extensions/sam-segmentation/src/core';

const scaling = { scale: 20, bias: -10 };

describe('SAM 2 memory layouts', () => {
  it('turns [1,C,HW] into [HW,1,C] minus a per-channel vector, and back', () => {
    const chw = Float32Array.from({ length: 3 * 4 }, (_, i) => i); // c0: 0..3, c1: 4..7, c2: 8..11
    const seq = sequenceFirst(chw, 3, 4, Float32Array.of(0, 1, 2));
    expect(Array.from(seq.subarray(0, 6))).toEqual([0, 3, 6, 1, 4, 7]); // positions 0 and 1, channels fastest
    const back = channelsFirst(sequenceFirst(chw, 3, 4), 3, 4);
    expect(Array.from(back)).toEqual(Array.from(chw));
    expect(() => sequenceFirst(chw, 5, 4)).toThrow(/20 values, not 12/);
  });

  it('scales a binary mask into the stretched model frame as SAM 2 does a prompted slice’s (×20 − 10)', () => {
    const mask = new Uint8Array(8 * 4); // 8 wide, 4 high: the left half inside
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) mask[y * 8 + x] = 1;
    const frame = new ModelFrame(8, 4, { ...SAM2.preprocess, inputSize: 16 });
    const out = binaryMaskForMemory(mask, frame, scaling);
    expect(out).toHaveLength(16 * 16);
    expect(out[5 * 16 + 2]).toBe(10); // left half of the stretched frame
    expect(out[5 * 16 + 13]).toBe(-10);
    expect(new Set(out)).toEqual(new Set([10, -10]));
  });

  it('brings low-resolution logits to the model frame and squashes them: sigmoid × 20 − 10', () => {
    const logits = Float32Array.from([-2, 2, -2, 2]); // 2x2: the right column inside
    const out = logitsForMemory(logits, 2, 4, scaling);
    const squash = (l: number) => 20 / (1 + Math.exp(-l)) - 10;
    expect(out[0]).toBeCloseTo(squash(-2), 5); // edge samples clamp
    expect(out[1]).toBeCloseTo(squash(-1), 5); // half-pixel centres: 0.75 of -2 and 0.25 of 2
    expect(out[3]).toBeCloseTo(squash(2), 5);
  });
});

describe('MemoryBank', () => {
  const memory = (value: number) => ({
    features: new Float32Array(2 * 2).fill(value), // 2 positions x 2 channels
    positions: new Float32Array(2 * 2),
  });
  // 3 temporal rows (2 recent + the conditioning slice's) of 2 channels: row r = (r, 10r).
  const temporal = Float32Array.of(0, 0, 1, 10, 2, 20);

  it('keeps the conditioning memory and the newest recent ones, newest first, each with its temporal row', () => {
    const bank = new MemoryBank(memory(9), 2, 2, temporal);
    expect(bank.assemble().slots).toBe(1);
    expect(Array.from(bank.assemble().memoryPos)).toEqual([2, 20, 2, 20]); // the conditioning slice: last row
    bank.push(memory(1));
    bank.push(memory(2));
    bank.push(memory(3)); // 1 falls out
    const { memory: m, memoryPos, slots } = bank.assemble();
    expect(slots).toBe(3);
    expect(Array.from(m)).toEqual([3, 3, 3, 3, 2, 2, 2, 2, 9, 9, 9, 9]);
    expect(Array.from(memoryPos)).toEqual([0, 0, 0, 0, 1, 10, 1, 10, 2, 20, 2, 20]);
  });

  it('refuses a temporal encoding that does not have one row per memory', () => {
    expect(() => new MemoryBank(memory(0), 6, 2, temporal)).toThrow(/7 rows of 2 expected/);
  });
});
