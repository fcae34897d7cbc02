/**
 * Bridges OHIF's React and ours. A bundle loaded at run time cannot import the host viewer's
 * React, and hooks from a second React copy cannot run inside the host's tree. So the component
 * handed to OHIF renders only a host-compatible element (a div with a callback ref: React elements
 * are plain objects tagged with a global symbol, shared by every React 18 copy) and mounts our own
 * React root into it.
 */
import { createElement, type ComponentType } from 'react';
import { createRoot, type Root } from 'react-dom/client';

export function hostComponent<P extends object>(Component: ComponentType<P>, props: P, testId: string) {
  const roots = new Map<HTMLElement, Root>();

  // One stable ref function: React calls it with the element on mount and null on unmount. The
  // host may show the panel in several places, so roots are kept per element and unmounted once
  // their element has left the document (deferred: unmounting inside the host's commit warns).
  const ref = (element: HTMLElement | null) => {
    if (element && !roots.has(element)) {
      const root = createRoot(element);
      root.render(createElement(Component, props));
      roots.set(element, root);
    }
    queueMicrotask(() => {
      for (const [el, root] of roots) {
        if (!el.isConnected) {
          roots.delete(el);
          root.unmount();
        }
      }
    });
  };
  return function SamHostMount() {
    return createElement('div', { ref, 'data-testid': testId, style: { height: '100%', overflow: 'auto' } });
  };
}
