/**
 * The progress line of a run: references done of the total, images and objects scored, the rate and the
 * time left, on stderr. On a terminal the line is redrawn in place (at most 5 times a second); in a log
 * (CI, a batch job) a line is printed every 30 seconds, so logs stay short.
 */
export interface ProgressCounts {
  refs: number;
  images: number;
  objects: number;
  skipped: number;
  /** References the model or the runtime failed on (retried by a rerun). */
  failed: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  private readonly started: number;
  private lastDraw = 0;
  private readonly counts: ProgressCounts = { refs: 0, images: 0, objects: 0, skipped: 0, failed: 0 };

  constructor(
    /** References this run has to do (finished ones from earlier runs excluded). */
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  add(delta: Partial<ProgressCounts>): void {
    for (const key of Object.keys(delta) as (keyof ProgressCounts)[]) this.counts[key] += delta[key] ?? 0;
    const t = this.now();
    const interval = this.stream.isTTY ? 200 : 30_000;
    if (t - this.lastDraw >= interval || this.counts.refs === this.total) {
      this.lastDraw = t;
      this.draw();
    }
  }

  line(): string {
    const { refs, images, objects, skipped, failed } = this.counts;
    const seconds = Math.max(1e-3, (this.now() - this.started) / 1000);
    const rate = refs / seconds;
    const eta = rate > 0 ? (this.total - refs) / rate : Number.POSITIVE_INFINITY;
    const pct = this.total > 0 ? ((100 * refs) / this.total).toFixed(1) : '100.0';
    return (
      `${refs}/${this.total} (${pct}%) · ${images} images, ${objects} objects` +
      `${skipped ? `, ${skipped} skipped` : ''}${failed ? `, ${failed} failed` : ''}` +
      ` · ${(images / seconds).toFixed(2)} images/s` +
      ` · elapsed ${formatDuration(seconds)} · left ${refs === this.total ? '0s' : formatDuration(eta)}`
    );
  }

  private drawnDone = false;

  private draw(): void {
    this.drawnDone = this.counts.refs === this.total;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${this.line()}`);
    else this.stream.write(`${this.line()}\n`);
  }

  finish(): void {
    if (!this.drawnDone) this.draw();
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
