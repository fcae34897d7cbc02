import type { SegStoreStatus } from '../samState';
import { panelButton, statusBox } from './statusBox';

const MESSAGE: Record<SegStoreStatus['state'], string> = {
  storing: 'Storing…',
  stored: 'Stored',
  cancelled: 'Not stored (cancelled).',
  error: 'Not stored',
};

/**
 * The SAM segmentation as DICOM SEG: stored to the study's data source through OHIF's Store
 * Segmentation (its dialog names the series), or downloaded as a file.
 */
export function SegStoreView({
  status,
  onStore,
  onDownload,
}: {
  status: SegStoreStatus | undefined;
  onStore: () => void;
  onDownload: () => void;
}) {
  return (
    <div style={statusBox} data-testid="sam-seg-store" data-state={status?.state ?? 'idle'}>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <button
          type="button"
          data-testid="sam-store-seg"
          disabled={status?.state === 'storing'}
          onClick={onStore}
          style={panelButton}
          title="Store the SAM segmentation as a DICOM SEG series of this study (OHIF's Store Segmentation)"
        >
          Store as DICOM SEG
        </button>
        <button type="button" data-testid="sam-download-seg" onClick={onDownload} style={panelButton}>
          Download SEG
        </button>
      </div>
      {status && (
        <div role={status.state === 'error' ? 'alert' : undefined} style={{ marginTop: 4 }}>
          {MESSAGE[status.state]}
          {status.state === 'stored' && ` as series "${status.seriesDescription}".`}
          {status.state === 'error' && `: ${status.message}`}
        </div>
      )}
    </div>
  );
}
