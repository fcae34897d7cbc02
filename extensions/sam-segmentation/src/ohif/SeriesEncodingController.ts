/**
 * Keeps the series of the active viewport pre-encoded: when a viewport shows a new stack (or the
 * active viewport changes) the previous series' background work is cancelled and the new one starts
 * at the slice on screen. Pointer, wheel and key activity on the viewport pauses it, so scrolling and
 * clicking are never queued behind background encodes.
 */
import type { RuntimeSession } from '../runtime/runtimeSession';
import { SeriesPreEncoder, type PreEncodingProgress } from '../runtime/seriesPreEncoder';
import type { CornerstoneCore, ViewerServices } from './host/hostTypes';
import { isStackViewport } from './host/viewerViewports';
import { imageSource, viewportVoi } from './host/viewportImage';

export interface SeriesProgress extends PreEncodingProgress {
  seriesKey: string;
}

const INTERACTION_EVENTS = ['pointerdown', 'pointermove', 'wheel', 'keydown'] as const;

export class SeriesEncodingController {
  private subscriptions: Array<{ unsubscribe(): void }> = [];
  private current: { key: string; encoder: SeriesPreEncoder; element: HTMLElement; group: string } | undefined;
  // A click, a scroll, a key or a drag pauses the background work; a mere hover does not.
  private readonly pause = (e: Event) => {
    if (e.type !== 'pointermove' || (e as PointerEvent).buttons !== 0) this.current?.encoder.pause();
  };

  constructor(
    private readonly deps: {
      cornerstone: CornerstoneCore;
      services: Pick<ViewerServices, 'viewportGridService' | 'cornerstoneViewportService'>;
      runtime: RuntimeSession;
      onProgress: (p: SeriesProgress) => void;
    },
  ) {}

  start(): void {
    const { cornerstoneViewportService, viewportGridService } = this.deps.services;
    this.subscriptions.push(
      cornerstoneViewportService.subscribe(
        cornerstoneViewportService.EVENTS.VIEWPORT_DATA_CHANGED,
        ({ viewportId }) => {
          if (viewportId === viewportGridService.getActiveViewportId()) this.follow(viewportId);
        },
      ),
      viewportGridService.subscribe(viewportGridService.EVENTS.ACTIVE_VIEWPORT_ID_CHANGED, ({ viewportId }) =>
        this.follow(viewportId),
      ),
    );
    const active = viewportGridService.getActiveViewportId();
    if (active) this.follow(active);
  }

  /** Holds the background encoding of the series on screen until the returned function is called. */
  hold(): () => void {
    return this.current?.encoder.hold() ?? (() => undefined);
  }

  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    this.stopCurrent();
  }

  private stopCurrent(): void {
    if (!this.current) return;
    const { encoder, element, group } = this.current;
    for (const type of INTERACTION_EVENTS) element.removeEventListener(type, this.pause);
    encoder.cancel();
    this.deps.runtime.cancelGroup(group);
    this.current = undefined;
  }

  /** Pre-encodes the stack shown in `viewportId`, unless it is the one already being encoded. */
  private follow(viewportId: string): void {
    const viewport = this.deps.services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
    if (!isStackViewport(viewport)) return;
    const imageIds = viewport.getImageIds();
    if (imageIds.length === 0) return;
    const voiRange = viewport.getProperties().voiRange;
    // A new window gives new embeddings: the series is encoded again for it.
    const seriesKey = `${imageIds[0]}|${imageIds.length}|${viewportVoi(voiRange).key}`;
    if (this.current?.key === seriesKey) return;
    this.stopCurrent();

    const { cornerstone, runtime } = this.deps;
    const group = `series:${seriesKey}`;
    const encoder = new SeriesPreEncoder(imageIds.length, {
      encode: (index, signal) =>
        runtime.encode(imageSource(cornerstone, imageIds[index]!, voiRange), { priority: 'background', group, signal }),
      onProgress: (p) => this.deps.onProgress({ ...p, seriesKey }),
    });
    for (const type of INTERACTION_EVENTS) viewport.element.addEventListener(type, this.pause, { passive: true });
    this.current = { key: seriesKey, encoder, element: viewport.element, group };
    // From the image on screen outward. A volume viewport's slice index need not be an index into its
    // image ids (it counts along the view direction), so find the image itself.
    void encoder.run(Math.max(0, imageIds.indexOf(viewport.getCurrentImageId() as string)));
  }
}
