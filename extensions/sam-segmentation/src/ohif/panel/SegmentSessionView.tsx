import type { SamState } from '../samState';
import { panelButton, statusBox } from './statusBox';

/**
 * The prompts on the image and the candidate masks the model proposes for them, with the model's
 * predicted IoU; the user can show another candidate, accept (Enter) or reject (Esc).
 */
export function PreviewView({
  preview,
  error,
  onChoose,
  onAccept,
  onReject,
  lastAccept,
}: {
  lastAccept?: SamState['lastAccept'];
  preview: SamState['preview'];
  error: string | undefined;
  onChoose: (index: number) => void;
  onAccept?: () => void;
  onReject: () => void;
}) {
  if (!preview) {
    return (
      <div style={statusBox} data-testid="sam-preview" data-state={error ? 'error' : 'empty'}>
        {error ? (
          <div role="alert">{error}</div>
        ) : (
          'Choose a SAM tool in the toolbar, then click inside the structure (include), outside it (exclude), or draw a box.'
        )}
        {lastAccept && (
          <div data-testid="sam-last-accept" style={{ opacity: 0.8, marginTop: 4 }}>
            Accepted: {lastAccept.voxelsWritten} voxels written
            {lastAccept.voxelsSkipped > 0 && `, ${lastAccept.voxelsSkipped} of other segments kept`}.
          </div>
        )}
      </div>
    );
  }
  const { prompt, candidates, chosenIndex, decodeMs } = preview;
  const include = prompt.points.filter((p) => p.label === 'include').length;
  const exclude = prompt.points.length - include;
  return (
    <div style={statusBox} data-testid="sam-preview" data-state="ready" data-chosen={chosenIndex}>
      <div>
        Prompt: {include} include, {exclude} exclude{prompt.box ? ', 1 box' : ''} · decoded in {Math.round(decodeMs)} ms
      </div>
      <div style={{ display: 'flex', gap: 4, flexWrap: 'wrap', margin: '6px 0' }}>
        {candidates.map((c) => (
          <button
            key={c.index}
            type="button"
            data-testid={`sam-candidate-${c.index}`}
            aria-pressed={c.index === chosenIndex}
            onClick={() => onChoose(c.index)}
            style={{
              ...panelButton,
              fontWeight: c.index === chosenIndex ? 700 : 400,
              opacity: c.index === chosenIndex ? 1 : 0.75,
            }}
            title={c.token === 'single-mask' ? 'the single-mask output' : 'a multimask candidate'}
          >
            #{c.index} IoU {c.predictedIou.toFixed(2)}
          </button>
        ))}
      </div>
      <div style={{ display: 'flex', gap: 8 }}>
        <button type="button" data-testid="sam-accept" disabled={!onAccept} onClick={onAccept} style={panelButton}>
          Accept (Enter)
        </button>
        <button type="button" data-testid="sam-reject" onClick={onReject} style={panelButton}>
          Reject (Esc)
        </button>
      </div>
      {error && <div role="alert">{error}</div>}
    </div>
  );
}
