/**
 * Scores one image under the study's protocol: the encoder runs once, then every object × prompt mode
 * (× perturbation band) is decoded from that embedding, and each decode is scored with the candidate
 * of the highest predicted IoU (the deployable rule, "iou") and with the best candidate against the
 * ground truth (the paper's mask matching, "oracle"). The interactive run ("clicks") adds simulated
 * corrective clicks, the previous mask fed back, for each selection rule. S1 generates the "everything"
 * masks once per image and matches every object to them.
 *
 * Candidates: the decoder's multimask candidates (the official export's indices 1-3) when it has any,
 * else all it returns (the protocol's); or, with `candidates: 'all'`, every candidate, as the viewer's
 * highest-IoU choice takes them. The model's clean-up (manifest `cleanup`) is applied to every candidate,
 * as in the viewer. Dice is exact (no smoothing term). Seeds derive from the run's seed, the image id and
 * the object's index, so results do not depend on the order or the worker that evaluates an image.
 *
 * `npm run eval` runs this in its workers; tools/eval/measureDefaultModel.ts (the default model's
 * regression measurement) runs it in-process, and the threshold baseline takes its prompts from
 * `objectPrompt`.
 */
import {
  LogitUpsampler,
  ModelFrame,
  PROMPT_MODES,
  candidateLogits,
  candidateMask,
  cleanUpMask,
  correctiveClick,
  diceFromCounts,
  everythingGrid,
  generateEverythingMasks,
  iouFromCounts,
  matchObjectsToMasks,
  noc,
  overlapCounts,
  perturbPrompt,
  selectEverythingMaskByIou,
  surfaceDistances,
  type CleanupOptions,
  type MaskCandidate,
  type PerturbBand,
  type Prompt,
  type PromptModeId,
} from '../../../extensions/sam-segmentation/src/core';
import type { ImageEmbedding, SamModel } from '../../../extensions/sam-segmentation/src/runtime/samModel';
import type { EmptyCase, ResultRow, RowMode, Selection } from '../results/rows';
import type { EvalImage, EvalObject } from '../sources/types';

export interface EvaluationOptions {
  /** S2-S6 prompt modes to score. */
  modes: PromptModeId[];
  /** Score S1 (everything) too: grid points per side, and the thresholds (default: the study's). */
  everything?: { pointsPerSide: number; predIouThreshold?: number; stabilityThreshold?: number };
  selections: Selection[];
  /** Perturbation bands applied to S2-S6 besides the unperturbed prompt. */
  perturb: { label: string; band: PerturbBand }[];
  /** Interactive run with this many clicks (0: none). */
  clicks: number;
  seed: number;
  /** The model's clean-up step (the manifest's `cleanup`), or undefined. */
  cleanup?: CleanupOptions;
  /** Which candidates the selection rules choose among (default 'protocol': the multimask ones). */
  candidates?: 'protocol' | 'all';
}

/** One S2-S6 prompt as decoded and scored: for measurements beyond the rows (measureDefaultModel.ts). */
export interface ScoredPrompt {
  object: EvalObject;
  mode: PromptModeId;
  perturb: string;
  prompt: Prompt;
  /** The mask each selection rule took (cleaned up when the model's pipeline says). */
  masks: Partial<Record<Selection, Uint8Array>>;
}

export type EvaluationModel = Pick<SamModel, 'encode' | 'decodeCandidates' | 'description'>;

/** A stable 32-bit seed (FNV-1a) for one object of one image under the run's seed. */
export function objectSeed(runSeed: number, imageId: string, objectIndex: number, salt = ''): number {
  let h = 0x811c9dc5;
  for (const c of `${runSeed}|${imageId}|${objectIndex}|${salt}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** The unperturbed prompt of one mode for object `objectIndex` of the image, under the run's seed. */
export function objectPrompt(image: EvalImage, objectIndex: number, mode: PromptModeId, runSeed: number): Prompt {
  const { columns: width, rows: height } = image.slice;
  const seed = objectSeed(runSeed, image.id, objectIndex);
  return PROMPT_MODES[mode].build(image.objects[objectIndex]!.mask, width, height, { seed });
}

interface Scored {
  dice: number;
  iou: number;
  hd95: number | null;
  hdMax: number | null;
  asd: number | null;
  assd: number | null;
  empty: EmptyCase;
}

/** Everything needed to score masks of one image against one object. */
class ObjectScorer {
  constructor(
    readonly image: EvalImage,
    readonly object: EvalObject,
  ) {}

  score(mask: Uint8Array): Scored {
    const counts = overlapCounts(mask, this.object.mask);
    const { columns: width, rows: height } = this.image.slice;
    const distances = surfaceDistances(mask, this.object.mask, width, height, this.image.spacing ?? [1, 1]);
    const scored = distances.kind === 'scored';
    return {
      dice: diceFromCounts(counts),
      iou: iouFromCounts(counts),
      hd95: scored ? distances.hd95 : null,
      hdMax: scored ? distances.hdMax : null,
      asd: scored ? distances.asd : null,
      assd: scored ? distances.assd : null,
      empty: scored ? 'none' : distances.kind,
    };
  }

  dice(mask: Uint8Array): number {
    return diceFromCounts(overlapCounts(mask, this.object.mask));
  }
}

/** The candidates to choose among: the multimask ones when the decoder has any (the protocol's), or all. */
export function candidatesToScore(candidates: readonly MaskCandidate[], which: EvaluationOptions['candidates']) {
  const multimask = candidates.filter((c) => c.token === 'multimask');
  return which !== 'all' && multimask.length > 0 ? multimask : [...candidates];
}

/**
 * The index (in `decoded`) a selection rule takes: the highest predicted IoU ("iou"), or the best Dice
 * against the ground truth ("oracle"); the first among equals.
 */
export function chooseCandidate(
  decoded: readonly { candidate: Pick<MaskCandidate, 'predictedIou'>; mask: Uint8Array }[],
  dice: (mask: Uint8Array) => number,
  select: Selection,
): number {
  let best = 0;
  if (select === 'iou') {
    decoded.forEach((d, i) => {
      if (d.candidate.predictedIou > decoded[best]!.candidate.predictedIou) best = i;
    });
  } else {
    const dices = decoded.map((d) => dice(d.mask));
    dices.forEach((d, i) => {
      if (d > dices[best]!) best = i;
    });
  }
  return best;
}

export class ImageEvaluator {
  private readonly width: number;
  private readonly height: number;
  private readonly upsamplers = new Map<string, LogitUpsampler>();

  constructor(
    private readonly model: EvaluationModel,
    private readonly image: EvalImage,
    private readonly ref: string,
    private readonly options: EvaluationOptions,
    /** Told of every S2-S6 prompt once it is scored. */
    private readonly onPrompt?: (scored: ScoredPrompt) => void,
  ) {
    this.width = image.slice.columns;
    this.height = image.slice.rows;
  }

  private upsampler(candidate: MaskCandidate): LogitUpsampler {
    const key = `${candidate.lowResWidth}x${candidate.lowResHeight}`;
    let upsampler = this.upsamplers.get(key);
    if (!upsampler) {
      const frame = new ModelFrame(this.width, this.height, this.model.description.family.preprocess);
      upsampler = new LogitUpsampler(frame, candidate.lowResWidth, candidate.lowResHeight);
      this.upsamplers.set(key, upsampler);
    }
    return upsampler;
  }

  /** Decodes a prompt; the candidates' masks on the image grid (cleaned up as the model's pipeline says). */
  private async decode(embedding: ImageEmbedding, prompt: Prompt) {
    const { candidates } = await this.model.decodeCandidates(embedding, prompt);
    return candidatesToScore(candidates, this.options.candidates).map((candidate) => {
      let mask = candidateMask(candidate, this.upsampler(candidate));
      if (this.options.cleanup) mask = cleanUpMask(mask, this.width, this.height, prompt, this.options.cleanup);
      return { candidate, mask };
    });
  }

  private row(
    object: EvalObject,
    mode: RowMode,
    perturb: string,
    select: Selection,
    candidate: number,
    predictedIou: number | null,
    scored: Scored,
  ): ResultRow {
    const { image } = this;
    return {
      type: 'row',
      dataset: image.dataset,
      ref: this.ref,
      image: image.id,
      modality: image.modality,
      object: object.name,
      pixels: object.pixels,
      mode,
      perturb,
      select,
      candidate,
      predictedIou: predictedIou !== null && Number.isFinite(predictedIou) ? predictedIou : null,
      ...scored,
      distanceUnit: image.spacing ? 'mm' : 'px',
    };
  }

  /** The index (in `decoded`) each selection rule takes. */
  private choose(decoded: { candidate: MaskCandidate; mask: Uint8Array }[], scorer: ObjectScorer, select: Selection) {
    return chooseCandidate(decoded, (mask) => scorer.dice(mask), select);
  }

  private async promptRows(
    embedding: ImageEmbedding,
    scorer: ObjectScorer,
    prompt: Prompt,
    mode: PromptModeId,
    perturb: string,
  ) {
    const decoded = await this.decode(embedding, prompt);
    const cache = new Map<number, Scored>();
    const masks: ScoredPrompt['masks'] = {};
    const rows = this.options.selections.map((select) => {
      const i = this.choose(decoded, scorer, select);
      const { candidate, mask } = decoded[i]!;
      masks[select] = mask;
      if (!cache.has(i)) cache.set(i, scorer.score(mask));
      return this.row(scorer.object, mode, perturb, select, candidate.index, candidate.predictedIou, cache.get(i)!);
    });
    this.onPrompt?.({ object: scorer.object, mode, perturb, prompt, masks });
    return rows;
  }

  /** The interactive run for one selection rule: first click at the object's deepest point, then corrections. */
  private async clickRow(embedding: ImageEmbedding, scorer: ObjectScorer, select: Selection): Promise<ResultRow> {
    const { width, height } = this;
    const acceptsMask = this.model.description.family.decoder.maskInput !== undefined;
    const points: Prompt['points'] = [];
    let predicted: Uint8Array = new Uint8Array(width * height);
    let previous: Float32Array | undefined;
    let last: { candidate: MaskCandidate; mask: Uint8Array } | undefined;
    const diceByClick: number[] = [];
    for (let k = 0; k < this.options.clicks; k++) {
      const click = correctiveClick(predicted, scorer.object.mask, width, height);
      if (!click) {
        // Perfect already: further clicks change nothing.
        diceByClick.push(diceByClick[diceByClick.length - 1] ?? 1);
        continue;
      }
      points.push(click);
      const decoded = await this.decode(embedding, {
        points: [...points],
        ...(acceptsMask && previous && { previousMask: previous }),
      });
      last = decoded[this.choose(decoded, scorer, select)]!;
      predicted = last.mask;
      previous = last.candidate.lowResLogits;
      diceByClick.push(scorer.dice(predicted));
    }
    const row = this.row(
      scorer.object,
      'clicks',
      'none',
      select,
      last?.candidate.index ?? -1,
      last?.candidate.predictedIou ?? null,
      scorer.score(predicted),
    );
    return {
      ...row,
      diceByClick,
      noc85: noc(diceByClick, 0.85, this.options.clicks),
      noc90: noc(diceByClick, 0.9, this.options.clicks),
    };
  }

  /** S1: the everything masks once for the image, then each object's best match (oracle) and the iou rule. */
  private async everythingRows(
    embedding: ImageEmbedding,
    scorers: ObjectScorer[],
    { pointsPerSide, ...thresholds }: NonNullable<EvaluationOptions['everything']>,
  ) {
    const { width, height } = this;
    const grid = everythingGrid(width, height, pointsPerSide);
    const masks = await generateEverythingMasks(
      grid,
      async (point) => {
        const { candidates } = await this.model.decodeCandidates(embedding, { points: [point] });
        return candidatesToScore(candidates, this.options.candidates).map((c) => ({
          logits: candidateLogits(c, this.upsampler(c)),
          predictedIou: c.predictedIou,
        }));
      },
      width,
      height,
      thresholds,
    );
    const objects = scorers.map((s) => s.object.mask);
    const matches = matchObjectsToMasks(objects, masks, width);
    const empty = new Uint8Array(width * height);
    const rows: ResultRow[] = [];
    scorers.forEach((scorer, o) => {
      for (const select of this.options.selections) {
        const index =
          select === 'oracle'
            ? matches[o]!.maskIndex
            : selectEverythingMaskByIou(
                scorer.object.mask,
                width,
                height,
                masks,
                objectSeed(this.options.seed, this.image.id, o),
              );
        const chosen = index >= 0 ? masks[index] : undefined;
        rows.push(
          this.row(
            scorer.object,
            'S1',
            'none',
            select,
            index,
            chosen?.predictedIou ?? null,
            scorer.score(chosen?.mask ?? empty),
          ),
        );
      }
    });
    return rows;
  }

  async evaluate(): Promise<ResultRow[]> {
    const { image, options } = this;
    const embedding = await this.model.encode(image.slice, image.voi);
    const scorers = image.objects.map((object) => new ObjectScorer(image, object));
    const rows: ResultRow[] = [];
    if (options.everything) rows.push(...(await this.everythingRows(embedding, scorers, options.everything)));
    for (const [index, scorer] of scorers.entries()) {
      for (const mode of options.modes) {
        const prompt = objectPrompt(image, index, mode, options.seed);
        rows.push(...(await this.promptRows(embedding, scorer, prompt, mode, 'none')));
        for (const { label, band } of options.perturb) {
          const moved = perturbPrompt(
            prompt,
            band,
            this.width,
            this.height,
            // Not salted by mode: S5 and S6 boxes (S2 and S6 points) move alike, so modes compare.
            objectSeed(options.seed, image.id, index, label),
          );
          rows.push(...(await this.promptRows(embedding, scorer, moved, mode, label)));
        }
      }
      if (options.clicks > 0)
        for (const select of options.selections) rows.push(await this.clickRow(embedding, scorer, select));
    }
    return rows;
  }
}
