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

export const toolbarButtons: ToolbarButton[] = [
  toolButton('WindowLevel', 'tool-window-level', 'Window Level'),
  toolButton('Pan', 'tool-move', 'Pan'),
  toolButton('Zoom', 'tool-zoom', 'Zoom'),
  toolButton('StackScroll', 'tool-stack-scroll', 'Stack Scroll'),
];

export const PRIMARY_SECTION = ['WindowLevel', 'Pan', 'Zoom', 'StackScroll'];
