import {
  idleView,
  nextView,
  type PreviewSummary,
  type SegmentEvent,
  type SegmentPhase,
  type SegmentView,
} from '../../../extensions/sam-segmentation/src/ohif/segment/segmentState';

const prompt = { points: [{ x: 5, y: 5, label: 'include' as const }] };
const other = { points: [{ x: 9, y: 9, label: 'include' as const }] };
const preview = (p = prompt): PreviewSummary => ({
  decodeId: 1,
  imageId: 'img',
  prompt: p,
  candidates: [{ index: 0, token: 'single-mask', predictedIou: 0.9 }],
  chosenIndex: 0,
  decodeMs: 10,
  decoderRunMs: 8,
  refined: false,
});

const run = (...events: SegmentEvent[]) => events.reduce(nextView, idleView('vp'));
const prompting = () => run({ type: 'prompt', imageId: 'img', prompt });

/** One view of every phase, reached the way the session reaches it. */
const views: Record<SegmentPhase, SegmentView> = {
  idle: idleView('vp'),
  prompting: prompting(),
  decoding: run({ type: 'prompt', imageId: 'img', prompt }, { type: 'decoding', prompt }),
  preview: run({ type: 'prompt', imageId: 'img', prompt }, { type: 'answer', preview: preview() }),
  accepting: run(
    { type: 'prompt', imageId: 'img', prompt },
    { type: 'answer', preview: preview() },
    { type: 'accepting' },
  ),
  error: run({ type: 'prompt', imageId: 'img', prompt }, { type: 'failed', prompt, error: 'boom' }),
};

describe('the prompting session’s state machine', () => {
  it('goes idle → prompting → decoding → preview → accepting → idle', () => {
    expect(Object.fromEntries(Object.entries(views).map(([k, v]) => [k, v.phase]))).toEqual({
      idle: 'idle',
      prompting: 'prompting',
      decoding: 'decoding',
      preview: 'preview',
      accepting: 'accepting',
      error: 'error',
    });
    expect(nextView(views.accepting, { type: 'accepted' })).toEqual(idleView('vp'));
  });

  it('has a way out of every phase: Esc leads to idle (accepting ends by itself), a new prompt to prompting', () => {
    for (const [phase, view] of Object.entries(views) as Array<[SegmentPhase, SegmentView]>) {
      if (phase === 'accepting') {
        expect(nextView(view, { type: 'rejected' })).toBe(view);
        expect(nextView(view, { type: 'accepted' }).phase).toBe('idle');
        expect(nextView(view, { type: 'accept-failed', error: 'x' }).phase).toBe('preview');
        continue;
      }
      expect(nextView(view, { type: 'rejected' })).toEqual(idleView('vp'));
      expect(nextView(view, { type: 'prompt', imageId: 'img', prompt: other }).phase).toBe('prompting');
      expect(nextView(view, { type: 'no-prompt', imageId: 'img' }).phase).toBe('idle');
    }
  });

  it('never shows an answer for a prompt that is no longer current', () => {
    const moved = nextView(views.decoding, { type: 'prompt', imageId: 'img', prompt: other });
    expect(nextView(moved, { type: 'answer', preview: preview(prompt) })).toBe(moved);
    expect(nextView(moved, { type: 'failed', prompt, error: 'late' })).toBe(moved);
    expect(nextView(views.idle, { type: 'answer', preview: preview() })).toBe(views.idle);
  });

  it('keeps the prompt and says what went wrong when a decode fails', () => {
    expect(views.error).toMatchObject({ phase: 'error', prompt, imageId: 'img', error: 'boom' });
  });

  it('says when a prompt cannot be taken, and when what is drawn is not enough', () => {
    expect(nextView(views.preview, { type: 'no-prompt', imageId: 'img', error: 'outside' })).toMatchObject({
      phase: 'error',
      error: 'outside',
    });
    expect(nextView(views.idle, { type: 'no-prompt', imageId: 'img', notice: 'add an include point' })).toMatchObject({
      phase: 'prompting',
      notice: 'add an include point',
    });
  });

  it('keeps the preview when an accept fails, with the reason beside it', () => {
    expect(nextView(views.accepting, { type: 'accept-failed', error: 'Not accepted: locked' })).toMatchObject({
      phase: 'preview',
      preview: preview(),
      notice: 'Not accepted: locked',
    });
  });

  it('ignores prompt changes while an accept writes', () => {
    expect(nextView(views.accepting, { type: 'prompt', imageId: 'img', prompt: other })).toBe(views.accepting);
  });
});
