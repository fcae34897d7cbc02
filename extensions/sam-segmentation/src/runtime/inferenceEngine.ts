/**
 * Models, sessions and embeddings of one inference context, with no worker or DOM APIs: the
 * inference worker wraps it in messages, and the Node tools (benchmark, evaluation) use it directly.
 * One SamModel (one encoder and decoder session) per model id; embeddings in an EmbeddingCache.
 */
import type { ModelEntry, Prompt, SlicePixels, VoiSetting } from '../core';
import type { CleanupOptions, SelectionRule } from '../core';
import { EmbeddingCache, embeddingKey, type EmbeddingCacheOptions, type EmbeddingKeyParts } from './embeddingCache';
import type { Backend, LoadedModelInfo } from './workerMessages';
import { openModel } from './openModel';
import type { DecodeResult, ImageEmbedding, SamModel } from './samModel';

export interface EncodeRequest extends EmbeddingKeyParts {
  slice: SlicePixels;
  voi: VoiSetting;
}

export interface EncodeOutcome {
  /** True when the embedding was already cached (nothing ran). */
  cached: boolean;
  encodeMs: number;
}

export interface DecodeRequest extends EmbeddingKeyParts {
  prompt: Prompt;
  selection?: SelectionRule;
  cleanup?: CleanupOptions;
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

  constructor(cacheOptions: EmbeddingCacheOptions = {}) {
    this.cache = new EmbeddingCache(cacheOptions);
  }

  isLoaded(modelId: string, backend: Backend): boolean {
    return this.models.get(modelId)?.model.backend === backend;
  }

  async loadModel(
    entry: ModelEntry,
    files: { encoder: Uint8Array; decoder: Uint8Array },
    backend: Backend,
  ): Promise<Omit<LoadedModelInfo, 'bytes' | 'loadMs'>> {
    const model = await openModel(entry, files, backend);
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
    await loaded.model.release();
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
    return { cached: false, encodeMs: performance.now() - started };
  }

  async decode(request: DecodeRequest): Promise<DecodeResult & { decodeMs: number; width: number; height: number }> {
    const key = embeddingKey(request);
    const embedding = this.cache.get(key) ?? (this.oversized?.key === key ? this.oversized.embedding : undefined);
    if (!embedding) throw new NotEncodedError(key);
    const started = performance.now();
    const { model, entry } = this.loaded(request.modelId);
    // The request's clean-up, else the model's own default (the manifest's `cleanup`).
    const cleanup = request.cleanup ?? (entry.cleanup ? {} : undefined);
    const result = await model.decode(embedding, request.prompt, {
      ...(request.selection && { selection: request.selection }),
      ...(cleanup && { cleanup }),
    });
    return {
      ...result,
      decodeMs: performance.now() - started,
      width: embedding.imageWidth,
      height: embedding.imageHeight,
    };
  }
}
