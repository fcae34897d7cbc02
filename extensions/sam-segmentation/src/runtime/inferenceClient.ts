/**
 * Main-thread side of the inference worker: sends typed requests, resolves each with the answer
 * carrying the same id. One client (and so one worker, one session per model) per page.
 */
import type { BackendPreference, BackendReport, WorkerRequest, WorkerResponse } from './protocol';
import { ORT_FOLDER, MODELS_FOLDER, assetUrl } from './assetUrls';

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };
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
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.settle(event.data);
    this.worker.onerror = (event: ErrorEvent) => {
      // A worker that fails to load (bad URL, CSP) rejects everything that waits on it.
      const error = new Error(`SAM inference worker failed: ${event.message || 'could not be loaded'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  private settle(message: WorkerResponse): void {
    const pending = this.pending.get(message.id);
    if (!pending) return; // cancelled or stale
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message);
    else {
      const error = new Error(message.error.message);
      error.name = message.error.name;
      pending.reject(error);
    }
  }

  private request(body: RequestBody): Promise<WorkerResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
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

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('SAM inference worker was stopped'));
    this.pending.clear();
  }
}
