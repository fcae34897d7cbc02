/**
 * Choosing one candidate.
 * 'highest-iou': the largest predicted IoU among all candidates (the default).
 * 'official': what SamPredictor's documented use gives: one point alone is ambiguous, so the best of the
 *   multimask candidates; several points or a box, the single-mask token (the best candidate when the
 *   family has none). The official ONNX export's `return_single_mask` differs for a box alone (it counts
 *   the two corners as two points and picks a multimask candidate).
 */
import type { Prompt } from '../prompts/prompt';
import type { MaskCandidate } from './candidates';

/** 'highest-iou', 'official' (SAM's own rule), or a candidate the user picked by its index. */
export type SelectionRule = 'highest-iou' | 'official' | { index: number };

function bestByIou(candidates: readonly MaskCandidate[]): MaskCandidate | undefined {
  let best: MaskCandidate | undefined;
  for (const c of candidates) if (!best || c.predictedIou > best.predictedIou) best = c;
  return best;
}

export function selectCandidate(
  candidates: readonly MaskCandidate[],
  rule: SelectionRule = 'highest-iou',
  prompt?: Prompt,
): MaskCandidate {
  if (candidates.length === 0) throw new Error('No mask candidates to choose from.');
  if (rule === 'highest-iou') return bestByIou(candidates)!;
  if (typeof rule === 'object') {
    const picked = candidates.find((c) => c.index === rule.index);
    if (!picked)
      throw new Error(`No candidate ${rule.index}; candidates: ${candidates.map((c) => c.index).join(', ')}.`);
    return picked;
  }
  if (rule !== 'official')
    throw new Error(`Unknown selection rule "${String(rule)}"; use "highest-iou" or "official".`);
  if (!prompt) throw new Error('The "official" selection rule needs the prompt (it depends on the number of points).');
  const singlePoint = prompt.points.length === 1 && !prompt.box;
  if (singlePoint) return bestByIou(candidates.filter((c) => c.token === 'multimask')) ?? bestByIou(candidates)!;
  return candidates.find((c) => c.token === 'single-mask') ?? bestByIou(candidates)!;
}
