/**
 * Walks a series from the start slice outward, one direction after the other, asking the worker's
 * propagation run for each slice and handing each mask on as it arrives. A slice the worker has no
 * embedding for is encoded first (pre-encoded slices cost a decode only). Nothing is encoded ahead:
 * the one worker runs an encode and a decode one after the other anyway, so there is no time to win,
 * and a slice past the structure's end would be encoded for nothing (measured: docs/benchmarks.md).
 * No OHIF here: the series comes in as ImageSources, the masks go out through `onSlice`.
 */
import { PROPAGATION_ENGINE_NEEDS, propagationEngineOf, type ModelEntry } from '../../core';
import type { ImageSource } from '../runtimeSession';
import type { PropagationSettings, PropagationStep } from './propagationEngine';

export type Direction = 1 | -1;

/** Why a direction ended: the engine's stop rule, the series' end, the slice limit, or the user. */
export type DirectionEnd = NonNullable<PropagationStep['stop']> | 'series-end' | 'limit' | 'cancelled';

export interface PropagationRuntime {
  startPropagation(
    seed: { mask: Uint8Array; width: number; height: number },
    settings: PropagationSettings,
    seedDecode?: { session: string; decodeId: number },
    /** The start slice (engines that build on its embedding encode it). */
    seedImage?: ImageSource,
  ): Promise<string>;
  propagateStep(run: string, image: ImageSource): Promise<PropagationStep>;
  endPropagation(run: string): void;
}

/**
 * The start slice, when the model's engine builds on its embedding (SAM 2's memory: the runtime
 * encodes it before the run starts); undefined for engines that do not.
 */
export function seedImageToEncode(entry: ModelEntry, seedImage: ImageSource | undefined): ImageSource | undefined {
  if (!PROPAGATION_ENGINE_NEEDS[propagationEngineOf(entry)].seedEmbedding) return undefined;
  if (!seedImage) throw new Error(`${entry.name} propagates from the start slice's embedding: give its image.`);
  return seedImage;
}

export interface SeriesPropagation {
  /** The series' images in order. */
  images: readonly ImageSource[];
  /** The index of the seed's slice. */
  start: number;
  seed: { mask: Uint8Array; width: number; height: number };
  seedDecode?: { session: string; decodeId: number };
  /** Which ways to go: +1 towards higher indices, -1 towards lower ones. */
  directions: readonly Direction[];
  /** At most this many slices each way (default: to the end). */
  maxSlices?: number;
  settings: PropagationSettings;
  signal?: AbortSignal;
  /** A kept slice: its index and mask (called as each arrives). */
  onSlice(index: number, step: PropagationStep): void | Promise<void>;
}

export interface PropagationOutcome {
  /** Slices kept, each way. */
  kept: Partial<Record<Direction, number>>;
  ended: Partial<Record<Direction, DirectionEnd>>;
  /** The milliseconds of each step (decode, and encode when the slice was not encoded), for the bench. */
  stepMs: number[];
}

export async function propagateSeries(
  runtime: PropagationRuntime,
  job: SeriesPropagation,
): Promise<PropagationOutcome> {
  const outcome: PropagationOutcome = { kept: {}, ended: {}, stepMs: [] };
  const limit = job.maxSlices ?? Infinity;
  for (const direction of job.directions) {
    outcome.kept[direction] = 0;
    if (job.signal?.aborted) {
      outcome.ended[direction] = 'cancelled';
      continue;
    }
    const run = await runtime.startPropagation(job.seed, job.settings, job.seedDecode, job.images[job.start]);
    try {
      outcome.ended[direction] = await walk(runtime, job, run, direction, limit, outcome);
    } finally {
      runtime.endPropagation(run);
    }
  }
  return outcome;
}

async function walk(
  runtime: PropagationRuntime,
  job: SeriesPropagation,
  run: string,
  direction: Direction,
  limit: number,
  outcome: PropagationOutcome,
): Promise<DirectionEnd> {
  const at = (n: number) => job.images[job.start + direction * n];
  for (let n = 1; ; n++) {
    const image = at(n);
    if (!image) return 'series-end';
    if (n > limit) return 'limit';
    if (job.signal?.aborted) return 'cancelled';
    const started = performance.now();
    const step = await runtime.propagateStep(run, image);
    outcome.stepMs.push(performance.now() - started);
    if (step.stop) return step.stop;
    if (job.signal?.aborted) return 'cancelled'; // the user stopped while this slice decoded: not kept
    await job.onSlice(job.start + direction * n, step);
    outcome.kept[direction] = (outcome.kept[direction] ?? 0) + 1;
  }
}
