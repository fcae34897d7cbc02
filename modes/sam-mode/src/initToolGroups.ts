/**
 * The SAM mode's tool group, as data: which Cornerstone tools are active on which mouse button.
 */
// The default hanging protocol binds its viewports to the tool group named 'default'.
export const TOOL_GROUP_ID = 'default';

const MouseBindings = { Primary: 1, Secondary: 2, Auxiliary: 4 } as const;
const KeyboardBindings = { Ctrl: 17 } as const;

export function samToolGroupTools() {
  return {
    active: [
      { toolName: 'WindowLevel', bindings: [{ mouseButton: MouseBindings.Primary }] },
      { toolName: 'Pan', bindings: [{ mouseButton: MouseBindings.Auxiliary }] },
      { toolName: 'Zoom', bindings: [{ mouseButton: MouseBindings.Secondary }] },
      { toolName: 'StackScroll', bindings: [{ mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Ctrl }] },
      { toolName: 'StackScrollMouseWheel', bindings: [] },
    ],
    passive: [],
    enabled: [],
    disabled: [],
  };
}
