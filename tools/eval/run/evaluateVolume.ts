/**
 * The study's protocol extended to volumes: each object of a volume (a label over all its slices) is
 * segmented in 3D and scored against its voxels. Modes:
 *
 *  - 3D-box / 3D-point: the S5 box / the S2 point on the object's largest slice (most pixels), decoded;
 *    the candidate by the run's selection rules (oracle: best Dice on that slice; iou: highest predicted
 *    IoU), each a row; that mask, kept as the decode's preview, seeds the viewer's own walk
 *    (`propagateSeries` over `EngineRuntime`, the model's propagation engine, the run's settings:
 *    DEFAULT_REPROMPT / DEFAULT_STOP unless overridden) both ways through every slice of the volume.
 *  - S5-all-slices: the S5 box on every slice with object pixels, each decoded on its own and chosen by
 *    the selection rule: the upper reference, what a user drawing a box on every slice gets.
 *
 * NoC-3D (when `clicks` > 0 and the family takes points), one click at a time until the 3D Dice
 * reaches 0.90, the budget is spent, or no slice is left to click:
 *  1. the worst slice (volumeScoring.ts `worstSlice`: lowest Dice, nearest the start slice among equals);
 *  2. on a slice without the object (a mask the walk ran on with): the click would be an exclude with
 *     nothing to include, which no SAM decoder takes; the slice is emptied, and so are the masks that
 *     had continued it (SliceOrigins);
 *  3. otherwise the study's corrective click (core/protocol/correctiveClick.ts) joins the prompt that
 *     made the slice's mask (the seed's box or point, the slice's box, the interior point and the box
 *     the engine derived from the neighbour, earlier clicks; a box that leaves out an include click is
 *     dropped), with the slice's previous low-resolution logits as mask input where the family has one
 *     (a propagated slice's, recovered by decoding its propagation prompt again and taking the
 *     candidate that gives its mask; none when no candidate does); the candidate by the row's rule;
 *  4. in the propagation modes, the corrected mask is propagated again both ways, each way up to the
 *     next prompted slice (the seed, an earlier correction), replacing the masks it reaches; the masks
 *     beyond its end that had continued the corrected slice's old mask are cleared.
 * NoC-3D@85 / @90: the clicks after which the 3D Dice first reaches 0.85 / 0.90 (0 when the start
 * does, the budget when never).
 *
 * Embeddings: the engine's LRU cache (budget and float16 set by the worker), so a volume's slices are
 * encoded once for all its objects and modes while the budget holds them. Memory: the volume's reader,
 * one object's voxels and its predicted masks (one per selection rule at most) at a time.
 */
import {
  PROMPT_MODES,
  correctiveClick,
  dice,
  nextSlicePrompt,
  type MaskCandidate,
  type Prompt,
  type PromptBox,
  type PromptPoint,
} from '../../../extensions/sam-segmentation/src/core';
import { embeddingKey } from '../../../extensions/sam-segmentation/src/runtime/embeddingCache';
import type { InferenceEngine } from '../../../extensions/sam-segmentation/src/runtime/inferenceEngine';
import { EngineRuntime } from '../../../extensions/sam-segmentation/src/runtime/propagation/engineRuntime';
import type { PropagationSettings } from '../../../extensions/sam-segmentation/src/runtime/propagation/propagationEngine';
import {
  propagateSeries,
  type PropagationOutcome,
} from '../../../extensions/sam-segmentation/src/runtime/propagation/propagateSeries';
import type { ImageSource } from '../../../extensions/sam-segmentation/src/runtime/runtimeSession';
import type { ResultRow, Selection, VolumeMode } from '../results/rows';
import { MIN_OBJECT_PIXELS } from '../sources/types';
import type { EvalVolume, VolumeObject } from '../sources/volume3d';
import { candidatesToScore, chooseCandidate, objectSeed } from './evaluateImage';
import {
  SliceOrigins,
  largestSlice,
  noc3d,
  propagationReach,
  sliceDiceByDistance,
  sliceOverlaps,
  volumeOverlap,
  worstSlice,
} from './volumeScoring';

export interface VolumeEvaluationOptions {
  modes: VolumeMode[];
  selections: Selection[];
  /** NoC-3D click budget (the study's 20); 0: no corrective clicks. */
  clicks: number;
  settings: PropagationSettings;
  seed: number;
}

/** The 3D Dice targets of NoC-3D; clicking stops at the higher one. */
export const NOC3D_TARGETS = [0.85, 0.9] as const;

interface Decoded {
  session: string;
  decodeId: number;
  options: { candidate: MaskCandidate; mask: Uint8Array }[];
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

const insideBox = (p: PromptPoint, b: PromptBox) => p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1;

function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) return false;
  return true;
}

/** One object's predicted masks with what made each slice's (its prompt, its logits, its origin). */
class VolumeMasks {
  readonly predicted: Uint8Array;
  readonly prompts: (Prompt | undefined)[];
  readonly logits: (Float32Array | undefined)[];
  readonly origins: SliceOrigins;

  constructor(
    readonly depth: number,
    readonly plane: number,
    copy?: VolumeMasks,
  ) {
    this.predicted = copy ? copy.predicted.slice() : new Uint8Array(depth * plane);
    this.prompts = copy ? [...copy.prompts] : new Array<Prompt | undefined>(depth);
    this.logits = copy ? [...copy.logits] : new Array<Float32Array | undefined>(depth);
    this.origins = copy ? copy.origins.copy() : new SliceOrigins(depth);
  }

  slice(k: number): Uint8Array {
    return this.predicted.subarray(k * this.plane, (k + 1) * this.plane);
  }

  set(k: number, mask: Uint8Array, prompt: Prompt, logits: Float32Array | undefined): void {
    this.predicted.set(mask, k * this.plane);
    this.prompts[k] = { points: prompt.points, ...(prompt.box && { box: prompt.box }) };
    this.logits[k] = logits;
  }

  clear(k: number): void {
    this.slice(k).fill(0);
    this.prompts[k] = undefined;
    this.logits[k] = undefined;
    this.origins.clear(k);
  }
}

export class VolumeEvaluator {
  private readonly images: ImageSource[];
  private readonly runtime: EngineRuntime;
  private readonly plane: number;
  private nextDecode = 1;

  constructor(
    private readonly engine: InferenceEngine,
    private readonly modelId: string,
    private readonly volume: EvalVolume,
    private readonly options: VolumeEvaluationOptions,
  ) {
    this.runtime = new EngineRuntime(engine, modelId);
    this.plane = volume.width * volume.height;
    this.images = Array.from({ length: volume.depth }, (_, k) => {
      const voi = volume.voi(k);
      return {
        imageKey: `${volume.key}#z=${k}`,
        preprocessingKey: JSON.stringify(voi),
        voi,
        pixels: async () => volume.slice(k),
      };
    });
  }

  private get family() {
    return this.engine.samModel(this.modelId).description.family;
  }

  /** Logits are fed back (NoC-3D) only to a decoder with a mask input. */
  private get maskInput(): boolean {
    return this.family.decoder.maskInput !== undefined;
  }

  private get clicks(): number {
    return this.family.prompt.acceptsPoints ? this.options.clicks : 0;
  }

  /** Decodes a prompt on slice k, kept in the engine under `session`; the candidates' masks (clean-up applied). */
  private async decodeOn(k: number, prompt: Prompt, session: string, all = false): Promise<Decoded> {
    const image = this.images[k]!;
    await this.runtime.encode(image);
    const decodeId = this.nextDecode++;
    const result = await this.engine.decode({
      modelId: this.modelId,
      imageKey: image.imageKey,
      preprocessingKey: image.preprocessingKey,
      prompt,
      session: { id: session, decodeId },
    });
    const candidates = all ? result.candidates : candidatesToScore(result.candidates, 'protocol');
    return {
      session,
      decodeId,
      options: candidates.map((candidate) => ({
        candidate,
        mask: this.engine.pickCandidate(session, decodeId, candidate.index).mask,
      })),
    };
  }

  /** Option i of a decode, made the decode's chosen candidate (what a walk seeded by it takes along). */
  private take(decoded: Decoded, i: number) {
    const option = decoded.options[i]!;
    this.engine.pickCandidate(decoded.session, decoded.decodeId, option.candidate.index);
    return option;
  }

  private truthSlice(truth: Uint8Array, k: number): Uint8Array {
    return truth.subarray(k * this.plane, (k + 1) * this.plane);
  }

  /**
   * Propagates the mask decoded on `start` with the viewer's walk, each way up to the next prompted slice
   * (all the way when none), writing each kept slice into `state`; then clears the masks beyond each end
   * that had continued the mask `start` had before. The outcome of both ways.
   */
  private async walk(state: VolumeMasks, start: number, seed: Decoded, mask: Uint8Array): Promise<PropagationOutcome> {
    const { width, height } = this.volume;
    const { settings } = this.options;
    const acceptsPoints = this.family.prompt.acceptsPoints;
    const outcome: PropagationOutcome = { kept: {}, ended: {}, stepMs: [] };
    for (const dir of [1, -1] as const) {
      const reach = state.origins.reach(start, dir);
      let previous = mask;
      const way = await propagateSeries(this.runtime, {
        images: this.images,
        start,
        seed: { mask, width, height },
        seedDecode: { session: seed.session, decodeId: seed.decodeId },
        directions: [dir],
        ...(reach !== undefined && { maxSlices: reach }),
        settings,
        onSlice: (k, step) => {
          // The prompt the engine decoded this slice with (reprompt.ts), for a later corrective click.
          const prompt = nextSlicePrompt(previous, width, height, { ...settings.reprompt, acceptsPoints })!;
          state.set(k, step.mask, prompt, undefined);
          state.origins.propagated(k, start, dir);
          previous = step.mask;
        },
      });
      outcome.kept[dir] = way.kept[dir] ?? 0;
      outcome.ended[dir] = way.ended[dir] ?? 'series-end';
      outcome.stepMs.push(...way.stepMs);
      for (const k of state.origins.staleBeyond(start, start + dir * outcome.kept[dir], dir)) state.clear(k);
    }
    return outcome;
  }

  /** The low-resolution logits that gave slice w's propagated mask: its prompt decoded again. */
  private async recoverLogits(state: VolumeMasks, w: number, session: string): Promise<Float32Array | undefined> {
    const prompt = state.prompts[w];
    if (!prompt) return undefined;
    const decoded = await this.decodeOn(w, prompt, session, true);
    const mask = state.slice(w);
    return decoded.options.find((o) => sameMask(o.mask, mask))?.candidate.lowResLogits;
  }

  /** One corrective click on slice w (which has object pixels), decoded, then propagated when asked. */
  private async correctSlice(
    state: VolumeMasks,
    w: number,
    t: Uint8Array,
    select: Selection,
    propagate: boolean,
    session: string,
  ): Promise<void> {
    const { width, height } = this.volume;
    const click = correctiveClick(state.slice(w), t, width, height)!;
    const base = state.prompts[w];
    // The click joins the prompt on the slice; a box that leaves out an include click is dropped (the
    // user would not keep a box that excludes what they click to add).
    const box = base?.box && (click.label === 'exclude' || insideBox(click, base.box)) ? base.box : undefined;
    const prompt: Prompt = { points: [...(base?.points ?? []), click], ...(box && { box }) };
    const logits = this.maskInput ? (state.logits[w] ?? (await this.recoverLogits(state, w, session))) : undefined;
    const decoded = await this.decodeOn(w, logits ? { ...prompt, previousMask: logits } : prompt, session);
    const chosen = this.take(
      decoded,
      chooseCandidate(decoded.options, (m) => dice(m, t), select),
    );
    state.set(w, chosen.mask, prompt, chosen.candidate.lowResLogits);
    state.origins.decoded(w);
    if (propagate) await this.walk(state, w, decoded, chosen.mask);
  }

  /** NoC-3D: corrective clicks on the worst slice; the 3D Dice after 0, 1, 2, … clicks. */
  private async correct(
    state: VolumeMasks,
    truth: Uint8Array,
    start: number,
    select: Selection,
    propagate: boolean,
    session: string,
  ): Promise<number[]> {
    let slices = sliceOverlaps(state.predicted, truth, this.plane);
    const curve = [volumeOverlap(slices).dice];
    const target = Math.max(...NOC3D_TARGETS);
    for (let c = 1; c <= this.clicks && curve[curve.length - 1]! < target; c++) {
      const w = worstSlice(slices, start, MIN_OBJECT_PIXELS);
      if (w === undefined) break;
      const t = this.truthSlice(truth, w);
      if (t.includes(1)) await this.correctSlice(state, w, t, select, propagate, session);
      else {
        // No object here: the click is an exclude with nothing to include, which no SAM decoder takes;
        // what it does for the user is empty the slice, and the masks that continued it go too.
        state.clear(w);
        for (const dir of [1, -1] as const) for (const k of state.origins.staleBeyond(w, w, dir)) state.clear(k);
      }
      slices = sliceOverlaps(state.predicted, truth, this.plane);
      curve.push(volumeOverlap(slices).dice);
    }
    return curve;
  }

  private row(
    object: VolumeObject,
    mode: VolumeMode,
    select: Selection,
    start: number,
    seed: MaskCandidate | undefined,
    state: VolumeMasks,
    truth: Uint8Array,
    outcome: PropagationOutcome | undefined,
  ): ResultRow {
    const { volume } = this;
    const slices = sliceOverlaps(state.predicted, truth, this.plane);
    const overlap = volumeOverlap(slices);
    let voxels = 0;
    for (const n of object.areas) voxels += n;
    const row: ResultRow = {
      type: 'row',
      dataset: volume.dataset,
      ref: volume.key,
      image: volume.key,
      modality: volume.modality,
      object: object.name,
      pixels: voxels,
      mode,
      perturb: 'none',
      select,
      candidate: seed?.index ?? -1,
      predictedIou: seed && Number.isFinite(seed.predictedIou) ? seed.predictedIou : null,
      dice: overlap.dice,
      iou: overlap.iou,
      hd95: null,
      hdMax: null,
      asd: null,
      assd: null,
      distanceUnit: volume.spacing ? 'mm' : 'px',
      empty: overlap.predicted === 0 ? 'empty-prediction' : 'none',
      startSlice: start,
      sliceDice: sliceDiceByDistance(slices, start).map(([d, x]) => [d, round6(x)]),
    };
    if (outcome) {
      const kept = { up: outcome.kept[1] ?? 0, down: outcome.kept[-1] ?? 0 };
      Object.assign(row, {
        endedUp: outcome.ended[1] ?? 'series-end',
        endedDown: outcome.ended[-1] ?? 'series-end',
        ...propagationReach(slices, start, kept),
      });
    }
    return row;
  }

  private withClicks(row: ResultRow, curve: number[] | undefined): ResultRow {
    if (!curve) return row;
    const [at85, at90] = NOC3D_TARGETS;
    return {
      ...row,
      diceByClick: curve.map(round6),
      noc85: noc3d(curve, at85, this.clicks),
      noc90: noc3d(curve, at90, this.clicks),
    };
  }

  /** 3D-box / 3D-point: seed on the largest slice, propagate, per selection rule (one walk per candidate). */
  private async propagationRows(object: VolumeObject, truth: Uint8Array, mode: '3D-box' | '3D-point') {
    const { width, height, depth } = this.volume;
    const start = largestSlice(object.areas);
    const startTruth = this.truthSlice(truth, start);
    const seed = objectSeed(this.options.seed, this.volume.key, object.index);
    const prompt = PROMPT_MODES[mode === '3D-box' ? 'S5' : 'S2'].build(startTruth, width, height, { seed });
    const session = `${this.volume.key}|${object.index}|${mode}`;
    const decoded = await this.decodeOn(start, prompt, session);
    const walks = new Map<number, { state: VolumeMasks; outcome: PropagationOutcome }>();
    const rows: ResultRow[] = [];
    for (const select of this.options.selections) {
      const i = chooseCandidate(decoded.options, (m) => dice(m, startTruth), select);
      let walked = walks.get(i);
      if (!walked) {
        const state = new VolumeMasks(depth, this.plane);
        const chosen = this.take(decoded, i);
        state.set(start, chosen.mask, prompt, chosen.candidate.lowResLogits);
        state.origins.decoded(start);
        walked = { state, outcome: await this.walk(state, start, decoded, chosen.mask) };
        walks.set(i, walked);
      }
      const row = this.row(
        object,
        mode,
        select,
        start,
        decoded.options[i]!.candidate,
        walked.state,
        truth,
        walked.outcome,
      );
      const clicks = `${session}|${select}`;
      const curve =
        this.clicks > 0
          ? await this.correct(new VolumeMasks(depth, this.plane, walked.state), truth, start, select, true, clicks)
          : undefined;
      this.engine.records.release(clicks);
      rows.push(this.withClicks(row, curve));
    }
    this.engine.records.release(session);
    return rows;
  }

  /** S5-all-slices: the S5 box on every slice with object pixels, each decoded on its own. */
  private async allSlicesRows(object: VolumeObject, truth: Uint8Array) {
    const { width, height, depth } = this.volume;
    const { selections } = this.options;
    const start = largestSlice(object.areas);
    const session = `${this.volume.key}|${object.index}|S5-all-slices`;
    const states = selections.map(() => new VolumeMasks(depth, this.plane));
    const startCandidates: (MaskCandidate | undefined)[] = [];
    const keepLogits = this.clicks > 0 && this.maskInput;
    for (let k = 0; k < depth; k++) {
      if (object.areas[k] === 0) continue;
      const t = this.truthSlice(truth, k);
      const prompt = PROMPT_MODES.S5.build(t, width, height);
      const decoded = await this.decodeOn(k, prompt, session);
      selections.forEach((select, s) => {
        const chosen = decoded.options[chooseCandidate(decoded.options, (m) => dice(m, t), select)]!;
        states[s]!.set(k, chosen.mask, prompt, keepLogits ? chosen.candidate.lowResLogits : undefined);
        states[s]!.origins.decoded(k);
        if (k === start) startCandidates[s] = chosen.candidate;
      });
    }
    const rows: ResultRow[] = [];
    for (const [s, select] of selections.entries()) {
      const state = states[s]!;
      const row = this.row(object, 'S5-all-slices', select, start, startCandidates[s], state, truth, undefined);
      const curve = this.clicks > 0 ? await this.correct(state, truth, start, select, false, session) : undefined;
      rows.push(this.withClicks(row, curve));
    }
    this.engine.records.release(session);
    return rows;
  }

  async evaluate(): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    try {
      for (const object of this.volume.objects) {
        const truth = this.volume.truth(object);
        for (const mode of this.options.modes) {
          rows.push(
            ...(mode === 'S5-all-slices'
              ? await this.allSlicesRows(object, truth)
              : await this.propagationRows(object, truth, mode)),
          );
        }
      }
    } finally {
      // This volume's embeddings make room for the next reference's.
      for (const image of this.images) this.engine.cache.delete(embeddingKey({ modelId: this.modelId, ...image }));
    }
    return rows;
  }
}
