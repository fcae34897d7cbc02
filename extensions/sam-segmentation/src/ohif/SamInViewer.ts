/**
 * SAM attached to the running viewer, made once a model is ready: the prompting sessions of the
 * viewports and their input, the series pre-encoding of the active viewport, the SAM labelmap
 * (accept, undo, DICOM SEG) and the Enter / Esc keys. Everything here needs the host; SamService
 * holds one of these while the mode is on.
 */
import type { Prompt, SelectionRule } from '../core';
import type { DecodeAnswer } from '../runtime/inferenceClient';
import type { RuntimeSession } from '../runtime/runtimeSession';
import type { ViewerHost } from './host/hostTypes';
import { imageOnViewport } from './host/viewportImage';
import type { AcceptOptions, AcceptResult, MaskOnImage } from './labelmap/acceptMask';
import { SamLabelmap, type NewSegmentOptions, type NewSegmentResult, type SegmentEdit } from './labelmap/SamLabelmap';
import { algorithmNameFor } from './labelmap/samSegmentation';
import { storeTarget } from './labelmap/segStore';
import { bindPreviewHotkeys } from './previewHotkeys';
import type { SamState } from './samState';
import { PromptInput } from './segment/PromptInput';
import { SegmentSessions } from './segment/SegmentSessions';
import { SeriesPropagation } from './segment/SeriesPropagation';
import { SeriesEncodingController } from './SeriesEncodingController';

/** A decoded mask, with the image and viewport it belongs to. */
export type SegmentResult = DecodeAnswer & { imageId: string; viewportId: string };

export class SamInViewer {
  readonly sessions: SegmentSessions;
  readonly labelmap: SamLabelmap;
  readonly propagation: SeriesPropagation;
  private readonly input: PromptInput;
  private encoding: SeriesEncodingController | undefined;
  private readonly unbindHotkeys: () => void;
  private readonly activeChange: { unsubscribe(): void };
  private readonly segmentationChanges: Array<{ unsubscribe(): void }>;

  constructor(
    private readonly host: ViewerHost,
    private readonly runtime: RuntimeSession,
    private readonly update: (patch: Partial<SamState>) => void,
    propagationRequest: () => SamState['propagationRequest'],
  ) {
    this.labelmap = new SamLabelmap(host, () => {
      const entry = this.runtime.model;
      return entry && { id: entry.id, version: entry.version };
    });
    // Said before anyone presses Store: local files cannot be stored to a PACS, only downloaded.
    const store = storeTarget(host);
    update({ segStoreUnavailable: 'cannot' in store ? store.cannot : undefined });
    this.sessions = new SegmentSessions({
      host,
      runtime,
      accept: (mask) => this.acceptMask(mask),
      onChange: (segment) => update({ segment }),
      onAccepted: (lastAccept) => update({ lastAccept }),
    });
    this.propagation = new SeriesPropagation({
      host,
      runtime,
      sessions: this.sessions,
      labelmap: this.labelmap,
      algorithmName: () => this.algorithmName(),
      holdBackgroundEncoding: () => this.encoding?.hold() ?? (() => undefined),
      onStatus: (propagation) => update({ propagation }),
    });
    this.input = new PromptInput(host, this.sessions);
    this.input.start();
    // The panel shows the active viewport's session.
    this.activeChange = this.sessions.viewports.onActiveChange(() => {
      update({ segment: this.sessions.activeView() });
      this.showSegmentTarget();
    });
    // …and the segment an accept there writes into (the user may pick another in OHIF's panel).
    const { segmentationService } = host.services;
    const { SEGMENTATION_MODIFIED, SEGMENTATION_ADDED, SEGMENTATION_REMOVED, SEGMENTATION_REPRESENTATION_MODIFIED } =
      segmentationService.EVENTS;
    this.segmentationChanges = [
      SEGMENTATION_MODIFIED,
      SEGMENTATION_ADDED,
      SEGMENTATION_REMOVED,
      SEGMENTATION_REPRESENTATION_MODIFIED,
    ]
      .filter((e): e is string => e !== undefined)
      .map((e) => segmentationService.subscribe(e, () => this.showSegmentTarget()));
    this.unbindHotkeys = bindPreviewHotkeys({
      canAccept: () => ['prompting', 'decoding', 'preview'].includes(this.sessions.activeView()?.phase ?? 'idle'),
      canReject: () => (this.sessions.activeView()?.phase ?? 'idle') !== 'idle',
      accept: () => void this.sessions.active()?.accept(),
      reject: () => this.sessions.rejectActive(),
      propagate: () => void this.propagation.run(propagationRequest()),
    });
    this.modelReady();
  }

  /** A model is ready (again): encode the series for it, and prompt what is already on the image. */
  modelReady(): void {
    this.sessions.modelChanged();
    this.encoding?.stop();
    this.encoding = new SeriesEncodingController({
      cornerstone: this.host.cornerstone,
      services: this.host.services,
      runtime: this.runtime,
      onProgress: (preEncoding) => {
        if (preEncoding.state === 'error') console.warn(`[SAM] background encoding stopped: ${preEncoding.message}`);
        this.update({ preEncoding });
      },
    });
    this.encoding.start();
    this.promptActiveImage();
    this.update({ segment: this.sessions.activeView() });
    this.showSegmentTarget();
  }

  private shownTarget = '';

  /** Puts the active viewport's target segment (SamLabelmap.segmentTarget) in the panel's state when it changed. */
  private showSegmentTarget(): void {
    const id = this.sessions.activeId();
    let segmentTarget;
    try {
      segmentTarget = id === undefined ? undefined : this.labelmap.segmentTarget(id);
    } catch {
      segmentTarget = undefined; // a segmentation removed under us: the next event says what is left
    }
    const key = JSON.stringify(segmentTarget ?? null);
    if (key === this.shownTarget) return;
    this.shownTarget = key;
    this.update({ segmentTarget });
  }

  /**
   * Adds a segment (label: default "SAM n") to the SAM segmentation of the active viewport's series,
   * made as an accept makes it when there is none, and makes it active for the next accept.
   */
  async newSegment(options: NewSegmentOptions = {}): Promise<NewSegmentResult> {
    const viewportId = options.viewportId ?? this.sessions.activeId();
    const viewport = viewportId === undefined ? undefined : this.sessions.viewports.stack(viewportId);
    if (viewportId === undefined || !viewport) {
      throw new Error('Segment Anything works on images as acquired: show an image series in the active viewport.');
    }
    const algorithmName = this.algorithmName();
    if (!algorithmName) throw new Error('No model is loaded: load one before adding a SAM segment.');
    const made = await this.labelmap.newSegment(viewportId, viewport.getCurrentImageId(), {
      algorithmName,
      ...(options.typeId && { typeId: options.typeId }),
      ...(options.label !== undefined && { label: options.label }),
      ...(options.color && { color: options.color }),
    });
    this.showSegmentTarget();
    return made;
  }

  /** Renames and/or recolours the segment SAM writes into on the active viewport (the panel's Edit). */
  editSegment(edit: SegmentEdit): void {
    const viewportId = edit.viewportId ?? this.sessions.activeId();
    if (viewportId === undefined) throw new Error('No active viewport: click the image whose segment you rename.');
    this.labelmap.editTarget(viewportId, edit);
    this.showSegmentTarget();
  }

  /** Sets the coded type of the segment SAM writes into on the active viewport (the panel's Type). */
  setSegmentType(typeId: string): void {
    const viewportId = this.sessions.activeId();
    if (viewportId === undefined) throw new Error('No active viewport: click the image whose segment you describe.');
    this.labelmap.setTargetType(viewportId, typeId);
    this.showSegmentTarget();
  }

  /** Reads the prompt on the active viewport's image again (e.g. measurements switched on). */
  promptActiveImage(): void {
    const id = this.sessions.activeId();
    const viewport = id === undefined ? undefined : this.sessions.viewports.stack(id);
    if (id !== undefined && viewport) this.sessions.session(id)?.promptChanged(viewport.getCurrentImageId());
  }

  /** The SegmentAlgorithmName of the loaded model: its name and version (see algorithmNameFor). */
  private algorithmName(): string | undefined {
    const entry = this.runtime.model;
    return entry && algorithmNameFor({ name: entry.name, version: entry.version });
  }

  /** Writes a mask into the active segment of its series' SAM labelmap segmentation. */
  acceptMask(mask: MaskOnImage, options: Partial<AcceptOptions> = {}): Promise<AcceptResult> {
    const algorithmName = options.algorithmName ?? this.algorithmName();
    if (!algorithmName) return Promise.reject(new Error('No model is loaded: which algorithm made this mask?'));
    return this.labelmap.accept(mask, { ...options, algorithmName });
  }

  /**
   * Segments the image shown in a viewport (the active one by default) from a prompt in image pixel
   * coordinates, without annotations or preview: for scripts and tests.
   */
  async segment(
    prompt: Prompt,
    options: { viewportId?: string; selection?: SelectionRule } = {},
  ): Promise<SegmentResult> {
    const viewportId = options.viewportId ?? this.sessions.activeId();
    const viewport = viewportId === undefined ? undefined : this.sessions.viewports.stack(viewportId);
    if (viewportId === undefined || !viewport) {
      throw new Error('Segment Anything works on images as acquired: show an image series in the active viewport.');
    }
    const imageId = viewport.getCurrentImageId();
    const answer = await this.runtime.decode(imageOnViewport(this.host.cornerstone, viewport), prompt, {
      ...(options.selection && { selection: options.selection }),
    });
    return { ...answer, imageId, viewportId };
  }

  dispose(): void {
    this.propagation.stop(true);
    this.unbindHotkeys();
    this.activeChange.unsubscribe();
    for (const s of this.segmentationChanges) s.unsubscribe();
    this.input.stop();
    this.sessions.dispose();
    this.encoding?.stop();
    this.labelmap.dispose();
  }
}
