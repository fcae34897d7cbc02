import type { PropagationRequest, PropagationStatus } from '../segment/SeriesPropagation';
import { panelButton, statusBox } from './statusBox';

const WAYS: Array<[PropagationRequest['directions'], string]> = [
  ['both', 'both ways'],
  ['forward', 'to the next images'],
  ['backward', 'to the previous images'],
];

/**
 * Propagate: carry the mask on this slice (the preview, or the accepted segment) through the series.
 * While it runs: "slice i of n" as slices arrive, and Stop, keeping or discarding what was done.
 */
export function PropagationView({
  request,
  status,
  onChange,
  onPropagate,
  onStop,
}: {
  request: PropagationRequest;
  status: PropagationStatus | undefined;
  onChange: (request: PropagationRequest) => void;
  onPropagate: () => void;
  onStop: (keep: boolean) => void;
}) {
  const running = status?.state === 'starting' || status?.state === 'running' || status?.state === 'stopping';
  return (
    <div style={statusBox} data-testid="sam-propagation" data-state={status?.state ?? 'idle'}>
      <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap', alignItems: 'center' }}>
        <button
          type="button"
          data-testid="sam-propagate"
          disabled={running}
          onClick={onPropagate}
          style={panelButton}
          title="Carry the mask on this slice through the series (P)"
        >
          Propagate (P)
        </button>
        <select
          data-testid="sam-propagate-directions"
          value={request.directions}
          disabled={running}
          onChange={(e) => onChange({ ...request, directions: e.target.value as PropagationRequest['directions'] })}
          style={{ color: '#000' }}
        >
          {WAYS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <label>
          at most{' '}
          <input
            type="number"
            min={1}
            data-testid="sam-propagate-limit"
            value={request.maxSlices ?? ''}
            placeholder="all"
            disabled={running}
            onChange={(e) => {
              const n = Number.parseInt(e.target.value, 10);
              const { maxSlices: _, ...rest } = request;
              onChange(Number.isInteger(n) && n > 0 ? { ...rest, maxSlices: n } : rest);
            }}
            style={{ width: 48, color: '#000' }}
          />{' '}
          slices
        </label>
      </div>
      {status && <PropagationStatusLine status={status} onStop={onStop} />}
    </div>
  );
}

function PropagationStatusLine({ status, onStop }: { status: PropagationStatus; onStop: (keep: boolean) => void }) {
  switch (status.state) {
    case 'starting':
      return <div>Starting…</div>;
    case 'running':
      return (
        <div data-testid="sam-propagation-progress" data-done={status.done} data-total={status.total}>
          <div>
            Propagating: slice {status.done} of up to {status.total}…
          </div>
          <progress max={Math.max(1, status.total)} value={status.done} style={{ width: '100%' }} />
          <div style={{ display: 'flex', gap: 8 }}>
            <button
              type="button"
              data-testid="sam-propagate-stop-keep"
              onClick={() => onStop(true)}
              style={panelButton}
            >
              Stop, keep {status.done} slices
            </button>
            <button
              type="button"
              data-testid="sam-propagate-stop-discard"
              onClick={() => onStop(false)}
              style={panelButton}
            >
              Stop, discard them
            </button>
          </div>
        </div>
      );
    case 'stopping':
      return <div>Stopping after this slice ({status.keep ? 'keeping' : 'discarding'} what was done)…</div>;
    case 'done':
      return (
        <div data-testid="sam-propagation-result" data-kept={status.kept}>
          Propagated to {status.kept} slices ({status.why}). Undo takes the whole run back.
        </div>
      );
    case 'stopped':
      return (
        <div data-testid="sam-propagation-result" data-kept={status.kept}>
          {status.discarded ? 'Stopped: the propagated slices were put back.' : `Stopped: ${status.kept} slices kept.`}
        </div>
      );
    case 'error':
      return (
        <div role="alert" data-testid="sam-propagation-result" data-kept={status.kept}>
          {status.message}
          {status.kept > 0 && ` The ${status.kept} slices done are kept (Undo takes them back).`}
        </div>
      );
  }
}
