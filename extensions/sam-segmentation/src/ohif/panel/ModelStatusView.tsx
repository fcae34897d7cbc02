import type { ModelStatus } from '../samState';
import { panelButton, statusBox } from './statusBox';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The model the panel will segment with: loading progress, what is loaded, or what went wrong. */
export function ModelStatusView({ status, onRetry }: { status: ModelStatus; onRetry: () => void }) {
  switch (status.state) {
    case 'idle':
      return null;
    case 'loading': {
      if (status.file?.startsWith('warm-up')) {
        return (
          <div style={statusBox} data-testid="sam-model" data-state="warming-up">
            Preparing the GPU: compiling shaders, once per session…
          </div>
        );
      }
      const pct = status.totalBytes ? Math.round((100 * status.loadedBytes) / status.totalBytes) : undefined;
      return (
        <div style={statusBox} data-testid="sam-model" data-state="loading">
          Loading the model{status.file ? ` (${status.file})` : ''}…{' '}
          {pct !== undefined ? `${pct}%` : mb(status.loadedBytes)}
          {pct !== undefined && <progress max={100} value={pct} style={{ width: '100%' }} />}
        </div>
      );
    }
    case 'ready': {
      const { model } = status;
      return (
        <div style={statusBox} data-testid="sam-model" data-state="ready" data-model-id={model.id}>
          <div>
            Model: <strong>{model.name}</strong>
          </div>
          {!model.segmentAnythingWeights && (
            <div style={{ opacity: 0.8 }}>
              The offline default, not Segment Anything: fetch a SAM model for better masks (see README).
            </div>
          )}
          <div style={{ opacity: 0.6 }}>
            {model.family} family, loaded in {model.loadMs} ms
            {model.warmUpMs !== undefined && `, GPU warm-up ${model.warmUpMs} ms`}
          </div>
        </div>
      );
    }
    case 'error':
      return (
        <div style={{ ...statusBox, borderColor: '#c44' }} data-testid="sam-model" data-state="error" role="alert">
          <div>No model: {status.message}</div>
          <button type="button" onClick={onRetry} style={{ ...panelButton, marginTop: 6 }}>
            Retry
          </button>
        </div>
      );
  }
}
