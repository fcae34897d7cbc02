/**
 * One viewport's prompting session with its viewer side as plain objects: annotations in a list,
 * a runtime whose decodes finish when the test says so, an overlay that records what it shows.
 * (The same session runs against the real Cornerstone and worker in test/e2e/interaction.e2e.ts.)
 */
import { getFamily, type Prompt, type PromptPart } from '../../../extensions/sam-segmentation/src/core';
import {
  SegmentSession,
  type SegmentRuntimePort,
} from '../../../extensions/sam-segmentation/src/ohif/segment/SegmentSession';
import type { SegmentView } from '../../../extensions/sam-segmentation/src/ohif/segment/segmentState';
import { FakeClock, deferred, flush, type Deferred } from '../../support/fakeClock';

type Answer = Awaited<ReturnType<SegmentRuntimePort['decode']>>;
const SIZE = 64;

function setup(options: { family?: 'sam' | 'medsam'; imageNote?: string } = {}) {
  const clock = new FakeClock();
  let nextUid = 1;
  let annotations: Array<{ uid: string; imageId: string; part: Omit<PromptPart<string>, 'source'> }> = [];
  const decodes: Array<{ prompt: Prompt; refineFrom?: number; answer: Deferred<Answer>; id: number }> = [];
  const picks: Array<[number, number]> = [];
  const accepted: unknown[] = [];
  const views: SegmentView[] = [];
  const shown: Array<{ imageId: string; first: number } | 'cleared'> = [];
  let acceptGate: Deferred<void> | undefined;
  let decodeId = 100;

  const runtime: SegmentRuntimePort = {
    decode: (_image, prompt, { refineFrom }) => {
      const answer = deferred<Answer>();
      decodes.push({ prompt, ...(refineFrom !== undefined && { refineFrom }), answer, id: ++decodeId });
      return answer.promise;
    },
    pickCandidate: async (_session, id, index) => {
      picks.push([id, index]);
      return { mask: new Uint8Array(SIZE * SIZE).fill(index + 1), width: SIZE, height: SIZE, chosenIndex: index };
    },
    releaseSession: () => undefined,
  };

  const session: SegmentSession = new SegmentSession({
    viewportId: 'vp',
    runtime,
    family: () => getFamily(options.family ?? 'sam'),
    annotations: {
      parts: (imageId) =>
        annotations
          .filter((a) => a.imageId === imageId)
          .map((a) => ({ source: a.uid, ...a.part }) as PromptPart<string>),
      remove: (uids) => {
        const before = annotations.length;
        annotations = annotations.filter((a) => !uids.includes(a.uid));
        // Cornerstone fires ANNOTATION_REMOVED synchronously, and PromptInput passes it on.
        if (annotations.length !== before) session.promptChanged('img');
      },
      removeAll: (imageId) => {
        annotations = annotations.filter((a) => a.imageId !== imageId);
        session.promptChanged(imageId);
      },
    },
    image: (imageId) => ({
      width: SIZE,
      height: SIZE,
      source: {
        imageKey: imageId,
        preprocessingKey: 'w',
        voi: { kind: 'window', center: 0, width: 1 },
        ...(options.imageNote && { note: options.imageNote }),
        pixels: async () => {
          throw new Error('not needed: the runtime port is fake');
        },
      },
    }),
    overlay: {
      show: (mask, _w, _h, imageId) => shown.push({ imageId, first: mask[0]! }),
      clear: () => shown.push('cleared'),
    },
    accept: async (mask) => {
      await acceptGate?.promise;
      accepted.push(mask);
      return {
        segmentationId: 's',
        segmentIndex: 1,
        voxelsWritten: 10,
        voxelsSkipped: 0,
        voxelsUnchanged: 0,
        labelmapImageId: 'lm',
        createdSegmentation: true,
        createdSegment: true,
      };
    },
    onChange: (view) => views.push(view),
    clock,
    restMs: 50,
  });

  const add = (part: Omit<PromptPart<string>, 'source'>, imageId = 'img', drawing = false) => {
    const uid = `a${nextUid++}`;
    annotations.push({ uid, imageId, part });
    session.promptChanged(imageId, { drawing });
    return uid;
  };
  const point = (x: number, y: number, label: 'include' | 'exclude' = 'include') => add({ point: { x, y, label } });
  /** Finishes the oldest decode still running, with a mask whose first value is `fill`. */
  const finish = async (fill = 1, windowNote?: string) => {
    const d = decodes.find((x) => !x.answer.settled)!;
    d.answer.resolve({
      ...(windowNote && { windowNote }),
      id: d.id,
      mask: new Uint8Array(SIZE * SIZE).fill(fill),
      width: SIZE,
      height: SIZE,
      candidates: [
        { index: 0, token: 'single-mask', predictedIou: 0.9 },
        { index: 1, token: 'multimask', predictedIou: 0.8 },
      ],
      chosenIndex: 0,
      refined: d.refineFrom !== undefined,
      decodeMs: 12,
      decoderRunMs: 10,
    });
    await flush();
  };
  return {
    session,
    clock,
    decodes,
    picks,
    accepted,
    views,
    shown,
    add,
    point,
    finish,
    annotations: () => annotations,
    holdAccept: () => (acceptGate = deferred<void>()),
    releaseAccept: () => acceptGate?.resolve(),
    move: (uid: string, part: Omit<PromptPart<string>, 'source'>, drawing: boolean) => {
      annotations.find((a) => a.uid === uid)!.part = part;
      session.promptChanged('img', { drawing });
    },
  };
}

describe('a viewport’s prompting session', () => {
  it('decodes a click and shows its mask as the preview', async () => {
    const t = setup();
    t.point(10, 10);
    expect(t.session.state.phase).toBe('decoding');
    await t.finish(7);
    expect(t.session.state).toMatchObject({
      phase: 'preview',
      imageId: 'img',
      preview: { decodeId: t.decodes[0]!.id },
    });
    expect(t.shown.at(-1)).toEqual({ imageId: 'img', first: 7 });
  });

  it('says when the model sees the image otherwise than shown (a degenerate window), beside the preview', async () => {
    const t = setup({ imageNote: 'The display window has width 0: …' });
    t.point(10, 10);
    await t.finish();
    expect(t.session.state).toMatchObject({ phase: 'preview', notice: 'The display window has width 0: …' });
  });

  it('says when the worker encoded the image with its own window (the display showed it flat), and keeps saying it', async () => {
    const t = setup();
    t.point(10, 10);
    await t.finish(1, 'The display window (centre 5000, width 100) shows 100% of this image as black: …');
    const said = { phase: 'preview', notice: expect.stringMatching(/shows 100% of this image as black/) };
    expect(t.session.state).toMatchObject(said);
    t.point(20, 20); // a second point: the new answer of the same embedding says it again
    await t.finish(1, 'The display window (centre 5000, width 100) shows 100% of this image as black: …');
    expect(t.session.state).toMatchObject(said);
    t.point(30, 30);
    await t.finish(1); // the user set a window that shows the image: the note goes
    expect(t.session.state.notice).toBeUndefined();
  });

  it('removes a point outside the image with a message; Esc clears it; a click on the image then segments', async () => {
    const t = setup();
    t.point(200, 10);
    expect(t.annotations()).toHaveLength(0);
    expect(t.session.state).toMatchObject({ phase: 'error', error: expect.stringMatching(/outside the 64×64 image/) });
    expect(t.decodes).toHaveLength(0);
    t.session.reject();
    expect(t.session.state.phase).toBe('idle');
    t.point(10, 10);
    await t.finish();
    expect(t.session.state.phase).toBe('preview');
  });

  it('a new click recovers from an error too, without Esc', async () => {
    const t = setup();
    t.point(-5, -5);
    expect(t.session.state.phase).toBe('error');
    t.point(20, 20);
    await t.finish();
    expect(t.session.state).toMatchObject({ phase: 'preview', prompt: { points: [{ x: 20, y: 20 }] } });
  });

  it('a drag of 20 updates starts no decode while the box moves and one after release, for the final box', async () => {
    const t = setup();
    const uid = t.add({ box: { x0: 5, y0: 5, x1: 6, y1: 6 } }, 'img', true);
    for (let i = 1; i <= 20; i++) {
      t.move(uid, { box: { x0: 5, y0: 5, x1: 6 + i, y1: 6 + i } }, true);
      t.clock.advance(16);
    }
    expect(t.decodes).toHaveLength(0);
    t.session.release();
    t.move(uid, { box: { x0: 5, y0: 5, x1: 26, y1: 26 } }, false); // Cornerstone's completed event
    expect(t.decodes).toHaveLength(1);
    await t.finish();
    expect(t.session.state.preview?.prompt.box).toEqual({ x0: 5, y0: 5, x1: 26, y1: 26 });
  });

  it('keeps a box that has no area yet while it is drawn, and removes one left so, saying why', () => {
    const t = setup();
    const uid = t.add({ box: { x0: 5, y0: 5, x1: 5, y1: 5 } }, 'img', true);
    expect(t.annotations()).toHaveLength(1);
    expect(t.session.state.phase).toBe('idle');
    t.move(uid, { box: { x0: 5, y0: 5, x1: 5, y1: 5 } }, false);
    expect(t.annotations()).toHaveLength(0);
    expect(t.session.state).toMatchObject({ phase: 'error', error: expect.stringMatching(/needs an area/) });
  });

  it('100 rapid clicks: at most one decode waits, and the preview ends up describing all 100 points', async () => {
    const t = setup();
    for (let i = 0; i < 100; i++) {
      t.point(1 + (i % 60), 1 + Math.floor(i / 60));
      if (i % 10 === 9) await t.finish(); // the decoder answers now and then
    }
    while (t.decodes.some((d) => !d.answer.settled)) await t.finish();
    expect(t.decodes.length).toBeLessThanOrEqual(11);
    expect(t.session.state.phase).toBe('preview');
    expect(t.session.state.preview?.prompt.points).toHaveLength(100);
    expect(t.annotations()).toHaveLength(100);
  });

  it('refines: a point added to a previewed prompt feeds the preview’s decode back; a moved point does not', async () => {
    const t = setup();
    const first = t.point(10, 10);
    await t.finish();
    t.point(20, 20, 'exclude');
    expect(t.decodes[1]!.refineFrom).toBe(t.decodes[0]!.id);
    await t.finish();
    t.move(first, { point: { x: 12, y: 10, label: 'include' } }, false);
    expect(t.decodes[2]!.refineFrom).toBeUndefined();
  });

  it('shows another candidate without a decoder run', async () => {
    const t = setup();
    t.point(10, 10);
    await t.finish();
    await t.session.chooseCandidate(1);
    expect(t.picks).toEqual([[t.decodes[0]!.id, 1]]);
    expect(t.decodes).toHaveLength(1);
    expect(t.session.state.preview?.chosenIndex).toBe(1);
    expect(t.shown.at(-1)).toEqual({ imageId: 'img', first: 2 });
  });

  it('accepts the newest prompt’s mask: Enter during a decode waits for it', async () => {
    const t = setup();
    t.point(10, 10);
    await t.finish(1);
    t.point(30, 30);
    const accepting = t.session.accept();
    await t.finish(2);
    const result = await accepting;
    expect(result?.voxelsWritten).toBe(10);
    expect((t.accepted[0] as { mask: Uint8Array }).mask[0]).toBe(2);
    expect(t.session.state.phase).toBe('idle');
    expect(t.annotations()).toHaveLength(0);
  });

  it('a point added while an accept writes stays, and becomes the next prompt', async () => {
    const t = setup();
    t.point(10, 10);
    await t.finish();
    t.holdAccept();
    const accepting = t.session.accept();
    await flush();
    expect(t.session.state.phase).toBe('accepting');
    t.point(40, 40);
    t.releaseAccept();
    await accepting;
    expect(t.annotations()).toHaveLength(1);
    expect(t.session.state).toMatchObject({ phase: 'decoding', prompt: { points: [{ x: 40, y: 40 }] } });
  });

  it('a failed decode says what to do; Esc removes the prompt', async () => {
    const t = setup();
    t.point(10, 10);
    t.decodes[0]!.answer.reject(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc'));
    await flush();
    expect(t.session.state).toMatchObject({
      phase: 'error',
      error: expect.stringMatching(/ran out of memory.*smaller model/),
    });
    t.session.reject();
    expect(t.session.state.phase).toBe('idle');
    expect(t.annotations()).toHaveLength(0);
  });

  it('follows the image on screen: another slice has no prompt; back on the first, its mask shows again without a decode', async () => {
    const t = setup();
    t.point(10, 10);
    await t.finish(5);
    t.session.promptChanged('other-slice');
    expect(t.session.state.phase).toBe('idle');
    expect(t.shown.at(-1)).toBe('cleared');
    t.session.promptChanged('img');
    expect(t.session.state.phase).toBe('preview');
    expect(t.shown.at(-1)).toEqual({ imageId: 'img', first: 5 });
    expect(t.decodes).toHaveLength(1);
  });

  it('after a model change, decodes the prompt on the image again instead of showing the old model’s mask', async () => {
    const t = setup();
    t.point(10, 10);
    await t.finish(3);
    t.session.reset();
    expect(t.session.state.phase).toBe('idle');
    expect(t.annotations()).toHaveLength(1);
    t.session.promptChanged('img');
    expect(t.decodes).toHaveLength(2);
    expect(t.session.state.phase).toBe('decoding');
  });

  it('replaces an older box by the newer one, removing the older annotation', async () => {
    const t = setup();
    t.add({ box: { x0: 1, y0: 1, x1: 9, y1: 9 } });
    await t.finish();
    t.add({ box: { x0: 20, y0: 20, x1: 40, y1: 40 } });
    expect(t.annotations()).toHaveLength(1);
    expect(t.session.state.prompt?.box).toEqual({ x0: 20, y0: 20, x1: 40, y1: 40 });
  });

  it('for a box-only model, removes a point with what to do, and keeps the box', async () => {
    const t = setup({ family: 'medsam' });
    t.add({ box: { x0: 1, y0: 1, x1: 30, y1: 30 } });
    t.point(10, 10);
    expect(t.annotations()).toHaveLength(1);
    expect(t.session.state.notice).toMatch(/takes boxes only/);
  });
});
