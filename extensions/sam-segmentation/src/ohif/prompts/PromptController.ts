/**
 * Turns the SAM prompt annotations on the image a viewport shows into a live preview: every prompt
 * change (added, moved, removed) decodes again on that image, and the newest answer replaces the
 * preview (older ones are cancelled by the inference client). The preview is an overlay; nothing is
 * written to a segmentation until the user accepts.
 */
import { CancelledError } from '../../runtime/cancellation';
import type { Prompt } from '../../core';
import type {
  CornerstoneAnnotation,
  CornerstoneCore,
  CornerstoneStackViewport,
  CornerstoneTools,
} from '../cornerstoneHost';
import { MaskOverlay } from '../preview/MaskOverlay';
import { annotationsToPrompt, isPromptAnnotation } from './annotationsToPrompt';
import { SAM_TOOL_NAMES } from './samToolNames';

/** Farther than this (CSS pixels) between press and release is a drag, not a click. */
/** What a prompt on a reformatted volume plane gets: the tool segments the images as acquired. */
export const REFORMATTED_PLANE =
  'Segment Anything works on the images as acquired: in stack viewports, and in volume (MPR) viewports in the ' +
  'acquisition plane. This viewport shows a reformatted plane (sagittal, coronal or oblique); use the ' +
  'acquisition-plane viewport.';

const isSamTool = (annotation: CornerstoneAnnotation) =>
  (Object.values(SAM_TOOL_NAMES) as string[]).includes(annotation.metadata.toolName);

const CLICK_TOLERANCE_PX = 3;

function samePrompt(a: Prompt | undefined, b: Prompt | undefined): boolean {
  const near = (x: number, y: number) => Math.abs(x - y) < 1e-3;
  if (!a || !b || a.points.length !== b.points.length || !a.box !== !b.box) return false;
  const boxesMatch =
    !a.box ||
    (near(a.box.x0, b.box!.x0) && near(a.box.y0, b.box!.y0) && near(a.box.x1, b.box!.x1) && near(a.box.y1, b.box!.y1));
  return (
    boxesMatch &&
    a.points.every((p, i) => p.label === b.points[i]!.label && near(p.x, b.points[i]!.x) && near(p.y, b.points[i]!.y))
  );
}

export interface PreviewResult {
  mask: Uint8Array;
  width: number;
  height: number;
  imageId: string;
  viewportId: string;
  candidates: Array<{ index: number; token: string; predictedIou: number }>;
  chosenIndex: number;
  lowResLogits: Float32Array;
  decodeMs: number;
  decoderRunMs: number;
}

export interface PromptControllerDeps {
  cornerstone: CornerstoneCore;
  cornerstoneTools: CornerstoneTools;
  /** The stack viewport showing `imageId`, if any (the active one first). */
  viewportFor(imageId: string): CornerstoneStackViewport | undefined;
  /** Whether the active viewport is one SAM can work in (a stack viewport). */
  activeViewportSupported(): boolean;
  segment(prompt: Prompt, viewportId: string, selection?: { index: number }): Promise<PreviewResult>;
  onPreview(preview: { prompt: Prompt; result: PreviewResult } | undefined): void;
  onError(message: string): void;
}

export class PromptController {
  private readonly overlays = new Map<string, MaskOverlay>();
  private current: { prompt: Prompt; result: PreviewResult } | undefined;
  /** The last prompt sent for decoding, to skip an identical one (the annotation after a fast click). */
  private requested: { prompt: Prompt; imageId: string } | undefined;
  /** The newest decode under way. */
  private decoding: Promise<void> | undefined;
  /** Use measurement annotations (rectangles, probes, …) as prompts too. */
  includeMeasurements = false;
  private readonly onAnnotation = (evt: Event) => {
    const annotation = (evt as CustomEvent<{ annotation?: CornerstoneAnnotation }>).detail?.annotation;
    const imageId = annotation?.metadata.referencedImageId;
    if (!annotation || !isPromptAnnotation(annotation.metadata.toolName, this.includeMeasurements)) return;
    if (!imageId) {
      // Drawn on a reformatted volume plane: there is no acquired image under it to segment.
      if (evt.type === this.deps.cornerstoneTools.Enums.Events.ANNOTATION_COMPLETED && isSamTool(annotation)) {
        this.deps.cornerstoneTools.annotation.state.removeAnnotation(annotation.annotationUID);
        this.deps.onError(REFORMATTED_PLANE);
      }
      return;
    }
    if (evt.type === this.deps.cornerstoneTools.Enums.Events.ANNOTATION_COMPLETED && this.isRejectedClick(annotation)) {
      // The click was decoded at once, then rejected (Esc) before Cornerstone made its annotation.
      this.deps.cornerstoneTools.annotation.state.removeAnnotation(annotation.annotationUID);
      const viewport = this.deps.viewportFor(imageId);
      if (viewport) this.deps.cornerstoneTools.utilities.triggerAnnotationRenderForViewportIds([viewport.id]);
      return;
    }
    void this.update(imageId);
  };

  /**
   * Points decoded on mouse release whose annotation Cornerstone has not made yet (it holds a click
   * 400 ms). A prompt cleared in that time must not come back when the annotation arrives.
   */
  private fastClicks: Array<{ imageId: string; x: number; y: number; rejected: boolean; at: number }> = [];

  /** True (and forgotten) when the annotation is a fast click that was cleared before it arrived. */
  private isRejectedClick(annotation: CornerstoneAnnotation): boolean {
    const imageId = annotation.metadata.referencedImageId!;
    const handle = annotation.data.handles.points[0];
    const now = performance.now();
    this.fastClicks = this.fastClicks.filter((c) => now - c.at < 2000);
    if (!handle) return false;
    const [x, y] = this.deps.cornerstone.utilities.worldToImageCoords(imageId, handle);
    const i = this.fastClicks.findIndex((c) => c.imageId === imageId && Math.hypot(c.x - x, c.y - y) < 0.5);
    if (i < 0) return false;
    const [click] = this.fastClicks.splice(i, 1);
    return click!.rejected;
  }
  private readonly onViewportChange = (evt: Event) => {
    const element = evt.currentTarget as HTMLElement | null;
    for (const overlay of this.overlays.values()) if (!element || overlay.element === element) overlay.render();
  };

  private readonly watched = new WeakSet<HTMLElement>();

  constructor(private readonly deps: PromptControllerDeps) {}

  /**
   * Decodes a point the moment the mouse is released. Cornerstone holds a click for 400 ms to tell
   * it from a double click before the Probe annotation exists; the mask need not wait for that.
   * When the annotation arrives, its prompt equals this one and is not decoded again.
   */
  watch(viewport: CornerstoneStackViewport): void {
    const element = viewport.element;
    if (this.watched.has(element)) return;
    this.watched.add(element);
    let down: { x: number; y: number } | undefined;
    element.addEventListener(
      'pointerdown',
      (e) => (down = e.button === 0 ? { x: e.clientX, y: e.clientY } : undefined),
      { capture: true, passive: true },
    );
    element.addEventListener(
      'pointerup',
      (e) => {
        const start = down;
        down = undefined;
        if (!start || e.button !== 0 || Math.hypot(e.clientX - start.x, e.clientY - start.y) > CLICK_TOLERANCE_PX)
          return;
        const tool = this.deps.cornerstoneTools.ToolGroupManager.getToolGroupForViewport(
          viewport.id,
        )?.getActivePrimaryMouseButtonTool();
        const label =
          tool === SAM_TOOL_NAMES.includePoint
            ? 'include'
            : tool === SAM_TOOL_NAMES.excludePoint
              ? 'exclude'
              : undefined;
        if (!label) return;
        const rect = element.getBoundingClientRect();
        const imageId = viewport.getCurrentImageId() as string | undefined;
        if (imageId === undefined) return; // a reformatted volume plane: update() says why when the click lands
        const [x, y] = this.deps.cornerstone.utilities.worldToImageCoords(
          imageId,
          viewport.canvasToWorld([e.clientX - rect.left, e.clientY - rect.top]),
        );
        this.fastClicks.push({ imageId, x, y, rejected: false, at: performance.now() });
        void this.update(imageId, { x, y, label });
      },
      { capture: true, passive: true },
    );
  }

  private get annotationEvents(): string[] {
    const { Events } = this.deps.cornerstoneTools.Enums;
    return [Events.ANNOTATION_COMPLETED!, Events.ANNOTATION_MODIFIED!, Events.ANNOTATION_REMOVED!];
  }

  start(): void {
    for (const type of this.annotationEvents)
      this.deps.cornerstone.eventTarget.addEventListener(type, this.onAnnotation);
  }

  stop(): void {
    for (const type of this.annotationEvents)
      this.deps.cornerstone.eventTarget.removeEventListener(type, this.onAnnotation);
    for (const overlay of this.overlays.values()) overlay.destroy();
    this.overlays.clear();
  }

  /** The prompt annotations on one image. */
  private promptAnnotations(imageId: string): CornerstoneAnnotation[] {
    return this.deps.cornerstoneTools.annotation.state
      .getAllAnnotations()
      .filter(
        (a) =>
          a.metadata.referencedImageId === imageId && isPromptAnnotation(a.metadata.toolName, this.includeMeasurements),
      );
  }

  /**
   * Decodes the prompts on `imageId` (plus `pendingPoint`, a click whose annotation does not exist
   * yet) and shows the answer; clears the preview when none are left.
   */
  async update(imageId: string, pendingPoint?: Prompt['points'][number], selection?: { index: number }): Promise<void> {
    const viewport = this.deps.viewportFor(imageId);
    if (!viewport) {
      if (!this.deps.activeViewportSupported()) {
        this.deps.onError(REFORMATTED_PLANE);
      }
      return;
    }
    const { cornerstone } = this.deps;
    const annotated = annotationsToPrompt(this.promptAnnotations(imageId), (world) =>
      cornerstone.utilities.worldToImageCoords(imageId, world),
    );
    const prompt = pendingPoint
      ? { points: [...(annotated?.points ?? []), pendingPoint], ...(annotated?.box && { box: annotated.box }) }
      : annotated;
    const overlay = this.overlay(viewport);
    if (!prompt) {
      overlay.clear();
      this.setPreview(undefined);
      return;
    }
    const again = samePrompt(prompt, this.requested?.prompt) && this.requested?.imageId === imageId;
    if (again && !selection) return; // already decoded or under way
    const request = { prompt, imageId };
    this.requested = request;
    // Refine: the previous answer on this image is fed back as the mask input.
    const previous = this.current?.result.imageId === imageId ? this.current.result.lowResLogits : undefined;
    const decoding = this.deps
      .segment({ ...prompt, ...(previous && !selection && { previousMask: previous }) }, viewport.id, selection)
      .then((result) => {
        // An answer for a prompt that was replaced, or cleared meanwhile, is not shown.
        if (this.requested !== request) return;
        overlay.show(result.mask, result.width, result.height, imageId);
        this.setPreview({ prompt, result });
      })
      .catch((err: unknown) => {
        if (err instanceof CancelledError || this.requested !== request) return; // superseded
        this.requested = undefined;
        this.deps.onError(err instanceof Error ? err.message : String(err));
      });
    this.decoding = decoding;
    await decoding;
  }

  /** Resolves once the newest prompt's answer is shown (or failed): Accept waits for it. */
  async settled(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (this.decoding !== seen) {
      seen = this.decoding;
      await seen;
    }
  }

  private setPreview(preview: { prompt: Prompt; result: PreviewResult } | undefined): void {
    this.current = preview;
    if (!preview) this.requested = undefined;
    this.deps.onPreview(preview);
  }

  private overlay(viewport: CornerstoneStackViewport): MaskOverlay {
    this.watch(viewport);
    let overlay = this.overlays.get(viewport.id);
    if (!overlay) {
      overlay = new MaskOverlay(viewport, (imageId, p) =>
        this.deps.cornerstone.utilities.imageToWorldCoords(imageId, p),
      );
      const { Events } = this.deps.cornerstone.Enums;
      for (const type of [Events.CAMERA_MODIFIED!, Events.IMAGE_RENDERED!, Events.STACK_NEW_IMAGE!]) {
        viewport.element.addEventListener(type, this.onViewportChange);
      }
      this.overlays.set(viewport.id, overlay);
    }
    return overlay;
  }

  /** Removes the SAM prompts of an image and its preview (Reject, Clear, or after Accept). */
  clear(imageId: string | undefined = this.current?.result.imageId): void {
    if (!imageId) return;
    for (const click of this.fastClicks) if (click.imageId === imageId) click.rejected = true;
    const viewportIds: string[] = [];
    for (const a of this.promptAnnotations(imageId)) {
      if (!isPromptAnnotation(a.metadata.toolName, false)) continue; // measurements stay
      this.deps.cornerstoneTools.annotation.state.removeAnnotation(a.annotationUID);
    }
    const viewport = this.deps.viewportFor(imageId);
    if (viewport) {
      this.overlays.get(viewport.id)?.clear();
      viewportIds.push(viewport.id);
    }
    this.deps.cornerstoneTools.utilities.triggerAnnotationRenderForViewportIds(viewportIds);
    this.setPreview(undefined);
  }

  /** Shows another candidate of the current prompt (the user's pick in the panel). */
  async chooseCandidate(index: number): Promise<void> {
    const current = this.current;
    if (!current) return;
    await this.update(current.result.imageId, undefined, { index });
  }

  /** Uses (or stops using) measurements on the image as prompts, and decodes again. */
  async useMeasurements(include: boolean, imageId: string): Promise<void> {
    this.includeMeasurements = include;
    this.requested = undefined;
    await this.update(imageId);
  }

  get preview(): { prompt: Prompt; result: PreviewResult } | undefined {
    return this.current;
  }
}
