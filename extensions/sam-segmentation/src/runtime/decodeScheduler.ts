/**
 * Which decode runs when, for one prompting session (a viewport). The decoder cannot be stopped
 * once it runs, so the policy is about what to start:
 * - at most one decode runs and at most one waits; a newer prompt replaces the waiting one before
 *   it starts, and a prompt equal to the running or waiting one starts nothing;
 * - a prompt still being drawn (the mouse button is down: a box being dragged) starts only once it
 *   has rested `restMs` unchanged, so a drag costs no decodes while the pointer moves, and after
 *   release (`release()`) the final prompt starts at once: at most one more decode;
 * - an answer is passed on only while its prompt is still the current one: an answer for a prompt
 *   that was replaced or cancelled is never shown.
 * Pure logic with an injectable clock; the session supplies `run` (encode if needed, then decode).
 */

export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface DecodeSchedulerOptions<P, A> {
  /** Runs one decode of `prompt`. */
  run(prompt: P): Promise<A>;
  /** The answer for the prompt that is still current. */
  onAnswer(prompt: P, answer: A): void;
  /** The failure of the prompt that is still current. */
  onError(prompt: P, error: unknown): void;
  /** A decode starts (the session shows "decoding"; the benchmark counts them). */
  onStart?(prompt: P): void;
  /** Whether two prompts would give the same answer. */
  same(a: P, b: P): boolean;
  /** How long a prompt being drawn must stay unchanged before it is decoded (ms). Default 50. */
  restMs?: number;
  clock?: SchedulerClock;
}

export const DEFAULT_REST_MS = 50;

export class DecodeScheduler<P, A> {
  private current: P | undefined;
  private running: P | undefined;
  private waiting: { prompt: P; drawing: boolean; since: number } | undefined;
  private timer: unknown;
  private idle: Array<() => void> = [];
  private readonly clock: SchedulerClock;
  private readonly restMs: number;
  /** Decodes started, for the benchmark and the tests. */
  started = 0;

  constructor(private readonly options: DecodeSchedulerOptions<P, A>) {
    this.clock = options.clock ?? realClock;
    this.restMs = options.restMs ?? DEFAULT_REST_MS;
  }

  /**
   * The prompt changed. `drawing`: it is still being drawn (the button is down), so it waits until
   * it rests or is released.
   */
  submit(prompt: P, options: { drawing?: boolean } = {}): void {
    const drawing = options.drawing ?? false;
    this.current = prompt;
    if (this.running !== undefined && this.options.same(this.running, prompt)) {
      this.dropWaiting(); // the answer under way is this prompt's
      return;
    }
    if (this.waiting && this.options.same(this.waiting.prompt, prompt)) {
      this.waiting.prompt = prompt;
      this.waiting.drawing &&= drawing;
    } else {
      this.waiting = { prompt, drawing, since: this.clock.now() };
    }
    this.pump();
  }

  /** The pointer was released: the prompt being drawn is final and starts as soon as it can. */
  release(): void {
    if (this.waiting) this.waiting.drawing = false;
    this.pump();
  }

  /** No prompt any more (rejected, cleared, accepted): nothing waits and no answer is passed on. */
  cancel(): void {
    this.current = undefined;
    this.dropWaiting();
    this.settleIfIdle();
  }

  /** Whether `prompt` is the one an answer must be for. */
  isCurrent(prompt: P): boolean {
    return this.current !== undefined && this.options.same(this.current, prompt);
  }

  get busy(): boolean {
    return this.running !== undefined || this.waiting !== undefined;
  }

  /** Resolves when nothing runs or waits: the newest prompt's answer was passed on (or failed). */
  settled(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private dropWaiting(): void {
    this.waiting = undefined;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settleIfIdle(): void {
    if (this.busy) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }

  private pump(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.waiting;
    if (this.running !== undefined || !next) return this.settleIfIdle();
    if (next.drawing) {
      const wait = next.since + this.restMs - this.clock.now();
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
    }
    this.waiting = undefined;
    this.start(next.prompt);
  }

  private start(prompt: P): void {
    this.running = prompt;
    this.started++;
    this.options.onStart?.(prompt);
    let outcome: Promise<A>;
    try {
      outcome = this.options.run(prompt);
    } catch (err) {
      outcome = Promise.reject(err);
    }
    outcome
      .then(
        (answer) => {
          if (this.isCurrent(prompt)) this.options.onAnswer(prompt, answer);
        },
        (err: unknown) => {
          if (this.isCurrent(prompt)) this.options.onError(prompt, err);
        },
      )
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }
}
