/**
 * The SAM mode's toolbar, as data. Viewport navigation tools of the cornerstone extension; the
 * SAM prompt tools join here when they exist.
 */
export interface ToolbarButton {
  id: string;
  uiType: string;
  props: Record<string, unknown>;
}

const setTool = (toolName: string) => ({ commandName: 'setToolActiveToolbar', commandOptions: { toolName } });

function toolButton(id: string, icon: string, label: string): ToolbarButton {
  return {
    id,
    uiType: 'ohif.toolButton',
    props: { icon, label, commands: setTool(id), evaluate: 'evaluate.cornerstoneTool' },
  };
}

import { SAM_TOOL_NAMES } from '@ohif-sam/extension-sam-segmentation/public';
import { BRUSH_TOOLS } from './initToolGroups';

function actionButton(
  id: string,
  icon: string,
  label: string,
  commandName: string,
  commandOptions?: Record<string, unknown>,
): ToolbarButton {
  const commands = commandOptions ? { commandName, commandOptions } : commandName;
  return { id, uiType: 'ohif.toolButton', props: { icon, label, commands, evaluate: 'evaluate.action' } };
}

export const toolbarButtons: ToolbarButton[] = [
  toolButton(SAM_TOOL_NAMES.includePoint, 'tool-point', 'SAM: include point'),
  toolButton(SAM_TOOL_NAMES.excludePoint, 'tool-probe', 'SAM: exclude point'),
  toolButton(SAM_TOOL_NAMES.box, 'tool-rectangle', 'SAM: box'),
  actionButton('SamAccept', 'icon-marker-labelmap', 'SAM: accept into the segmentation (Enter)', 'acceptSamPreview'),
  actionButton('SamReject', 'icon-clear', 'SAM: reject (Esc)', 'rejectSamPreview'),
  actionButton('SamClear', 'tool-reset', 'SAM: clear the prompts on this image', 'clearSamPrompts'),
  toolButton(BRUSH_TOOLS.brush, 'icon-tool-brush', 'Brush (edit the segment)'),
  toolButton(BRUSH_TOOLS.eraser, 'tool-seg-eraser', 'Eraser'),
  toolButton('RectangleROI', 'tool-rectangle', 'Rectangle measurement'),
  toolButton('Length', 'tool-length', 'Length measurement'),
  toolButton('WindowLevel', 'tool-window-level', 'Window Level'),
  toolButton('Pan', 'tool-move', 'Pan'),
  toolButton('Zoom', 'tool-zoom', 'Zoom'),
  toolButton('StackScroll', 'tool-stack-scroll', 'Stack Scroll'),
  // OHIF's MPR layout (volume viewports); SAM segments in its acquisition-plane viewport.
  actionButton('SamMpr', 'icon-mpr', 'MPR (SAM works in the acquisition plane)', 'toggleHangingProtocol', {
    protocolId: 'mpr',
  }),
];

export const PRIMARY_SECTION = [
  SAM_TOOL_NAMES.includePoint,
  SAM_TOOL_NAMES.excludePoint,
  SAM_TOOL_NAMES.box,
  'SamAccept',
  'SamReject',
  'SamClear',
  BRUSH_TOOLS.brush,
  BRUSH_TOOLS.eraser,
  'RectangleROI',
  'Length',
  'WindowLevel',
  'Pan',
  'Zoom',
  'StackScroll',
  'SamMpr',
];
