/**
 * What the viewer bench installs in the page before the viewer's own scripts run (Playwright init
 * scripts), and the page-side types the bench reads back:
 *
 * - `NAME_SHIM`: tsx (esbuild, keepNames) wraps named functions and classes in a `__name(…)` call;
 *   functions sent to the page (init scripts, `page.evaluate`) would then call a helper the page
 *   does not have. The shim gives the page a no-op one, so page-side code can name its functions.
 * - `recordLongTasks`: main-thread long tasks (PerformanceObserver 'longtask') into `__longTasks`.
 * - `recordSamWorker`: wraps `window.Worker` (a subclass) so that, for the SAM inference worker
 *   (created with `name: 'sam-inference'`), every message posted to it and every message from it is
 *   logged in `__samWorkerLog` with the page's clock (`performance.now()`, the clock of pointer
 *   events and animation frames). Reads only the messages' `type`, `id` and a few plain fields, so
 *   it measures any version of the extension that keeps that protocol. It also gives the page
 *   `__samWorkerCacheStats()`: the worker's embedding-cache statistics, asked with a `cacheStats`
 *   request of its own (a negative id, which the extension's client ignores; not logged).
 * - `installSamStateReader`: THE ONE place where the bench reads the extension's app state
 *   (`window.services.samService`); see its comment.
 */

/** Must be the first init script. */
export const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';

export interface LongTask {
  start: number;
  duration: number;
}

export function recordLongTasks(): void {
  const w = window as unknown as { __longTasks: LongTask[] };
  w.__longTasks = [];
  new PerformanceObserver((list) =>
    list.getEntries().forEach((e) => w.__longTasks.push({ start: e.startTime, duration: e.duration })),
  ).observe({ type: 'longtask', buffered: true });
}

/** One message to or from the SAM inference worker, as logged in the page. */
export interface WorkerLogEntry {
  dir: 'sent' | 'received';
  type: string;
  id: number;
  /** performance.now() when posted (sent) or when the main thread got it (received). */
  t: number;
  ok?: boolean;
  /** Decode answers: the decoder graph's run alone, in the worker. */
  decoderRunMs?: number;
  /** Decode answers: the worker's whole decode (feeds, decoder, candidates, mask, clean-up). */
  decodeMs?: number;
  /** Decode requests: the prompt's box and points, image pixels. */
  box?: { x0: number; y0: number; x1: number; y1: number };
  points?: { x: number; y: number; label: string }[];
  /** Cancel requests: the ids asked to be cancelled. */
  ids?: number[];
  /** Cancel answers: how many queued requests the worker dropped. */
  cancelled?: number;
  /** Encode, decode and propagateStep requests: the embedding's image and preprocessing (the window). */
  imageKey?: string;
  preprocessingKey?: string;
  /** Encode requests: 'interactive' or 'background', and the group (a series' pre-encoding) if any. */
  priority?: string;
  group?: string;
  /** Encode answers: the embedding was already cached (nothing ran), and the encoder's time. */
  cached?: boolean;
  encodeMs?: number;
  /** propagateStart / propagateStep / propagateEnd requests: the run's id. */
  run?: string;
  /** propagateStep answers: the chosen mask's predicted IoU, and why the run stops here (if it does). */
  predictedIou?: number;
  stop?: string;
}

/** The worker's embedding cache, as its `cacheStats` answer gives it (runtime/embeddingCache.ts). */
export interface WorkerCacheStats {
  entries: number;
  bytes: number;
  budgetBytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

export function recordSamWorker(): void {
  const w = window as unknown as {
    __samWorkerLog: WorkerLogEntry[];
    __samWorkerCacheStats: () => Promise<WorkerCacheStats>;
    Worker: typeof Worker;
  };
  const log: WorkerLogEntry[] = [];
  w.__samWorkerLog = log;
  let samWorker: { post: (message: unknown) => void; target: Worker } | undefined;
  let probeId = 0;
  w.__samWorkerCacheStats = () =>
    new Promise<WorkerCacheStats>((resolve, reject) => {
      if (!samWorker) return reject(new Error('No SAM inference worker yet.'));
      const { post, target } = samWorker;
      const id = -++probeId;
      const onMessage = (e: MessageEvent) => {
        const m = e.data as { id?: number; ok?: boolean; stats?: WorkerCacheStats; error?: { message: string } };
        if (m?.id !== id) return;
        target.removeEventListener('message', onMessage);
        if (m.ok && m.stats) resolve(m.stats);
        else reject(new Error(m.error?.message ?? 'cacheStats failed'));
      };
      target.addEventListener('message', onMessage);
      post({ id, type: 'cacheStats' });
    });
  const describe = (dir: WorkerLogEntry['dir'], data: unknown): WorkerLogEntry | undefined => {
    const m = data as Record<string, unknown> | null;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return undefined;
    const entry: WorkerLogEntry = { dir, type: m.type, id: Number(m.id), t: performance.now() };
    if (typeof m.ok === 'boolean') entry.ok = m.ok;
    if (typeof m.decoderRunMs === 'number') entry.decoderRunMs = m.decoderRunMs;
    if (typeof m.decodeMs === 'number') entry.decodeMs = m.decodeMs;
    if (typeof m.cancelled === 'number') entry.cancelled = m.cancelled;
    if (Array.isArray(m.ids)) entry.ids = (m.ids as unknown[]).map(Number);
    for (const key of ['imageKey', 'preprocessingKey', 'priority', 'group', 'run', 'stop'] as const)
      if (typeof m[key] === 'string') entry[key] = m[key] as string;
    if (typeof m.cached === 'boolean') entry.cached = m.cached;
    if (typeof m.encodeMs === 'number') entry.encodeMs = m.encodeMs;
    if (typeof m.predictedIou === 'number') entry.predictedIou = m.predictedIou;
    const prompt = m.prompt as Pick<WorkerLogEntry, 'box' | 'points'> | undefined;
    if (prompt?.box) entry.box = { x0: prompt.box.x0, y0: prompt.box.y0, x1: prompt.box.x1, y1: prompt.box.y1 };
    if (Array.isArray(prompt?.points)) entry.points = prompt.points.map(({ x, y, label }) => ({ x, y, label }));
    return entry;
  };
  const Base = w.Worker;
  class RecordingWorker extends Base {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      if (options?.name !== 'sam-inference') return;
      const post = this.postMessage.bind(this) as (...args: unknown[]) => void;
      samWorker = { post: (message) => post(message), target: this };
      this.postMessage = ((message: unknown, ...rest: unknown[]) => {
        const entry = describe('sent', message);
        if (entry) log.push(entry);
        post(message, ...rest);
      }) as Worker['postMessage'];
      // Registered before the client's own `onmessage`, so this runs first, with the arrival time.
      this.addEventListener('message', (e) => {
        const entry = describe('received', e.data);
        // Negative ids: the bench's own cacheStats requests (see __samWorkerCacheStats).
        if (entry && entry.type !== 'progress' && !(entry.id < 0)) log.push(entry);
      });
    }
  }
  w.Worker = RecordingWorker;
}

/** The preview as the bench needs it (fields present in every version of the extension's state). */
export interface PreviewLike {
  prompt: { points: unknown[]; box?: { x0: number; y0: number; x1: number; y1: number } };
  decoderRunMs: number;
  imageId?: string;
}

/** The propagation run under way, or the last one's outcome (`getState().propagation`). */
export interface PropagationLike {
  state: 'starting' | 'running' | 'stopping' | 'done' | 'stopped' | 'error';
  done?: number;
  total?: number;
  kept?: number;
  why?: string;
  message?: string;
  discarded?: boolean;
}

/** `window.__benchSam`: see installSamStateReader. */
export interface SamStateReader {
  /** The mask on screen now, not yet accepted; undefined when none. */
  preview(): PreviewLike | undefined;
  /** Calls `listener` after every state change; returns the way to stop. */
  subscribe(listener: () => void): { unsubscribe(): void };
  /** The loaded model, when one is ready. */
  model(): { id: string; loadMs: number; backend: string } | undefined;
  /** Background encoding of the series: total encode ms and images done. */
  preEncoding(): { encodeMs: number; done: number } | undefined;
  /** What the last accept wrote (changes identity with each accept). */
  lastAccept(): unknown;
  /** The propagation under way or the last one's outcome; undefined before the first. */
  propagation(): PropagationLike | undefined;
  /**
   * The bench's one action on the service: Propagate from the slice on screen (`samService.propagate`),
   * resolved when the run ends (its outcome is in `propagation()`).
   */
  propagate(request: { directions: 'both' | 'forward' | 'backward'; maxSlices?: number }): Promise<void>;
}

/**
 * The bench's only reader of the SAM extension's app state. It installs `window.__benchSam`
 * (SamStateReader) over `window.services.samService`, and is written for both shapes of the
 * service's state:
 *
 * - now (before the refactor): `getState().preview`, `subscribe(listener)`;
 * - after the refactor: `getState().segment.preview`, and OHIF's pub/sub
 *   `subscribe(SamService.EVENTS.STATE_CHANGED, listener)`, the event being
 *   'event::samService:stateChanged'.
 *
 * It tries the new shape first and falls back to the old one: the preview is
 * `state.segment?.preview ?? state.preview`; a `subscribe` that declares two parameters (event,
 * listener) is the new one, one parameter the old. The propagation (`state.propagation`,
 * `propagate(request)`) exists only in the new shape. Nothing else in the bench touches samService.
 */
export function installSamStateReader(): void {
  const STATE_CHANGED = 'event::samService:stateChanged';
  type Service = {
    getState(): Record<string, unknown>;
    subscribe(...args: unknown[]): { unsubscribe(): void };
    propagate?(request: unknown): Promise<void>;
  };
  const service = () => (window as unknown as { services: { samService: Service } }).services.samService;
  const state = () => service().getState() as Record<string, unknown> & { segment?: { preview?: PreviewLike } };
  const reader: SamStateReader = {
    preview: () => state().segment?.preview ?? (state().preview as PreviewLike | undefined),
    subscribe: (listener) => {
      const s = service();
      return s.subscribe.length >= 2 ? s.subscribe(STATE_CHANGED, listener) : s.subscribe(listener);
    },
    model: () => {
      const model = state().model as { state: string; model?: { id: string; loadMs: number; backend: string } };
      return model?.state === 'ready' ? model.model : undefined;
    },
    preEncoding: () => state().preEncoding as { encodeMs: number; done: number } | undefined,
    lastAccept: () => state().lastAccept,
    propagation: () => state().propagation as PropagationLike | undefined,
    propagate: (request) => {
      const s = service();
      if (typeof s.propagate !== 'function') return Promise.reject(new Error('samService has no propagate().'));
      return s.propagate(request);
    },
  };
  (window as unknown as { __benchSam: SamStateReader }).__benchSam = reader;
}
