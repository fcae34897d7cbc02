/**
 * What the user does on a viewport, turned into prompt changes of its SegmentSession:
 * - annotation events of the SAM tools (and of measurements, when they serve as prompts): added,
 *   modified (a box being dragged: `drawing` while the button is down), completed, removed;
 * - a click with a SAM point tool becomes its point at once: the press is kept from Cornerstone
 *   (which would hold every click 400 ms to tell it from a double click, and drop both clicks of a
 *   quick pair) and the point is added from code where the button was released. A press on an
 *   existing point's handle is left to Cornerstone, which moves it;
 * - the release of the button ends a drag (the final box decodes at once);
 * - another image on screen: the session follows it (its prompt, or none).
 */
import type { CornerstoneAnnotation, CornerstoneStackViewport, ViewerHost } from '../host/hostTypes';
import { isPromptAnnotation, isSamToolAnnotation } from '../prompts/promptParts';
import { SAM_TOOL_NAMES } from '../prompts/samToolNames';
import type { SegmentSessions } from './SegmentSessions';

/** What a prompt on a reformatted volume plane gets: the tool segments the images as acquired. */
export const REFORMATTED_PLANE =
  'Segment Anything works on the images as acquired: in stack viewports, and in volume (MPR) viewports in the ' +
  'acquisition plane. This viewport shows a reformatted plane (sagittal, coronal or oblique); use the ' +
  'acquisition-plane viewport.';

/** Within this distance (CSS pixels) of a point's handle, a press grabs the point instead of adding one. */
const HANDLE_PX = 6;

const POINT_LABELS: Record<string, 'include' | 'exclude'> = {
  [SAM_TOOL_NAMES.includePoint]: 'include',
  [SAM_TOOL_NAMES.excludePoint]: 'exclude',
};

const IMAGE_EVENTS = ['STACK_NEW_IMAGE', 'VOLUME_NEW_IMAGE'] as const;

export class PromptInput {
  private readonly watched = new Map<HTMLElement, () => void>();
  /** Viewports with the primary button down on them. */
  private readonly held = new Set<string>();
  private subscription: { unsubscribe(): void } | undefined;
  private readonly onAnnotation = (evt: Event) => this.annotationChanged(evt);

  constructor(
    private readonly host: ViewerHost,
    private readonly sessions: SegmentSessions,
  ) {}

  private get annotationEvents(): string[] {
    const { Events } = this.host.tools.Enums;
    return [
      Events.ANNOTATION_ADDED,
      Events.ANNOTATION_COMPLETED,
      Events.ANNOTATION_MODIFIED,
      Events.ANNOTATION_REMOVED,
    ].filter((e): e is string => !!e);
  }

  start(): void {
    for (const type of this.annotationEvents)
      this.host.cornerstone.eventTarget.addEventListener(type, this.onAnnotation);
    // Clicks need their listeners before the first click on a viewport.
    const watchActive = () => {
      const id = this.sessions.activeId();
      const viewport = id === undefined ? undefined : this.sessions.viewports.element(id);
      if (viewport) this.watch(viewport);
    };
    this.subscription = this.sessions.viewports.onActiveChange(watchActive);
    watchActive();
  }

  stop(): void {
    for (const type of this.annotationEvents)
      this.host.cornerstone.eventTarget.removeEventListener(type, this.onAnnotation);
    for (const unwatch of this.watched.values()) unwatch();
    this.watched.clear();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private annotationChanged(evt: Event): void {
    const annotation = (evt as CustomEvent<{ annotation?: CornerstoneAnnotation }>).detail?.annotation;
    if (!annotation || !isPromptAnnotation(annotation.metadata.toolName, this.sessions.includeMeasurements)) return;
    const { Events } = this.host.tools.Enums;
    const imageId = annotation.metadata.referencedImageId;
    if (!imageId) {
      // Drawn on a reformatted volume plane: there is no acquired image under it to segment.
      if (evt.type === Events.ANNOTATION_COMPLETED && isSamToolAnnotation(annotation.metadata.toolName)) {
        this.host.tools.annotation.state.removeAnnotation(annotation.annotationUID);
        this.refuse(REFORMATTED_PLANE);
      }
      return;
    }
    const viewportId = this.sessions.viewportFor(imageId);
    if (viewportId === undefined) return;
    const drawing = this.held.has(viewportId) && evt.type !== Events.ANNOTATION_REMOVED;
    this.sessions.session(viewportId)?.promptChanged(imageId, { drawing });
  }

  private refuse(message: string): void {
    const id = this.sessions.activeId();
    if (id !== undefined) this.sessions.refuse(id, message);
  }

  private watch(element: { element: HTMLElement; id: string }): void {
    if (this.watched.has(element.element)) return;
    const { element: el, id: viewportId } = element;
    let press: { toolName: string } | undefined;
    const down = (e: PointerEvent) => {
      if (e.button !== 0) return;
      this.held.add(viewportId);
      press = this.pointPress(viewportId, e);
      if (press) e.preventDefault(); // Cornerstone never sees this press: the point is added on release
    };
    const up = (e: PointerEvent) => {
      if (e.button !== 0) return;
      this.held.delete(viewportId);
      const pressed = press;
      press = undefined;
      if (pressed) this.addPoint(viewportId, pressed.toolName, e);
      this.sessions.session(viewportId)?.release();
    };
    const cancel = () => {
      this.held.delete(viewportId);
      press = undefined;
      this.sessions.session(viewportId)?.release();
    };
    const shown = () => {
      const viewport = this.sessions.viewports.stack(viewportId);
      if (viewport) this.sessions.session(viewportId)?.promptChanged(viewport.getCurrentImageId());
    };
    const imageEvents = IMAGE_EVENTS.map((name) => this.host.cornerstone.Enums.Events[name]).filter(
      (e): e is string => !!e,
    );
    el.addEventListener('pointerdown', down, { capture: true });
    el.addEventListener('pointerup', up, { capture: true });
    el.addEventListener('pointercancel', cancel, { capture: true });
    for (const type of imageEvents) el.addEventListener(type, shown);
    this.watched.set(el, () => {
      el.removeEventListener('pointerdown', down, { capture: true });
      el.removeEventListener('pointerup', up, { capture: true });
      el.removeEventListener('pointercancel', cancel, { capture: true });
      for (const type of imageEvents) el.removeEventListener(type, shown);
    });
  }

  /** The SAM point tool a mouse press adds a point with, or undefined when the press is Cornerstone's. */
  private pointPress(viewportId: string, e: PointerEvent): { toolName: string } | undefined {
    if (e.pointerType === 'touch' || e.ctrlKey || e.shiftKey || e.altKey || e.metaKey) return undefined;
    if (viewportId !== this.sessions.activeId()) return undefined; // OHIF's first click activates the viewport
    const toolName =
      this.host.tools.ToolGroupManager.getToolGroupForViewport(viewportId)?.getActivePrimaryMouseButtonTool();
    if (!toolName || !POINT_LABELS[toolName]) return undefined;
    const viewport = this.sessions.viewports.stack(viewportId);
    if (!viewport) {
      this.refuse(REFORMATTED_PLANE);
      return { toolName: '' }; // kept from Cornerstone too: no annotation on a plane SAM cannot segment
    }
    const entry = this.sessions.entry(viewportId);
    if (!entry?.prompts.canAddPoints(toolName)) return undefined;
    if (this.nearPointHandle(viewport, canvasPoint(viewport, e))) return undefined;
    return { toolName };
  }

  private nearPointHandle(viewport: CornerstoneStackViewport, at: [number, number]): boolean {
    const imageId = viewport.getCurrentImageId();
    return this.host.tools.annotation.state.getAllAnnotations().some((a) => {
      if (a.metadata.referencedImageId !== imageId || !POINT_LABELS[a.metadata.toolName]) return false;
      const handle = a.data.handles.points[0];
      if (!handle) return false;
      const [x, y] = viewport.worldToCanvas(handle);
      return Math.hypot(x - at[0], y - at[1]) <= HANDLE_PX;
    });
  }

  private addPoint(viewportId: string, toolName: string, e: PointerEvent): void {
    const viewport = this.sessions.viewports.stack(viewportId);
    const entry = this.sessions.entry(viewportId);
    if (!toolName || !viewport || !entry) return;
    // The annotation's ADDED event makes it the session's prompt, like any other change.
    entry.prompts.addPoint(toolName, viewport.canvasToWorld(canvasPoint(viewport, e)));
  }
}

function canvasPoint(viewport: CornerstoneStackViewport, e: PointerEvent): [number, number] {
  const rect = viewport.element.getBoundingClientRect();
  return [e.clientX - rect.left, e.clientY - rect.top];
}
