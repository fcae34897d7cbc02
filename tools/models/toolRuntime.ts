/**
 * The onnxruntime that runs the command-line tools (evaluation, benchmark): onnxruntime-node by default
 * (native CPU code: a SAM ViT-B encoder ran 3.7x faster than in the WASM build on a 2-core CPU; CUDA
 * where its provider is installed), onnxruntime-web's WASM build as `--backend wasm` (the browser's own runtime, for checking
 * that the viewer gives the same masks). One thread per session: the tools run one session per worker
 * thread, so N workers use N cores.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { Backend } from '../../extensions/sam-segmentation/src/runtime/backendSelection';
import { WEB_RUNTIME, type OrtRuntime } from '../../extensions/sam-segmentation/src/runtime/ortRuntime';

/** What `--backend` takes: auto = CUDA when onnxruntime-node's CUDA provider is installed, else CPU. */
export const TOOL_BACKENDS = ['auto', 'cpu', 'cuda', 'wasm'] as const;
export type ToolBackendChoice = (typeof TOOL_BACKENDS)[number];

const resolveHere = createRequire(import.meta.url).resolve;

/** onnxruntime-node's folder of native binaries for this platform. */
function nativeBinaries(): string {
  const root = dirname(resolveHere('onnxruntime-node/package.json'));
  return join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Whether onnxruntime-node's CUDA provider is installed: it is not shipped in the npm package (its
 * install step downloads it, skipped by this project's package.json so that `npm ci` works offline).
 */
export function cudaProviderInstalled(): boolean {
  return existsSync(join(nativeBinaries(), 'libonnxruntime_providers_cuda.so'));
}

export const CUDA_MISSING =
  "onnxruntime-node's CUDA provider is not installed. Install it with " +
  '`(cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install)` ' +
  '(needs CUDA 12 and internet), or run with --backend cpu.';

/** The execution provider for a `--backend` choice; throws, saying what to do, when CUDA is asked for and absent. */
export function resolveToolBackend(choice: ToolBackendChoice): Backend {
  if (choice === 'wasm' || choice === 'cpu') return choice;
  const cuda = cudaProviderInstalled();
  if (choice === 'cuda' && !cuda) throw new Error(CUDA_MISSING);
  return cuda ? 'cuda' : 'cpu';
}

/** Says which build runs a backend, for the run's log. */
export function describeToolBackend(backend: Backend): string {
  return backend === 'wasm' ? 'onnxruntime-web (WASM)' : `onnxruntime-node (${backend.toUpperCase()})`;
}

/** The onnxruntime build of a backend, set up for one thread per session (called in each worker thread). */
export async function toolRuntime(backend: Backend): Promise<OrtRuntime> {
  if (backend === 'wasm') {
    ort.env.wasm.numThreads = 1;
    return WEB_RUNTIME;
  }
  if (backend !== 'cpu' && backend !== 'cuda') throw new Error(`The command-line tools do not run ${backend}.`);
  let native: typeof import('onnxruntime-node');
  try {
    native = await import('onnxruntime-node');
  } catch (err) {
    throw new Error(
      `onnxruntime-node could not be loaded (${err instanceof Error ? err.message : String(err)}): ` +
        'run `npm ci`, or run with --backend wasm.',
    );
  }
  return { ort: native, backends: ['cpu', 'cuda'], sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 } };
}
