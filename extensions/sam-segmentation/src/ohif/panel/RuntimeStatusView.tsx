import type { RuntimeStatus } from '../samState';
import { panelButton, statusBox as box } from './statusBox';

/** Which backend really runs the models, and why; an error with a retry button. */
export function RuntimeStatusView({ status, onRetry }: { status: RuntimeStatus; onRetry: () => void }) {
  switch (status.state) {
    case 'idle':
      return (
        <div style={box} data-testid="sam-runtime" data-state="idle">
          Inference runtime not started.
        </div>
      );
    case 'starting':
      return (
        <div style={box} data-testid="sam-runtime" data-state="starting">
          Starting the inference runtime ({status.preference})…
        </div>
      );
    case 'ready': {
      const { report } = status;
      const threads =
        report.backend === 'wasm' ? `, ${report.wasmThreads} thread${report.wasmThreads > 1 ? 's' : ''}` : '';
      return (
        <div style={box} data-testid="sam-runtime" data-state="ready" data-backend={report.backend}>
          <div>
            Backend: <strong data-testid="sam-backend">{report.backend === 'webgpu' ? 'WebGPU' : 'WASM'}</strong>
            {threads}
          </div>
          <div style={{ opacity: 0.8 }}>{report.reason}</div>
          {report.backend === 'wasm' && !report.environment.crossOriginIsolated && (
            <div style={{ opacity: 0.8 }}>
              Page not cross-origin isolated: WASM is limited to one thread (serve with COOP/COEP headers).
            </div>
          )}
          <div style={{ opacity: 0.6 }}>onnxruntime-web {report.ortVersion}</div>
        </div>
      );
    }
    case 'error':
      return (
        <div style={{ ...box, borderColor: '#c44' }} data-testid="sam-runtime" data-state="error" role="alert">
          <div>The inference runtime could not start: {status.message}</div>
          <button type="button" onClick={onRetry} style={{ ...panelButton, marginTop: 6 }}>
            Retry
          </button>
        </div>
      );
  }
}
