/**
 * Main-thread side of the inference worker: sends typed requests, resolves each with the answer
 * carrying the same id. One client (and so one worker, one session per model) per page.
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
} from './protocol';
import { ORT_FOLDER, MODELS_FOLDER, assetUrl } from './assetUrls';

type Pending = {
  resolve: (r: WorkerResponse) => void;
  reject: (e: Error) => void;
  onProgress?: (p: ProgressMessage) => void;
};
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export const RUNTIME_PROBE_MODEL = 'runtime-probe.onnx';

export class InferenceClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
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
    else {
      const error = new Error(message.error.message);
      error.name = message.error.name;
      pending.reject(error);
    }
  }

  private request(body: RequestBody, onProgress?: (p: ProgressMessage) => void): Promise<WorkerResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress && { onProgress }) });
      this.worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  /** Loads onnxruntime from beside the bundle and runs the probe model on the chosen backend. */
  async probe(preference: BackendPreference = 'auto'): Promise<BackendReport> {
    const answer = await this.request({
      type: 'probe',
      ortBaseUrl: assetUrl(ORT_FOLDER),
      probeModelUrl: assetUrl(MODELS_FOLDER + RUNTIME_PROBE_MODEL),
      preference,
    });
    if (answer.type !== 'probe') throw new Error(`Unexpected answer to probe: ${answer.type}`);
    return answer.report;
  }

  /** Loads a model of the manifest beside the bundle (its default when `modelId` is absent). */
  async loadModel(
    backend: Backend,
    modelId?: string,
    onProgress?: (p: ProgressMessage) => void,
  ): Promise<LoadedModelInfo> {
    const answer = await this.request(
      { type: 'loadModel', modelsBaseUrl: assetUrl(MODELS_FOLDER), backend, ...(modelId && { modelId }) },
      onProgress,
    );
    if (answer.type !== 'loadModel') throw new Error(`Unexpected answer to loadModel: ${answer.type}`);
    return answer.model;
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('SAM inference worker was stopped'));
    this.pending.clear();
  }
}
