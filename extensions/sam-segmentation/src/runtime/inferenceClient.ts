/**
 * Main-thread side of the inference worker: sends typed requests, resolves each with the answer
 * carrying the same id. One client (and so one worker, one session per model) per page. A plain
 * transport: which decode is worth sending is the DecodeScheduler's business.
 */
import type {
  Backend,
  BackendPreference,
  BackendReport,
  LoadedModelInfo,
  ProgressMessage,
  WorkerMessage,
  WorkerRequest,
  WorkerResponse,
} from './workerMessages';
import type { CleanupOptions, ModelEntry, Prompt, SelectionRule, SlicePixels, VoiSetting } from '../core';
import type { EmbeddingCacheStats, EmbeddingKeyParts } from './embeddingCache';
import type { PropagationSettings } from './propagation/propagationEngine';
import type { Priority } from './requestQueue';
import { ORT_FOLDER, MODELS_FOLDER, assetUrl } from './assetUrls';

import { CancelledError } from './cancellation';

export { CancelledError };

export type DecodeAnswer = Extract<WorkerResponse, { type: 'decode' }>;
export type EncodeAnswer = Extract<WorkerResponse, { type: 'encode' }>;
export type PickAnswer = Extract<WorkerResponse, { type: 'pickCandidate' }>;
export type PropagateStepAnswer = Extract<WorkerResponse, { type: 'propagateStep' }>;

/** A request on its way: its id (to cancel it) and its answer. */
export interface Pending<T> {
  id: number;
  done: Promise<T>;
}

type Waiting = {
  resolve: (r: WorkerResponse) => void;
  reject: (e: Error) => void;
  onProgress?: (p: ProgressMessage) => void;
};
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export const RUNTIME_PROBE_MODEL = 'runtime-probe.onnx';

export class InferenceClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Waiting>();
  private nextId = 1;

  constructor(
    worker: Worker = new Worker(new URL('./inferenceWorker.ts', import.meta.url), {
      type: 'module',
      name: 'sam-inference',
    }),
  ) {
    this.worker = worker;
    this.worker.onmessage = (event: MessageEvent<WorkerMessage>) => this.settle(event.data);
    this.worker.onerror = (event: ErrorEvent) => {
      // A worker that fails to load (bad URL, CSP) rejects everything that waits on it.
      const error = new Error(`SAM inference worker failed: ${event.message || 'could not be loaded'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  private settle(message: WorkerMessage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return; // cancelled or stale
    if (message.type === 'progress') {
      pending.onProgress?.(message);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message);
    else if (message.type === 'cancelled') pending.reject(new CancelledError());
    else {
      const error = new Error(message.error.message);
      error.name = message.error.name;
      pending.reject(error);
    }
  }

  private request(
    body: RequestBody,
    onProgress?: (p: ProgressMessage) => void,
    transfer: Transferable[] = [],
  ): { id: number; answer: Promise<WorkerResponse> } {
    const id = this.nextId++;
    const answer = new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress && { onProgress }) });
      this.worker.postMessage({ ...body, id } as WorkerRequest, transfer);
    });
    return { id, answer };
  }

  private async call<T extends WorkerResponse['type']>(
    type: T,
    body: RequestBody,
    onProgress?: (p: ProgressMessage) => void,
  ): Promise<Extract<WorkerResponse, { type: T }>> {
    const answer = await this.request(body, onProgress).answer;
    if (answer.type !== type) throw new Error(`Unexpected answer to ${type}: ${answer.type}`);
    return answer as Extract<WorkerResponse, { type: T }>;
  }

  /**
   * Encodes an image into the worker's embedding cache (nothing runs when it is already there).
   * The pixel values are copied and the copy transferred: the caller's buffer stays usable.
   */
  encode(
    key: EmbeddingKeyParts,
    slice: SlicePixels,
    voi: VoiSetting,
    options: { priority?: Priority; group?: string } = {},
  ): Pending<EncodeAnswer> {
    const values = slice.values.slice();
    const { id, answer } = this.request(
      {
        type: 'encode',
        ...key,
        slice: { ...slice, values },
        voi,
        priority: options.priority ?? 'interactive',
        ...(options.group && { group: options.group }),
      },
      undefined,
      [values.buffer],
    );
    return { id, done: answer as Promise<EncodeAnswer> };
  }

  /**
   * Decodes a prompt on an encoded image (a NotEncodedError when the worker has no embedding for
   * `key`). With a `session`, the worker keeps the decode's candidates under it, so that a later
   * decode can refine this one (`refineFrom` = this request's id) and `pickCandidate` can show
   * another candidate without a decoder run.
   */
  decode(
    key: EmbeddingKeyParts,
    prompt: Prompt,
    options: { selection?: SelectionRule; cleanup?: CleanupOptions; session?: string; refineFrom?: number } = {},
  ): Pending<DecodeAnswer> {
    const { id, answer } = this.request({
      type: 'decode',
      ...key,
      prompt,
      ...(options.selection && { selection: options.selection }),
      ...(options.cleanup && { cleanup: options.cleanup }),
      ...(options.session !== undefined && { session: options.session }),
      ...(options.refineFrom !== undefined && { refineFrom: options.refineFrom }),
    });
    return { id, done: answer as Promise<DecodeAnswer> };
  }

  /** Another candidate of a session's decode, as a mask (upsampling only, no decoder run). */
  async pickCandidate(session: string, decodeId: number, index: number): Promise<PickAnswer> {
    return this.call('pickCandidate', { type: 'pickCandidate', session, decodeId, index });
  }

  /**
   * Starts a propagation run in the worker from a seed mask (copied and transferred: the caller's stays
   * usable); `seedDecode` names the kept decode it is the preview of, if any.
   */
  async startPropagation(
    run: string,
    modelId: string,
    seed: { mask: Uint8Array; width: number; height: number },
    settings: PropagationSettings,
    seedDecode?: { session: string; decodeId: number },
    seedKey?: EmbeddingKeyParts,
  ): Promise<void> {
    const mask = seed.mask.slice();
    const body = {
      type: 'propagateStart' as const,
      run,
      modelId,
      seed: { ...seed, mask },
      settings,
      ...(seedDecode && { seedDecode }),
      ...(seedKey && { seedKey }),
    };
    const answer = await this.request(body, undefined, [mask.buffer]).answer;
    if (answer.type !== 'propagateStart') throw new Error(`Unexpected answer to propagateStart: ${answer.type}`);
  }

  /** The run's mask on the next slice (a NotEncodedError when the worker has no embedding for `key`). */
  propagateStep(run: string, key: EmbeddingKeyParts): Promise<PropagateStepAnswer> {
    return this.call('propagateStep', { type: 'propagateStep', run, ...key });
  }

  endPropagation(run: string): void {
    this.request({ type: 'propagateEnd', run }).answer.catch(() => {});
  }

  /** Lets the worker forget a session's decodes (its viewport is gone, or its prompt was rejected). */
  releaseSession(session: string): void {
    this.request({ type: 'releaseSession', session }).answer.catch(() => {});
  }

  /**
   * Cancels requests: queued ones are dropped by the worker; one already running finishes, but its
   * answer is ignored. Either way its promise rejects with CancelledError now.
   */
  cancel(ids: number[] = [], group?: string): void {
    for (const id of ids) {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      pending?.reject(new CancelledError());
    }
    this.request({ type: 'cancel', ids, ...(group !== undefined && { group }) }).answer.catch(() => {});
  }

  /** Cancels every queued encode of a group (a series' pre-encoding when the series changes). */
  cancelGroup(group: string): void {
    this.cancel([], group);
  }

  async cacheStats(): Promise<EmbeddingCacheStats> {
    return (await this.call('cacheStats', { type: 'cacheStats' })).stats;
  }

  async configureCache(budgetBytes: number, float16 = true): Promise<void> {
    await this.call('configureCache', { type: 'configureCache', budgetBytes, float16 });
  }

  /** Loads onnxruntime from beside the bundle and runs the probe model on the chosen backend. */
  async probe(preference: BackendPreference = 'auto'): Promise<BackendReport> {
    const answer = await this.call('probe', {
      type: 'probe',
      ortBaseUrl: assetUrl(ORT_FOLDER),
      probeModelUrl: assetUrl(MODELS_FOLDER + RUNTIME_PROBE_MODEL),
      preference,
    });
    return answer.report;
  }

  /** Loads a model: its files from `<models folder beside the bundle>/<id>/`, checked against `entry`. */
  async loadModel(
    entry: ModelEntry,
    backend: Backend,
    onProgress?: (p: ProgressMessage) => void,
  ): Promise<LoadedModelInfo> {
    const answer = await this.call(
      'loadModel',
      { type: 'loadModel', entry, modelsBaseUrl: assetUrl(MODELS_FOLDER), backend },
      onProgress,
    );
    return answer.model;
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new CancelledError('The SAM inference worker was stopped.'));
    this.pending.clear();
  }
}
