/**
 * Models, sessions and embeddings of one inference context, with no worker or DOM APIs: the
 * inference worker wraps it in messages, and the Node tools (benchmark, evaluation) use it directly.
 * One SamModel (one encoder and decoder session) per model id; embeddings in an EmbeddingCache.
 */
import type { ModelEntry, Prompt, SlicePixels, VoiSetting } from '../core';
import type { CleanupOptions, SelectionRule } from '../core';
import { EmbeddingCache, embeddingKey, type EmbeddingCacheOptions, type EmbeddingKeyParts } from './embeddingCache';
import type { Backend, LoadedModelInfo } from './workerMessages';
import { DecodeRecords } from './decodeRecords';
import {
  createPropagationEngine,
  type PropagationEngine,
  type PropagationSeed,
  type PropagationSettings,
  type PropagationStep,
} from './propagation/propagationEngine';
import { openModel, type ModelBytes } from './openModel';
import type { OrtRuntime } from './ortRuntime';
import type { DecodeResult, ImageEmbedding, SamModel } from './samModel';

export interface EncodeRequest extends EmbeddingKeyParts {
  slice: SlicePixels;
  voi: VoiSetting;
}

export interface EncodeOutcome {
  /** True when the embedding was already cached (nothing ran). */
  cached: boolean;
  encodeMs: number;
  /** The encoder saw the image with another window than asked, and why. */
  windowNote?: string;
}

export interface DecodeRequest extends EmbeddingKeyParts {
  prompt: Prompt;
  selection?: SelectionRule;
  cleanup?: CleanupOptions;
  /**
   * Keep this decode's candidates in the worker under a prompting session (a viewport), as `decodeId`,
   * so that a later prompt can refine it and another candidate can be shown without a decoder run.
   */
  session?: { id: string; decodeId: number; refineFrom?: number };
}

export interface EngineDecodeResult extends DecodeResult {
  decodeMs: number;
  width: number;
  height: number;
  /** True when the session's earlier decode (`refineFrom`) was fed back as the mask input. */
  refined: boolean;
  /** The image was encoded with another window than asked, and why (the embedding's windowNote). */
  windowNote?: string;
}

export interface PickedCandidate {
  mask: Uint8Array;
  width: number;
  height: number;
  chosenIndex: number;
}

export class NotEncodedError extends Error {
  constructor(key: string) {
    super(`No embedding for ${key}: encode the image first.`);
    this.name = 'NotEncodedError';
  }
}

export class InferenceEngine {
  private readonly models = new Map<string, { model: SamModel; entry: ModelEntry }>();
  /** An embedding too large for the cache's budget, kept so that its image can still be prompted. */
  private oversized: { key: string; embedding: ImageEmbedding } | undefined;
  cache: EmbeddingCache;
  readonly records = new DecodeRecords();
  /** Propagation runs under way, by the run id the main thread gave. */
  private readonly runs = new Map<string, { engine: PropagationEngine; modelId: string }>();

  constructor(cacheOptions: EmbeddingCacheOptions = {}) {
    this.cache = new EmbeddingCache(cacheOptions);
  }

  isLoaded(modelId: string, backend: Backend): boolean {
    return this.models.get(modelId)?.model.backend === backend;
  }

  async loadModel(
    entry: ModelEntry,
    files: ModelBytes,
    backend: Backend,
    /** onnxruntime-web unless given (the Node tools give onnxruntime-node). */
    runtime?: OrtRuntime,
  ): Promise<Omit<LoadedModelInfo, 'bytes' | 'loadMs'>> {
    const model = await openModel(entry, files, backend, runtime);
    await this.unloadModel(entry.id);
    this.models.set(entry.id, { model, entry });
    return this.describe(entry.id);
  }

  describe(modelId: string): Omit<LoadedModelInfo, 'bytes' | 'loadMs'> {
    const { model, entry } = this.loaded(modelId);
    return {
      id: entry.id,
      name: entry.name,
      family: entry.family,
      segmentAnythingWeights: entry.segmentAnythingWeights,
      backend: model.backend,
    };
  }

  async unloadModel(modelId: string): Promise<void> {
    const loaded = this.models.get(modelId);
    if (!loaded) return;
    this.models.delete(modelId);
    this.cache.deleteModel(modelId);
    this.records.releaseModel(modelId);
    for (const [run, { modelId: of }] of this.runs) if (of === modelId) this.runs.delete(run);
    await loaded.model.release();
  }

  /** A loaded model's manifest entry. */
  entry(modelId: string): ModelEntry {
    return this.loaded(modelId).entry;
  }

  /** A loaded model itself, for callers that decode without the engine's cache (the 2D evaluation). */
  samModel(modelId: string): SamModel {
    return this.loaded(modelId).model;
  }

  private loaded(modelId: string) {
    const loaded = this.models.get(modelId);
    if (!loaded) throw new Error(`Model ${modelId} is not loaded.`);
    return loaded;
  }

  /**
   * Runs the model once on a small blank image, caching nothing. On WebGPU the first run compiles
   * every shader (about 30 s for SAM ViT-B on an H100); done when the model loads, no click waits for it.
   */
  async warmUp(modelId: string): Promise<number> {
    const started = performance.now();
    const { model } = this.loaded(modelId);
    const size = 64;
    const slice: SlicePixels = {
      values: new Uint8Array(size * size),
      rows: size,
      columns: size,
      samplesPerPixel: 1,
      photometricInterpretation: 'MONOCHROME2',
    };
    const embedding = await model.encode(slice, { kind: 'window', center: 128, width: 256 });
    await model.decode(embedding, { points: [{ x: size / 2, y: size / 2, label: 'include' }] });
    return performance.now() - started;
  }

  async encode(request: EncodeRequest): Promise<EncodeOutcome> {
    const key = embeddingKey(request);
    if (this.cache.has(key) || this.oversized?.key === key) return { cached: true, encodeMs: 0 };
    const started = performance.now();
    const embedding = await this.loaded(request.modelId).model.encode(request.slice, request.voi);
    this.oversized = this.cache.set(key, embedding) ? undefined : { key, embedding };
    const { windowNote } = embedding;
    return { cached: false, encodeMs: performance.now() - started, ...(windowNote && { windowNote }) };
  }

  private embedding(key: string): ImageEmbedding {
    const embedding = this.cache.get(key) ?? (this.oversized?.key === key ? this.oversized.embedding : undefined);
    if (!embedding) throw new NotEncodedError(key);
    return embedding;
  }

  async decode(request: DecodeRequest): Promise<EngineDecodeResult> {
    const key = embeddingKey(request);
    const embedding = this.embedding(key);
    const started = performance.now();
    const { model, entry } = this.loaded(request.modelId);
    const { session } = request;
    // Refine: the session's earlier decode on this same embedding gives its chosen candidate's logits.
    const earlier = session?.refineFrom === undefined ? undefined : this.records.get(session.id, session.refineFrom);
    const refinedFrom = earlier?.embeddingKey === key ? earlier : undefined;
    const previous = refinedFrom?.candidates.find((c) => c.index === refinedFrom.chosenIndex);
    const prompt = previous ? { ...request.prompt, previousMask: previous.lowResLogits } : request.prompt;
    // The request's clean-up, else the model's own default (the manifest's `cleanup`).
    const cleanup = request.cleanup ?? (entry.cleanup ? {} : undefined);
    const result = await model.decode(embedding, prompt, {
      ...(request.selection && { selection: request.selection }),
      ...(cleanup && { cleanup }),
    });
    const width = embedding.imageWidth;
    const height = embedding.imageHeight;
    if (session) {
      this.records.put(session.id, {
        decodeId: session.decodeId,
        embeddingKey: key,
        modelId: request.modelId,
        prompt: { points: request.prompt.points, ...(request.prompt.box && { box: request.prompt.box }) },
        ...(cleanup && { cleanup }),
        candidates: result.candidates,
        chosenIndex: result.chosen.index,
        width,
        height,
      });
    }
    const { windowNote } = embedding;
    return {
      ...result,
      decodeMs: performance.now() - started,
      width,
      height,
      refined: previous !== undefined,
      ...(windowNote && { windowNote }),
    };
  }

  /**
   * Another candidate of a session's decode, as a mask: no decoder run. The pick becomes the
   * decode's chosen candidate, so a refinement from it feeds back the candidate the user sees.
   */
  pickCandidate(sessionId: string, decodeId: number, index: number): PickedCandidate {
    const record = this.records.get(sessionId, decodeId);
    if (!record) throw new Error(`Decode ${decodeId} of ${sessionId} is no longer kept: prompt again.`);
    const candidate = record.candidates.find((c) => c.index === index);
    if (!candidate) {
      const known = record.candidates.map((c) => c.index).join(', ');
      throw new Error(`Decode ${decodeId} has no candidate ${index}; its candidates: ${known}.`);
    }
    const { model } = this.loaded(record.modelId);
    const mask = model.candidateMask(record.width, record.height, candidate, record.prompt, record.cleanup);
    record.chosenIndex = index;
    return { mask, width: record.width, height: record.height, chosenIndex: index };
  }

  /**
   * Starts propagating `seed` (the start slice's mask) through a series with the model's engine. With
   * `seedDecode`, the seed is that kept decode's preview, and its logits come along for the engine;
   * with `seedKey`, the start slice's embedding (it must be cached) goes to engines that need it.
   */
  startPropagation(
    run: string,
    modelId: string,
    seed: PropagationSeed,
    settings: PropagationSettings,
    seedDecode?: { session: string; decodeId: number },
    seedKey?: EmbeddingKeyParts,
  ): void {
    const { model, entry } = this.loaded(modelId);
    const record = seedDecode && this.records.get(seedDecode.session, seedDecode.decodeId);
    const lowResLogits = record?.candidates.find((c) => c.index === record.chosenIndex)?.lowResLogits;
    const engine = createPropagationEngine({
      model,
      seed: { ...seed, ...(lowResLogits && { lowResLogits }) },
      settings,
      ...(entry.cleanup && { cleanup: {} }),
      ...(seedKey && { seedEmbedding: this.embedding(embeddingKey(seedKey)) }),
    });
    this.runs.set(run, { engine, modelId });
  }

  /** The run's next slice (a NotEncodedError when its embedding is not cached). */
  propagateStep(run: string, key: EmbeddingKeyParts): Promise<PropagationStep> {
    const started = this.runs.get(run);
    if (!started) throw new Error(`Propagation ${run} is not running (it ended, or its model was unloaded).`);
    if (started.modelId !== key.modelId)
      throw new Error(`Propagation ${run} runs ${started.modelId}, not ${key.modelId}.`);
    return started.engine.step(this.embedding(embeddingKey(key)));
  }

  endPropagation(run: string): void {
    this.runs.delete(run);
  }
}
