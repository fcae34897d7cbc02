/**
 * Propagation with SAM 2's memory (the family's `propagation.memory`): the start slice's features and
 * mask become the conditioning memory; on each next slice memory attention conditions its features
 * on the bank (the conditioning memory and the last few slices', newest first), the image decoder
 * decodes them with no prompt (a padding point), the candidate that best continues the previous mask
 * is kept (SAM 2 tracks with multimask output and keeps the most confident), and that slice's
 * features and mask join the bank. The same stop rules as re-prompting end a direction.
 */
import {
  ModelFrame,
  MemoryBank,
  binaryMaskForMemory,
  chooseContinuation,
  logitsForMemory,
  stopReason,
  type ScoredMask,
} from '../../core';
import type { ImageEmbedding } from '../samModel';
import type { MemoryModules } from './memoryModules';
import type { EngineContext, PropagationEngine, PropagationStep } from './propagationEngine';
import { stepAnswer } from './stepAnswer';

export class MemoryEngine implements PropagationEngine {
  private readonly memory: MemoryModules;
  private readonly seedEmbedding: ImageEmbedding;
  private bank: MemoryBank | undefined;
  private previous: Uint8Array;

  constructor(private readonly context: EngineContext) {
    const { model, seedEmbedding } = context;
    if (!model.memory)
      throw new Error(`${model.description.id} has no memory modules: it cannot propagate with memory.`);
    if (!seedEmbedding) throw new Error("Memory propagation needs the start slice's embedding.");
    this.memory = model.memory;
    this.seedEmbedding = seedEmbedding;
    this.previous = context.seed.mask;
  }

  private features(embedding: ImageEmbedding): Float32Array {
    const name = this.memory.spec.decoderFeatures;
    const tensor = embedding.tensors[name];
    if (!tensor) throw new Error(`The embedding has no "${name}": it was not made by a SAM 2 encoder.`);
    return tensor.data;
  }

  /** The conditioning memory: the start slice's raw features and its mask (binary, as SAM 2 takes a prompted slice's). */
  private async open(): Promise<MemoryBank> {
    const { seed, model } = this.context;
    const { spec } = this.memory;
    const frame = new ModelFrame(seed.width, seed.height, model.description.family.preprocess);
    const conditioning = await this.memory.encodeMemory(
      this.memory.rawFeatures(this.features(this.seedEmbedding)),
      binaryMaskForMemory(seed.mask, frame, spec.maskForMemory),
    );
    return new MemoryBank(conditioning, spec.recentMemories, this.memory.memoryChannels, this.memory.temporalEncoding);
  }

  async step(embedding: ImageEmbedding): Promise<PropagationStep> {
    const { model, settings, seed } = this.context;
    const width = embedding.imageWidth;
    const height = embedding.imageHeight;
    if (width !== seed.width || height !== seed.height) {
      throw new Error(
        `Slice ${width}x${height} differs in size from the start slice: propagation stops at a new size.`,
      );
    }
    const started = performance.now();
    this.bank ??= await this.open();
    const raw = this.memory.rawFeatures(this.features(embedding));
    const conditioned = await this.memory.attend(raw, this.bank.assemble());
    const name = this.memory.spec.decoderFeatures;
    const withMemory: ImageEmbedding = {
      ...embedding,
      tensors: { ...embedding.tensors, [name]: { data: conditioned, dims: embedding.tensors[name]!.dims } },
    };
    const noPrompt = { points: [] };
    const { candidates, decoderRunMs } = await model.decodeCandidates(withMemory, noPrompt, { withoutPrompt: true });
    const scored: ScoredMask[] = candidates.map((c) => ({
      mask: model.candidateMask(width, height, c, noPrompt),
      predictedIou: c.predictedIou,
    }));
    const chosen = chooseContinuation(scored, this.previous, settings.reprompt.choose);
    const next = scored[chosen]!;
    const stop = stopReason(this.previous, next, settings.stop);
    if (!stop) {
      const candidate = candidates[chosen]!;
      const { inputSize } = model.description.family.preprocess;
      const mask = logitsForMemory(
        candidate.lowResLogits,
        candidate.lowResWidth,
        inputSize,
        this.memory.spec.maskForMemory,
      );
      this.bank.push(await this.memory.encodeMemory(raw, mask));
      this.previous = next.mask;
    }
    return stepAnswer(next, { width, height }, stop, { started, decoderRunMs });
  }
}
