/**
 * Encodes a series in the background so that a click on any slice finds its embedding ready:
 * the slice on screen first, then outward (next, previous, next but one, …). One request in
 * flight at a time, so an interactive request never waits behind more than one slice; paused while
 * the user interacts; cancelled when the series changes. No OHIF or DOM here: the viewer glue
 * supplies the slices and the encode call.
 */
import { CancelledError } from './cancellation';

/** Slice indices from `current` outward, alternating after/before, each once. */
export function encodingOrder(current: number, count: number): number[] {
  const order: number[] = [];
  if (count <= 0) return order;
  const start = Math.min(Math.max(current, 0), count - 1);
  order.push(start);
  for (let d = 1; order.length < count; d++) {
    if (start + d < count) order.push(start + d);
    if (start - d >= 0) order.push(start - d);
  }
  return order;
}

export interface PreEncodingProgress {
  state: 'running' | 'paused' | 'complete' | 'cancelled' | 'error';
  done: number;
  total: number;
  /** Milliseconds spent encoding (cache hits excluded). */
  encodeMs: number;
  message?: string;
}

export interface PreEncoderDeps {
  /**
   * Encodes slice `index` (a cache hit resolves at once). When `signal` aborts, the request must be
   * cancelled and the promise reject (with CancelledError).
   */
  encode(index: number, signal: AbortSignal): Promise<{ cached: boolean; encodeMs: number }>;
  onProgress(progress: PreEncodingProgress): void;
  /** How long after the last interaction to resume (ms). */
  resumeDelayMs?: number;
}

export class SeriesPreEncoder {
  private readonly abort = new AbortController();
  private pausedUntil = 0;
  private readonly holds = new Set<{ until: Promise<void> }>();
  private progress: PreEncodingProgress;

  constructor(
    private readonly count: number,
    private readonly deps: PreEncoderDeps,
  ) {
    this.progress = { state: 'running', done: 0, total: count, encodeMs: 0 };
  }

  /** Holds new background work until the returned function is called (a propagation run encodes its own way). */
  hold(): () => void {
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    const held = { until };
    this.holds.add(held);
    return () => {
      this.holds.delete(held);
      release();
    };
  }

  /** The user is interacting: hold new background work until they stop for a moment. */
  pause(): void {
    this.pausedUntil = performance.now() + (this.deps.resumeDelayMs ?? 400);
  }

  private get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.abort.abort();
    this.report({ state: 'cancelled' });
  }

  private report(patch: Partial<PreEncodingProgress>): void {
    this.progress = { ...this.progress, ...patch };
    this.deps.onProgress(this.progress);
  }

  private async waitWhilePaused(): Promise<void> {
    let reported = false;
    for (let held = this.holds.values().next(); !held.done && !this.cancelled; held = this.holds.values().next()) {
      if (!reported) this.report({ state: 'paused' });
      reported = true;
      await held.value.until;
    }
    for (
      let wait = this.pausedUntil - performance.now();
      wait > 0 && !this.cancelled;
      wait = this.pausedUntil - performance.now()
    ) {
      if (!reported) this.report({ state: 'paused' });
      reported = true;
      await new Promise((r) => setTimeout(r, wait));
    }
    if (reported && !this.cancelled) this.report({ state: 'running' });
  }

  /** Encodes every slice, starting at `current`; resolves when done, cancelled or failed. */
  async run(current: number): Promise<PreEncodingProgress> {
    this.report({ state: 'running' });
    for (const index of encodingOrder(current, this.count)) {
      await this.waitWhilePaused();
      if (this.cancelled) return this.progress;
      try {
        const outcome = await this.deps.encode(index, this.abort.signal);
        this.report({
          done: this.progress.done + 1,
          encodeMs: this.progress.encodeMs + (outcome.cached ? 0 : outcome.encodeMs),
        });
      } catch (err) {
        if (err instanceof CancelledError || this.cancelled) return this.progress;
        this.report({ state: 'error', message: err instanceof Error ? err.message : String(err) });
        return this.progress;
      }
    }
    this.report({ state: 'complete' });
    return this.progress;
  }
}
