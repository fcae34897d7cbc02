/**
 * One propagation interface, whatever the model: a run starts from a seed mask on one slice and is
 * asked for the next slice, one at a time, in the direction of travel; it keeps what it needs of the
 * slices it has seen (the previous mask, or a model's memory bank) and answers with the mask and
 * whether to stop. Which engine runs is the family's data (`family.propagation`), never an `if`.
 * Used in the inference worker (InferenceEngine) and by the evaluation in Node.
 */
import type { CleanupOptions, RepromptOptions, StopReason, StopThresholds } from '../../core';
import type { ImageEmbedding, SamModel } from '../samModel';
import type { PropagationEngineName } from '../../core';
import { MemoryEngine } from './memoryEngine';
import { RepromptEngine } from './repromptEngine';

export interface PropagationSeed {
  /** The start slice's mask: uint8[height*width], row-major. */
  mask: Uint8Array;
  width: number;
  height: number;
  /** The low-resolution logits of the decode that made it, when it is a preview (not an edited mask). */
  lowResLogits?: Float32Array;
}

export interface PropagationSettings {
  reprompt: RepromptOptions;
  stop: StopThresholds;
}

export interface PropagationStep {
  /** This slice's mask (kept unless `stop`). */
  mask: Uint8Array;
  width: number;
  height: number;
  predictedIou: number;
  /** Set when propagation ends here: the structure ended, or the mask is not to be trusted. */
  stop?: StopReason;
  decodeMs: number;
  decoderRunMs: number;
}

export interface PropagationEngine {
  step(embedding: ImageEmbedding): Promise<PropagationStep>;
}

export interface EngineContext {
  model: SamModel;
  seed: PropagationSeed;
  settings: PropagationSettings;
  /** The model's clean-up (the manifest's `cleanup`), applied to every candidate. */
  cleanup?: CleanupOptions;
  /** The start slice's embedding, for engines that need it (core/propagation/engineChoice.ts). */
  seedEmbedding?: ImageEmbedding;
}

/** The engines by the name the model's data gives (`propagationEngineOf`: its family and files). */
const ENGINES: Record<PropagationEngineName, (context: EngineContext) => PropagationEngine> = {
  reprompt: (context) => new RepromptEngine(context),
  memory: (context) => new MemoryEngine(context),
};

export function createPropagationEngine(context: EngineContext): PropagationEngine {
  return ENGINES[context.model.description.propagation ?? 'reprompt'](context);
}
