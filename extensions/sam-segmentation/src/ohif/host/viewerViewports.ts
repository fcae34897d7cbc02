/**
 * The viewer's viewports as the SAM service needs them: the active one, a stack viewport by id,
 * and a notification when the active viewport or its data changes.
 */
import type { CornerstoneStackViewport, ViewerServices } from './hostTypes';

type ViewportServices = Pick<ViewerServices, 'viewportGridService' | 'cornerstoneViewportService'>;

/** A viewport that shows a stack of images (a stack viewport, or a volume viewport: both list image ids). */
export function isStackViewport(v: unknown): v is CornerstoneStackViewport {
  return typeof (v as CornerstoneStackViewport | undefined)?.getImageIds === 'function';
}

export class ViewerViewports {
  constructor(private readonly services: ViewportServices) {}

  activeId(): string | undefined {
    return this.services.viewportGridService.getActiveViewportId();
  }

  /**
   * The viewport with this id when it shows the images as they were acquired: a stack viewport, or a
   * volume viewport in the acquisition plane (Cornerstone then names the image on screen). Undefined
   * for a reformatted (sagittal, coronal, oblique) volume viewport and for unknown ids.
   */
  stack(viewportId: string): CornerstoneStackViewport | undefined {
    const viewport = this.services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
    return isStackViewport(viewport) && typeof viewport.getCurrentImageId() === 'string' ? viewport : undefined;
  }

  /** Any viewport with this id (stack or volume, any plane), for its element and id. */
  element(viewportId: string): { element: HTMLElement; id: string } | undefined {
    const viewport = this.services.cornerstoneViewportService.getCornerstoneViewport(viewportId) as
      { element?: HTMLElement; id?: string } | undefined;
    return viewport?.element && viewport.id ? { element: viewport.element, id: viewport.id } : undefined;
  }

  activeStack(): CornerstoneStackViewport | undefined {
    const id = this.activeId();
    return id === undefined ? undefined : this.stack(id);
  }

  /** Calls `listener` when another viewport becomes active or a viewport shows new data. */
  onActiveChange(listener: () => void): { unsubscribe(): void } {
    const { viewportGridService, cornerstoneViewportService } = this.services;
    const subscriptions = [
      viewportGridService.subscribe(viewportGridService.EVENTS.ACTIVE_VIEWPORT_ID_CHANGED, listener),
      cornerstoneViewportService.subscribe(cornerstoneViewportService.EVENTS.VIEWPORT_DATA_CHANGED, listener),
    ];
    return { unsubscribe: () => subscriptions.forEach((s) => s.unsubscribe()) };
  }
}
