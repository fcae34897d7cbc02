/**
 * The extension's one source of truth for SAM state in the viewer: the inference runtime's status
 * (which backend really runs, and why), shown by the panel. Registered with OHIF's services
 * manager as `samService`; components subscribe to its changes.
 */
import { InferenceClient } from '../runtime/inferenceClient';
import { MODELS_FOLDER, assetUrl } from '../runtime/assetUrls';
import { parseModelManifest, type ModelManifest } from '../core/manifest';
import { hostCornerstone, hostCornerstoneTools, type ExtensionManagerLike } from './cornerstoneHost';
import { PromptController } from './prompts/PromptController';
import { SeriesEncodingController, type ViewportServices } from './SeriesEncodingController';
import { imageKey, toSlicePixels, viewportVoi } from './imageToSlice';
import type { CleanupOptions, Prompt, SelectionRule } from '../core';
import type { DecodeAnswer } from '../runtime/inferenceClient';
import type { EmbeddingCacheStats } from '../runtime/embeddingCache';
import { SamLabelmap, type SegTarget, type UndoneAccept } from './labelmap/SamLabelmap';
import { labelmapHost, type CommandsManagerLike } from './labelmap/hostTypes';
import { algorithmNameFor } from './labelmap/samSegmentation';
import type { AcceptOptions, AcceptResult, MaskOnImage } from './labelmap/acceptMask';
import type { SegExport } from './labelmap/segExport';
import type { SegStoreResult } from './labelmap/segStore';

import type { BackendPreference, BackendReport } from '../runtime/workerMessages';
import { parseSettings, type SamSettings, type SamState } from './samState';
import { ViewerViewports } from './viewerViewports';
import { bindPreviewHotkeys } from './previewHotkeys';

export type { ModelChoice, ModelStatus, RuntimeStatus, SamSettings, SamState, SegStoreStatus } from './samState';

/** A decoded mask, with the image and viewport it belongs to. */
export type SegmentResult = DecodeAnswer & { imageId: string; viewportId: string };

/** The viewer around the service; absent in unit tests. */
export interface SamViewer {
  servicesManager: { services: Record<string, unknown> };
  extensionManager: ExtensionManagerLike;
  commandsManager: CommandsManagerLike;
}

type Listener = (state: SamState) => void;

export class SamService {
  static readonly REGISTRATION = {
    name: 'samService',
    altName: 'SamService',
    create: (viewer: SamViewer & { configuration?: unknown }): SamService =>
      new SamService(() => new InferenceClient(), viewer, parseSettings(viewer.configuration)),
  };

  static readonly EVENTS = { STATE_CHANGED: 'event::samService:stateChanged' } as const;

  private state: SamState = {
    backendPreference: 'auto',
    runtime: { state: 'idle' },
    model: { state: 'idle' },
    models: [],
  };
  private readonly listeners = new Set<Listener>();
  private client: InferenceClient | undefined;
  private seriesEncoding: SeriesEncodingController | undefined;
  private prompts: PromptController | undefined;
  private labelmap: SamLabelmap | undefined;
  private promptSubscriptions: Array<{ unsubscribe(): void }> = [];
  private unbindHotkeys: (() => void) | undefined;

  constructor(
    private readonly createClient: () => InferenceClient = () => new InferenceClient(),
    private readonly viewer?: SamViewer,
    private readonly settings: SamSettings = {},
  ) {}

  /** The worker's embedding cache: entries, bytes, budget, hits, misses, evictions. */
  async cacheStats(): Promise<EmbeddingCacheStats> {
    if (!this.client) throw new Error('The inference runtime is not started.');
    return this.client.cacheStats();
  }

  getState(): SamState {
    return this.state;
  }

  subscribe(listener: Listener): { unsubscribe: () => void } {
    this.listeners.add(listener);
    return { unsubscribe: () => void this.listeners.delete(listener) };
  }

  private update(patch: Partial<SamState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /**
   * Starts the inference worker (once), checks which backend runs, then loads the model (the
   * manifest's default unless `modelId` is given). Safe to call again to retry.
   */
  async startRuntime(preference: BackendPreference = 'auto', modelId?: string): Promise<void> {
    this.update({ backendPreference: preference, runtime: { state: 'starting', preference } });
    void this.listModels();
    let report: BackendReport;
    try {
      if (!this.client) {
        this.client = this.createClient();
        const { embeddingCacheMiB } = this.settings;
        if (embeddingCacheMiB !== undefined) await this.client.configureCache(embeddingCacheMiB * 1024 * 1024);
      }
      report = await this.client.probe(preference);
      this.update({ runtime: { state: 'ready', report } });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`[SAM] inference runtime failed to start: ${message}`);
      this.update({ runtime: { state: 'error', message } });
      return;
    }
    await this.loadModel(report.backend, modelId);
  }

  /** Reads the model manifest beside the bundle, for the panel's model choice. */
  private async listModels(): Promise<void> {
    try {
      const response = await fetch(assetUrl(`${MODELS_FOLDER}manifest.json`));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const manifest: ModelManifest = parseModelManifest(await response.json());
      this.update({
        defaultModel: manifest.defaultModel,
        models: manifest.models.map(({ id, name, version, recommendedBackend, segmentAnythingWeights, notes }) => ({
          id,
          name,
          version,
          recommendedBackend,
          segmentAnythingWeights,
          ...(notes && { notes }),
        })),
      });
    } catch (err) {
      console.warn(`[SAM] model list unavailable: ${(err as Error).message}`);
    }
  }

  /** Switches to another model of the manifest (the panel's model choice). */
  async selectModel(modelId: string): Promise<void> {
    const runtime = this.state.runtime;
    if (runtime.state !== 'ready') return this.startRuntime(this.state.backendPreference, modelId);
    await this.loadModel(runtime.report.backend, modelId);
  }

  private async loadModel(backend: BackendReport['backend'], modelId?: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.update({ model: { state: 'loading', ...(modelId && { modelId }), loadedBytes: 0 } });
    try {
      const model = await client.loadModel(backend, modelId, ({ file, loadedBytes, totalBytes }) =>
        this.update({
          model: {
            state: 'loading',
            ...(modelId && { modelId }),
            file,
            loadedBytes,
            ...(totalBytes !== undefined && { totalBytes }),
          },
        }),
      );
      this.update({ model: { state: 'ready', model } });
      this.startSeriesEncoding(client, model.id);
      this.startPrompts();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // A missing or corrupt model is the user's to fix: say it in the panel, not as a page error.
      console.warn(`[SAM] model not loaded: ${message}`);
      this.update({ model: { state: 'error', message } });
    }
  }

  /** Pre-encodes the active viewport's series in the background (needs the viewer's services). */
  private startSeriesEncoding(client: InferenceClient, modelId: string): void {
    this.seriesEncoding?.stop();
    const services = this.viewer?.servicesManager.services as Partial<ViewportServices> | undefined;
    if (!this.viewer || !services?.cornerstoneViewportService || !services.viewportGridService) return;
    this.seriesEncoding = new SeriesEncodingController({
      cornerstone: hostCornerstone(this.viewer.extensionManager),
      services: services as ViewportServices,
      client,
      modelId,
      onProgress: (preEncoding) => {
        if (preEncoding.state === 'error') console.warn(`[SAM] background encoding stopped: ${preEncoding.message}`);
        this.update({ preEncoding });
      },
    });
    this.seriesEncoding.start();
  }

  /**
   * Segments the image shown in a viewport (the active one by default) from a prompt in image
   * pixel coordinates: encodes the slice if its embedding is not cached (ahead of any background
   * work), then decodes. A newer call on the same viewport supersedes this one (CancelledError).
   */
  async segment(
    prompt: Prompt,
    options: { viewportId?: string; cleanup?: CleanupOptions; selection?: SelectionRule } = {},
  ): Promise<SegmentResult> {
    const client = this.client;
    const model = this.state.model;
    if (!client || model.state !== 'ready') throw new Error('No model is loaded yet.');
    const viewports = this.viewports();
    const viewportId = options.viewportId ?? viewports?.activeId();
    const viewport = viewportId ? viewports?.stack(viewportId) : undefined;
    if (!this.viewer || !viewportId || !viewport) {
      throw new Error('Segment Anything works on stack viewports: show an image series in the active viewport.');
    }
    const cornerstone = hostCornerstone(this.viewer.extensionManager);
    const imageId = viewport.getCurrentImageId();
    const { voi, key: preprocessingKey } = viewportVoi(viewport.getProperties().voiRange);
    const key = { modelId: model.model.id, imageKey: imageKey(cornerstone, imageId), preprocessingKey };
    const image = await cornerstone.imageLoader.loadAndCacheImage(imageId);
    await client.encode(key, toSlicePixels(cornerstone, image), voi, { priority: 'interactive' }).done;
    const answer = await client.decode(key, prompt, {
      channel: viewportId,
      ...(options.cleanup && { cleanup: options.cleanup }),
      ...(options.selection && { selection: options.selection }),
    });
    return { ...answer, imageId, viewportId };
  }

  /** The viewer's viewports, when the service runs in a viewer. */
  private viewports(): ViewerViewports | undefined {
    return this.viewer && ViewerViewports.from(this.viewer.servicesManager.services);
  }

  /** Listens to the SAM prompt tools and keeps a live preview (needs the viewer). */
  private startPrompts(): void {
    const viewports = this.viewports();
    if (!this.viewer || !viewports || this.prompts) return;
    this.prompts = new PromptController({
      cornerstone: hostCornerstone(this.viewer.extensionManager),
      cornerstoneTools: hostCornerstoneTools(this.viewer.extensionManager),
      activeViewportSupported: () => viewports.activeStack() !== undefined,
      viewportFor: (imageId) => {
        const active = viewports.activeStack();
        return active?.getCurrentImageId() === imageId ? active : undefined;
      },
      segment: (prompt, viewportId, selection) => this.segment(prompt, { viewportId, ...(selection && { selection }) }),
      onPreview: (preview) =>
        this.update({
          promptError: undefined,
          preview: preview && {
            prompt: preview.prompt,
            candidates: preview.result.candidates,
            chosenIndex: preview.result.chosenIndex,
            decodeMs: preview.result.decodeMs,
            decoderRunMs: preview.result.decoderRunMs,
            imageId: preview.result.imageId,
          },
        }),
      onError: (message) => this.update({ promptError: message }),
    });
    this.prompts.start();
    // Fast clicks need their listeners before the first click on a viewport.
    const watchActive = () => {
      const viewport = viewports.activeStack();
      if (viewport) this.prompts?.watch(viewport);
    };
    this.promptSubscriptions = [viewports.onActiveChange(watchActive)];
    watchActive();
    this.unbindHotkeys = bindPreviewHotkeys({
      hasPreview: () => this.state.preview !== undefined,
      accept: () => void this.acceptPreview(),
      reject: () => this.rejectPreview(),
    });
  }

  /** Shows another candidate mask of the current prompt. */
  chooseCandidate(index: number): Promise<void> {
    return this.prompts?.chooseCandidate(index) ?? Promise.resolve();
  }

  /**
   * Writes the preview into the active segment of the series' SAM labelmap (Enter): the user's
   * action, the only way SAM voxels reach a segmentation. Other segments' voxels are kept.
   */
  async acceptPreview(): Promise<AcceptResult | undefined> {
    // Accept what the newest prompt gives, not an older answer still on screen.
    await this.prompts?.settled();
    const preview = this.prompts?.preview;
    if (!preview) return undefined;
    try {
      const result = await this.acceptMask(preview.result);
      this.prompts?.clear(preview.result.imageId);
      this.update({ lastAccept: result });
      return result;
    } catch (err) {
      this.update({ promptError: `Not accepted: ${err instanceof Error ? err.message : String(err)}` });
      return undefined;
    }
  }

  /** Discards the preview and the SAM prompts on its image (Esc). */
  rejectPreview(): void {
    this.prompts?.clear();
  }

  /** Removes every SAM prompt on the image shown in the active viewport, with or without a preview. */
  clearPrompts(): void {
    const imageId = this.activeImageId();
    if (imageId) this.prompts?.clear(imageId);
  }

  /**
   * Turns the measurements on the active image (rectangles and ellipses as a box, lengths as their
   * bounding box, probes and arrows as include points) into prompts, or stops doing so.
   */
  async useMeasurementsAsPrompts(include: boolean): Promise<void> {
    const imageId = this.activeImageId();
    this.update({ measurementsAsPrompts: include });
    if (imageId) await this.prompts?.useMeasurements(include, imageId);
  }

  private activeImageId(): string | undefined {
    return this.viewports()?.activeStack()?.getCurrentImageId();
  }

  private samLabelmap(): SamLabelmap {
    if (!this.viewer) throw new Error('Accepting masks needs the viewer.');
    return (this.labelmap ??= new SamLabelmap(labelmapHost(this.viewer)));
  }

  /** The SegmentAlgorithmName of the loaded model: its name and version (see algorithmNameFor). */
  private algorithmName(): string | undefined {
    const model = this.state.model;
    if (model.state !== 'ready') return undefined;
    const version = this.state.models.find((m) => m.id === model.model.id)?.version;
    return algorithmNameFor({ name: model.model.name, ...(version && { version }) });
  }

  /** Writes a mask (a segment() result) into the active segment of its series' SAM labelmap segmentation. */
  acceptMask(result: MaskOnImage, options: Partial<AcceptOptions> = {}): Promise<AcceptResult> {
    const algorithmName = options.algorithmName ?? this.algorithmName();
    if (!algorithmName) return Promise.reject(new Error('No model is loaded: which algorithm made this mask?'));
    return Promise.resolve().then(() => this.samLabelmap().accept(result, { ...options, algorithmName }));
  }

  /** Undoes the newest accept still applied (OHIF's Undo button also undoes accepts, in history order). */
  undoLastAccept(): UndoneAccept | undefined {
    return this.labelmap?.undoLastAccept();
  }

  /** The SAM segmentation as DICOM SEG bytes (OHIF's generateSegmentation), without a dialog. */
  exportSeg(target?: SegTarget): Promise<SegExport> {
    return Promise.resolve().then(() => this.samLabelmap().exportSeg(target));
  }

  /** OHIF's download of the SAM segmentation as a DICOM SEG file. */
  downloadSeg(target?: SegTarget): Promise<void> {
    return Promise.resolve().then(() => this.samLabelmap().downloadSeg(target));
  }

  /**
   * Stores the SAM segmentation as DICOM SEG to the data source through OHIF's Store Segmentation
   * (its dialog names the series); the panel shows how it went.
   */
  async storeSeg(target?: SegTarget): Promise<SegStoreResult> {
    this.update({ segStore: { state: 'storing' } });
    try {
      const result = await this.samLabelmap().storeSeg(target);
      this.update({
        segStore: result.stored
          ? { state: 'stored', seriesDescription: result.seriesDescription, sopInstanceUID: result.sopInstanceUID }
          : { state: 'cancelled' },
      });
      return result;
    } catch (err) {
      this.update({ segStore: { state: 'error', message: err instanceof Error ? err.message : String(err) } });
      throw err;
    }
  }

  /** Stops the worker; called when the mode is left. */
  stopRuntime(): void {
    this.unbindHotkeys?.();
    this.unbindHotkeys = undefined;
    this.labelmap?.dispose();
    this.labelmap = undefined;
    for (const s of this.promptSubscriptions) s.unsubscribe();
    this.promptSubscriptions = [];
    this.prompts?.stop();
    this.prompts = undefined;
    this.seriesEncoding?.stop();
    this.seriesEncoding = undefined;
    this.client?.terminate();
    this.client = undefined;
    this.update({ runtime: { state: 'idle' }, model: { state: 'idle' }, preEncoding: undefined, preview: undefined });
  }
}
