/**
 * Which onnxruntime build opens the sessions. The inference worker (and the tools' `--backend wasm`) use
 * onnxruntime-web; the command-line tools use onnxruntime-node by default (tools/models/toolRuntime.ts),
 * injected here so that the runtime layer never imports a native module and the browser bundle stays
 * free of it. Both builds expose one API (onnxruntime-common), so the sessions behave the same.
 */
import * as webOrt from 'onnxruntime-web';
import type { Backend } from './backendSelection';

/** What the runtime uses of an onnxruntime build. */
export type OrtModule = Pick<typeof webOrt, 'InferenceSession' | 'Tensor'>;

/** An onnxruntime build, the execution providers it has, and session options of its own (threads). */
export interface OrtRuntime {
  ort: OrtModule;
  /** The execution providers this build runs; a session asked for another is refused in words. */
  backends: readonly Backend[];
  sessionOptions?: Pick<webOrt.InferenceSession.SessionOptions, 'intraOpNumThreads' | 'interOpNumThreads'>;
}

/** onnxruntime-web: WebGPU and WASM (its thread count is the global `ort.env.wasm.numThreads`). */
export const WEB_RUNTIME: OrtRuntime = { ort: webOrt, backends: ['webgpu', 'wasm'] };
