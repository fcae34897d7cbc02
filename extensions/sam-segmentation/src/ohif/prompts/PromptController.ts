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
}

export interface PromptControllerDeps {
  cornerstone: CornerstoneCore;
  cornerstoneTools: CornerstoneTools;
  /** The stack viewport showing `imageId`, if any (the active one first). */
  viewportFor(imageId: string): CornerstoneStackViewport | undefined;
  segment(prompt: Prompt, viewportId: string): Promise<PreviewResult>;
  onPreview(preview: { prompt: Prompt; result: PreviewResult } | undefined): void;
  onError(message: string): void;
}

export class PromptController {
  private readonly overlays = new Map<string, MaskOverlay>();
  private current: { prompt: Prompt; result: PreviewResult } | undefined;
  /** Use measurement annotations (rectangles, probes, …) as prompts too. */
  includeMeasurements = false;
  private readonly onAnnotation = (evt: Event) => {
    const annotation = (evt as CustomEvent<{ annotation?: CornerstoneAnnotation }>).detail?.annotation;
    const imageId = annotation?.metadata.referencedImageId;
    if (!annotation || !imageId || !isPromptAnnotation(annotation.metadata.toolName, this.includeMeasurements)) return;
    void this.update(imageId);
  };
  private readonly onViewportChange = (evt: Event) => {
    const element = evt.currentTarget as HTMLElement | null;
    for (const overlay of this.overlays.values()) if (!element || overlay.element === element) overlay.render();
  };

  constructor(private readonly deps: PromptControllerDeps) {}

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

  /** Decodes the prompts on `imageId` and shows the answer; clears the preview when none are left. */
  async update(imageId: string): Promise<void> {
    const viewport = this.deps.viewportFor(imageId);
    if (!viewport) return;
    const { cornerstone } = this.deps;
    const prompt = annotationsToPrompt(this.promptAnnotations(imageId), (world) =>
      cornerstone.utilities.worldToImageCoords(imageId, world),
    );
    const overlay = this.overlay(viewport);
    if (!prompt) {
      overlay.clear();
      this.setPreview(undefined);
      return;
    }
    // Refine: the previous answer on this image is fed back as the mask input.
    const previous = this.current?.result.imageId === imageId ? this.current.result.lowResLogits : undefined;
    try {
      const result = await this.deps.segment({ ...prompt, ...(previous && { previousMask: previous }) }, viewport.id);
      overlay.show(result.mask, result.width, result.height, imageId);
      this.setPreview({ prompt, result });
    } catch (err) {
      if (err instanceof CancelledError) return; // superseded by a newer prompt
      this.deps.onError(err instanceof Error ? err.message : String(err));
    }
  }

  private setPreview(preview: { prompt: Prompt; result: PreviewResult } | undefined): void {
    this.current = preview;
    this.deps.onPreview(preview);
  }

  private overlay(viewport: CornerstoneStackViewport): MaskOverlay {
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

  get preview(): { prompt: Prompt; result: PreviewResult } | undefined {
    return this.current;
  }
}
