/**
 * The inference worker: owns every onnxruntime session, so model loading and inference never
 * block the viewer's main thread. One worker per page; the main thread talks to it through
 * `InferenceClient`.
 */
import * as ort from 'onnxruntime-web';
import type {
  BackendPreference,
  BackendReport,
  LoadedModelInfo,
  RuntimeEnvironment,
  WorkerMessage,
  WorkerRequest,
} from './protocol';
import { chooseBackend, wasmThreadCount } from './backendSelection';
import { findModel, getFamily, parseModelManifest, withPreprocessing } from '../core';
import { fetchModelFile } from './modelFiles';
import { SamModel } from './samModel';

/** One session pair per model, shared by every viewport of the page. */
const models = new Map<string, SamModel>();

declare const self: DedicatedWorkerGlobalScope;

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
  ort.env.wasm.wasmPaths = ortBaseUrl;
  ort.env.wasm.numThreads = wasmThreadCount(env);
  // The worker is already off the main thread; ORT's own proxy worker would add a copy per call.
  ort.env.wasm.proxy = false;
}

async function fetchModel(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Model file ${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function probe(request: Extract<WorkerRequest, { type: 'probe' }>): Promise<BackendReport> {
  const env = environment();
  configureOrt(request.ortBaseUrl, env);
  const choice = chooseBackend(
    request.preference as BackendPreference,
    env,
    env.webgpuApi && (await hasWebGpuAdapter()),
  );
  const model = await fetchModel(request.probeModelUrl);
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

function reply(message: WorkerMessage): void {
  self.postMessage(message);
}

async function loadModel(request: Extract<WorkerRequest, { type: 'loadModel' }>): Promise<LoadedModelInfo> {
  const started = performance.now();
  const manifestUrl = new URL('manifest.json', request.modelsBaseUrl).href;
  const response = await fetch(manifestUrl);
  if (!response.ok) throw new Error(`The model manifest is not at ${manifestUrl} (HTTP ${response.status}).`);
  const manifest = parseModelManifest(await response.json());
  const entry = findModel(manifest, request.modelId ?? manifest.defaultModel);
  const progress = (p: { file: string; loadedBytes: number; totalBytes?: number }) =>
    reply({ id: request.id, type: 'progress', ...p });

  let model = models.get(entry.id);
  let bytes = 0;
  if (!model || model.backend !== request.backend) {
    const encoder = await fetchModelFile(entry, 'encoder', request.modelsBaseUrl, progress);
    const decoder = await fetchModelFile(entry, 'decoder', request.modelsBaseUrl, progress);
    bytes = encoder.length + decoder.length;
    const family = withPreprocessing(getFamily(entry.family), entry.preprocess);
    await model?.release();
    model = await SamModel.create({ id: entry.id, family }, { encoder, decoder }, request.backend);
    models.set(entry.id, model);
  }
  return {
    id: entry.id,
    name: entry.name,
    family: entry.family,
    segmentAnythingWeights: entry.segmentAnythingWeights,
    backend: model.backend,
    bytes,
    loadMs: Math.round(performance.now() - started),
  };
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    switch (request.type) {
      case 'probe':
        reply({ id: request.id, type: 'probe', ok: true, report: await probe(request) });
        break;
      case 'loadModel':
        reply({ id: request.id, type: 'loadModel', ok: true, model: await loadModel(request) });
        break;
      default:
        throw new Error(`Unknown request type: ${(request as { type: string }).type}`);
    }
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    reply({ id: request.id, type: 'error', ok: false, error: { name: error.name, message: error.message } });
  }
};
