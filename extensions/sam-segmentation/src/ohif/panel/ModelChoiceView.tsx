import type { BackendReport } from '../../runtime/workerMessages';
import type { ModelChoice } from '../samState';

/**
 * The model picker. On a CPU-only browser, a model meant for a GPU is flagged, with the reason:
 * a SAM ViT-B encoder takes tens of seconds per slice in WASM and sits at wasm32's 4 GiB limit.
 */
export function ModelChoiceView({
  models,
  selected,
  backend,
  onSelect,
}: {
  models: ModelChoice[];
  selected: string | undefined;
  backend: BackendReport['backend'] | undefined;
  onSelect: (id: string) => void;
}) {
  if (models.length === 0) return null;
  const current = models.find((m) => m.id === selected);
  const cpuFriendly = models.filter((m) => m.recommendedBackend !== 'webgpu').map((m) => m.name);
  return (
    <div style={{ margin: '8px 0' }}>
      <label>
        Model{' '}
        <select
          data-testid="sam-model-select"
          value={selected ?? ''}
          onChange={(e) => onSelect(e.target.value)}
          style={{ maxWidth: '100%', color: '#000' }}
        >
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
              {backend === 'wasm' && m.recommendedBackend === 'webgpu' ? ' (GPU model)' : ''}
            </option>
          ))}
        </select>
      </label>
      {current && backend === 'wasm' && current.recommendedBackend === 'webgpu' && (
        <div role="note" data-testid="sam-model-warning" style={{ opacity: 0.85, marginTop: 4 }}>
          This model is meant for a GPU; without WebGPU each slice takes tens of seconds and may exhaust the browser's 4
          GiB WASM memory. On this machine prefer: {cpuFriendly.join(', ')}.
        </div>
      )}
    </div>
  );
}
