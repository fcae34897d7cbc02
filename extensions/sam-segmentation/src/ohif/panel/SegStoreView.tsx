import { useState } from 'react';
import type { SegStoreStatus } from '../samState';
import { panelButton, statusBox } from './statusBox';

/** What the SEG is called and who made it, as the user typed them. */
export interface SegChoice {
  seriesDescription: string;
  contentCreatorName: string;
}

function statusText(status: SegStoreStatus): string {
  switch (status.state) {
    case 'storing':
      return 'Storing…';
    case 'stored':
      return `Stored as series "${status.seriesDescription}" (data source ${status.dataSource}).`;
    case 'downloaded':
      return `Saved as ${status.fileName}.`;
    case 'error':
      return status.reason === 'download' || status.reason === 'not-built'
        ? `${status.message} The segmentation is still in the viewer.`
        : `Not stored: ${status.message} The segmentation is still in the viewer: Download SEG saves it as a file.`;
  }
}

/**
 * The SAM segmentation as a DICOM SEG: its series name and creator, then Store (to the study's data
 * source, STOW-RS) or Download (a file). Where the data source cannot store (local files) it says so
 * and offers Download only; after a failed store it says why, and Download is the way out.
 */
export function SegStoreView({
  status,
  unavailable,
  defaultCreator,
  onStore,
  onDownload,
}: {
  status: SegStoreStatus | undefined;
  /** Why this viewer cannot store (its data source), if it cannot. */
  unavailable: string | undefined;
  defaultCreator: string;
  onStore: (choice: SegChoice) => void;
  onDownload: (choice: SegChoice) => void;
}) {
  const [seriesDescription, setSeriesDescription] = useState('SAM segmentation');
  const [contentCreatorName, setCreator] = useState(defaultCreator);
  const choice = { seriesDescription, contentCreatorName };
  const field = { color: '#000', width: 150 };
  return (
    <div style={statusBox} data-testid="sam-seg-store" data-state={status?.state ?? 'idle'}>
      <div style={{ display: 'grid', gridTemplateColumns: 'auto 1fr', gap: 4, alignItems: 'center', marginBottom: 6 }}>
        <label htmlFor="sam-seg-series">Series</label>
        <input
          id="sam-seg-series"
          data-testid="sam-seg-series"
          value={seriesDescription}
          maxLength={64}
          onChange={(e) => setSeriesDescription(e.target.value)}
          style={field}
        />
        <label htmlFor="sam-seg-creator">Creator</label>
        <input
          id="sam-seg-creator"
          data-testid="sam-seg-creator"
          value={contentCreatorName}
          placeholder="Family^Given"
          maxLength={64}
          onChange={(e) => setCreator(e.target.value)}
          style={field}
        />
      </div>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        {!unavailable && (
          <button
            type="button"
            data-testid="sam-store-seg"
            disabled={status?.state === 'storing'}
            onClick={() => onStore(choice)}
            style={panelButton}
            title="Store the SAM segmentation as a DICOM SEG series of this study in the PACS"
          >
            Store as DICOM SEG
          </button>
        )}
        <button
          type="button"
          data-testid="sam-download-seg"
          onClick={() => onDownload(choice)}
          style={panelButton}
          title="Save the SAM segmentation as a DICOM SEG file"
        >
          Download SEG
        </button>
      </div>
      {unavailable && (
        <div data-testid="sam-seg-store-unavailable" style={{ marginTop: 4 }}>
          {unavailable}
        </div>
      )}
      {status && (
        <div
          role={status.state === 'error' ? 'alert' : undefined}
          data-testid="sam-seg-store-status"
          style={{ marginTop: 4 }}
        >
          {statusText(status)}
        </div>
      )}
    </div>
  );
}
