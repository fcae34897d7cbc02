/**
 * Keeps the series of the active viewport pre-encoded: when a viewport shows a new stack (or the
 * active viewport changes) the previous series' background work is cancelled and the new one starts
 * at the slice on screen. Pointer, wheel and key activity on the viewport pauses it, so scrolling and
 * clicking are never queued behind background encodes.
 */
import { CancelledError } from '../runtime/cancellation';
import type { InferenceClient } from '../runtime/inferenceClient';
import { SeriesPreEncoder, type PreEncodingProgress } from '../runtime/seriesPreEncoder';
import type { CornerstoneCore, CornerstoneStackViewport } from './cornerstoneHost';
import { imageKey, toSlicePixels, viewportVoi } from './imageToSlice';

export interface ViewportServices {
  cornerstoneViewportService: {
    EVENTS: { VIEWPORT_DATA_CHANGED: string };
    subscribe(event: string, cb: (e: { viewportId: string }) => void): { unsubscribe(): void };
    getCornerstoneViewport(viewportId: string): unknown;
  };
  viewportGridService: {
    EVENTS: { ACTIVE_VIEWPORT_ID_CHANGED: string };
    subscribe(event: string, cb: (e: { viewportId: string }) => void): { unsubscribe(): void };
    getActiveViewportId(): string | undefined;
  };
}

export interface SeriesProgress extends PreEncodingProgress {
  seriesKey: string;
}

const INTERACTION_EVENTS = ['pointerdown', 'pointermove', 'wheel', 'keydown'] as const;

export function isStackViewport(v: unknown): v is CornerstoneStackViewport {
  return typeof (v as CornerstoneStackViewport | undefined)?.getImageIds === 'function';
}

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
      services: ViewportServices;
      client: InferenceClient;
      modelId: string;
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
    this.deps.client.cancelGroup(group);
    this.current = undefined;
  }

  /** Pre-encodes the stack shown in `viewportId`, unless it is the one already being encoded. */
  private follow(viewportId: string): void {
    const viewport = this.deps.services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
    if (!isStackViewport(viewport)) return;
    const imageIds = viewport.getImageIds();
    if (imageIds.length === 0) return;
    const { voi, key: preprocessingKey } = viewportVoi(viewport.getProperties().voiRange);
    const seriesKey = `${imageIds[0]}|${imageIds.length}|${preprocessingKey}`;
    if (this.current?.key === seriesKey) return;
    this.stopCurrent();

    const { cornerstone, client, modelId } = this.deps;
    const group = `series:${seriesKey}`;
    const encoder = new SeriesPreEncoder(imageIds.length, {
      encode: async (index, signal) => {
        const imageId = imageIds[index]!;
        const image = await cornerstone.imageLoader.loadAndCacheImage(imageId);
        if (signal.aborted) throw new CancelledError();
        const request = client.encode(
          { modelId, imageKey: imageKey(cornerstone, imageId), preprocessingKey },
          toSlicePixels(cornerstone, image),
          voi,
          { priority: 'background', group },
        );
        const onAbort = () => client.cancel([request.id]);
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          return await request.done;
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      },
      onProgress: (p) => this.deps.onProgress({ ...p, seriesKey }),
    });
    for (const type of INTERACTION_EVENTS) viewport.element.addEventListener(type, this.pause, { passive: true });
    this.current = { key: seriesKey, encoder, element: viewport.element, group };
    // From the image on screen outward. A volume viewport's slice index need not be an index into its
    // image ids (it counts along the view direction), so find the image itself.
    void encoder.run(Math.max(0, imageIds.indexOf(viewport.getCurrentImageId() as string)));
  }
}
