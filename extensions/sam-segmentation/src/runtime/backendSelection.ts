/**
 * Which execution provider runs the models, and why: pure logic, tested without a browser.
 */
/** The execution providers of onnxruntime-web: the browser's (the inference worker's). */
export type BrowserBackend = 'webgpu' | 'wasm';

/** The execution providers of onnxruntime-node: the command-line tools' native runtime. */
export type NativeBackend = 'cpu' | 'cuda';

/** Which onnxruntime execution provider really runs a session. */
export type Backend = BrowserBackend | NativeBackend;

/** What the user (or a setting) asked for; 'auto' = WebGPU when an adapter exists, else WASM. */
export type BackendPreference = 'auto' | BrowserBackend;

export interface RuntimeEnvironment {
  /** True when the page is cross-origin isolated, the condition for multi-threaded WASM. */
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** `navigator.gpu` exists (secure context, browser support). */
  webgpuApi: boolean;
}

export interface BackendChoice {
  backend: BrowserBackend;
  reason: string;
}

export function chooseBackend(
  preference: BackendPreference,
  env: RuntimeEnvironment,
  webgpuAdapter: boolean,
): BackendChoice {
  const webgpuProblem = !env.webgpuApi
    ? 'WebGPU unavailable: this browser has no navigator.gpu (or the page is not a secure context)'
    : !webgpuAdapter
      ? 'WebGPU unavailable: no adapter'
      : undefined;
  if (preference === 'wasm') return { backend: 'wasm', reason: 'WASM forced by setting' };
  if (webgpuProblem === undefined) {
    return { backend: 'webgpu', reason: preference === 'webgpu' ? 'WebGPU forced by setting' : 'WebGPU adapter found' };
  }
  if (preference === 'webgpu') {
    throw new Error(`${webgpuProblem}. Choose "auto" or "wasm" to run on the CPU.`);
  }
  return { backend: 'wasm', reason: `${webgpuProblem}; running on the CPU (WASM)` };
}

/**
 * WASM threads: all cores when the page is cross-origin isolated (SharedArrayBuffer available),
 * else one: onnxruntime cannot start threads without isolation.
 */
export function wasmThreadCount(env: RuntimeEnvironment): number {
  if (!env.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(8, env.hardwareConcurrency));
}
