/**
 * Per interaction (a click or a box drag), what the SAM inference worker was asked and answered,
 * from the page's log of its messages (pageProbes.ts, recordSamWorker). Pure functions of that log.
 *
 * Windows, all on the page's clock (performance.now()):
 *   begin     pointerdown on the viewport (captured)
 *   released  pointerup (captured)
 *   previewAt the state change that put the interaction's final mask in the preview
 *   shown     the first animation frame after that
 *   end       just before the bench pressed Enter (clicks) or Esc (drags)
 * A decode request belongs to the interaction when it was posted in [begin, end]: "during" when
 * before the release, "after release" when at or after it.
 */
import type { WorkerLogEntry } from './pageProbes';

export interface InteractionWindow {
  begin: number;
  released: number;
  previewAt: number;
  shown: number;
  end: number;
}

export interface DecodeCounts {
  /** Decode requests posted to the worker before / after the release. */
  sentDuring: number;
  sentAfterRelease: number;
  /** Of those, answered 'cancelled' by the worker (dropped from its queue before they ran). */
  cancelledDuring: number;
  cancelledAfterRelease: number;
  /** Decodes the worker started: sent − cancelled before start. */
  startedDuring: number;
  startedAfterRelease: number;
  /** Decode requests posted after the final mask was shown (should be none). */
  sentAfterShown: number;
  /** Encode requests posted in the window (the extension asks for the slice's embedding before decoding). */
  encodesSent: number;
  /** Cancel requests posted in the window, and how many queued requests their answers say were dropped. */
  cancelRequests: number;
  cancelAnswersDropped: number;
  /**
   * The decode whose mask was shown: the last decode answer received at or before `previewAt`
   * (the preview is set in the same task as that answer's message event). Times relative to the
   * release; undefined if no decode answer was found (then the interaction's ratio is NaN).
   */
  finalDecode?: {
    id: number;
    sentAfterReleaseMs: number;
    answeredAfterReleaseMs: number;
    decoderRunMs: number;
    /** The worker's whole decode, when the answer says (the decoder run plus feeds, candidates, mask). */
    decodeMs?: number;
    box?: WorkerLogEntry['box'];
    /** Posted after the last annotation change of the interaction (undefined when none was seen). */
    sentAfterLastAnnotationChange?: boolean;
  };
}

export function countDecodes(log: readonly WorkerLogEntry[], w: InteractionWindow, annotationTimes: number[] = []) {
  const sent = log.filter((m) => m.dir === 'sent');
  const received = log.filter((m) => m.dir === 'received');
  const decodes = sent.filter((m) => m.type === 'decode' && m.t >= w.begin && m.t <= w.end);
  const cancelledIds = new Set(received.filter((m) => m.type === 'cancelled').map((m) => m.id));
  const during = decodes.filter((m) => m.t < w.released);
  const after = decodes.filter((m) => m.t >= w.released);
  const cancelled = (list: WorkerLogEntry[]) => list.filter((m) => cancelledIds.has(m.id)).length;
  const cancels = sent.filter((m) => m.type === 'cancel' && m.t >= w.begin && m.t <= w.end);
  const cancelIds = new Set(cancels.map((m) => m.id));
  const answer = received.filter((m) => m.type === 'decode' && m.t <= w.previewAt).at(-1);
  const request = answer && sent.find((m) => m.type === 'decode' && m.id === answer.id);
  const lastAnnotationChange = annotationTimes.filter((t) => t <= w.previewAt).at(-1);
  const counts: DecodeCounts = {
    sentDuring: during.length,
    sentAfterRelease: after.length,
    cancelledDuring: cancelled(during),
    cancelledAfterRelease: cancelled(after),
    startedDuring: during.length - cancelled(during),
    startedAfterRelease: after.length - cancelled(after),
    sentAfterShown: decodes.filter((m) => m.t > w.shown).length,
    encodesSent: sent.filter((m) => m.type === 'encode' && m.t >= w.begin && m.t <= w.end).length,
    cancelRequests: cancels.length,
    cancelAnswersDropped: received
      .filter((m) => m.type === 'cancel' && cancelIds.has(m.id))
      .reduce((sum, m) => sum + (m.cancelled ?? 0), 0),
  };
  if (answer && request && answer.decoderRunMs !== undefined) {
    counts.finalDecode = {
      id: answer.id,
      sentAfterReleaseMs: request.t - w.released,
      answeredAfterReleaseMs: answer.t - w.released,
      decoderRunMs: answer.decoderRunMs,
      ...(answer.decodeMs !== undefined && { decodeMs: answer.decodeMs }),
      ...(request.box && { box: request.box }),
      ...(lastAnnotationChange !== undefined && {
        sentAfterLastAnnotationChange: request.t >= lastAnnotationChange,
      }),
    };
  }
  return counts;
}

/** Decode requests of the log in none of the windows (after `from`): work nobody measured. */
export function decodesOutside(log: readonly WorkerLogEntry[], windows: InteractionWindow[], from: number): number {
  return log.filter(
    (m) =>
      m.dir === 'sent' && m.type === 'decode' && m.t >= from && !windows.some((w) => m.t >= w.begin && m.t <= w.end),
  ).length;
}
