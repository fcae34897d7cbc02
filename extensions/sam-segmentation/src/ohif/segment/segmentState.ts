/**
 * The state machine of one viewport's prompting session, pure: what the panel shows and what Enter
 * and Esc do.
 *
 *   idle ──prompt──▶ prompting ──decoding──▶ decoding ──answer──▶ preview ──accepting──▶ accepting
 *     ▲                 │  ▲                    │                   │                     │
 *     └──── rejected / no-prompt / accepted ────┴───────────────────┴──── accept-failed ───┘ (→ preview)
 *   any phase ──failed / refused──▶ error ──rejected / prompt / no-prompt──▶ (out again)
 *
 * Every phase but `accepting` (a write of a few milliseconds that ends by itself) leaves on Esc
 * (`rejected`) and on a new prompt; an error never outlives the user's next action.
 */
import type { Prompt } from '../../core';
import { samePrompt } from '../../core';
import type { CandidateSummary } from '../../runtime/workerMessages';

export type SegmentPhase = 'idle' | 'prompting' | 'decoding' | 'preview' | 'accepting' | 'error';

/** The mask on screen, as the panel lists it (the mask itself stays with the session). */
export interface PreviewSummary {
  /** The worker's id of the decode that made it (refinement and candidate picks refer to it). */
  decodeId: number;
  imageId: string;
  prompt: Prompt;
  candidates: CandidateSummary[];
  chosenIndex: number;
  decodeMs: number;
  /** The decoder graph's run alone: what the interaction budget is measured against. */
  decoderRunMs: number;
  /** The previous mask was fed back (the prompt added points to the one before). */
  refined: boolean;
  /** The image was encoded with another window than the display's, and why. */
  windowNote?: string;
}

export interface SegmentView {
  viewportId: string;
  phase: SegmentPhase;
  /** The image the prompt is on. */
  imageId?: string;
  /** The prompt on the image, as the model gets it. */
  prompt?: Prompt;
  /** The mask on screen: `prompt`'s in `preview` and `accepting`; none in the other phases. */
  preview?: PreviewSummary;
  /** What went wrong, in the `error` phase, with what to do. */
  error?: string;
  /** A remark beside the prompt: a part the model could not take (removed), or what is missing. */
  notice?: string;
}

export type SegmentEvent =
  | { type: 'prompt'; imageId: string; prompt: Prompt; notice?: string }
  | { type: 'no-prompt'; imageId: string; error?: string; notice?: string }
  | { type: 'decoding'; prompt: Prompt }
  | { type: 'answer'; preview: PreviewSummary }
  | { type: 'failed'; prompt: Prompt; error: string }
  | { type: 'refused'; error: string }
  | { type: 'accepting' }
  | { type: 'accepted' }
  | { type: 'accept-failed'; error: string }
  | { type: 'rejected' };

export function idleView(viewportId: string): SegmentView {
  return { viewportId, phase: 'idle' };
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

export function nextView(view: SegmentView, event: SegmentEvent): SegmentView {
  const { viewportId } = view;
  switch (event.type) {
    case 'prompt':
      if (view.phase === 'accepting') return view;
      return {
        viewportId,
        phase: 'prompting',
        imageId: event.imageId,
        prompt: event.prompt,
        ...optional('notice', event.notice),
      };
    case 'no-prompt':
      if (view.phase === 'accepting') return view;
      if (event.error) return { viewportId, phase: 'error', imageId: event.imageId, error: event.error };
      return event.notice
        ? { viewportId, phase: 'prompting', imageId: event.imageId, notice: event.notice }
        : idleView(viewportId);
    case 'decoding':
      if (!isCurrent(view, event.prompt) || (view.phase !== 'prompting' && view.phase !== 'decoding')) return view;
      return { ...view, phase: 'decoding' };
    case 'answer':
      // Only the current prompt's answer is shown; a notice of the prompt change stays beside it.
      if (!isCurrent(view, event.preview.prompt) || view.imageId !== event.preview.imageId) return view;
      if (view.phase !== 'prompting' && view.phase !== 'decoding' && view.phase !== 'preview') return view;
      return {
        ...view,
        phase: 'preview',
        preview: event.preview,
        ...optional('notice', event.preview.windowNote ?? view.notice),
      };
    case 'failed':
      if (!isCurrent(view, event.prompt) || view.phase === 'accepting') return view;
      return {
        viewportId,
        phase: 'error',
        ...optional('imageId', view.imageId),
        ...optional('prompt', view.prompt),
        error: event.error,
      };
    case 'refused':
      if (view.phase === 'accepting') return view;
      return { viewportId, phase: 'error', error: event.error };
    case 'accepting':
      return view.phase === 'preview' ? { ...view, phase: 'accepting' } : view;
    case 'accepted':
      return view.phase === 'accepting' ? idleView(viewportId) : view;
    case 'accept-failed':
      return view.phase === 'accepting' ? { ...view, phase: 'preview', notice: event.error } : view;
    case 'rejected':
      return view.phase === 'accepting' ? view : idleView(viewportId);
  }
}

function isCurrent(view: SegmentView, prompt: Prompt): boolean {
  return view.prompt !== undefined && samePrompt(view.prompt, prompt);
}
