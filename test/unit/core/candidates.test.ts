import {
  LogitUpsampler,
  MODEL_FAMILIES,
  ModelFrame,
  candidateMask,
  decodeCandidates,
  selectCandidate,
  type DecoderOutputs,
  type MaskCandidate,
  type Prompt,
} from '../../../extensions/sam-segmentation/src/core';

const { sam, medsam, sam2, transformersjs } = MODEL_FAMILIES;
const W = 40;
const H = 30;
const LOW = 256 * 256;

/** K planes where plane k is filled with `fill(k)`. */
const planes = (k: number, size: number, fill: (k: number) => number) =>
  Float32Array.from({ length: k * size }, (_, i) => fill(Math.floor(i / size)));

function officialOutputs(iou: number[]): DecoderOutputs {
  return {
    masks: { data: planes(4, W * H, (k) => k - 1.5), dims: [1, 4, H, W] },
    iou_predictions: { data: Float32Array.from(iou), dims: [1, 4] },
    low_res_masks: { data: planes(4, LOW, (k) => 10 + k), dims: [1, 4, 256, 256] },
  };
}

const onePoint: Prompt = { points: [{ x: 5, y: 5, label: 'include' }] };
const twoPoints: Prompt = { points: [...onePoint.points, { x: 9, y: 9, label: 'exclude' }] };
const box: Prompt = { points: [], box: { x0: 1, y0: 1, x1: 20, y1: 20 } };

describe('decodeCandidates', () => {
  it('reads the official export: token 0 then 3 multimask candidates, full-resolution logits', () => {
    const frame = new ModelFrame(W, H, sam.preprocess);
    const candidates = decodeCandidates(officialOutputs([0.9, 0.5, 0.95, 0.7]), sam, frame);
    expect(candidates.map((c) => [c.index, c.token, c.predictedIou])).toEqual([
      [0, 'single-mask', expect.closeTo(0.9, 6)],
      [1, 'multimask', expect.closeTo(0.5, 6)],
      [2, 'multimask', expect.closeTo(0.95, 6)],
      [3, 'multimask', expect.closeTo(0.7, 6)],
    ]);
    expect(candidates[2]!.fullResLogits!.length).toBe(W * H);
    expect(candidates[2]!.fullResLogits![0]).toBe(0.5);
    expect(candidates[3]!.lowResLogits.length).toBe(LOW);
    expect(candidates[3]!.lowResLogits[LOW - 1]).toBe(13);
    // masks: logit > 0 → candidates 0 and 1 empty, 2 and 3 full
    const upsampler = new LogitUpsampler(frame);
    expect(candidates.map((c) => candidateMask(c, upsampler).reduce((a, b) => a + b, 0))).toEqual([0, 0, W * H, W * H]);
  });

  it('reads SAM 2 low-resolution candidates and upsamples them', () => {
    const frame = new ModelFrame(W, H, sam2.preprocess);
    // Keyed by the family's canonical names (SamModel maps each export's own names onto them).
    const outputs = {
      low_res_masks: { data: planes(3, LOW, (k) => k - 1), dims: [1, 3, 256, 256] },
      iou_predictions: { data: Float32Array.from([0.2, 0.8, 0.4]), dims: [1, 3] },
    };
    const candidates = decodeCandidates(outputs, sam2, frame);
    expect(candidates.map((c) => c.token)).toEqual(['multimask', 'multimask', 'multimask']);
    expect(candidates[0]!.fullResLogits).toBeUndefined();
    const upsampler = new LogitUpsampler(frame);
    expect(candidates.map((c) => candidateMask(c, upsampler).reduce((a, b) => a + b, 0))).toEqual([0, 0, W * H]);
  });

  it('reads Transformers.js 5-D pred_masks and iou_scores', () => {
    const frame = new ModelFrame(W, H, transformersjs.preprocess);
    const outputs = {
      pred_masks: { data: planes(3, LOW, (k) => k), dims: [1, 1, 3, 256, 256] },
      iou_scores: { data: Float32Array.from([0.1, 0.3, 0.2]), dims: [1, 1, 3] },
    };
    const candidates = decodeCandidates(outputs, transformersjs, frame);
    expect(candidates.map((c) => [c.index, c.lowResLogits[0]])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(selectCandidate(candidates).index).toBe(1);
  });

  it('keeps only the single mask for MedSAM and ignores the letterbox-only full-resolution output', () => {
    const frame = new ModelFrame(W, H, medsam.preprocess);
    const candidates = decodeCandidates(officialOutputs([0.9, 0.5, 0.95, 0.7]), medsam, frame);
    expect(candidates.map((c) => c.index)).toEqual([0]);
    expect(candidates[0]!.fullResLogits).toBeUndefined();
    expect(candidates[0]!.lowResLogits[0]).toBe(10);
  });

  it('names a missing output and a full-resolution size that does not match the image', () => {
    const frame = new ModelFrame(W, H, sam.preprocess);
    const { masks: _masks, ...withoutMasks } = officialOutputs([1, 1, 1, 1]);
    expect(() => decodeCandidates(withoutMasks, sam, frame)).toThrow(
      'Decoder output "masks" is missing; got: iou_predictions, low_res_masks.',
    );
    const other = new ModelFrame(W + 1, H, sam.preprocess);
    expect(() => decodeCandidates(officialOutputs([1, 1, 1, 1]), sam, other)).toThrow(
      'Decoder output "masks" is 4 x 30 x 40; expected 4 x 30 x 41 (candidates x image rows x columns).',
    );
    const bad = { ...officialOutputs([1, 1, 1, 1]), iou_predictions: { data: new Float32Array(3), dims: [1, 3] } };
    expect(() => decodeCandidates(bad, sam, frame)).toThrow(
      'Decoder output "iou_predictions" has 3 scores for 4 masks.',
    );
  });
});

describe('selectCandidate', () => {
  const frame = new ModelFrame(W, H, sam.preprocess);
  const official = decodeCandidates(officialOutputs([0.99, 0.5, 0.8, 0.7]), sam, frame);

  it('chooses the highest predicted IoU by default', () => {
    expect(selectCandidate(official).index).toBe(0);
    expect(selectCandidate(official, 'highest-iou', onePoint).index).toBe(0);
  });

  it('official rule: one point → best multimask candidate; several points or a box → single-mask token', () => {
    expect(selectCandidate(official, 'official', onePoint).index).toBe(2);
    expect(selectCandidate(official, 'official', twoPoints).index).toBe(0);
    expect(selectCandidate(official, 'official', box).index).toBe(0);
    expect(selectCandidate(official, 'official', { ...box, points: onePoint.points }).index).toBe(0);
  });

  it('official rule without a single-mask token falls back to the highest IoU', () => {
    const three: MaskCandidate[] = official.slice(1).map((c) => ({ ...c, token: 'multimask' }));
    expect(selectCandidate(three, 'official', twoPoints).index).toBe(2);
  });

  it('keeps the chosen candidate low-resolution logits for mask_input', () => {
    expect(selectCandidate(official, 'official', onePoint).lowResLogits[0]).toBe(12);
  });

  it('says what is missing', () => {
    expect(() => selectCandidate([])).toThrow('No mask candidates to choose from.');
    expect(() => selectCandidate(official, 'official')).toThrow(/needs the prompt/);
  });
});
