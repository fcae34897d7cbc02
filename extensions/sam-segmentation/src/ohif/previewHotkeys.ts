/**
 * Enter accepts the SAM preview, Esc rejects the prompt (in any phase: also an error or a prompt still
 * decoding), P propagates the mask on the slice through the series, while the user is not typing in a
 * field. Returns the function that removes the listener.
 */
export function bindPreviewHotkeys(actions: {
  canAccept(): boolean;
  canReject(): boolean;
  accept(): void;
  reject(): void;
  propagate(): void;
}): () => void {
  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
    if (e.key === 'Escape' && actions.canReject()) {
      e.preventDefault();
      actions.reject();
    } else if (e.key === 'Enter' && actions.canAccept()) {
      e.preventDefault();
      actions.accept();
    } else if ((e.key === 'p' || e.key === 'P') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      actions.propagate();
    }
  };
  document.addEventListener('keydown', onKeyDown);
  return () => document.removeEventListener('keydown', onKeyDown);
}
