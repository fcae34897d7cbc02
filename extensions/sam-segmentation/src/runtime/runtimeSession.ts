/**
 * The inference runtime as the viewer holds it, on the main thread: the worker (one per page), the
 * backend it really runs and why, the model manifest (read once) and the model loaded from it, and
 * which images the worker has embeddings for, so that a decode sends pixels only when the worker
 * lacks the embedding. No OHIF here: the viewer glue passes images as ImageSources.
 */
import {
  findModel,
  parseModelManifest,
  type ModelEntry,
  type ModelManifest,
  type Prompt,
  type SelectionRule,
  type SlicePixels,
  type VoiSetting,
} from '../core';
import { MODELS_FOLDER, assetUrl } from './assetUrls';
import { CancelledError } from './cancellation';
import { embeddingKey, type EmbeddingCacheStats, type EmbeddingKeyParts } from './embeddingCache';
import {
  InferenceClient,
  type DecodeAnswer,
  type EncodeAnswer,
  type PickAnswer,
  type PropagateStepAnswer,
} from './inferenceClient';
import type { PropagationSettings } from './propagation/propagationEngine';
import { seedImageToEncode } from './propagation/propagateSeries';
import type { Priority } from './requestQueue';
import type { Backend, BackendPreference, BackendReport, LoadedModelInfo } from './workerMessages';

export type RuntimeStatus =
  | { state: 'idle' }
  | { state: 'starting'; preference: BackendPreference }
  | { state: 'ready'; report: BackendReport }
  | { state: 'error'; message: string };

export type ModelStatus =
  | { state: 'idle' }
  | { state: 'loading'; modelId?: string; file?: string; loadedBytes: number; totalBytes?: number }
  | { state: 'ready'; model: LoadedModelInfo }
  | { state: 'error'; message: string };

/** A model the user can choose, from the manifest beside the bundle. */
export interface ModelChoice {
  id: string;
  name: string;
  recommendedBackend: 'webgpu' | 'wasm' | 'any';
  segmentAnythingWeights: boolean;
  version: string;
  notes?: string;
}

export interface RuntimeState {
  /** The backend the user asked for; `runtime` says which one really runs. */
  backendPreference: BackendPreference;
  runtime: RuntimeStatus;
  model: ModelStatus;
  /** Models of the manifest, and the default. */
  models: ModelChoice[];
  defaultModel?: string;
}

/** An image as the runtime needs it: its embedding's identity, and its pixels on demand. */
export interface ImageSource {
  /** The image's identity for the embedding cache: SOP Instance UID and frame, stable across URLs. */
  imageKey: string;
  /** Everything of the preprocessing that changes the input tensor (the VOI window). */
  preprocessingKey: string;
  voi: VoiSetting;
  /** Set when the model sees the image otherwise than the display shows it (and why), for the panel. */
  note?: string;
  /** Loads the pixels; called only when the worker has no embedding for this image. */
  pixels(): Promise<SlicePixels>;
}

export class ModelNotReadyError extends Error {
  constructor() {
    super('No model is loaded yet: wait for the panel to say the model is ready.');
    this.name = 'ModelNotReadyError';
  }
}

export interface RuntimeSessionDeps {
  onChange(patch: Partial<RuntimeState>): void;
  createClient?: () => InferenceClient;
  /** Embedding cache budget (the deployment's `embeddingCacheMiB`), in bytes. */
  cacheBudgetBytes?: number;
  readManifest?: () => Promise<ModelManifest>;
}

async function fetchManifest(): Promise<ModelManifest> {
  const url = assetUrl(`${MODELS_FOLDER}manifest.json`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The model manifest is not at ${url} (HTTP ${response.status}).`);
  return parseModelManifest(await response.json());
}

export class RuntimeSession {
  private client: InferenceClient | undefined;
  private manifest: Promise<ModelManifest> | undefined;
  private ready: { entry: ModelEntry; info: LoadedModelInfo } | undefined;
  /** Embedding keys the worker answered an encode for (it may have evicted some since: a decode then says so). */
  private readonly encoded = new Set<string>();
  /** Encodes on their way, so that a second request for the same image waits for the first. */
  private readonly encoding = new Map<string, Promise<EncodeAnswer>>();
  private nextRun = 1;
  private preference: BackendPreference = 'auto';
  /** The backend the probe found, once the runtime is ready. */
  private backend: Backend | undefined;

  constructor(private readonly deps: RuntimeSessionDeps) {}

  /**
   * Starts the worker (once), checks which backend runs, then loads the model (the manifest's
   * default unless `modelId` is given). Safe to call again: to retry, or with another backend.
   */
  async start(preference: BackendPreference = 'auto', modelId?: string): Promise<void> {
    this.preference = preference;
    this.deps.onChange({ backendPreference: preference, runtime: { state: 'starting', preference } });
    void this.listModels();
    let report: BackendReport;
    try {
      if (!this.client) {
        this.client = (this.deps.createClient ?? (() => new InferenceClient()))();
        if (this.deps.cacheBudgetBytes !== undefined) await this.client.configureCache(this.deps.cacheBudgetBytes);
      }
      this.backend = undefined;
      report = await this.client.probe(preference);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`[SAM] inference runtime failed to start: ${message}`);
      this.deps.onChange({ runtime: { state: 'error', message } });
      return;
    }
    this.backend = report.backend;
    this.deps.onChange({ runtime: { state: 'ready', report } });
    await this.loadModel(report.backend, modelId);
  }

  /** Switches to another model of the manifest (the panel's model choice). */
  async selectModel(modelId: string): Promise<void> {
    if (!this.client || !this.backend) return this.start(this.preference, modelId);
    await this.loadModel(this.backend, modelId);
  }

  private readManifest(): Promise<ModelManifest> {
    // Read once; a failed read is tried again next time.
    this.manifest ??= (this.deps.readManifest ?? fetchManifest)().catch((err) => {
      this.manifest = undefined;
      throw err;
    });
    return this.manifest;
  }

  private async listModels(): Promise<void> {
    try {
      const manifest = await this.readManifest();
      this.deps.onChange({
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

  private async loadModel(backend: Backend, modelId?: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.ready = undefined;
    this.encoded.clear();
    this.encoding.clear();
    const loading = (p: { file?: string; loadedBytes: number; totalBytes?: number } = { loadedBytes: 0 }) =>
      this.deps.onChange({ model: { state: 'loading', ...(modelId && { modelId }), ...p } });
    loading();
    try {
      const manifest = await this.readManifest();
      const entry = findModel(manifest, modelId ?? manifest.defaultModel);
      const info = await client.loadModel(entry, backend, ({ file, loadedBytes, totalBytes }) =>
        loading({ file, loadedBytes, ...(totalBytes !== undefined && { totalBytes }) }),
      );
      this.ready = { entry, info };
      this.deps.onChange({ model: { state: 'ready', model: info } });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // A missing or corrupt model is the user's to fix: say it in the panel, not as a page error.
      console.warn(`[SAM] model not loaded: ${message}`);
      this.deps.onChange({ model: { state: 'error', message } });
    }
  }

  /** The loaded model's manifest entry, once it is ready. */
  get model(): ModelEntry | undefined {
    return this.ready?.entry;
  }

  private readyClient(): { client: InferenceClient; entry: ModelEntry } {
    if (!this.client || !this.ready) throw new ModelNotReadyError();
    return { client: this.client, entry: this.ready.entry };
  }

  private keyOf(image: ImageSource, modelId: string): EmbeddingKeyParts {
    return { modelId, imageKey: image.imageKey, preprocessingKey: image.preprocessingKey };
  }

  /**
   * Encodes an image into the worker's embedding cache (nothing runs when it is already there). An
   * abort of `signal` cancels the request if it has not started; the promise then rejects with
   * CancelledError. A request for an image already being encoded waits for that encode; one for an
   * image the worker is known to have answers `cached` at once.
   */
  async encode(
    image: ImageSource,
    options: { priority?: Priority; group?: string; signal?: AbortSignal } = {},
  ): Promise<EncodeAnswer> {
    const { entry } = this.readyClient();
    const known = embeddingKey(this.keyOf(image, entry.id));
    // Known to be there: no pixels to load and send (if the worker evicted it since, a decode says so).
    if (this.encoded.has(known)) return { id: 0, type: 'encode', ok: true, cached: true, encodeMs: 0 };
    const under = this.encoding.get(known);
    if (under) {
      // Waits for the encode under way; if that one was cancelled (a series' pre-encoding left behind), asks again.
      return under.catch((err: unknown) => {
        if (err instanceof CancelledError && !options.signal?.aborted) return this.encode(image, options);
        throw err;
      });
    }
    const done = this.sendEncode(image, options).finally(() => this.encoding.delete(known));
    this.encoding.set(known, done);
    return done;
  }

  private async sendEncode(
    image: ImageSource,
    options: { priority?: Priority; group?: string; signal?: AbortSignal },
  ): Promise<EncodeAnswer> {
    const { client, entry } = this.readyClient();
    const key = this.keyOf(image, entry.id);
    const pixels = await image.pixels();
    if (options.signal?.aborted) throw new CancelledError();
    const request = client.encode(key, pixels, image.voi, {
      priority: options.priority ?? 'interactive',
      ...(options.group && { group: options.group }),
    });
    const onAbort = () => client.cancel([request.id]);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const answer = await request.done;
      this.encoded.add(embeddingKey(key));
      return answer;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Encodes `image` unless the worker is known to have its embedding. */
  private async ensureEncoded(image: ImageSource, modelId: string): Promise<string> {
    await this.encode(image);
    return embeddingKey(this.keyOf(image, modelId));
  }

  /** Runs `request` on an encoded image; encodes it again, once, if the worker evicted it meanwhile. */
  private async onEncoded<T>(image: ImageSource, request: (key: EmbeddingKeyParts) => Promise<T>): Promise<T> {
    const { entry } = this.readyClient();
    const key = this.keyOf(image, entry.id);
    const known = await this.ensureEncoded(image, entry.id);
    try {
      return await request(key);
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'NotEncodedError') throw err;
      this.encoded.delete(known);
      await this.encode(image);
      return request(key);
    }
  }

  /** Cancels every queued encode of a group (a series' pre-encoding when the series changes). */
  cancelGroup(group: string): void {
    this.client?.cancelGroup(group);
  }

  /**
   * Decodes a prompt on an image, encoding it first only when the worker lacks its embedding (the
   * pixels cross to the worker only then). With a `session`, the worker keeps the decode for
   * refinement (`refineFrom`) and candidate picks.
   */
  async decode(
    image: ImageSource,
    prompt: Prompt,
    options: { session?: string; refineFrom?: number; selection?: SelectionRule } = {},
  ): Promise<DecodeAnswer> {
    const { client } = this.readyClient();
    return this.onEncoded(image, (key) => client.decode(key, prompt, options).done);
  }

  /**
   * Starts propagating a mask through a series with the loaded model's engine; returns the run's id.
   * `seedDecode`: the mask is that kept decode's preview (its logits go along in the worker).
   */
  async startPropagation(
    seed: { mask: Uint8Array; width: number; height: number },
    settings: PropagationSettings,
    seedDecode?: { session: string; decodeId: number },
    seedImage?: ImageSource,
  ): Promise<string> {
    const { client, entry } = this.readyClient();
    const run = `run${this.nextRun++}`;
    const start = (seedKey?: EmbeddingKeyParts) =>
      client.startPropagation(run, entry.id, seed, settings, seedDecode, seedKey);
    // SAM 2's memory starts from the start slice's features: that slice is encoded first.
    const toEncode = seedImageToEncode(entry, seedImage);
    if (toEncode) await this.onEncoded(toEncode, start);
    else await start();
    return run;
  }

  /** The run's mask on `image`, the next slice in its direction (encoded first if the worker lacks it). */
  propagateStep(run: string, image: ImageSource): Promise<PropagateStepAnswer> {
    const { client } = this.readyClient();
    return this.onEncoded(image, (key) => client.propagateStep(run, key));
  }

  endPropagation(run: string): void {
    this.client?.endPropagation(run);
  }

  pickCandidate(session: string, decodeId: number, index: number): Promise<PickAnswer> {
    return this.readyClient().client.pickCandidate(session, decodeId, index);
  }

  releaseSession(session: string): void {
    this.client?.releaseSession(session);
  }

  cacheStats(): Promise<EmbeddingCacheStats> {
    if (!this.client) return Promise.reject(new Error('The inference runtime is not started.'));
    return this.client.cacheStats();
  }

  /** Stops the worker (the mode was left). */
  stop(): void {
    this.client?.terminate();
    this.client = undefined;
    this.ready = undefined;
    this.backend = undefined;
    this.encoded.clear();
    this.encoding.clear();
    this.deps.onChange({ runtime: { state: 'idle' }, model: { state: 'idle' } });
  }
}
