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

type Rgba = [number, number, number, number];

/** One of SEGMENT_COLOURS, or none (index undefined); a second click on the chosen one unchooses it. */
function ColourChoice({
  value,
  onChange,
  label,
  testIdPrefix,
  noneTitle,
}: {
  value: number | undefined;
  onChange: (index: number | undefined) => void;
  label: string;
  testIdPrefix: string;
  noneTitle: string;
}) {
  return (
    <div style={{ display: 'flex', gap: 4, marginTop: 6 }} role="radiogroup" aria-label={label}>
      {SEGMENT_COLOURS.map((c, i) => (
        <button
          key={c.name}
          type="button"
          role="radio"
          aria-checked={value === i}
          aria-label={c.name}
          title={`${c.name} (click again for ${noneTitle})`}
          data-testid={`${testIdPrefix}-${c.name}`}
          onClick={() => onChange(value === i ? undefined : i)}
          style={{
            width: 16,
            height: 16,
            padding: 0,
            borderRadius: 2,
            cursor: 'pointer',
            background: css(c.rgba),
            border: value === i ? '2px solid #ffffff' : '1px solid #3a3f99',
          }}
        />
      ))}
    </div>
  );
}

const rgbaOf = (index: number | undefined): Rgba | undefined =>
  index === undefined ? undefined : SEGMENT_COLOURS[index]?.rgba;

/**
 * The segment Accept (Enter) and Propagate write into: the active segment of the series' SAM
 * segmentation, or the one the next accept makes; Rename, which changes its name and colour (what
 * OHIF lists and the SEG says); and New segment, which adds one (a name, by default the next free
 * "SAM n", and optionally a colour) and makes it the one written into.
 */
export function SegmentTargetView({
  view,
  error,
  onNewSegment,
  onEditSegment,
  onTypeChange,
}: {
  view: Target | undefined;
  error: string | undefined;
  /** Resolve true when the change was made (a failure is shown from `error`). */
  onNewSegment: (label: string, color: Rgba | undefined) => Promise<boolean>;
  onEditSegment: (label: string, color: Rgba | undefined) => Promise<boolean>;
  /** The user chose what the segment written into is (its coded type in the SEG). */
  onTypeChange: (typeId: string) => void;
}) {
  const [name, setName] = useState('');
  const [colour, setColour] = useState<number | undefined>(undefined);
  // The segment being renamed ("segmentationId:index"); the form closes when another becomes the target.
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [editName, setEditName] = useState('');
  const [editColour, setEditColour] = useState<number | undefined>(undefined);
  const target = view?.target;
  const targetKey = target?.exists ? `${target.segmentationId}:${target.segmentIndex}` : undefined;
  const isEditing = editing !== undefined && editing === targetKey;
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
            {!isEditing && (
              <button
                type="button"
                data-testid="sam-edit-segment"
                onClick={() => {
                  setEditing(targetKey);
                  setEditName(target.label);
                  setEditColour(undefined);
                }}
                style={{ ...panelButton, marginLeft: 6 }}
                title="Change this segment's name and colour (what OHIF lists and the DICOM SEG says)"
              >
                Rename
              </button>
            )}
          </>
        ) : (
          `Writes into: a new segment "${target?.label ?? 'SAM 1'}" will be created`
        )}
      </div>
      {isEditing && (
        <div data-testid="sam-edit-segment-form" style={{ marginTop: 6 }}>
          <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap', alignItems: 'center' }}>
            <input
              type="text"
              data-testid="sam-edit-segment-name"
              aria-label="Segment name"
              value={editName}
              maxLength={64}
              onChange={(e) => setEditName(e.target.value)}
              style={{ color: '#000', width: 110 }}
            />
            <button
              type="button"
              data-testid="sam-edit-segment-save"
              onClick={() =>
                void onEditSegment(editName, rgbaOf(editColour)).then((done) => done && setEditing(undefined))
              }
              style={panelButton}
            >
              Save
            </button>
            <button
              type="button"
              data-testid="sam-edit-segment-cancel"
              onClick={() => setEditing(undefined)}
              style={panelButton}
            >
              Cancel
            </button>
          </div>
          <ColourChoice
            value={editColour}
            onChange={setEditColour}
            label="Segment colour"
            testIdPrefix="sam-edit-segment-color"
            noneTitle="its colour as it is"
          />
        </div>
      )}
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
            void onNewSegment(name.trim() || defaultName, rgbaOf(colour));
            setName('');
          }}
          style={panelButton}
          title="Add a segment to the SAM segmentation; the next Accept or Propagate writes into it"
        >
          New segment
        </button>
      </div>
      <ColourChoice
        value={colour}
        onChange={setColour}
        label="New segment colour"
        testIdPrefix="sam-new-segment-color"
        noneTitle="OHIF's colour"
      />
      {error && (
        <div role="alert" data-testid="sam-segment-target-error" style={{ marginTop: 4 }}>
          {error}
        </div>
      )}
    </div>
  );
}
