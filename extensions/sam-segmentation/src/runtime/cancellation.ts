/** A request that was cancelled, or superseded by a newer one, before its answer was used. */
export class CancelledError extends Error {
  constructor(message = 'The request was cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}
