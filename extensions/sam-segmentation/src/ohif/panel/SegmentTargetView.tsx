import { useState } from 'react';
import { SEGMENT_TYPES } from '../../core/dicomSeg/segmentCodes';
import type { SegmentTargetView as Target } from '../labelmap/SamLabelmap';
import { panelButton, statusBox } from './statusBox';

/** A short list of distinct colours for a new segment ([r, g, b, a], 0-255); none chosen: OHIF's own. */
export const SEGMENT_COLOURS: ReadonlyArray<{ name: string; rgba: [number, number, number, number] }> = [
  { name: 'red', rgba: [230, 25, 75, 255] },
  { name: 'green', rgba: [60, 180, 75, 255] },
  { name: 'yellow', rgba: [255, 225, 25, 255] },
  { name: 'blue', rgba: [0, 130, 200, 255] },
  { name: 'orange', rgba: [245, 130, 48, 255] },
  { name: 'purple', rgba: [145, 30, 180, 255] },
  { name: 'cyan', rgba: [70, 240, 240, 255] },
  { name: 'magenta', rgba: [240, 50, 230, 255] },
];

const css = (c: readonly number[]) => `rgb(${c[0] ?? 0}, ${c[1] ?? 0}, ${c[2] ?? 0})`;

function Swatch({ color }: { color: readonly number[] | undefined }) {
  return (
    <span
      data-testid="sam-target-color"
      data-color={color ? Array.from(color.slice(0, 3)).join(',') : ''}
      style={{
        display: 'inline-block',
        width: 12,
        height: 12,
        marginRight: 6,
        verticalAlign: 'middle',
        borderRadius: 2,
        border: '1px solid #d7e0ef',
        background: color ? css(color) : 'transparent',
      }}
    />
  );
}

/**
 * The segment Accept (Enter) and Propagate write into: the active segment of the series' SAM
 * segmentation, or the one the next accept makes; and New segment, which adds one (a name, by
 * default the next free "SAM n", and optionally a colour) and makes it the one written into.
 */
export function SegmentTargetView({
  view,
  error,
  onNewSegment,
  onTypeChange,
}: {
  view: Target | undefined;
  error: string | undefined;
  onNewSegment: (label: string, color: [number, number, number, number] | undefined) => void;
  /** The user chose what the segment written into is (its coded type in the SEG). */
  onTypeChange: (typeId: string) => void;
}) {
  const [name, setName] = useState('');
  const [colour, setColour] = useState<number | undefined>(undefined);
  const target = view?.target;
  const defaultName = view?.nextName ?? 'SAM 1';
  return (
    <div
      style={statusBox}
      data-testid="sam-segment-target"
      data-exists={target?.exists ? 1 : 0}
      data-label={target?.label ?? ''}
    >
      <div data-testid="sam-target-label">
        {target?.exists ? (
          <>
            Writes into: <Swatch color={target.color} />
            <strong>{target.label}</strong>
          </>
        ) : (
          `Writes into: a new segment "${target?.label ?? 'SAM 1'}" will be created`
        )}
      </div>
      {target?.exists && (
        <label style={{ display: 'block', marginTop: 6 }}>
          Type{' '}
          <select
            data-testid="sam-segment-type"
            value={target.typeId ?? SEGMENT_TYPES[0]!.id}
            onChange={(e) => onTypeChange(e.target.value)}
            style={{ color: '#000' }}
            title="What this segment is, as the DICOM SEG codes it (SNOMED CT, DICOM CID 7150/7151)"
          >
            {SEGMENT_TYPES.map((t) => (
              <option key={t.id} value={t.id}>
                {t.type.CodeMeaning} ({t.category.CodeMeaning})
              </option>
            ))}
          </select>
        </label>
      )}
      <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap', alignItems: 'center', marginTop: 6 }}>
        <input
          type="text"
          data-testid="sam-new-segment-name"
          aria-label="New segment name"
          value={name}
          placeholder={defaultName}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          style={{ color: '#000', width: 110 }}
        />
        <button
          type="button"
          data-testid="sam-new-segment"
          onClick={() => {
            onNewSegment(name.trim() || defaultName, colour === undefined ? undefined : SEGMENT_COLOURS[colour]?.rgba);
            setName('');
          }}
          style={panelButton}
          title="Add a segment to the SAM segmentation; the next Accept or Propagate writes into it"
        >
          New segment
        </button>
      </div>
      <div style={{ display: 'flex', gap: 4, marginTop: 6 }} role="radiogroup" aria-label="New segment colour">
        {SEGMENT_COLOURS.map((c, i) => (
          <button
            key={c.name}
            type="button"
            role="radio"
            aria-checked={colour === i}
            aria-label={c.name}
            title={`${c.name} (click again for OHIF's colour)`}
            data-testid={`sam-new-segment-color-${c.name}`}
            onClick={() => setColour(colour === i ? undefined : i)}
            style={{
              width: 16,
              height: 16,
              padding: 0,
              borderRadius: 2,
              cursor: 'pointer',
              background: css(c.rgba),
              border: colour === i ? '2px solid #ffffff' : '1px solid #3a3f99',
            }}
          />
        ))}
      </div>
      {error && (
        <div role="alert" data-testid="sam-new-segment-error" style={{ marginTop: 4 }}>
          New segment failed: {error}
        </div>
      )}
    </div>
  );
}
