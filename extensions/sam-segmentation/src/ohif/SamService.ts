/**
 * The extension's service in OHIF's style (registered as `samService`): one state object, a named
 * event when it changes, and the actions the panel, the commands and the hotkeys call, each handed
 * to the part that does it: the RuntimeSession (worker, backend, models), and SamInViewer (prompting
 * sessions, pre-encoding, labelmap) once a model is ready.
 */
import type { Prompt, SelectionRule } from '../core';
import type { EmbeddingCacheStats } from '../runtime/embeddingCache';
import { InferenceClient } from '../runtime/inferenceClient';
import { RuntimeSession } from '../runtime/runtimeSession';
import type { BackendPreference } from '../runtime/workerMessages';
import { resolveViewerHost, type SamViewer } from './host/ViewerHost';
import type { AcceptOptions, AcceptResult, MaskOnImage } from './labelmap/acceptMask';
import type { NewSegmentOptions, NewSegmentResult, SegmentEdit, SegTarget, UndoneAccept } from './labelmap/SamLabelmap';
import type { SegExport } from './labelmap/segExport';
import { SegStoreError, type SegStoreRequest, type SegStoreResult } from './labelmap/segStore';
import { SamInViewer, type SegmentResult } from './SamInViewer';
import { DEFAULT_PROPAGATION_REQUEST, type PropagationRequest } from './segment/SeriesPropagation';
import { DEFAULT_SEG_SETTINGS, parseSettings, type SamSettings, type SamState } from './samState';

export type { ModelChoice, ModelStatus, RuntimeStatus, SamSettings, SamState, SegStoreStatus } from './samState';
export type { SegmentResult } from './SamInViewer';
export type { SamViewer } from './host/ViewerHost';

type Listener = (state: SamState) => void;

export class SamService {
  static readonly REGISTRATION = {
    name: 'samService',
    altName: 'SamService',
    create: (viewer: SamViewer & { configuration?: unknown }): SamService =>
      new SamService(viewer, parseSettings(viewer.configuration)),
  };

  static readonly EVENTS = { STATE_CHANGED: 'event::samService:stateChanged' } as const;

  private state: SamState = {
    backendPreference: 'auto',
    runtime: { state: 'idle' },
    model: { state: 'idle' },
    models: [],
    propagationRequest: DEFAULT_PROPAGATION_REQUEST,
    segSettings: DEFAULT_SEG_SETTINGS,
  };
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly runtime: RuntimeSession;
  private inViewer: SamInViewer | undefined;

  constructor(
    private readonly viewer?: SamViewer,
    settings: SamSettings = {},
    createClient: () => InferenceClient = () => new InferenceClient(),
  ) {
    this.state = { ...this.state, segSettings: { ...DEFAULT_SEG_SETTINGS, ...settings.seg } };
    this.runtime = new RuntimeSession({
      createClient,
      ...(settings.embeddingCacheMiB !== undefined && { cacheBudgetBytes: settings.embeddingCacheMiB * 1024 * 1024 }),
      onChange: (patch) => {
        this.update(patch);
        if (patch.model?.state === 'ready') this.modelReady();
      },
    });
  }

  getState(): SamState {
    return this.state;
  }

  /** OHIF's pub/sub: `subscribe(SamService.EVENTS.STATE_CHANGED, (state) => …)`. */
  subscribe(event: string, listener: Listener): { unsubscribe: () => void } {
    const listeners = this.listeners.get(event) ?? new Set<Listener>();
    listeners.add(listener);
    this.listeners.set(event, listeners);
    return { unsubscribe: () => void listeners.delete(listener) };
  }

  private update(patch: Partial<SamState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners.get(SamService.EVENTS.STATE_CHANGED) ?? []) listener(this.state);
  }

  private modelReady(): void {
    if (!this.viewer) return; // unit tests: no viewer around the service
    if (this.inViewer) return this.inViewer.modelReady();
    try {
      this.inViewer = new SamInViewer(
        resolveViewerHost(this.viewer),
        this.runtime,
        (patch) => this.update(patch),
        () => this.state.propagationRequest,
      );
    } catch (err) {
      this.update({ model: { state: 'error', message: err instanceof Error ? err.message : String(err) } });
    }
  }

  private attached(): SamInViewer {
    if (!this.inViewer) throw new Error('No model is loaded yet: wait for the panel to say the model is ready.');
    return this.inViewer;
  }

  /** Starts the inference worker, checks which backend runs, loads the model. Safe to call again to retry. */
  startRuntime(preference: BackendPreference = 'auto', modelId?: string): Promise<void> {
    return this.runtime.start(preference, modelId);
  }

  /** Switches to another model of the manifest (the panel's model choice). */
  selectModel(modelId: string): Promise<void> {
    return this.runtime.selectModel(modelId);
  }

  /** Stops the worker and detaches from the viewer; called when the mode is left. */
  stopRuntime(): void {
    this.inViewer?.dispose();
    this.inViewer = undefined;
    this.runtime.stop();
    this.update({ preEncoding: undefined, segment: undefined });
  }

  /** The worker's embedding cache: entries, bytes, budget, hits, misses, evictions. */
  cacheStats(): Promise<EmbeddingCacheStats> {
    return this.runtime.cacheStats();
  }

  /** Decodes a prompt on the image of a viewport (the active one) with no annotation or preview. */
  segment(prompt: Prompt, options: { viewportId?: string; selection?: SelectionRule } = {}): Promise<SegmentResult> {
    return Promise.resolve().then(() => this.attached().segment(prompt, options));
  }

  /** Writes the active viewport's preview into its segment (Enter); waits for a decode under way. */
  async acceptPreview(): Promise<AcceptResult | undefined> {
    return this.inViewer?.sessions.active()?.accept();
  }

  /** Discards the active viewport's prompt, its preview and any error (Esc, Reject, Clear). */
  rejectPreview(): void {
    this.inViewer?.sessions.rejectActive();
  }

  /** The toolbar's Clear: the same as Reject, for the prompts on the image on screen. */
  clearPrompts(): void {
    this.rejectPreview();
  }

  /** Shows another candidate mask of the preview (no decoder run). */
  chooseCandidate(index: number): Promise<void> {
    return this.inViewer?.sessions.active()?.chooseCandidate(index) ?? Promise.resolve();
  }

  /** Propagates the mask on the active viewport's slice through the series (P): see SeriesPropagation. */
  propagate(request: PropagationRequest = this.state.propagationRequest): Promise<void> {
    return this.inViewer?.propagation.run(request) ?? Promise.resolve();
  }

  /** Stops the propagation under way: keeps the slices done, or puts them back. */
  stopPropagation(keep: boolean): void {
    this.inViewer?.propagation.stop(keep);
  }

  /** Which way and how far Propagate goes next. */
  setPropagationRequest(request: PropagationRequest): void {
    this.update({ propagationRequest: request });
  }

  /**
   * Uses the measurements on the image (rectangles and ellipses as a box, lengths as their bounding
   * box, probes and arrows as include points) as prompts too, or stops doing so.
   */
  useMeasurementsAsPrompts(include: boolean): void {
    this.update({ measurementsAsPrompts: include });
    if (!this.inViewer) return;
    this.inViewer.sessions.includeMeasurements = include;
    this.inViewer.promptActiveImage();
  }

  /** Writes a mask (a segment() result) into the active segment of its series' SAM labelmap. */
  acceptMask(result: MaskOnImage, options: Partial<AcceptOptions> = {}): Promise<AcceptResult> {
    return Promise.resolve().then(() => this.attached().acceptMask(result, options));
  }

  /**
   * Adds a segment (label: default the next free "SAM n") to the SAM segmentation of the active
   * viewport's series, making the segmentation as an accept would when there is none, and makes it
   * active: the next Accept or Propagate writes into it. The panel shows a failure.
   */
  newSegment(options: NewSegmentOptions = {}): Promise<NewSegmentResult> {
    return this.onSegmentTarget('New segment', () => this.attached().newSegment(options));
  }

  /**
   * Renames and/or recolours the segment SAM writes into on the active viewport ({ label, color }):
   * what OHIF lists and the SEG says. The panel shows a failure (an empty name, no segment yet).
   */
  editSegment(edit: SegmentEdit): Promise<void> {
    return this.onSegmentTarget('Renaming the segment', () => this.attached().editSegment(edit));
  }

  /** Runs a change of the target segment; its failure goes to the panel, beside the target, and is thrown. */
  private async onSegmentTarget<T>(what: string, change: () => T | Promise<T>): Promise<T> {
    try {
      const done = await Promise.resolve().then(change);
      if (this.state.segmentTargetError !== undefined) this.update({ segmentTargetError: undefined });
      return done;
    } catch (err) {
      this.update({ segmentTargetError: `${what} failed: ${err instanceof Error ? err.message : String(err)}` });
      throw err;
    }
  }

  /** Undoes the newest accept still applied (OHIF's Undo button also undoes accepts, in history order). */
  undoLastAccept(): UndoneAccept | undefined {
    return this.inViewer?.labelmap.undoLastAccept();
  }

  /** What the user chose for a SEG (series name, creator), completed from the deployment's settings. */
  private segRequest(choice: Partial<SegStoreRequest> = {}): SegStoreRequest {
    const { segSettings } = this.state;
    return {
      seriesDescription: choice.seriesDescription?.trim() || 'SAM segmentation',
      contentCreatorName: (choice.contentCreatorName ?? segSettings.contentCreatorName).trim(),
      encoding: choice.encoding ?? segSettings.encoding,
    };
  }

  /** The SAM segmentation as DICOM SEG bytes, without storing or saving them. */
  exportSeg(choice?: Partial<SegStoreRequest>, target?: SegTarget): Promise<SegExport> {
    return Promise.resolve().then(() => this.attached().labelmap.exportSeg(this.segRequest(choice), target));
  }

  /** Saves the SAM segmentation as a DICOM SEG file (the way out whenever storing cannot be done). */
  async downloadSeg(choice?: Partial<SegStoreRequest>, target?: SegTarget): Promise<SegExport> {
    try {
      const file = await this.attached().labelmap.downloadSeg(this.segRequest(choice), target);
      this.update({ segStore: { state: 'downloaded', fileName: file.fileName } });
      return file;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.warn('[SAM] DICOM SEG download failed:', err);
      this.update({ segStore: { state: 'error', message: `Not saved: ${message}`, reason: 'download' } });
      throw err;
    }
  }

  /**
   * Stores the SAM segmentation as DICOM SEG to the study's data source (STOW-RS); the panel shows
   * how it went, and on a failure says why and offers Download. The segmentation stays as it is.
   */
  async storeSeg(choice?: Partial<SegStoreRequest>, target?: SegTarget): Promise<SegStoreResult> {
    this.update({ segStore: { state: 'storing' } });
    try {
      const result = await this.attached().labelmap.storeSeg(this.segRequest(choice), target);
      const { seriesDescription, sopInstanceUID, dataSource } = result;
      this.update({ segStore: { state: 'stored', seriesDescription, sopInstanceUID, dataSource } });
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const reason = err instanceof SegStoreError ? err.reason : 'not-built';
      this.update({ segStore: { state: 'error', message, reason } });
      throw err;
    }
  }

  /** Sets the coded type (core/dicomSeg/segmentCodes.ts) of the segment SAM writes into on the active viewport. */
  setSegmentType(typeId: string): void {
    this.attached().setSegmentType(typeId);
  }
}
