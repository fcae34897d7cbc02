/**
 * One SegmentSession per viewport that shows images as acquired, made when first needed, with the
 * viewport's preview overlay and its annotation port; made again when OHIF replaces the viewport's
 * element (a layout change). The active viewport's session is what the panel shows and what Enter
 * and Esc act on.
 */
import { familyOf } from '../../core';
import type { RuntimeSession } from '../../runtime/runtimeSession';
import type { CornerstoneStackViewport, ViewerHost } from '../host/hostTypes';
import { ViewerViewports } from '../host/viewerViewports';
import { imageSource } from '../host/viewportImage';
import type { AcceptResult, MaskOnImage } from '../labelmap/acceptMask';
import { MaskOverlay } from '../preview/MaskOverlay';
import { AnnotationPrompts } from './AnnotationPrompts';
import { SegmentSession } from './SegmentSession';
import { idleView, type SegmentView } from './segmentState';

export interface SegmentSessionsDeps {
  host: ViewerHost;
  runtime: RuntimeSession;
  accept(mask: MaskOnImage): Promise<AcceptResult>;
  onChange(view: SegmentView): void;
  onAccepted(result: AcceptResult): void;
}

interface Entry {
  session: SegmentSession;
  prompts: AnnotationPrompts;
  element: HTMLElement;
  detach(): void;
}

/** Cornerstone events after which the overlay is drawn again for the viewport's camera and image. */
const RENDER_EVENTS = ['CAMERA_MODIFIED', 'IMAGE_RENDERED', 'STACK_NEW_IMAGE', 'VOLUME_NEW_IMAGE'] as const;

export class SegmentSessions {
  readonly viewports: ViewerViewports;
  private readonly entries = new Map<string, Entry>();
  /** Use measurement annotations (rectangles, probes, …) as prompts too (the panel's switch). */
  includeMeasurements = false;

  constructor(private readonly deps: SegmentSessionsDeps) {
    this.viewports = new ViewerViewports(deps.host.services);
  }

  /** The session of a viewport that shows images as acquired (undefined for a reformatted plane). */
  entry(viewportId: string): Entry | undefined {
    const viewport = this.viewports.stack(viewportId);
    if (!viewport) return undefined;
    const known = this.entries.get(viewportId);
    if (known?.element === viewport.element) return known;
    known?.detach();
    const entry = this.create(viewport);
    this.entries.set(viewportId, entry);
    return entry;
  }

  session(viewportId: string): SegmentSession | undefined {
    return this.entry(viewportId)?.session;
  }

  activeId(): string | undefined {
    return this.viewports.activeId();
  }

  active(): SegmentSession | undefined {
    const id = this.activeId();
    return id === undefined ? undefined : this.session(id);
  }

  /** The viewport showing `imageId` (the active one first), or the one whose prompt is on it. */
  viewportFor(imageId: string): string | undefined {
    const active = this.activeId();
    const ids = [...(active !== undefined ? [active] : []), ...this.entries.keys()];
    return (
      ids.find((id) => this.viewports.stack(id)?.getCurrentImageId() === imageId) ??
      [...this.entries].find(([, e]) => e.session.state.imageId === imageId)?.[0]
    );
  }

  private create(viewport: CornerstoneStackViewport): Entry {
    const { host, runtime } = this.deps;
    const { cornerstone } = host;
    const viewportId = viewport.id;
    const overlay = new MaskOverlay(viewport, (imageId, p) => cornerstone.utilities.imageToWorldCoords(imageId, p));
    const render = () => overlay.render();
    const events = RENDER_EVENTS.map((name) => cornerstone.Enums.Events[name]).filter((e): e is string => !!e);
    for (const type of events) viewport.element.addEventListener(type, render);
    const prompts = new AnnotationPrompts(host, viewportId, () => this.includeMeasurements);
    const session = new SegmentSession({
      viewportId,
      runtime,
      family: () => runtime.model && familyOf(runtime.model),
      annotations: prompts,
      image: (imageId) => {
        const shown = this.viewports.stack(viewportId);
        const pixel = cornerstone.metaData.get('imagePixelModule', imageId) as
          { rows?: number; columns?: number } | undefined;
        if (!shown || !pixel?.rows || !pixel.columns) return undefined;
        return {
          width: pixel.columns,
          height: pixel.rows,
          source: imageSource(cornerstone, imageId, shown.getProperties().voiRange),
        };
      },
      overlay,
      accept: (mask) => this.deps.accept(mask),
      onChange: (view) => {
        if (viewportId === this.activeId()) this.deps.onChange(view);
      },
      onAccepted: (result) => this.deps.onAccepted(result),
    });
    return {
      session,
      prompts,
      element: viewport.element,
      detach: () => {
        for (const type of events) viewport.element.removeEventListener(type, render);
        session.dispose();
        overlay.destroy();
      },
    };
  }

  /**
   * Says in the panel that what the user did in a viewport cannot be done there (e.g. a prompt on a
   * reformatted plane, which has no session of its own); Esc or the next prompt clears it.
   */
  refuse(viewportId: string, message: string): void {
    const session = this.session(viewportId);
    if (session) session.refuse(message);
    else if (viewportId === this.activeId()) this.deps.onChange({ viewportId, phase: 'error', error: message });
  }

  /** The panel's view of the active viewport: its session's, or idle. */
  activeView(): SegmentView | undefined {
    const id = this.activeId();
    if (id === undefined) return undefined;
    return this.session(id)?.state ?? idleView(id);
  }

  /** Esc / Reject / Clear on the active viewport, also when it has no session (a refused plane). */
  rejectActive(): void {
    const id = this.activeId();
    if (id === undefined) return;
    const session = this.session(id);
    if (session) session.reject();
    else this.deps.onChange(idleView(id));
  }

  /** Another model is ready: no mask of the previous one may be shown again. */
  modelChanged(): void {
    for (const entry of this.entries.values()) entry.session.reset();
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.detach();
    this.entries.clear();
  }
}
