/**
 * URLs of the files the extension ships beside its bundle (onnxruntime's wasm, model files).
 *
 * They are resolved against the folder the bundle was loaded from, never the site root: a viewer
 * served under a sub-path (`https://host/ohif/`) or an extension hosted in another folder still
 * finds them. Hard-coding `'ort/'` or `'/models/'` is the bug that breaks peers under sub-paths.
 */
declare const __webpack_public_path__: string | undefined;

/** The folder the extension bundle was loaded from (webpack's `publicPath: 'auto'`). */
export function bundleBaseUrl(): string {
  if (typeof __webpack_public_path__ === 'string' && __webpack_public_path__ !== '') {
    return new URL(__webpack_public_path__, globalThis.location?.href).href;
  }
  throw new Error('The SAM extension must be loaded as a bundle: its public path is unknown.');
}

export function assetUrl(relativePath: string, base: string = bundleBaseUrl()): string {
  return new URL(relativePath, base).href;
}

export const ORT_FOLDER = 'ort/';

/**
 * onnxruntime's files in `ort/`, by name. The glue is onnxruntime's `.mjs` file copied under a `.js`
 * name (.webpack/webpack.config.mjs), because stock web servers have no JavaScript type for `.mjs`;
 * onnxruntime would look for its own `.mjs` name, so both files are given to it by explicit URL.
 */
export const ORT_FILES = {
  mjs: 'ort-wasm-simd-threaded.jsep.js',
  wasm: 'ort-wasm-simd-threaded.jsep.wasm',
} as const;

/** onnxruntime's `env.wasm.wasmPaths` for the files in the `ort/` folder at `ortBaseUrl`. */
export function ortWasmPaths(ortBaseUrl: string): { mjs: string; wasm: string } {
  return { mjs: new URL(ORT_FILES.mjs, ortBaseUrl).href, wasm: new URL(ORT_FILES.wasm, ortBaseUrl).href };
}
export const MODELS_FOLDER = 'models/';
