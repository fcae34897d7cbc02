/**
 * The viewer's viewports as the SAM service needs them: the active one, a stack viewport by id,
 * and a notification when the active viewport or its data changes.
 */
import type { CornerstoneStackViewport } from './cornerstoneHost';
import { isStackViewport, type ViewportServices } from './SeriesEncodingController';

export class ViewerViewports {
  private constructor(private readonly services: ViewportServices) {}

  /** Undefined outside a viewer with OHIF's viewport services (unit tests). */
  static from(services: Record<string, unknown>): ViewerViewports | undefined {
    const s = services as Partial<ViewportServices>;
    return s.cornerstoneViewportService && s.viewportGridService
      ? new ViewerViewports(s as ViewportServices)
      : undefined;
  }

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
