/**
 * Enter accepts the SAM preview, Esc rejects it, while a preview is shown and the user is not
 * typing in a field. Returns the function that removes the listener.
 */
export function bindPreviewHotkeys(actions: { hasPreview(): boolean; accept(): void; reject(): void }): () => void {
  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (!actions.hasPreview() || target?.closest('input, textarea, select, [contenteditable="true"]')) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      actions.reject();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      actions.accept();
    }
  };
  document.addEventListener('keydown', onKeyDown);
  return () => document.removeEventListener('keydown', onKeyDown);
}
