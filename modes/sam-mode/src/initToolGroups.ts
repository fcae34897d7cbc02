/**
 * The SAM mode's tool group, as data: which Cornerstone tools are active on which mouse button.
 * Tool names and binding enums come from the host viewer's Cornerstone (through the cornerstone
 * extension's utility module), so they always match the Cornerstone version OHIF runs.
 */

import { samPromptToolEntries } from '@ohif-sam/extension-sam-segmentation/public';

/** OHIF's brush and eraser, as its segmentation mode defines them: accepted masks stay editable. */
export const BRUSH_TOOLS = {
  brush: 'SamModeBrush',
  eraser: 'SamModeEraser',
} as const;

// The default hanging protocol binds its viewports to the tool group named 'default', OHIF's MPR
// protocol (axial, sagittal, coronal volume viewports) to 'mpr': SAM works in both (in the axial one,
// the plane the images were acquired in).
export const TOOL_GROUP_ID = 'default';
export const TOOL_GROUP_IDS = [TOOL_GROUP_ID, 'mpr'] as const;

export interface CornerstoneToolsUtility {
  toolNames: Record<string, string>;
  Enums: {
    MouseBindings: { Primary: number; Secondary: number; Auxiliary: number; Wheel: number };
  };
}

export function samToolGroupTools({ toolNames, Enums }: CornerstoneToolsUtility) {
  const { MouseBindings } = Enums;
  const tool = (name: string) => {
    const toolName = toolNames[name];
    if (!toolName) throw new Error(`The viewer's Cornerstone has no tool named ${name}`);
    return toolName;
  };
  return {
    active: [
      { toolName: tool('WindowLevel'), bindings: [{ mouseButton: MouseBindings.Primary }] },
      { toolName: tool('Pan'), bindings: [{ mouseButton: MouseBindings.Auxiliary }] },
      { toolName: tool('Zoom'), bindings: [{ mouseButton: MouseBindings.Secondary }] },
      { toolName: tool('StackScroll'), bindings: [{ mouseButton: MouseBindings.Wheel }] },
    ],
    // Passive until a toolbar button makes one active: the SAM prompt tools (their annotations can
    // always be moved), the measurements that can serve as prompts, and the brush and eraser.
    passive: [
      ...samPromptToolEntries(),
      ...['Length', 'RectangleROI', 'EllipticalROI', 'Probe', 'ArrowAnnotate'].map((name) => ({
        toolName: tool(name),
      })),
      {
        toolName: BRUSH_TOOLS.brush,
        parentTool: tool('Brush'),
        configuration: { activeStrategy: 'FILL_INSIDE_CIRCLE' },
      },
      {
        toolName: BRUSH_TOOLS.eraser,
        parentTool: tool('Brush'),
        configuration: { activeStrategy: 'ERASE_INSIDE_CIRCLE' },
      },
    ],
    enabled: [],
    disabled: [],
  };
}
