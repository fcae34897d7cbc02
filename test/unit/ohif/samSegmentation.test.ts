import type { Segment, Segmentation, ViewerHost } from '../../../extensions/sam-segmentation/src/ohif/host/hostTypes';
import {
  algorithmNameFor,
  nextSamSegmentName,
} from '../../../extensions/sam-segmentation/src/ohif/labelmap/samSegmentation';
import { STALE_WRITE_MS, SegmentGuard } from '../../../extensions/sam-segmentation/src/ohif/labelmap/segmentGuard';

describe('SegmentAlgorithmName', () => {
  it('is the model name and version, within DICOM’s 64 characters', () => {
    expect(algorithmNameFor({ name: 'SlimSAM-77', version: 'Xenova/slimsam-77-uniform' })).toBe(
      'SlimSAM-77 Xenova/slimsam-77-uniform',
    );
    expect(algorithmNameFor({ name: 'Intensity similarity segmenter (not SAM)', version: '1' })).toBe(
      'Intensity similarity segmenter (not SAM) 1',
    );
    const long = algorithmNameFor({
      name: 'SAM ViT-B (Meta AI), fp16 encoder with a very long description',
      version: 'v1',
    });
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^SAM ViT-B.* v1$/);
  });
});

describe('the default name of a new segment', () => {
  it('is "SAM n" for the segment index it will have', () => {
    expect(nextSamSegmentName([])).toBe('SAM 1');
    expect(nextSamSegmentName(['SAM 1'], 2)).toBe('SAM 2');
    expect(nextSamSegmentName(['Liver', 'Kidney'], 3)).toBe('SAM 3');
  });

  it('skips names already taken (a segment renamed, or one deleted and re-added)', () => {
    expect(nextSamSegmentName(['SAM 2', 'SAM 3 '], 2)).toBe('SAM 4');
    expect(nextSamSegmentName(['SAM 1', 'SAM 2'])).toBe('SAM 3');
    expect(nextSamSegmentName(['SAM 1'], 0)).toBe('SAM 2');
  });
});

describe('SegmentGuard and a new, still empty segment', () => {
  /** A segmentation state with OHIF's stale write: `drop` puts back the segments as they were before. */
  function fakeHost() {
    let segments: Record<string, Segment | undefined> = {
      1: { segmentIndex: 1, label: 'SAM 1', locked: false, active: false },
    };
    let listener: ((e: { segmentationId?: string }) => void) | undefined;
    const segmentation = (): Segmentation => ({
      segmentationId: 'seg',
      label: 'SAM',
      segments,
      representationData: { Labelmap: { imageIds: ['labelmap-1'] } },
    });
    const host = {
      services: {
        segmentationService: {
          EVENTS: { SEGMENTATION_MODIFIED: 'modified' },
          subscribe: (_: string, cb: typeof listener) => ((listener = cb), { unsubscribe: () => undefined }),
          getSegmentation: () => segmentation(),
        },
      },
      tools: {
        segmentation: {
          updateSegmentations: ([u]: Array<{ payload: Partial<Segmentation> }>) => {
            segments = u!.payload.segments!;
          },
        },
      },
      cornerstone: { cache: { getImage: () => ({ getPixelData: () => new Uint8Array(16) }) } },
    } as unknown as ViewerHost;
    return {
      host,
      add(segment: Segment) {
        segments = { ...segments, [segment.segmentIndex]: segment };
      },
      staleWrite(before: Record<string, Segment | undefined>) {
        segments = before;
        listener?.({ segmentationId: 'seg' });
      },
      get segments() {
        return segments;
      },
    };
  }

  it('puts the segment back when a stale write drops it right after it was made, active', () => {
    let now = 1_000;
    const state = fakeHost();
    const guard = new SegmentGuard(state.host, () => now);
    const before = state.segments;
    const kidney = { segmentIndex: 2, label: 'Kidney', algorithmType: 'SEMIAUTOMATIC', algorithmName: 'm' };
    guard.remember('seg', kidney, true);
    state.add({ ...kidney, locked: false, active: true });
    now += 1_500;
    state.staleWrite(before);
    expect(state.segments[2]).toMatchObject({ label: 'Kidney', active: true, algorithmName: 'm' });
    expect(state.segments[1]).toMatchObject({ active: false });
  });

  it('takes it as deleted on purpose once the span of a stale write is over', () => {
    let now = 1_000;
    const state = fakeHost();
    const guard = new SegmentGuard(state.host, () => now);
    const before = state.segments;
    const kidney = { segmentIndex: 2, label: 'Kidney', algorithmType: 'SEMIAUTOMATIC', algorithmName: 'm' };
    guard.remember('seg', kidney, true);
    state.add({ ...kidney, locked: false, active: true });
    now += STALE_WRITE_MS + 1;
    state.staleWrite(before);
    expect(state.segments[2]).toBeUndefined();
  });
});

describe('SegmentGuard and a segment renamed in the SAM panel', () => {
  function renamedKidney() {
    let now = 1_000;
    let segments: Record<string, Segment | undefined> = {
      2: {
        segmentIndex: 2,
        label: 'Kidney',
        locked: false,
        active: true,
        algorithmType: 'SEMIAUTOMATIC',
        algorithmName: 'm',
      },
    };
    let listener: ((e: { segmentationId?: string }) => void) | undefined;
    const host = {
      services: {
        segmentationService: {
          EVENTS: { SEGMENTATION_MODIFIED: 'modified' },
          subscribe: (_: string, cb: typeof listener) => ((listener = cb), { unsubscribe: () => undefined }),
          getSegmentation: (): Segmentation => ({
            segmentationId: 'seg',
            label: 'SAM',
            segments,
            representationData: {},
          }),
        },
      },
      tools: {
        segmentation: {
          updateSegmentations: ([u]: Array<{ payload: Partial<Segmentation> }>) => {
            segments = u!.payload.segments!;
          },
        },
      },
    } as unknown as ViewerHost;
    const guard = new SegmentGuard(host, () => now);
    guard.remember('seg', { segmentIndex: 2, label: 'Kidney', algorithmType: 'SEMIAUTOMATIC', algorithmName: 'm' });
    guard.renamed('seg', 2, 'Kidney', 'Left kidney');
    const write = (label: string) => {
      segments = { 2: { ...segments[2]!, label } };
      listener?.({ segmentationId: 'seg' });
    };
    return {
      write,
      later: (ms: number) => (now += ms),
      label: () => segments[2]?.label,
    };
  }

  it('gets its new name back when a stale write restores the old one', () => {
    const state = renamedKidney();
    state.write('Left kidney'); // the rename itself
    state.later(1_500);
    state.write('Kidney'); // OHIF's statistics pass, with the segments it read before the rename
    expect(state.label()).toBe('Left kidney');
  });

  it('keeps a name the user gives in OHIF’s panel, and an old name given back after the span of a stale write', () => {
    const state = renamedKidney();
    state.write('Right kidney');
    state.write('Kidney'); // from here on it is the user's too
    expect(state.label()).toBe('Kidney');

    const late = renamedKidney();
    late.later(STALE_WRITE_MS + 1);
    late.write('Kidney');
    expect(late.label()).toBe('Kidney');
  });
});
