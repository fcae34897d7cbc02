/**
 * Per slice of a propagation run, what the SAM inference worker was asked and answered, from the
 * page's log of its messages (pageProbes.ts, recordSamWorker). Pure functions of that log, all times
 * on the page's clock (performance.now()).
 *
 * A run (SeriesPropagation → propagateSeries) is one `propagateStart` per direction (both ways:
 * forward first, then backward), then per slice a `propagateStep` request and, behind it, the next
 * slice's `encode` with priority 'background' (the "ahead" encode). A slice whose embedding the main
 * thread does not know is encoded first ('interactive' encode, or the ahead encode still under way is
 * awaited), then stepped.
 *
 * Per step (a slice the run decoded; the step that says `stop` is one too, its mask is not kept):
 *   wallMs      from the previous step's answer (any direction) to this step's answer; the run's
 *               first step from the run's first request (its first `propagateStart`). The steps'
 *               walls add up to the run, so a direction's change lands on the first step after it.
 *   mainGapMs   from that same start to this step's request: the main thread's time between steps
 *               (writing the previous mask, the status, waiting for this slice's encode).
 *   workerMs    this step's request → its answer as the main thread receives it: the worker's queue,
 *               the embedding's retrieval, the decode (decodeMs), the copy, the transfer, and the
 *               answer waiting for the main thread (a long task there delays its message event).
 *   longTaskMs  how much of the wall main-thread long tasks (> 50 ms) cover.
 *   encode      the `encode` answers with `cached: false` for this slice's key (image and window)
 *               sent during the run before this step's request: the slice needed an encode.
 */
import type { LongTask, WorkerLogEntry } from './pageProbes';

export interface StepEncode {
  id: number;
  priority?: string;
  /** Sent / answered, relative to the step's start (its wall's beginning). */
  sentMs: number;
  answeredMs: number;
  encodeMs: number;
  /** This step's request went out this long after the encode's answer came (small: it waited for it). */
  stepSentAfterAnswerMs: number;
}

export interface PropagationStepRecord {
  /** 0: the first direction (forward), 1: the second. */
  way: number;
  run: string;
  /** 1 for the first slice after the start slice in its direction. */
  n: number;
  imageKey: string;
  preprocessingKey: string;
  kept: boolean;
  stop?: string;
  /** Relative to the run's first request. */
  atMs: number;
  wallMs: number;
  mainGapMs: number;
  workerMs: number;
  /** The worker's whole step (prompt from the previous mask, decoder, candidates, choice), and the decoder run alone. */
  decodeMs: number;
  decoderRunMs: number;
  predictedIou?: number;
  /** The slice was encoded during the run (an encode answer with `cached: false` for its key). */
  encoded: boolean;
  /** Its encoder time (0 when none ran). */
  encodeMs: number;
  encodes: StepEncode[];
  /** wall / decode, wall / (encode + decode); NaN when the step decoded nothing (decodeMs 0). */
  overDecode: number;
  overEncodeDecode: number;
  /** Main-thread long tasks (> 50 ms) overlapping this step's wall: start relative to the step's start. */
  longTasks: { startMs: number; durationMs: number }[];
  /** The part of the wall they cover, ms. */
  longTaskMs: number;
}

export interface PropagationLogSummary {
  steps: PropagationStepRecord[];
  /** The run's first request and last answer (page clock). */
  firstRequest: number;
  lastAnswer: number;
  /** Encodes sent during the run: answered cached / not cached, by priority. */
  encodes: { sent: number; cached: number; notCached: number; background: number; interactive: number };
  /** Encodes that ran (not cached) during the run for a key no step of the run used: wasted work. */
  unusedEncodes: { imageKey: string; encodeMs: number }[];
  /** Decode requests during the run (should be none: a run only steps). */
  decodesSent: number;
}

const keyOf = (m: Pick<WorkerLogEntry, 'imageKey' | 'preprocessingKey'>) => `${m.imageKey}|${m.preprocessingKey}`;

/** The steps of the propagation run whose requests were sent in [from, to]. */
export function propagationSteps(
  log: readonly WorkerLogEntry[],
  window: { from: number; to: number },
  longTasks: readonly LongTask[] = [],
): PropagationLogSummary {
  const inRun = (m: WorkerLogEntry) => m.t >= window.from && m.t <= window.to;
  const sent = log.filter((m) => m.dir === 'sent' && inRun(m));
  const answers = new Map(
    log.filter((m) => m.dir === 'received' && m.t >= window.from).map((m) => [`${m.type}:${m.id}`, m] as const),
  );
  const answerOf = (m: WorkerLogEntry) => answers.get(`${m.type}:${m.id}`);
  const starts = sent.filter((m) => m.type === 'propagateStart');
  const ways = new Map(starts.map((m, i) => [m.run, i] as const));
  const encodes = sent
    .filter((m) => m.type === 'encode')
    .map((m) => ({ request: m, answer: answerOf(m) }))
    .filter((e): e is { request: WorkerLogEntry; answer: WorkerLogEntry } => e.answer !== undefined);
  const firstRequest = starts[0]?.t ?? window.from;
  const long = longTasks.filter((t) => t.duration > 50);
  const steps: PropagationStepRecord[] = [];
  const counters = new Map<string, number>();
  let boundary = firstRequest;
  for (const request of sent.filter((m) => m.type === 'propagateStep')) {
    const answer = answerOf(request);
    if (!answer || answer.decodeMs === undefined) continue; // cancelled or failed: no slice
    const run = request.run ?? '';
    const n = (counters.get(run) ?? 0) + 1;
    counters.set(run, n);
    const key = keyOf(request);
    const ran = encodes.filter(
      (e) => keyOf(e.request) === key && e.answer.cached === false && e.request.t <= request.t,
    );
    const encodeMs = ran.reduce((sum, e) => sum + (e.answer.encodeMs ?? 0), 0);
    const wallMs = answer.t - boundary;
    const decodeMs = answer.decodeMs;
    const overlapping = long.filter((t) => t.start < answer.t && t.start + t.duration > boundary);
    const from = boundary;
    steps.push({
      way: ways.get(run) ?? -1,
      run,
      n,
      imageKey: request.imageKey ?? '',
      preprocessingKey: request.preprocessingKey ?? '',
      kept: answer.stop === undefined,
      ...(answer.stop !== undefined && { stop: answer.stop }),
      atMs: boundary - firstRequest,
      wallMs,
      mainGapMs: request.t - boundary,
      workerMs: answer.t - request.t,
      decodeMs,
      decoderRunMs: answer.decoderRunMs ?? NaN,
      ...(answer.predictedIou !== undefined && { predictedIou: answer.predictedIou }),
      encoded: ran.length > 0,
      encodeMs,
      encodes: ran.map((e) => ({
        id: e.request.id,
        ...(e.request.priority !== undefined && { priority: e.request.priority }),
        sentMs: e.request.t - boundary,
        answeredMs: e.answer.t - boundary,
        encodeMs: e.answer.encodeMs ?? 0,
        stepSentAfterAnswerMs: request.t - e.answer.t,
      })),
      overDecode: decodeMs > 0 ? wallMs / decodeMs : NaN,
      overEncodeDecode: decodeMs > 0 ? wallMs / (encodeMs + decodeMs) : NaN,
      longTasks: overlapping.map((t) => ({ startMs: t.start - boundary, durationMs: t.duration })),
      longTaskMs: overlapping.reduce(
        (sum, t) => sum + Math.max(0, Math.min(answer.t, t.start + t.duration) - Math.max(from, t.start)),
        0,
      ),
    });
    boundary = answer.t;
  }
  const stepped = new Set(steps.map((s) => `${s.imageKey}|${s.preprocessingKey}`));
  return {
    steps,
    firstRequest,
    lastAnswer: boundary,
    encodes: {
      sent: encodes.length,
      cached: encodes.filter((e) => e.answer.cached === true).length,
      notCached: encodes.filter((e) => e.answer.cached === false).length,
      background: encodes.filter((e) => e.request.priority === 'background').length,
      interactive: encodes.filter((e) => e.request.priority === 'interactive').length,
    },
    unusedEncodes: encodes
      .filter((e) => e.answer.cached === false && !stepped.has(keyOf(e.request)))
      .map((e) => ({ imageKey: e.request.imageKey ?? '', encodeMs: e.answer.encodeMs ?? 0 })),
    decodesSent: sent.filter((m) => m.type === 'decode').length,
  };
}

/**
 * Background encodes (the series pre-encoder's, or a run's ahead encodes) sent in [from, to] for images
 * windowed as `preprocessingKey`: none before a run, after a window change, means the series'
 * pre-encoding did not restart for the new window.
 */
export function backgroundEncodesOf(
  log: readonly WorkerLogEntry[],
  preprocessingKey: string,
  window: { from: number; to: number },
): number {
  return log.filter(
    (m) =>
      m.dir === 'sent' &&
      m.type === 'encode' &&
      m.priority === 'background' &&
      m.preprocessingKey === preprocessingKey &&
      m.t >= window.from &&
      m.t <= window.to,
  ).length;
}
