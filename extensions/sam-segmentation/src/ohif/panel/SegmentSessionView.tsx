import type { MaskToken, Prompt } from '../../core';
import type { AcceptResult } from '../labelmap/acceptMask';
import type { SegmentView } from '../segment/segmentState';
import { panelButton, statusBox } from './statusBox';

const INSTRUCTIONS =
  'Choose a SAM tool in the toolbar, then click inside the structure (include), outside it (exclude), or draw a box.';

/** A candidate's button tooltip: which decoder output it is. */
const CANDIDATE_TITLES: Record<MaskToken, string> = {
  'single-mask': 'the single-mask output',
  multimask: 'a multimask candidate',
  'graph-selected': "the decoder's only mask, chosen inside the graph (single-mask token or best multimask candidate)",
};

function describe(prompt: Prompt | undefined): string {
  if (!prompt) return 'no prompt';
  const include = prompt.points.filter((p) => p.label === 'include').length;
  return `${include} include, ${prompt.points.length - include} exclude${prompt.box ? ', 1 box' : ''}`;
}

/**
 * The active viewport's prompting session, phase by phase: what is on the image, the candidate masks
 * with the model's predicted IoU (the user can show another), and a way out of every phase: Accept
 * (Enter) for a preview, Reject (Esc) for a prompt, a decode under way or an error.
 */
export function SegmentSessionView({
  view,
  lastAccept,
  onChoose,
  onAccept,
  onReject,
}: {
  view: SegmentView | undefined;
  lastAccept: AcceptResult | undefined;
  onChoose: (index: number) => void;
  onAccept: () => void;
  onReject: () => void;
}) {
  const phase = view?.phase ?? 'idle';
  const prompt = view?.prompt;
  const preview = view?.preview;
  const points = prompt?.points ?? [];
  const include = points.filter((p) => p.label === 'include').length;
  return (
    <div
      style={statusBox}
      data-testid="sam-preview"
      data-state={phase}
      data-include={include}
      data-exclude={points.length - include}
      data-box={prompt?.box ? 1 : 0}
      {...(preview && { 'data-chosen': preview.chosenIndex })}
    >
      {phase === 'idle' && <div>{INSTRUCTIONS}</div>}
      {phase === 'error' && <div role="alert">{view?.error}</div>}
      {prompt && (
        <div>
          Prompt: {describe(prompt)}
          {phase === 'prompting' && ' · waiting for the model…'}
          {phase === 'decoding' && ' · segmenting…'}
          {phase === 'accepting' && ' · writing into the segmentation…'}
          {phase === 'preview' && preview && ` · decoded in ${Math.round(preview.decodeMs)} ms`}
        </div>
      )}
      {phase === 'preview' && preview && (
        <div style={{ display: 'flex', gap: 4, flexWrap: 'wrap', margin: '6px 0' }}>
          {preview.candidates.map((c) => (
            <button
              key={c.index}
              type="button"
              data-testid={`sam-candidate-${c.index}`}
              aria-pressed={c.index === preview.chosenIndex}
              onClick={() => onChoose(c.index)}
              style={{
                ...panelButton,
                fontWeight: c.index === preview.chosenIndex ? 700 : 400,
                opacity: c.index === preview.chosenIndex ? 1 : 0.75,
              }}
              title={CANDIDATE_TITLES[c.token]}
            >
              #{c.index} IoU {c.predictedIou.toFixed(2)}
            </button>
          ))}
        </div>
      )}
      {view?.notice && (
        <div role="status" data-testid="sam-notice" style={{ opacity: 0.85 }}>
          {view.notice}
        </div>
      )}
      {phase !== 'idle' && (
        <div style={{ display: 'flex', gap: 8, marginTop: 4 }}>
          {(phase === 'preview' || phase === 'accepting') && (
            <button
              type="button"
              data-testid="sam-accept"
              disabled={phase !== 'preview'}
              onClick={onAccept}
              style={panelButton}
            >
              Accept (Enter)
            </button>
          )}
          <button
            type="button"
            data-testid="sam-reject"
            disabled={phase === 'accepting'}
            onClick={onReject}
            style={panelButton}
          >
            {phase === 'error' ? 'Clear (Esc)' : 'Reject (Esc)'}
          </button>
        </div>
      )}
      {(phase === 'idle' || phase === 'error') && lastAccept && (
        <div data-testid="sam-last-accept" style={{ opacity: 0.8, marginTop: 4 }}>
          Accepted: {lastAccept.voxelsWritten} voxels written
          {lastAccept.voxelsSkipped > 0 && `, ${lastAccept.voxelsSkipped} of other segments kept`}.
        </div>
      )}
    </div>
  );
}
