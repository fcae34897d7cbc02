/** The bordered box the panel's status sections share. */
export const statusBox = {
  border: '1px solid #3a3f99',
  borderRadius: 4,
  padding: 8,
  margin: '8px 0',
  overflowWrap: 'anywhere',
} as const;
