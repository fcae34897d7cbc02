import { runTsScript } from '../../support/runTsScript';

interface Result {
  picks: Array<{ index: number; differing: number; pixels: number }>;
  refined: { flag: boolean; differingFromByHand: number; differingFromUnrefined: number; pixels: number };
  otherImageRefined: boolean;
  evictedRefined: boolean;
  pickEvicted: string;
  flatWindow: {
    encodeNote: string | null;
    decodeNote: string | null;
    displayedDecodeNote: string | null;
    differingFromOwnWindow: number;
    pixels: number;
  };
}

describe('decodes kept in the inference engine for a prompting session (real onnxruntime, default model)', () => {
  const result = runTsScript<Result>('test/support/runEngineSessions.ts');

  it('shows another candidate without a decoder run: the same mask as decoding with that candidate chosen', () => {
    expect(result.picks.length).toBeGreaterThanOrEqual(3);
    for (const pick of result.picks) expect(pick.differing).toBe(0);
    expect(result.picks.some((p) => p.pixels > 100)).toBe(true);
  });

  it('refines from a kept decode: its chosen candidate’s logits become the mask input', () => {
    expect(result.refined.flag).toBe(true);
    expect(result.refined.differingFromByHand).toBe(0);
    expect(result.refined.differingFromUnrefined).toBeGreaterThan(0); // the mask input does change the answer
    expect(result.refined.pixels).toBeGreaterThan(100);
  });

  it('never refines from another image’s decode, or from one no longer kept; a pick of one says so', () => {
    expect(result.otherImageRefined).toBe(false);
    expect(result.evictedRefined).toBe(false);
    expect(result.pickEvicted).toMatch(/no longer kept: prompt again/);
  });

  it('encodes an image its window shows flat with the protocol’s window, and says so on every decode', () => {
    const { flatWindow } = result;
    expect(flatWindow.encodeNote).toMatch(
      /shows 100% of this image as black: SAM sees it with its own intensity range/,
    );
    expect(flatWindow.decodeNote).toBe(flatWindow.encodeNote);
    expect(flatWindow.displayedDecodeNote).toBeNull(); // the abdomen window shows the slice: no note
    expect(flatWindow.differingFromOwnWindow).toBe(0);
    expect(flatWindow.pixels).toBeGreaterThan(100);
  });
});
