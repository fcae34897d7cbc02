/**
 * The evaluation's per-object rows: what `results.jsonl` holds, one JSON object per line, and what the
 * CSV, the summary and the HTML report are computed from (streamed, never all in memory).
 *
 * One row per image × object × prompt mode × perturbation band × selection rule. Every row of one image
 * reference is written in a single append, followed by a `done` line naming the reference, so a run that
 * stops midway leaves whole references only (see run/resume.ts).
 */

/** S1 everything, S2-S6 the study's prompt modes, "clicks" the interactive run with corrective clicks. */
export type RowMode = 'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6' | 'clicks';

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
  asd: number | null;
  distanceUnit: 'px' | 'mm';
  empty: EmptyCase;
  /** Mode "clicks" only: Dice after click 1, 2, … (the first click included), and NoC@85 / NoC@90. */
  diceByClick?: number[];
  noc85?: number;
  noc90?: number;
}

/** Marks a reference as finished: every row of it precedes this line. */
export interface DoneLine {
  type: 'done';
  ref: string;
  /** Images (slices) evaluated, objects evaluated, and milliseconds spent. */
  images: number;
  objects: number;
  ms: number;
}

/** A reference that could not be evaluated (unreadable file, size mismatch …): reported, not counted. */
export interface SkippedLine {
  type: 'skipped';
  ref: string;
  path: string;
  reason: string;
}

export type ResultLine = ResultRow | DoneLine | SkippedLine;

/** The CSV's columns, in order (diceByClick joined with ";"). */
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
  'distanceUnit',
  'empty',
  'noc85',
  'noc90',
  'diceByClick',
] as const satisfies readonly (keyof ResultRow)[];
