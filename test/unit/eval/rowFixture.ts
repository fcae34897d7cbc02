/** A result row for the tests of the results pipeline: plausible values, any field overridden. */
import type { ResultRow } from '../../../tools/eval/results/rows';

export function resultRow(over: Partial<ResultRow> = {}): ResultRow {
  return {
    type: 'row',
    dataset: 'd',
    ref: 'r1',
    image: 'i1',
    modality: 'CT',
    object: 'liver',
    pixels: 100,
    mode: 'S2',
    perturb: 'none',
    select: 'oracle',
    candidate: 1,
    predictedIou: 0.9,
    dice: 0.5,
    iou: 0.3,
    hd95: 1,
    hdMax: 2,
    asd: 0.5,
    distanceUnit: 'px',
    empty: 'none',
    ...over,
  };
}
