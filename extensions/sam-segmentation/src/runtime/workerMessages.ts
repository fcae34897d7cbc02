/**
 * Messages between the main thread and the inference worker. Plain data only (numbers, strings,
 * typed arrays): no library objects cross the boundary. Every request carries an id; the worker
 * answers with the same id, so a client can match, cancel or ignore stale answers.
 */

import type { CleanupOptions, MaskToken, ModelEntry, Prompt, SelectionRule, SlicePixels, VoiSetting } from '../core';
import type { EmbeddingCacheStats, EmbeddingKeyParts } from './embeddingCache';
import type { Priority } from './requestQueue';
import type { PropagationSettings, PropagationStep } from './propagation/propagationEngine';

import type { Backend, BackendPreference, RuntimeEnvironment } from './backendSelection';

export type { Backend, BackendPreference, RuntimeEnvironment } from './backendSelection';

export interface BackendReport {
  backend: Backend;
  /** Human-readable reason for the choice, shown in the panel (e.g. "WebGPU unavailable: no adapter"). */
  reason: string;
  wasmThreads: number;
  ortVersion: string;
  environment: RuntimeEnvironment;
  /** Milliseconds to create the probe session and run it once. */
  probeMs: number;
}

/** What the panel shows about a loaded model. */
export interface LoadedModelInfo {
  id: string;
  name: string;
  family: string;
  /** False for the project's own default model, which is not Segment Anything. */
  segmentAnythingWeights: boolean;
  backend: Backend;
  /** Bytes of model files fetched (encoder + decoder). */
  bytes: number;
  /** Fetch, check and session creation, in milliseconds. */
  loadMs: number;
  /** The warm-up run's time, when one was made (WebGPU: shader compilation). */
  warmUpMs?: number;
}

/** A candidate mask, as the panel lists it. */
export interface CandidateSummary {
  index: number;
  token: MaskToken;
  predictedIou: number;
}

/** A decode kept in the worker for a prompting session (a viewport): see DecodeRecords. */
export interface SessionDecode {
  /** The prompting session, e.g. the viewport id. */
  session: string;
  /** An earlier decode of this session to refine: its chosen candidate's logits become the mask input. */
  refineFrom?: number;
}

export type WorkerRequest =
  | {
      id: number;
      type: 'probe';
      /** Absolute URL of onnxruntime's folder (glue `.mjs` and `.wasm`), beside the extension bundle. */
      ortBaseUrl: string;
      /** Absolute URL of the runtime probe model. */
      probeModelUrl: string;
      preference: BackendPreference;
    }
  | {
      id: number;
      type: 'loadModel';
      /** The manifest's entry (the main thread reads the manifest once). */
      entry: ModelEntry;
      /** Absolute URL of the models folder holding `<model id>/<file>`. */
      modelsBaseUrl: string;
      backend: Backend;
    }
  | ({
      id: number;
      type: 'encode';
      priority: Priority;
      /** Requests of one group (e.g. a series' pre-encoding) can be cancelled together. */
      group?: string;
      slice: SlicePixels;
      voi: VoiSetting;
    } & EmbeddingKeyParts)
  | ({
      id: number;
      type: 'decode';
      prompt: Prompt;
      selection?: SelectionRule;
      cleanup?: CleanupOptions;
    } & EmbeddingKeyParts &
      Partial<SessionDecode>)
  | { id: number; type: 'pickCandidate'; session: string; decodeId: number; index: number }
  | { id: number; type: 'releaseSession'; session: string }
  | {
      id: number;
      type: 'propagateStart';
      run: string;
      modelId: string;
      /** The start slice's mask: uint8[height*width]. */
      seed: { mask: Uint8Array; width: number; height: number };
      settings: PropagationSettings;
      /** The seed is this kept decode's preview: its logits come along. */
      seedDecode?: { session: string; decodeId: number };
      /** The start slice's embedding, for engines that build on it (SAM 2's memory). */
      seedKey?: EmbeddingKeyParts;
    }
  | ({ id: number; type: 'propagateStep'; run: string } & EmbeddingKeyParts)
  | { id: number; type: 'propagateEnd'; run: string }
  | { id: number; type: 'cancel'; ids?: number[]; group?: string }
  | { id: number; type: 'cacheStats' }
  | { id: number; type: 'configureCache'; budgetBytes: number; float16?: boolean };

/** A mask on the image grid: uint8[height*width], row-major, 1 = inside. */
export interface MaskAnswer {
  mask: Uint8Array;
  width: number;
  height: number;
}

export type WorkerResponse =
  | { id: number; type: 'probe'; ok: true; report: BackendReport }
  | { id: number; type: 'loadModel'; ok: true; model: LoadedModelInfo }
  | { id: number; type: 'encode'; ok: true; cached: boolean; encodeMs: number; windowNote?: string }
  | ({
      id: number;
      type: 'decode';
      ok: true;
      candidates: CandidateSummary[];
      chosenIndex: number;
      /** True when the session's earlier decode was fed back (`refineFrom` was still kept and on this image). */
      refined: boolean;
      /** The worker's whole decode (feeds, decoder, candidates, mask) and the decoder graph's run alone. */
      decodeMs: number;
      decoderRunMs: number;
      /** The image was encoded with another window than the display's, and why (for the panel). */
      windowNote?: string;
    } & MaskAnswer)
  | ({ id: number; type: 'pickCandidate'; ok: true; chosenIndex: number } & MaskAnswer)
  | { id: number; type: 'releaseSession'; ok: true }
  | { id: number; type: 'propagateStart'; ok: true }
  | ({ id: number; type: 'propagateStep'; ok: true } & PropagationStep)
  | { id: number; type: 'propagateEnd'; ok: true }
  | { id: number; type: 'cancel'; ok: true; cancelled: number }
  | { id: number; type: 'cacheStats'; ok: true; stats: EmbeddingCacheStats }
  | { id: number; type: 'configureCache'; ok: true }
  | { id: number; type: 'cancelled'; ok: false }
  | { id: number; type: 'error'; ok: false; error: { name: string; message: string } };

/** Sent while a request runs (it does not answer it): bytes of a model file fetched so far. */
export interface ProgressMessage {
  id: number;
  type: 'progress';
  file: string;
  loadedBytes: number;
  totalBytes?: number;
}

export type WorkerMessage = WorkerResponse | ProgressMessage;
