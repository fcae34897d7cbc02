/**
 * What the SAM panel shows, as one immutable state object owned by SamService, and the
 * deployment's settings.
 */
import type { SegEncoding } from '../core/dicomSeg/buildSeg';
import type { RuntimeState } from '../runtime/runtimeSession';
import type { AcceptResult } from './labelmap/acceptMask';
import type { SegmentTargetView } from './labelmap/SamLabelmap';
import type { SegmentView } from './segment/segmentState';
import type { PropagationRequest, PropagationStatus } from './segment/SeriesPropagation';
import type { SeriesProgress } from './SeriesEncodingController';

export type { ModelChoice, ModelStatus, RuntimeStatus } from '../runtime/runtimeSession';

/**
 * Storing the SAM segmentation as a DICOM SEG to the data source (the panel's Store button), or
 * saving it as a file. On an error the segmentation is still in the viewer and Download is offered.
 */
export type SegStoreStatus =
  | { state: 'storing' }
  | { state: 'stored'; seriesDescription: string; sopInstanceUID: string; dataSource: string }
  | { state: 'downloaded'; fileName: string }
  | { state: 'error'; message: string; reason: 'cannot-store' | 'not-built' | 'refused' | 'download' };

export interface SamState extends RuntimeState {
  /** Background encoding of the active viewport's series. */
  preEncoding?: SeriesProgress;
  /** The active viewport's prompting session: its phase, prompt, preview or error. */
  segment?: SegmentView;
  /** The segment the next accept on the active viewport writes into, and a new segment's default name. */
  segmentTarget?: SegmentTargetView;
  /** Why the last New segment or segment edit failed, as the panel says it ("New segment failed: …"). */
  segmentTargetError?: string;
  /** What the last accept wrote (voxels written, voxels of other segments kept). */
  lastAccept?: AcceptResult;
  /** Measurements on the image are used as prompts too. */
  measurementsAsPrompts?: boolean;
  /** The last store (or download) of the SAM segmentation as DICOM SEG. */
  segStore?: SegStoreStatus;
  /** How SEGs are written here (deployment settings), and the creator's name the panel starts with. */
  segSettings: SegSettings;
  /** The data source cannot store (local files): the reason, shown before anyone presses Store. */
  segStoreUnavailable?: string;
  /** Which way and how far Propagate goes (the panel's choice). */
  propagationRequest: PropagationRequest;
  /** The propagation run under way, or the last one's outcome. */
  propagation?: PropagationStatus;
}

/** How SEGs are written, from `window.config.sam.seg`. */
export interface SegSettings {
  /** `binary`: Segmentation Storage 1.2.840.10008.5.1.4.1.1.66.4 (default, what PACS store); `labelmap`: …66.7. */
  encoding: SegEncoding;
  /** ContentCreatorName the panel starts with ("Family^Given"); the user can change it before storing. */
  contentCreatorName: string;
}

/** Deployment settings, from `window.config.sam` in the viewer's app-config. */
export interface SamSettings {
  /** Memory for cached image embeddings in the worker, MiB (default 768: a 300-slice CT with SAM ViT-B). */
  embeddingCacheMiB?: number;
  seg?: Partial<SegSettings>;
}

export const DEFAULT_SEG_SETTINGS: SegSettings = { encoding: 'binary', contentCreatorName: '' };

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
  const seg = (raw as SamSettings | undefined)?.seg;
  if (seg !== undefined) {
    const checked: Partial<SegSettings> = {};
    if (seg.encoding === 'binary' || seg.encoding === 'labelmap') checked.encoding = seg.encoding;
    else if (seg.encoding !== undefined) {
      console.warn(
        `[SAM] window.config.sam.seg.encoding must be "binary" or "labelmap", got ${JSON.stringify(seg.encoding)}: ignored.`,
      );
    }
    if (typeof seg.contentCreatorName === 'string') checked.contentCreatorName = seg.contentCreatorName.slice(0, 64);
    settings.seg = checked;
  }
  return settings;
}
