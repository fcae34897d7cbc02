/**
 * The SAM prompt tools: instances of Cornerstone's Probe and RectangleROI tools under their own
 * names (so they never mix with measurements), added to the mode's tool group as data.
 */
export const SAM_TOOL_NAMES = {
  includePoint: 'SamIncludePoint',
  excludePoint: 'SamExcludePoint',
  box: 'SamBox',
} as const;

export type SamToolName = (typeof SAM_TOOL_NAMES)[keyof typeof SAM_TOOL_NAMES];

export const SAM_TOOL_NAME_LIST: readonly string[] = Object.values(SAM_TOOL_NAMES);

// No statistics text next to a prompt: it is a prompt, not a measurement.
const noText = { getTextLines: () => [] as string[] };

/** Tool-group entries for OHIF's toolGroupService (`parentTool` makes a named instance). */
export function samPromptToolEntries() {
  return [
    { toolName: SAM_TOOL_NAMES.includePoint, parentTool: 'Probe', configuration: noText },
    { toolName: SAM_TOOL_NAMES.excludePoint, parentTool: 'Probe', configuration: noText },
    { toolName: SAM_TOOL_NAMES.box, parentTool: 'RectangleROI', configuration: noText },
  ];
}
