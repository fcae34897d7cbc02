/**
 * The inference worker: owns every onnxruntime session (through InferenceEngine), so model loading
 * and inference never block the viewer's main thread. One worker per page; the main thread talks
 * to it through `InferenceClient`. Requests run one at a time from a RequestQueue (interactive
 * before background); `cancel` removes queued ones and is answered at once. Before each run the
 * worker yields once to its message queue, so a cancel posted right behind a request is read
 * before that request starts (a run blocks the worker: nothing is read while it lasts).
 */
import * as ort from 'onnxruntime-web';
import type {
  BackendPreference,
  BackendReport,
  LoadedModelInfo,
  RuntimeEnvironment,
  WorkerMessage,
  WorkerRequest,
  WorkerResponse,
} from './workerMessages';
import { ortWasmPaths } from './assetUrls';
import { chooseBackend, wasmThreadCount } from './backendSelection';
import { EmbeddingCache } from './embeddingCache';
import { InferenceEngine } from './inferenceEngine';
import { fetchModelFile } from './modelFiles';
import type { ModelBytes } from './openModel';
import { fileRoles, type FileRole } from '../core/manifest';
import { RequestQueue, type Priority } from './requestQueue';

declare const self: DedicatedWorkerGlobalScope;

const engine = new InferenceEngine();
type QueuedRequest = Exclude<WorkerRequest, { type: 'cancel' }>;
const queue = new RequestQueue<QueuedRequest>();
let running = false;

function environment(): RuntimeEnvironment {
  return {
    crossOriginIsolated: self.crossOriginIsolated === true,
    hardwareConcurrency: self.navigator.hardwareConcurrency || 1,
    webgpuApi: 'gpu' in self.navigator && self.navigator.gpu !== undefined,
  };
}

async function hasWebGpuAdapter(): Promise<boolean> {
  try {
    return (await self.navigator.gpu?.requestAdapter()) != null;
  } catch {
    return false;
  }
}

function configureOrt(ortBaseUrl: string, env: RuntimeEnvironment): void {
  ort.env.wasm.wasmPaths = ortWasmPaths(ortBaseUrl);
  ort.env.wasm.numThreads = wasmThreadCount(env);
  // The worker is already off the main thread; ORT's own proxy worker would add a copy per call.
  ort.env.wasm.proxy = false;
}

async function probe(request: Extract<WorkerRequest, { type: 'probe' }>): Promise<BackendReport> {
  const env = environment();
  configureOrt(request.ortBaseUrl, env);
  const adapter = env.webgpuApi && (await hasWebGpuAdapter());
  const choice = chooseBackend(request.preference as BackendPreference, env, adapter);
  const response = await fetch(request.probeModelUrl);
  if (!response.ok)
    throw new Error(`The runtime probe model is not at ${request.probeModelUrl} (HTTP ${response.status}).`);
  const model = new Uint8Array(await response.arrayBuffer());
  const started = performance.now();
  const session = await ort.InferenceSession.create(model, { executionProviders: [choice.backend] });
  try {
    const input = new ort.Tensor('float32', new Float32Array(3 * 8 * 8).fill(1), [1, 3, 8, 8]);
    await session.run({ input });
  } finally {
    await session.release();
  }
  return {
    backend: choice.backend,
    reason: choice.reason,
    wasmThreads: ort.env.wasm.numThreads ?? 1,
    ortVersion: ort.env.versions.web ?? 'unknown',
    environment: env,
    probeMs: Math.round(performance.now() - started),
  };
}

async function loadModel(request: Extract<WorkerRequest, { type: 'loadModel' }>): Promise<LoadedModelInfo> {
  const started = performance.now();
  const { entry, backend, modelsBaseUrl } = request;
  if (engine.isLoaded(entry.id, backend)) return { ...engine.describe(entry.id), bytes: 0, loadMs: 0 };

  const progress = (p: { file: string; loadedBytes: number; totalBytes?: number }) =>
    reply({ id: request.id, type: 'progress', ...p });
  const files: Partial<Record<FileRole, Uint8Array>> = {};
  for (const role of fileRoles(entry.files)) files[role] = await fetchModelFile(entry, role, modelsBaseUrl, progress);
  const info = await engine.loadModel(entry, files as ModelBytes, backend);
  const loadMs = Math.round(performance.now() - started);
  let warmUpMs: number | undefined;
  if (backend === 'webgpu') {
    progress({ file: 'warm-up: compiling GPU shaders', loadedBytes: 0 });
    warmUpMs = Math.round(await engine.warmUp(entry.id));
  }
  const bytes = Object.values(files).reduce((n, f) => n + f.length, 0);
  return { ...info, bytes, loadMs, ...(warmUpMs !== undefined && { warmUpMs }) };
}

function reply(message: WorkerMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** A typed array that owns its whole buffer, so the buffer can be transferred without detaching others. */
function owned<T extends Uint8Array>(a: T): T {
  return (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice()) as T;
}

async function handle(request: QueuedRequest): Promise<[WorkerResponse, Transferable[]]> {
  switch (request.type) {
    case 'probe':
      return [{ id: request.id, type: 'probe', ok: true, report: await probe(request) }, []];
    case 'loadModel':
      return [{ id: request.id, type: 'loadModel', ok: true, model: await loadModel(request) }, []];
    case 'encode': {
      const outcome = await engine.encode(request);
      return [{ id: request.id, type: 'encode', ok: true, ...outcome }, []];
    }
    case 'decode': {
      const { session, refineFrom, ...decode } = request;
      const result = await engine.decode({
        ...decode,
        ...(session !== undefined && { session: { id: session, decodeId: request.id, refineFrom } }),
      });
      const mask = owned(result.mask);
      const message: WorkerResponse = {
        id: request.id,
        type: 'decode',
        ok: true,
        mask,
        width: result.width,
        height: result.height,
        candidates: result.candidates.map(({ index, token, predictedIou }) => ({ index, token, predictedIou })),
        chosenIndex: result.chosen.index,
        refined: result.refined,
        decodeMs: result.decodeMs,
        decoderRunMs: result.decoderRunMs,
        ...(result.windowNote && { windowNote: result.windowNote }),
      };
      return [message, [mask.buffer]];
    }
    case 'pickCandidate': {
      const picked = engine.pickCandidate(request.session, request.decodeId, request.index);
      const mask = owned(picked.mask);
      return [{ id: request.id, type: 'pickCandidate', ok: true, ...picked, mask }, [mask.buffer]];
    }
    case 'releaseSession':
      engine.records.release(request.session);
      return [{ id: request.id, type: 'releaseSession', ok: true }, []];
    case 'propagateStart':
      engine.startPropagation(
        request.run,
        request.modelId,
        request.seed,
        request.settings,
        request.seedDecode,
        request.seedKey,
      );
      return [{ id: request.id, type: 'propagateStart', ok: true }, []];
    case 'propagateStep': {
      const { run, modelId, imageKey, preprocessingKey } = request;
      const step = await engine.propagateStep(run, { modelId, imageKey, preprocessingKey });
      // The engine goes on from this mask: a copy crosses, the engine keeps its own.
      const mask = step.mask.slice();
      return [{ id: request.id, type: 'propagateStep', ok: true, ...step, mask }, [mask.buffer]];
    }
    case 'propagateEnd':
      engine.endPropagation(request.run);
      return [{ id: request.id, type: 'propagateEnd', ok: true }, []];
    case 'cacheStats':
      return [{ id: request.id, type: 'cacheStats', ok: true, stats: engine.cache.stats() }, []];
    case 'configureCache':
      engine.cache = new EmbeddingCache({ budgetBytes: request.budgetBytes, float16: request.float16 ?? true });
      return [{ id: request.id, type: 'configureCache', ok: true }, []];
  }
}

/** Lets the messages already posted to the worker (cancels above all) be read, then takes the next request. */
async function nextRequest() {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return queue.shift();
}

async function pump(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let next = await nextRequest(); next; next = await nextRequest()) {
      const request = next.item;
      try {
        const [message, transfer] = await handle(request);
        reply(message, transfer);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        reply({ id: request.id, type: 'error', ok: false, error: { name: error.name, message: error.message } });
      }
    }
  } finally {
    running = false;
  }
}

function priorityOf(request: QueuedRequest): Priority {
  return request.type === 'encode' ? request.priority : 'interactive';
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    const ids = new Set(request.ids ?? []);
    const removed = queue.cancelWhere(
      (q) =>
        ids.has(q.id) || (request.group !== undefined && q.item.type === 'encode' && q.item.group === request.group),
    );
    for (const q of removed) reply({ id: q.id, type: 'cancelled', ok: false });
    reply({ id: request.id, type: 'cancel', ok: true, cancelled: removed.length });
    return;
  }
  queue.push(request.id, priorityOf(request), request);
  void pump();
};
