import type { SeriesProgress } from '../SeriesEncodingController';
import { statusBox } from './statusBox';

const LABEL: Record<SeriesProgress['state'], string> = {
  running: 'Encoding the series',
  paused: 'Encoding paused while you work',
  complete: 'Series encoded',
  cancelled: 'Encoding stopped',
  error: 'Encoding stopped',
};

/** Background encoding of the series on screen: every encoded slice answers a click at once. */
export function PreEncodingView({ progress }: { progress: SeriesProgress | undefined }) {
  if (!progress || progress.state === 'cancelled') return null;
  const { done, total, state, encodeMs } = progress;
  const perSlice = done > 0 && encodeMs > 0 ? ` · ${Math.round(encodeMs / done)} ms per slice` : '';
  return (
    <div style={statusBox} data-testid="sam-preencoding" data-state={state} data-done={done} data-total={total}>
      <div>
        {LABEL[state]}: {done} / {total} slices{perSlice}
      </div>
      <progress max={total} value={done} style={{ width: '100%' }} />
      {state === 'error' && <div role="alert">{progress.message}</div>}
    </div>
  );
}
