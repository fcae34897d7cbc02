/**
 * A runtime failure in words a radiologist can act on: what happened and what to do, with the
 * runtime's own message kept at the end for whoever reads the console or files the bug.
 */
export function friendlyError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (name === 'ModelNotReadyError' || name === 'ModelFileError') return message;
  if (/bad_alloc|out of memory|OrtRun\(\)\. ERROR_CODE: 6|Aborted\(\)|memory access out of bounds/i.test(message)) {
    return (
      'The model ran out of memory in this browser. Choose a smaller model (SlimSAM or MobileSAM), close other ' +
      `tabs, or use a browser with WebGPU. (${message})`
    );
  }
  if (/worker failed|could not be loaded/i.test(message)) {
    return `The SAM runtime stopped: reload the page, then choose the model again. (${message})`;
  }
  return `Segmentation failed: ${message} Press Esc to clear the prompt, then try again.`;
}
