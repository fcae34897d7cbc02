/**
 * Propagation by re-prompting (core/propagation/reprompt.ts): each slice is decoded with a box and an
 * interior point from the previous slice's mask, optionally its logits as the mask input, and the
 * candidate that best continues the previous mask is kept until a stop rule says the structure ended.
 */
import { chooseContinuation, nextSlicePrompt, stopReason, type ScoredMask } from '../../core';
import type { ImageEmbedding } from '../samModel';
import type { EngineContext, PropagationEngine, PropagationStep } from './propagationEngine';
import { stepAnswer } from './stepAnswer';

export class RepromptEngine implements PropagationEngine {
  private previous: Uint8Array;
  private previousLogits: Float32Array | undefined;

  constructor(private readonly context: EngineContext) {
    this.previous = context.seed.mask;
    this.previousLogits = context.seed.lowResLogits;
  }

  async step(embedding: ImageEmbedding): Promise<PropagationStep> {
    const { model, settings, cleanup } = this.context;
    const { family } = model.description;
    const width = embedding.imageWidth;
    const height = embedding.imageHeight;
    const started = performance.now();
    if (width * height !== this.previous.length) {
      throw new Error(
        `Slice ${width}x${height} differs in size from the previous one: propagation stops at a new size.`,
      );
    }
    const prompt = nextSlicePrompt(this.previous, width, height, {
      ...settings.reprompt,
      acceptsPoints: family.prompt.acceptsPoints,
    });
    if (!prompt) {
      return {
        mask: new Uint8Array(width * height),
        width,
        height,
        predictedIou: 0,
        stop: 'vanished',
        decodeMs: 0,
        decoderRunMs: 0,
      };
    }
    // The previous slice's logits as a prior, when asked for and the family has a mask input.
    const withPrior =
      settings.reprompt.maskInput && this.previousLogits && family.decoder.maskInput
        ? { ...prompt, previousMask: this.previousLogits }
        : prompt;
    const { candidates, decoderRunMs } = await model.decodeCandidates(embedding, withPrior);
    const scored: ScoredMask[] = candidates.map((c) => ({
      mask: model.candidateMask(width, height, c, prompt, cleanup),
      predictedIou: c.predictedIou,
    }));
    const chosen = chooseContinuation(scored, this.previous, settings.reprompt.choose);
    const next = scored[chosen]!;
    const stop = stopReason(this.previous, next, settings.stop);
    if (!stop) {
      this.previous = next.mask;
      this.previousLogits = candidates[chosen]!.lowResLogits;
    }
    return stepAnswer(next, { width, height }, stop, { started, decoderRunMs });
  }
}
