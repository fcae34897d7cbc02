/** What every engine answers for a step (kept apart from propagationEngine.ts, which imports the engines). */
import type { StopReason } from '../../core';
import type { PropagationStep } from './propagationEngine';

/** A step's answer: the chosen mask, and the stop reason when the direction ends here. */
export function stepAnswer(
  chosen: { mask: Uint8Array; predictedIou: number },
  size: { width: number; height: number },
  stop: StopReason | undefined,
  timing: { started: number; decoderRunMs: number },
): PropagationStep {
  return {
    mask: chosen.mask,
    width: size.width,
    height: size.height,
    predictedIou: chosen.predictedIou,
    ...(stop && { stop }),
    decodeMs: performance.now() - timing.started,
    decoderRunMs: timing.decoderRunMs,
  };
}
