/**
 * Per-object evaluation of a SAM-family model (or the threshold baseline) under the study protocol's
 * prompt modes, through the real pipeline: SamModel.encode (core preprocessing at the image's window, the
 * encoder once per image), SamModel.decode per prompt (the decoder, the candidates, the optional clean-up).
 *
 * Each object is scored with the candidate chosen by predicted IoU (the deployable rule) and with the
 * best candidate against the ground truth (the paper's "mask matching", an oracle). Both go through the
 * same clean-up when one is given. Dice is exact (core/metrics/overlap.ts; no smoothing term).
 */
import {
  LogitUpsampler,
  ModelFrame,
  PROMPT_MODES,
  candidateMask,
  cleanUpMask,
  dice,
  type CleanupOptions,
  type PromptModeId,
} from '../../extensions/sam-segmentation/src/core';
import type { SamModel } from '../../extensions/sam-segmentation/src/runtime/samModel';
import type { EvalImage } from './datasets';
import { greyImage, thresholdBaseline, type ThresholdBaselineOptions } from './thresholdBaseline';

export interface ModeScore {
  /** Dice of the candidate with the highest predicted IoU. */
  selected: number;
  /** Dice of the best candidate (oracle). */
  oracle: number;
  /** Dice of every candidate, in the decoder's order. */
  candidates: number[];
  chosenIndex: number;
  /** Share of the prompt's include points that lie inside the chosen mask (prompts with include points). */
  includePointsCovered?: number;
}

export interface ObjectScore {
  dataset: string;
  image: string;
  object: string;
  pixels: number;
  modes: Partial<Record<PromptModeId, ModeScore>>;
}

export interface ModelEvaluation {
  objects: ObjectScore[];
  /** Milliseconds per encode (one per image) and per decode (one per prompt). */
  encodeMs: number[];
  decodeMs: number[];
}

/** An object's row before any prompt mode is scored. */
function newScore(image: EvalImage, object: EvalImage['objects'][number]): ObjectScore {
  return { dataset: image.dataset, image: image.id, object: object.name, pixels: object.pixels, modes: {} };
}

/** The prompt of one mode for one object, seeded by image and object so every run gives the same. */
function promptFor(mode: PromptModeId, image: EvalImage, index: number) {
  const { columns: width, rows: height } = image.slice;
  return PROMPT_MODES[mode].build(image.objects[index]!.mask, width, height, { seed: objectSeed(image.id, index) });
}

/** A stable seed per object, so sampled prompts are the same in every run (FNV-1a of image and index). */
export function objectSeed(imageId: string, objectIndex: number): number {
  let h = 0x811c9dc5;
  for (const c of `${imageId}#${objectIndex}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export async function evaluateModel(
  model: SamModel,
  images: readonly EvalImage[],
  modes: readonly PromptModeId[],
  cleanup?: CleanupOptions,
): Promise<ModelEvaluation> {
  const result: ModelEvaluation = { objects: [], encodeMs: [], decodeMs: [] };
  for (const image of images) {
    if (image.objects.length === 0) continue;
    const { columns: width, rows: height } = image.slice;
    let start = performance.now();
    const embedding = await model.encode(image.slice, image.voi);
    result.encodeMs.push(performance.now() - start);
    const upsampler = new LogitUpsampler(new ModelFrame(width, height, model.description.family.preprocess));
    for (const [index, object] of image.objects.entries()) {
      const score = newScore(image, object);
      for (const mode of modes) {
        const prompt = promptFor(mode, image, index);
        start = performance.now();
        const decoded = await model.decode(embedding, prompt, cleanup ? { cleanup } : {});
        result.decodeMs.push(performance.now() - start);
        const candidates = decoded.candidates.map((c) => {
          const mask = candidateMask(c, upsampler);
          return dice(cleanup ? cleanUpMask(mask, width, height, prompt, cleanup) : mask, object.mask);
        });
        const includes = prompt.points.filter((p) => p.label === 'include');
        score.modes[mode] = {
          selected: dice(decoded.mask, object.mask),
          oracle: Math.max(...candidates),
          candidates,
          chosenIndex: decoded.chosen.index,
          ...(includes.length > 0 && {
            includePointsCovered:
              includes.filter((p) => decoded.mask[Math.round(p.y) * width + Math.round(p.x)] === 1).length /
              includes.length,
          }),
        };
      }
      result.objects.push(score);
    }
  }
  return result;
}

/** The threshold baseline under the same prompts (one mask: selected = oracle). */
export function evaluateBaseline(
  images: readonly EvalImage[],
  modes: readonly PromptModeId[],
  options: ThresholdBaselineOptions,
): ObjectScore[] {
  const objects: ObjectScore[] = [];
  for (const image of images) {
    const { columns: width, rows: height } = image.slice;
    const grey = greyImage(image.slice, image.voi);
    for (const [index, object] of image.objects.entries()) {
      const score = newScore(image, object);
      for (const mode of modes) {
        const prompt = promptFor(mode, image, index);
        const d = dice(thresholdBaseline(grey, width, height, prompt, options), object.mask);
        score.modes[mode] = { selected: d, oracle: d, candidates: [d], chosenIndex: 0 };
      }
      objects.push(score);
    }
  }
  return objects;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? NaN : values.reduce((sum, v) => sum + v, 0) / values.length;

/** Mean Dice over the objects of the given datasets for one mode: selected and oracle. */
export function meanDice(
  objects: readonly ObjectScore[],
  datasets: readonly string[],
  mode: PromptModeId,
): { selected: number; oracle: number; count: number } {
  const scores = objects.filter((o) => datasets.includes(o.dataset)).map((o) => o.modes[mode]);
  const present = scores.filter((s): s is ModeScore => s !== undefined);
  return {
    selected: mean(present.map((s) => s.selected)),
    oracle: mean(present.map((s) => s.oracle)),
    count: present.length,
  };
}
