/**
 * The propagation walk (propagateSeries.ts) in one thread, over an InferenceEngine: what the worker
 * does, without the worker. The evaluation and the Node tests propagate through this, so they walk a
 * volume exactly as the viewer walks a series.
 */
import { embeddingKey, type EmbeddingKeyParts } from '../embeddingCache';
import type { InferenceEngine } from '../inferenceEngine';
import type { ImageSource } from '../runtimeSession';
import type { PropagationSettings, PropagationStep } from './propagationEngine';
import { seedImageToEncode, type PropagationRuntime } from './propagateSeries';

export class EngineRuntime implements PropagationRuntime {
  private nextRun = 1;

  constructor(
    private readonly engine: InferenceEngine,
    private readonly modelId: string,
  ) {}

  private key(image: ImageSource): EmbeddingKeyParts {
    return { modelId: this.modelId, imageKey: image.imageKey, preprocessingKey: image.preprocessingKey };
  }

  async startPropagation(
    seed: { mask: Uint8Array; width: number; height: number },
    settings: PropagationSettings,
    seedDecode?: { session: string; decodeId: number },
    seedImage?: ImageSource,
  ): Promise<string> {
    const run = `local${this.nextRun++}`;
    const entry = this.engine.entry(this.modelId);
    const toEncode = seedImageToEncode(entry, seedImage);
    if (toEncode) await this.encode(toEncode);
    const seedKey = toEncode && this.key(toEncode);
    this.engine.startPropagation(run, this.modelId, seed, settings, seedDecode, seedKey);
    return run;
  }

  async propagateStep(run: string, image: ImageSource): Promise<PropagationStep> {
    await this.encode(image);
    return this.engine.propagateStep(run, this.key(image));
  }

  endPropagation(run: string): void {
    this.engine.endPropagation(run);
  }

  /** Encodes the image unless its embedding is cached. */
  async encode(image: ImageSource): Promise<void> {
    const key = this.key(image);
    if (this.engine.cache.has(embeddingKey(key))) return;
    await this.engine.encode({ ...key, slice: await image.pixels(), voi: image.voi });
  }
}
