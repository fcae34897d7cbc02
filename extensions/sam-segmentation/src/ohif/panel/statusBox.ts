/** The bordered box the panel's status sections share. */
export const statusBox = {
  border: '1px solid #3a3f99',
  borderRadius: 4,
  padding: 8,
  margin: '8px 0',
  overflowWrap: 'anywhere',
} as const;

/** Buttons drawn explicitly: the viewer's CSS reset leaves plain buttons without background or border. */
export const panelButton = {
  background: '#2a3460',
  color: '#e6ecf5',
  border: '1px solid #5acce6',
  borderRadius: 4,
  padding: '2px 8px',
  cursor: 'pointer',
} as const;
