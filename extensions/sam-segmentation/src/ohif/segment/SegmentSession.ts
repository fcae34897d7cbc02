/**
 * One viewport's prompting session: the prompt on the image it shows, the one preview of it, and
 * what Accept and Reject do. It reads the prompt from the image's annotations (the one source of
 * truth: what the user sees is what the model gets), removes the parts the model cannot take with
 * a message, decodes through a DecodeScheduler (one decode runs, one waits, the newest prompt wins),
 * keeps the refinement logits in the worker (a decode refers to the preview's decode by id), and
 * accepts through the labelmap code. Its phases are segmentState.ts's; no DOM or Cornerstone here:
 * the viewer side comes in as ports, so the whole session is tested in Node.
 */
import { fitPrompt, refinesPrompt, samePrompt, type ModelFamily, type Prompt, type PromptPart } from '../../core';
import { DecodeScheduler, type SchedulerClock } from '../../runtime/decodeScheduler';
import type { DecodeAnswer, PickAnswer } from '../../runtime/inferenceClient';
import type { ImageSource } from '../../runtime/runtimeSession';
import type { AcceptResult, MaskOnImage } from '../labelmap/acceptMask';
import type { PromptKind } from '../labelmap/segmentRecords';
import { friendlyError } from './friendlyError';
import { idleView, nextView, type PreviewSummary, type SegmentEvent, type SegmentView } from './segmentState';

/** The annotations of an image, as prompt parts whose source is the annotation's UID. */
export interface PromptAnnotationsPort {
  parts(imageId: string): PromptPart<string>[];
  /** Removes the SAM tools' annotations among `uids` (the user's measurements are never removed). */
  remove(uids: readonly string[]): void;
  /** Removes every SAM prompt annotation of an image. */
  removeAll(imageId: string): void;
}

export interface SegmentRuntimePort {
  decode(
    image: ImageSource,
    prompt: Prompt,
    options: { session: string; refineFrom?: number },
  ): Promise<
    Pick<
      DecodeAnswer,
      | 'id'
      | 'mask'
      | 'width'
      | 'height'
      | 'candidates'
      | 'chosenIndex'
      | 'refined'
      | 'decodeMs'
      | 'decoderRunMs'
      | 'windowNote'
    >
  >;
  pickCandidate(
    session: string,
    decodeId: number,
    index: number,
  ): Promise<Pick<PickAnswer, 'mask' | 'width' | 'height' | 'chosenIndex'>>;
  releaseSession(session: string): void;
}

export interface OverlayPort {
  show(mask: Uint8Array, width: number, height: number, imageId: string): void;
  clear(): void;
}

/** An image of this viewport as the model sees it: its size and its source for the runtime. */
export interface ViewportImage {
  width: number;
  height: number;
  source: ImageSource;
}

export interface SegmentSessionDeps {
  viewportId: string;
  runtime: SegmentRuntimePort;
  /** The loaded model's family (with its preprocessing), or undefined before one is ready. */
  family(): Pick<ModelFamily, 'label' | 'prompt'> | undefined;
  annotations: PromptAnnotationsPort;
  /** The image if this viewport can segment it, else undefined. */
  image(imageId: string): ViewportImage | undefined;
  overlay: OverlayPort;
  accept(mask: MaskOnImage): Promise<AcceptResult>;
  onChange(view: SegmentView): void;
  onAccepted?(result: AcceptResult): void;
  clock?: SchedulerClock;
  restMs?: number;
}

interface DecodeJob {
  imageId: string;
  prompt: Prompt;
  image: ImageSource;
  /** Annotations the prompt is made of (an accept removes these, and only these). */
  sources: string[];
  refineFrom?: number;
}

interface ShownPreview {
  summary: PreviewSummary;
  mask: Uint8Array;
  width: number;
  height: number;
  sources: string[];
}

/** Previews remembered per image, so scrolling away and back shows the mask again without a decode. */
const REMEMBERED_PREVIEWS = 8;

export class SegmentSession {
  private view: SegmentView;
  private readonly scheduler: DecodeScheduler<DecodeJob, Awaited<ReturnType<SegmentRuntimePort['decode']>>>;
  private shown: ShownPreview | undefined;
  private readonly remembered = new Map<string, ShownPreview>();
  /** The session's own removals fire annotation events; it already knows what they change. */
  private removing = false;

  constructor(private readonly deps: SegmentSessionDeps) {
    this.view = idleView(deps.viewportId);
    this.scheduler = new DecodeScheduler({
      run: (job) =>
        deps.runtime.decode(job.image, job.prompt, {
          session: deps.viewportId,
          ...(job.refineFrom !== undefined && { refineFrom: job.refineFrom }),
        }),
      same: (a, b) => a.imageId === b.imageId && samePrompt(a.prompt, b.prompt),
      onStart: (job) => this.apply({ type: 'decoding', prompt: job.prompt }),
      onAnswer: (job, answer) => this.showAnswer(job, answer),
      onError: (job, err) => {
        this.deps.overlay.clear();
        this.shown = undefined;
        this.apply({ type: 'failed', prompt: job.prompt, error: friendlyError(err) });
      },
      ...(deps.clock && { clock: deps.clock }),
      ...(deps.restMs !== undefined && { restMs: deps.restMs }),
    });
  }

  get state(): SegmentView {
    return this.view;
  }

  /** Decodes started by this session (the benchmark and the tests count them). */
  get decodesStarted(): number {
    return this.scheduler.started;
  }

  private apply(event: SegmentEvent): void {
    const next = nextView(this.view, event);
    if (next === this.view) return;
    this.view = next;
    this.deps.onChange(next);
  }

  /**
   * The prompt annotations on `imageId` changed (added, moved, removed), or the viewport shows that
   * image now. `drawing`: the user is still drawing (the button is down).
   */
  promptChanged(imageId: string, options: { drawing?: boolean } = {}): void {
    if (this.removing || this.view.phase === 'accepting') return;
    const image = this.deps.image(imageId);
    const family = this.deps.family();
    if (!image || !family) return;
    const drawing = options.drawing ?? false;
    const fitted = fitPrompt(this.deps.annotations.parts(imageId), image.width, image.height, family);
    // While the user still draws, a part may yet become valid (a box starts with no area): it is
    // left out of the prompt, and removed with its reason only once the drawing is done.
    const problem = drawing ? undefined : fitted.refused[0]?.reason;
    if (!drawing) {
      const dropped = [...fitted.refused.map((r) => r.source), ...fitted.replaced];
      this.removeAnnotations(() => this.deps.annotations.remove(dropped));
    }

    if (!fitted.prompt) {
      this.scheduler.cancel();
      this.clearShown();
      this.apply({
        type: 'no-prompt',
        imageId,
        ...(problem && { error: problem }),
        ...(fitted.incomplete && { notice: fitted.incomplete }),
      });
      return;
    }
    const prompt = fitted.prompt;
    const notice = problem ?? image.source.note;
    this.apply({ type: 'prompt', imageId, prompt, ...(notice && { notice }) });
    // The mask on screen (or the one last shown on this image) is this prompt's: show it, no decode.
    const known = this.shown?.summary.imageId === imageId ? this.shown : this.remembered.get(imageId);
    if (known && samePrompt(known.summary.prompt, prompt)) {
      this.scheduler.cancel();
      if (known !== this.shown) this.show(known);
      this.apply({ type: 'answer', preview: known.summary });
      return;
    }
    if (this.shown && this.shown.summary.imageId !== imageId) this.clearShown();
    const previous = this.shown?.summary;
    const refineFrom = previous && refinesPrompt(previous.prompt, prompt) ? previous.decodeId : undefined;
    this.scheduler.submit(
      { imageId, prompt, image: image.source, sources: fitted.used, ...(refineFrom !== undefined && { refineFrom }) },
      { drawing },
    );
  }

  private removeAnnotations(remove: () => void): void {
    this.removing = true;
    try {
      remove();
    } finally {
      this.removing = false;
    }
  }

  /** The pointer was released: a prompt being drawn is final. */
  release(): void {
    this.scheduler.release();
  }

  private showAnswer(job: DecodeJob, answer: Awaited<ReturnType<SegmentRuntimePort['decode']>>): void {
    const summary: PreviewSummary = {
      decodeId: answer.id,
      imageId: job.imageId,
      prompt: job.prompt,
      candidates: answer.candidates,
      chosenIndex: answer.chosenIndex,
      decodeMs: answer.decodeMs,
      decoderRunMs: answer.decoderRunMs,
      refined: answer.refined,
      ...(answer.windowNote && { windowNote: answer.windowNote }),
    };
    this.show({ summary, mask: answer.mask, width: answer.width, height: answer.height, sources: job.sources });
    this.apply({ type: 'answer', preview: summary });
  }

  private show(preview: ShownPreview): void {
    this.shown = preview;
    this.remembered.delete(preview.summary.imageId);
    this.remembered.set(preview.summary.imageId, preview);
    if (this.remembered.size > REMEMBERED_PREVIEWS) this.remembered.delete(this.remembered.keys().next().value!);
    this.deps.overlay.show(preview.mask, preview.width, preview.height, preview.summary.imageId);
  }

  private clearShown(): void {
    this.shown = undefined;
    this.deps.overlay.clear();
  }

  /** Shows another candidate of the preview (the user's pick in the panel): no decoder run. */
  async chooseCandidate(index: number): Promise<void> {
    const shown = this.shown;
    if (this.view.phase !== 'preview' || !shown || shown.summary.chosenIndex === index) return;
    try {
      const picked = await this.deps.runtime.pickCandidate(this.deps.viewportId, shown.summary.decodeId, index);
      if (this.shown !== shown || this.view.phase !== 'preview') return; // the prompt changed meanwhile
      const summary = { ...shown.summary, chosenIndex: picked.chosenIndex };
      this.show({ ...shown, summary, mask: picked.mask, width: picked.width, height: picked.height });
      this.apply({ type: 'answer', preview: summary });
    } catch (err) {
      if (this.shown === shown) this.apply({ type: 'failed', prompt: shown.summary.prompt, error: friendlyError(err) });
    }
  }

  /** Resolves once the newest prompt's answer is shown (or failed). */
  settled(): Promise<void> {
    return this.scheduler.settled();
  }

  /**
   * Writes the preview into the labelmap (Enter): the user's action, the only way SAM voxels reach a
   * segmentation. A decode under way is waited for, so the newest prompt's mask is what is written.
   */
  async accept(): Promise<AcceptResult | undefined> {
    const result = await this.writePreview((preview) => this.deps.accept(preview));
    if (result) this.deps.onAccepted?.(result);
    return result;
  }

  /**
   * Writes the preview with `write` (an accept, or the first slice of a propagation run) once the
   * newest prompt's answer is in; then the prompt is done: its annotations go and the session is idle.
   * A failure keeps the preview, with the reason beside it. Undefined when there is no preview.
   */
  async writePreview<T>(write: (preview: MaskOnImage & { decodeId: number }) => Promise<T>): Promise<T | undefined> {
    await this.scheduler.settled();
    const shown = this.shown;
    if (this.view.phase !== 'preview' || !shown) return undefined;
    this.apply({ type: 'accepting' });
    try {
      const { imageId, decodeId } = shown.summary;
      const { mask, width, height } = shown;
      const prompt = promptKind(shown.summary.prompt);
      const result = await write({ mask, width, height, imageId, viewportId: this.deps.viewportId, decodeId, prompt });
      this.forget(imageId);
      this.apply({ type: 'accepted' });
      // Only the written prompt's annotations go (measurements used as prompts stay, as measurements);
      // a SAM point added during the write stays and becomes the next prompt.
      this.removeAnnotations(() => this.deps.annotations.remove(shown.sources));
      if (this.deps.annotations.parts(imageId).some((p) => !shown.sources.includes(p.source))) {
        this.promptChanged(imageId);
      }
      return result;
    } catch (err) {
      this.apply({ type: 'accept-failed', error: `Not accepted: ${friendlyError(err)}` });
      return undefined;
    }
  }

  /** Discards the preview and the SAM prompts on its image (Esc, Reject, Clear). */
  reject(imageId: string | undefined = this.view.imageId ?? this.shown?.summary.imageId): void {
    if (this.view.phase === 'accepting') return;
    if (imageId) this.forget(imageId);
    this.apply({ type: 'rejected' });
    if (imageId) this.removeAnnotations(() => this.deps.annotations.removeAll(imageId));
  }

  /** Something the user did cannot be done here (e.g. a prompt on a reformatted plane): say so. */
  refuse(message: string): void {
    this.apply({ type: 'refused', error: message });
  }

  private forget(imageId: string): void {
    this.scheduler.cancel();
    this.remembered.delete(imageId);
    if (this.shown?.summary.imageId === imageId) this.clearShown();
    this.deps.runtime.releaseSession(this.deps.viewportId);
  }

  /**
   * Forgets every mask shown or remembered and goes idle, leaving the annotations: another model is
   * loaded, so the prompt on the image is decoded again with it (see SegmentSessions.modelChanged).
   */
  reset(): void {
    this.scheduler.cancel();
    this.clearShown();
    this.remembered.clear();
    this.deps.runtime.releaseSession(this.deps.viewportId);
    if (this.view.phase !== 'accepting') this.apply({ type: 'rejected' });
  }

  dispose(): void {
    this.reset();
  }
}

/** What kind of prompt made a mask, as the SEG records it. */
function promptKind(prompt: Prompt): PromptKind {
  if (prompt.box && prompt.points.length > 0) return 'point and box';
  return prompt.box ? 'box' : 'point';
}
