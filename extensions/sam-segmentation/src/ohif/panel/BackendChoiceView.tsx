import type { BackendPreference } from '../../runtime/workerMessages';

const CHOICES: Array<[BackendPreference, string]> = [
  ['auto', 'Automatic (WebGPU if available)'],
  ['webgpu', 'WebGPU'],
  ['wasm', 'WASM (CPU)'],
];

/** Forces a backend, e.g. WASM on a machine whose GPU driver misbehaves. */
export function BackendChoiceView({
  preference,
  onChange,
}: {
  preference: BackendPreference;
  onChange: (p: BackendPreference) => void;
}) {
  return (
    <label style={{ display: 'block', margin: '8px 0' }}>
      Backend{' '}
      <select
        data-testid="sam-backend-select"
        value={preference}
        onChange={(e) => onChange(e.target.value as BackendPreference)}
        style={{ color: '#000' }}
      >
        {CHOICES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
