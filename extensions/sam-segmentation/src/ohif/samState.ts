/**
 * What the SAM panel shows, as one immutable state object owned by SamService, and the
 * deployment's settings.
 */
import type { Prompt } from '../core';
import type { BackendPreference, BackendReport, LoadedModelInfo } from '../runtime/workerMessages';
import type { AcceptResult } from './labelmap/acceptMask';
import type { PreviewResult } from './prompts/PromptController';
import type { SeriesProgress } from './SeriesEncodingController';

export type RuntimeStatus =
  | { state: 'idle' }
  | { state: 'starting'; preference: BackendPreference }
  | { state: 'ready'; report: BackendReport }
  | { state: 'error'; message: string };

export type ModelStatus =
  | { state: 'idle' }
  | { state: 'loading'; modelId?: string; file?: string; loadedBytes: number; totalBytes?: number }
  | { state: 'ready'; model: LoadedModelInfo }
  | { state: 'error'; message: string };

/** A model the user can choose, from the manifest beside the bundle. */
export interface ModelChoice {
  id: string;
  name: string;
  recommendedBackend: 'webgpu' | 'wasm' | 'any';
  segmentAnythingWeights: boolean;
  version: string;
  notes?: string;
}

/** Storing the SAM segmentation as a DICOM SEG to the data source (the panel's Store button). */
export type SegStoreStatus =
  | { state: 'storing' }
  | { state: 'stored'; seriesDescription: string; sopInstanceUID: string }
  | { state: 'cancelled' }
  | { state: 'error'; message: string };

export interface SamState {
  /** The backend the user asked for; the runtime status says which one really runs. */
  backendPreference: BackendPreference;
  runtime: RuntimeStatus;
  model: ModelStatus;
  /** Models of the manifest, and the default. */
  models: ModelChoice[];
  defaultModel?: string;
  /** Background encoding of the active viewport's series. */
  preEncoding?: SeriesProgress;
  /** The mask shown for the current prompts, not yet accepted. */
  preview?: {
    prompt: Prompt;
    candidates: PreviewResult['candidates'];
    chosenIndex: number;
    decodeMs: number;
    /** The decoder graph's run alone: what the interaction budget is measured against. */
    decoderRunMs: number;
    imageId: string;
  };
  /** The last problem with a prompt (e.g. outside the image), shown in the panel. */
  promptError?: string;
  /** What the last accept wrote (voxels written, voxels of other segments kept). */
  lastAccept?: AcceptResult;
  /** Measurements on the image are used as prompts too. */
  measurementsAsPrompts?: boolean;
  /** The last store of the SAM segmentation as DICOM SEG. */
  segStore?: SegStoreStatus;
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
