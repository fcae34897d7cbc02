/**
 * The evaluation's per-object rows: what `results.jsonl` holds, one JSON object per line, and what the
 * CSV, the summary and the HTML report are computed from (streamed, never all in memory).
 *
 * One row per image × object × prompt mode × perturbation band × selection rule (volume modes: per volume
 * × object of the whole volume × mode × selection rule). Every row of one image
 * reference is written in a single append, followed by a `done` line naming the reference, so a run that
 * stops midway leaves whole references only (see run/resume.ts). A reference not evaluated has one line
 * instead: `skipped` (its data) or `failed` (the model or the runtime; retried by a rerun).
 */
import type { DirectionEnd } from '../../../extensions/sam-segmentation/src/runtime/propagation/propagateSeries';

/**
 * S1 everything, S2-S6 the study's prompt modes, "clicks" the interactive run with corrective clicks; the
 * volume modes (run/evaluateVolume.ts): "3D-box" and "3D-point" seed one slice and propagate, and
 * "S5-all-slices" decodes the S5 box on every slice of the object.
 */
export type RowMode = 'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6' | 'clicks' | VolumeMode;

/** The volume modes: one row per object of a volume (all its slices), not per slice. */
export type VolumeMode = '3D-box' | '3D-point' | 'S5-all-slices';
export const VOLUME_MODES: readonly VolumeMode[] = ['3D-box', '3D-point', 'S5-all-slices'];
export const isVolumeMode = (mode: string): mode is VolumeMode => (VOLUME_MODES as readonly string[]).includes(mode);

/** Why a propagation direction ended: the engine's stop rule, or the series' end (runtime's DirectionEnd). */
export type DirectionEndName = DirectionEnd;

/** How the mask was chosen among the decoder's candidates (S1: among the generated masks). */
export type Selection = 'iou' | 'oracle';

/** Which mask was empty when no surface distance exists (counted apart, never scored as 0). */
export type EmptyCase = 'none' | 'empty-prediction' | 'empty-reference' | 'both-empty';

export interface ResultRow {
  type: 'row';
  dataset: string;
  /** The reference key (the unit of resuming) and the image id (a slice of a volume has its own). */
  ref: string;
  image: string;
  modality: string;
  object: string;
  /** Foreground pixels of the ground truth. */
  pixels: number;
  mode: RowMode;
  /** "none", or a perturbation band in pixels such as "0-10" (modes S2-S6 only). */
  perturb: string;
  select: Selection;
  /** The candidate index taken (decoder order; S1: index of the generated mask), -1 when none. */
  candidate: number;
  /** The decoder's predicted IoU of the chosen mask (NaN → null when there is none). */
  predictedIou: number | null;
  dice: number;
  iou: number;
  /** Surface distances; null when `empty` is not "none". In `distanceUnit`. */
  hd95: number | null;
  hdMax: number | null;
  /** Mean of the pooled surface distances (both boundaries' pixels together). */
  asd: number | null;
  /** MedPy's assd: the mean of the two directed mean distances; absent in rows written before it was. */
  assd?: number | null;
  distanceUnit: 'px' | 'mm';
  empty: EmptyCase;
  /**
   * Mode "clicks": Dice after click 1, 2, … (the first click included), and NoC@85 / NoC@90.
   * Volume modes (NoC-3D): 3D Dice after 0, 1, 2, … corrective clicks (index 0: before any), and the
   * corrective clicks needed to reach 85% / 90% 3D Dice (0 when the start reaches it; the budget when never).
   */
  diceByClick?: number[];
  noc85?: number;
  noc90?: number;
  /**
   * Volume modes. `image` is the volume's key, `pixels` the object's voxels, `dice` and `iou` are 3D (over
   * all slices, before any corrective click), `candidate` / `predictedIou` those of the start slice's
   * decode; surface distances are not computed (null). `startSlice`: the start slice (the object's largest).
   */
  startSlice?: number;
  /** Volume modes: [signed distance in slices from the start slice, Dice] of every slice with object or mask. */
  sliceDice?: [number, number][];
  /** 3D-box, 3D-point: why propagation ended towards higher (+1, "up") and lower (−1, "down") slice indices. */
  endedUp?: DirectionEndName;
  endedDown?: DirectionEndName;
  /** 3D-box, 3D-point: object slices beyond the last propagated slice (stopped early), each way. */
  earlyUp?: number;
  earlyDown?: number;
  /** 3D-box, 3D-point: slices with a mask and no object (ran past the object), each way. */
  overrunUp?: number;
  overrunDown?: number;
}

/** Marks a reference as finished: every row of it precedes this line. */
export interface DoneLine {
  type: 'done';
  ref: string;
  /** Images (slices) evaluated (with volume modes: the volume's slices), objects evaluated, and milliseconds spent. */
  images: number;
  objects: number;
  ms: number;
  /** Volume modes: objects of the whole volume evaluated (absent when none ran). */
  objects3d?: number;
}

/**
 * A reference its data rules out (unreadable file, size mismatch, no object …): reported, not counted, and
 * finished (a rerun does not try it again).
 */
export interface SkippedLine {
  type: 'skipped';
  ref: string;
  path: string;
  reason: string;
  /** Refused for its size (--max-pixels): its pixels. A rerun whose limit holds them tries it again. */
  pixels?: number;
}

/**
 * A reference whose evaluation failed for a reason that is not its data (the model or the runtime threw,
 * the worker died): reported, not counted and not finished, so a rerun tries it again.
 */
export interface FailedLine {
  type: 'failed';
  ref: string;
  path: string;
  reason: string;
}

export type ResultLine = ResultRow | DoneLine | SkippedLine | FailedLine;

/** The CSV's columns, in order (diceByClick joined with ";", sliceDice as "distance:dice" joined with ";"). */
export const CSV_COLUMNS = [
  'dataset',
  'ref',
  'image',
  'modality',
  'object',
  'pixels',
  'mode',
  'perturb',
  'select',
  'candidate',
  'predictedIou',
  'dice',
  'iou',
  'hd95',
  'hdMax',
  'asd',
  'assd',
  'distanceUnit',
  'empty',
  'noc85',
  'noc90',
  'diceByClick',
  'startSlice',
  'endedUp',
  'endedDown',
  'earlyUp',
  'earlyDown',
  'overrunUp',
  'overrunDown',
  'sliceDice',
] as const satisfies readonly (keyof ResultRow)[];
