/**
 * Propagate in the viewer: the mask on the slice on screen (the preview, or the active SAM segment as
 * accepted or edited by hand) is carried through the series with the model's propagation engine,
 * each slice written into the same segment as it arrives, never over another segment's voxels, and
 * the whole run (a preview it started from included) recorded as one undoable step. Stop keeps what
 * is done, or puts the propagated slices back (a preview it started from stays accepted), as the user
 * chooses. The series' background encoding is held while the run encodes its own way.
 */
import { DEFAULT_REPROMPT, DEFAULT_STOP } from '../../core';
import { propagateSeries, type Direction, type DirectionEnd } from '../../runtime/propagation/propagateSeries';
import type { RuntimeSession } from '../../runtime/runtimeSession';
import type { ViewerHost } from '../host/hostTypes';
import { imageSource } from '../host/viewportImage';
import type { SegmentWriter } from '../labelmap/acceptMask';
import type { SamLabelmap } from '../labelmap/SamLabelmap';
import { friendlyError } from './friendlyError';
import { REFORMATTED_PLANE } from './PromptInput';
import type { SegmentSessions } from './SegmentSessions';

/** Which way, and how far. 'forward' is towards the series' next images (higher index). */
export interface PropagationRequest {
  directions: 'both' | 'forward' | 'backward';
  /** At most this many slices each way; absent: until the structure ends or the series does. */
  maxSlices?: number;
}

export const DEFAULT_PROPAGATION_REQUEST: PropagationRequest = { directions: 'both' };

export type PropagationStatus =
  | { state: 'starting' }
  | { state: 'running'; done: number; total: number; viewportId: string }
  | { state: 'stopping'; done: number; total: number; keep: boolean }
  | { state: 'done'; kept: number; why: string }
  | { state: 'stopped'; kept: number; discarded: boolean }
  | { state: 'error'; message: string; kept: number };

const DIRECTIONS: Record<PropagationRequest['directions'], Direction[]> = {
  both: [1, -1],
  forward: [1],
  backward: [-1],
};

/** Why each way ended, in words for the panel. */
const ENDS: Record<DirectionEnd, string> = {
  vanished: 'the structure ended',
  uncertain: 'the model was no longer confident',
  grew: 'the mask grew too much in one slice',
  jumped: 'the mask jumped away from the structure',
  'series-end': 'the series ended',
  limit: 'the slice limit was reached',
  cancelled: 'stopped',
};

export interface SeriesPropagationDeps {
  host: ViewerHost;
  runtime: RuntimeSession;
  sessions: SegmentSessions;
  labelmap: SamLabelmap;
  algorithmName(): string | undefined;
  /** Holds the series' background encoding; returns the release. */
  holdBackgroundEncoding(): () => void;
  onStatus(status: PropagationStatus): void;
}

export class SeriesPropagation {
  private current: { abort: AbortController; keep: boolean } | undefined;

  constructor(private readonly deps: SeriesPropagationDeps) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Stops the run under way after the slice being decoded: keeps what is done, or puts it all back. */
  stop(keep: boolean): void {
    if (!this.current) return;
    this.current.keep = keep;
    this.current.abort.abort();
  }

  /** Propagates the mask on the active viewport's slice; the status says how it goes. */
  async run(request: PropagationRequest = DEFAULT_PROPAGATION_REQUEST): Promise<void> {
    if (this.current) return;
    const { sessions, labelmap, host } = this.deps;
    const viewportId = sessions.activeId();
    const viewport = viewportId === undefined ? undefined : sessions.viewports.stack(viewportId);
    if (viewportId === undefined || !viewport) {
      if (viewportId !== undefined) sessions.refuse(viewportId, REFORMATTED_PLANE);
      return;
    }
    const algorithmName = this.deps.algorithmName();
    if (!algorithmName) return;
    const abort = new AbortController();
    this.current = { abort, keep: true };
    this.deps.onStatus({ state: 'starting' });
    let writer: SegmentWriter | undefined;
    let kept = 0;
    const release = this.deps.holdBackgroundEncoding();
    try {
      const imageIds = viewport.getImageIds();
      // The seed: the preview (written as the run's first slice), else the active segment on this slice.
      let seedImageId = viewport.getCurrentImageId();
      let seed: { mask: Uint8Array; width: number; height: number } | undefined;
      let seedDecode: { session: string; decodeId: number } | undefined;
      await sessions.session(viewportId)?.writePreview(async (preview) => {
        writer = await labelmap.openWriter(viewportId, preview.imageId, { algorithmName });
        writer.write(preview.imageId, preview.mask, preview.width, preview.height);
        seedImageId = preview.imageId;
        seed = { mask: Uint8Array.from(preview.mask), width: preview.width, height: preview.height };
        seedDecode = { session: viewportId, decodeId: preview.decodeId };
      });
      if (!seed) {
        seed = labelmap.activeSegmentMask(viewportId, seedImageId);
        if (!seed) {
          sessions.refuse(
            viewportId,
            'Nothing to propagate on this slice: segment the structure here first (a preview, or an accepted mask ' +
              'of the active SAM segment), then Propagate.',
          );
          this.deps.onStatus({ state: 'stopped', kept: 0, discarded: false });
          return;
        }
        writer = await labelmap.openWriter(viewportId, seedImageId, { algorithmName });
      }
      const start = imageIds.indexOf(seedImageId);
      const directions = DIRECTIONS[request.directions];
      const limit = request.maxSlices ?? Infinity;
      const total = directions.reduce((n, d) => n + Math.min(limit, d > 0 ? imageIds.length - 1 - start : start), 0);
      const voiRange = viewport.getProperties().voiRange;
      const images = imageIds.map((id) => imageSource(host.cornerstone, id, voiRange));
      this.deps.onStatus({ state: 'running', done: 0, total, viewportId });
      const outcome = await propagateSeries(this.deps.runtime, {
        images,
        start,
        seed,
        ...(seedDecode && { seedDecode }),
        directions,
        ...(request.maxSlices !== undefined && { maxSlices: request.maxSlices }),
        settings: { reprompt: DEFAULT_REPROMPT, stop: DEFAULT_STOP },
        signal: abort.signal,
        onSlice: (index, step) => {
          // Redrawn now only if on screen; Cornerstone is told of the others once, at the run's end.
          const imageId = imageIds[index]!;
          writer!.write(imageId, step.mask, step.width, step.height, {
            quietly: imageId !== viewport.getCurrentImageId(),
          });
          kept++;
          this.deps.onStatus(
            abort.signal.aborted
              ? { state: 'stopping', done: kept, total, keep: this.current!.keep }
              : { state: 'running', done: kept, total, viewportId },
          );
        },
      });
      if (abort.signal.aborted && !this.current.keep) {
        writer!.discard([seedImageId]);
        writer!.commit();
        this.deps.onStatus({ state: 'stopped', kept: 0, discarded: true });
        return;
      }
      writer!.commit();
      if (abort.signal.aborted) {
        this.deps.onStatus({ state: 'stopped', kept, discarded: false });
        return;
      }
      const why = [...new Set(directions.map((d) => ENDS[outcome.ended[d] ?? 'series-end']))].join('; ');
      this.deps.onStatus({ state: 'done', kept, why });
    } catch (err) {
      writer?.commit(); // what was written stays, as one undoable step: the user's to keep or undo
      this.deps.onStatus({ state: 'error', message: friendlyError(err), kept });
    } finally {
      release();
      this.current = undefined;
    }
  }
}
