/**
 * The prompt annotations of the images one viewport shows, in the host's Cornerstone: reading them
 * as prompt parts, removing SAM's own (never the user's measurements), and adding a SAM point from
 * code (a click, see PromptInput). Measurements count as prompts only while the panel's switch says so.
 */
import type { PromptPart } from '../../core';
import type { CornerstoneAnnotation, CornerstoneTools, ViewerHost } from '../host/hostTypes';
import { annotationsToParts, isPromptAnnotation, isSamToolAnnotation } from '../prompts/promptParts';
import type { PromptAnnotationsPort } from './SegmentSession';

export class AnnotationPrompts implements PromptAnnotationsPort {
  constructor(
    private readonly host: Pick<ViewerHost, 'cornerstone' | 'tools'>,
    private readonly viewportId: string,
    private readonly includeMeasurements: () => boolean,
  ) {}

  private get state(): CornerstoneTools['annotation']['state'] {
    return this.host.tools.annotation.state;
  }

  /** The annotations of an image that make its prompt. */
  annotations(imageId: string): CornerstoneAnnotation[] {
    return this.state
      .getAllAnnotations()
      .filter(
        (a) =>
          a.metadata.referencedImageId === imageId &&
          isPromptAnnotation(a.metadata.toolName, this.includeMeasurements()),
      );
  }

  parts(imageId: string): PromptPart<string>[] {
    return annotationsToParts(this.annotations(imageId), (world) =>
      this.host.cornerstone.utilities.worldToImageCoords(imageId, world),
    );
  }

  remove(uids: readonly string[]): void {
    if (uids.length === 0) return;
    const wanted = new Set(uids);
    const sam = this.state
      .getAllAnnotations()
      .filter((a) => wanted.has(a.annotationUID) && isSamToolAnnotation(a.metadata.toolName));
    this.removeAndRender(sam);
  }

  removeAll(imageId: string): void {
    this.removeAndRender(
      this.state
        .getAllAnnotations()
        .filter((a) => a.metadata.referencedImageId === imageId && isSamToolAnnotation(a.metadata.toolName)),
    );
  }

  private removeAndRender(annotations: CornerstoneAnnotation[]): void {
    if (annotations.length === 0) return;
    for (const a of annotations) this.state.removeAnnotation(a.annotationUID);
    this.host.tools.utilities.triggerAnnotationRenderForViewportIds([this.viewportId]);
  }

  /**
   * Adds a SAM point where the user clicked, through the tool's own `hydrate` (Cornerstone's public
   * way to make an annotation from code: it sets the referenced image, frame of reference and plane as
   * a drawn one would). False when this Cornerstone has no such API: then the click is left to the tool.
   */
  addPoint(toolName: string, world: number[]): boolean {
    const instance = this.toolInstance(toolName);
    const hydrate = instance?.constructor.hydrate;
    if (!instance || typeof hydrate !== 'function') return false;
    hydrate.call(instance.constructor, this.viewportId, [world], { toolInstance: instance });
    return true;
  }

  /** Whether this Cornerstone can add points of this tool from code (see addPoint). */
  canAddPoints(toolName: string): boolean {
    return typeof this.toolInstance(toolName)?.constructor.hydrate === 'function';
  }

  private toolInstance(toolName: string) {
    return this.host.tools.ToolGroupManager.getToolGroupForViewport(this.viewportId)?.getToolInstance(toolName);
  }
}
