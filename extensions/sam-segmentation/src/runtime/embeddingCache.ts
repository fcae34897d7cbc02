/**
 * Image embeddings by image and preprocessing, in memory, least recently used first out, within a
 * byte budget. Embeddings are kept as float16 by default (half the memory; the masks they give are
 * the same, see test/unit/runtime/embeddingCache.test.ts). Lives in the inference worker, next to
 * the sessions: the main thread never holds an embedding.
 */
import { float16ToFloat32, float32ToFloat16 } from './float16';
import type { ImageEmbedding } from './samModel';

export interface EmbeddingKeyParts {
  modelId: string;
  /** The image: SOP Instance UID (or image id) and frame number. */
  imageKey: string;
  /** Everything of the preprocessing that changes the input tensor, e.g. the VOI window. */
  preprocessingKey: string;
}

export function embeddingKey({ modelId, imageKey, preprocessingKey }: EmbeddingKeyParts): string {
  return `${modelId}|${imageKey}|${preprocessingKey}`;
}

export interface EmbeddingCacheOptions {
  /** Memory the cache may use, in bytes. Default: 768 MiB, a 300-slice CT with SAM ViT-B in float16. */
  budgetBytes?: number;
  /** Store as float16 (default true). */
  float16?: boolean;
}

export const DEFAULT_EMBEDDING_BUDGET_BYTES = 768 * 1024 * 1024;

interface StoredTensor {
  data: Float32Array | Uint16Array;
  dims: number[];
}

/** An embedding as kept: its tensors perhaps as float16, everything else as given. */
interface Entry extends Omit<ImageEmbedding, 'tensors'> {
  tensors: Record<string, StoredTensor>;
  bytes: number;
}

export interface EmbeddingCacheStats {
  entries: number;
  bytes: number;
  budgetBytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

export class EmbeddingCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = recency order
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  /** The last embedding handed out, as float32: consecutive prompts on one slice skip the unpacking. */
  private hot: { key: string; embedding: ImageEmbedding } | undefined;
  readonly budgetBytes: number;
  private readonly float16: boolean;

  constructor(options: EmbeddingCacheOptions = {}) {
    this.budgetBytes = options.budgetBytes ?? DEFAULT_EMBEDDING_BUDGET_BYTES;
    if (!(this.budgetBytes >= 0)) throw new Error(`Embedding cache budget must be ≥ 0 bytes, got ${this.budgetBytes}.`);
    this.float16 = options.float16 ?? true;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): ImageEmbedding | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry); // most recently used
    if (this.hot?.key === key) return this.hot.embedding;
    const { tensors: stored, bytes: _bytes, ...rest } = entry;
    const tensors: ImageEmbedding['tensors'] = {};
    for (const [name, t] of Object.entries(stored)) {
      tensors[name] = { data: t.data instanceof Uint16Array ? float16ToFloat32(t.data) : t.data, dims: t.dims };
    }
    const embedding: ImageEmbedding = { ...rest, tensors };
    this.hot = { key, embedding };
    return embedding;
  }

  /** Stores an embedding; returns false when it alone exceeds the budget (then nothing is stored). */
  set(key: string, embedding: ImageEmbedding): boolean {
    this.delete(key);
    const tensors: Record<string, StoredTensor> = {};
    let bytes = 0;
    for (const [name, t] of Object.entries(embedding.tensors)) {
      const data = this.float16 ? float32ToFloat16(t.data) : t.data;
      tensors[name] = { data, dims: t.dims };
      bytes += data.byteLength;
    }
    if (bytes > this.budgetBytes) return false;
    while (this.bytes + bytes > this.budgetBytes) this.evictOldest();
    const { tensors: _given, ...rest } = embedding;
    this.entries.set(key, { ...rest, tensors, bytes });
    this.bytes += bytes;
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    if (this.hot?.key === key) this.hot = undefined;
  }

  /** Drops every embedding of a model (e.g. when the model is unloaded). */
  deleteModel(modelId: string): void {
    for (const [key, entry] of this.entries) if (entry.modelId === modelId) this.delete(key);
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (oldest.done) return;
    this.delete(oldest.value);
    this.evictions++;
  }

  stats(): EmbeddingCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      budgetBytes: this.budgetBytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }
}
