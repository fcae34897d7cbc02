/**
 * What the SAM panel shows, as one immutable state object owned by SamService, and the
 * deployment's settings.
 */
import type { RuntimeState } from '../runtime/runtimeSession';
import type { AcceptResult } from './labelmap/acceptMask';
import type { SegmentTargetView } from './labelmap/SamLabelmap';
import type { SegmentView } from './segment/segmentState';
import type { PropagationRequest, PropagationStatus } from './segment/SeriesPropagation';
import type { SeriesProgress } from './SeriesEncodingController';

export type { ModelChoice, ModelStatus, RuntimeStatus } from '../runtime/runtimeSession';

/** Storing the SAM segmentation as a DICOM SEG to the data source (the panel's Store button). */
export type SegStoreStatus =
  | { state: 'storing' }
  | { state: 'stored'; seriesDescription: string; sopInstanceUID: string }
  | { state: 'cancelled' }
  | { state: 'error'; message: string };

export interface SamState extends RuntimeState {
  /** Background encoding of the active viewport's series. */
  preEncoding?: SeriesProgress;
  /** The active viewport's prompting session: its phase, prompt, preview or error. */
  segment?: SegmentView;
  /** The segment the next accept on the active viewport writes into, and a new segment's default name. */
  segmentTarget?: SegmentTargetView;
  /** The last New segment's outcome, when it failed. */
  newSegmentError?: string;
  /** What the last accept wrote (voxels written, voxels of other segments kept). */
  lastAccept?: AcceptResult;
  /** Measurements on the image are used as prompts too. */
  measurementsAsPrompts?: boolean;
  /** The last store of the SAM segmentation as DICOM SEG. */
  segStore?: SegStoreStatus;
  /** Which way and how far Propagate goes (the panel's choice). */
  propagationRequest: PropagationRequest;
  /** The propagation run under way, or the last one's outcome. */
  propagation?: PropagationStatus;
}

/** Deployment settings, from `window.config.sam` in the viewer's app-config. */
export interface SamSettings {
  /** Memory for cached image embeddings in the worker, MiB (default 768: a 300-slice CT with SAM ViT-B). */
  embeddingCacheMiB?: number;
}

/** Checks the deployment's settings; a wrong value is reported and ignored, not fatal. */
export function parseSettings(raw: unknown): SamSettings {
  const settings: SamSettings = {};
  const mib = (raw as SamSettings | undefined)?.embeddingCacheMiB;
  if (mib !== undefined) {
    if (typeof mib === 'number' && mib >= 0) settings.embeddingCacheMiB = mib;
    else
      console.warn(
        `[SAM] window.config.sam.embeddingCacheMiB must be a number of MiB ≥ 0, got ${JSON.stringify(mib)}: ignored.`,
      );
  }
  return settings;
}
