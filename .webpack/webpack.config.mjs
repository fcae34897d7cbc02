/**
 * Builds the extension and the mode as ES-module bundles that a stock, prebuilt OHIF 3.x viewer
 * loads at run time from URLs listed in its app-config (`extensions: [url]`, `modes: [url]`).
 *
 * - `output.publicPath: 'auto'` makes every chunk, the worker, onnxruntime's wasm files and the
 *   model files resolve against the bundle's own URL (`import.meta.url`), never the site root, so
 *   a viewer served under a sub-path (e.g. `/ohif/`) works.
 * - Cornerstone and OHIF are *not* bundled: the extension uses the host viewer's instances at run
 *   time (see extensions/sam-segmentation/src/ohif/cornerstoneLibraries.ts). React is bundled: a
 *   runtime-loaded bundle cannot reach the host's React, so the panel mounts its own root.
 * - onnxruntime-web is resolved with the `onnxruntime-web-use-extern-wasm` condition so its
 *   Emscripten glue and `.wasm` stay separate files, copied beside the bundle into `ort/`.
 * - Every script is a `.js` file (ES modules all the same): stock web servers (Debian's nginx
 *   `mime.types`) have no type for `.mjs` and answer application/octet-stream, which browsers
 *   refuse for module scripts. The entry is `index.js` (small, to be served with
 *   `Cache-Control: no-cache`); every other chunk has a content hash in its name (immutable).
 *   onnxruntime's glue is copied as `ort/<name>.js` and given to onnxruntime by explicit path
 *   (`runtime/assetUrls.ts` ORT_FILES, `env.wasm.wasmPaths = {mjs, wasm}`).
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = (await import('node:module')).createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));

/**
 * onnxruntime files the extension needs at run time (WASM and WebGPU through JSEP): the package's
 * file, and its name in `ort/` (the `.mjs` glue as `.js`). The names in `ort/` are the ones
 * extensions/sam-segmentation/src/runtime/assetUrls.ts passes to onnxruntime (a unit test checks).
 */
export const ORT_RUNTIME_FILES = [
  { from: 'ort-wasm-simd-threaded.jsep.mjs', to: 'ort-wasm-simd-threaded.jsep.js' },
  { from: 'ort-wasm-simd-threaded.jsep.wasm', to: 'ort-wasm-simd-threaded.jsep.wasm' },
];

/** Copies static files into the output next to the bundle, without another dependency. */
class CopyFilesPlugin {
  /** @param {{from: string, to: string}[]} files */
  constructor(files) {
    this.files = files;
  }
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('CopyFilesPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'CopyFilesPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          for (const { from, to } of this.files) {
            compilation.fileDependencies.add(from);
            // Copied as they are: `minimized` keeps the minimizer off onnxruntime's `.js` glue.
            compilation.emitAsset(to, new webpack.sources.RawSource(readFileSync(from)), { minimized: true });
          }
        },
      );
    });
  }
}

/**
 * The model files shipped inside the extension: the manifest, the runtime probe, and the models the
 * project builds itself (manifest entries without a download URL). Downloaded weights are not
 * bundled: they are served from models/<id>/ (see README, "Real SAM weights").
 */
function modelFiles() {
  const dir = join(root, 'models');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const shipped = ['manifest.json', 'runtime-probe.onnx'];
  for (const model of manifest.models) {
    if (model.archive) continue; // downloaded as a zip archive: its members have no URL of their own
    for (const file of Object.values(model.files)) if (!file.url) shipped.push(`${model.id}/${file.file}`);
  }
  return shipped.map((f) => ({ from: join(dir, f), to: `models/${f}` }));
}

const babelLoader = {
  test: /\.[jt]sx?$/,
  exclude: /node_modules/,
  use: {
    loader: 'babel-loader',
    options: {
      babelrc: false,
      configFile: false,
      presets: [
        ['@babel/preset-env', { targets: 'chrome >= 113, firefox >= 115, safari >= 16.4', modules: false }],
        ['@babel/preset-typescript', { allowDeclareFields: true }],
        ['@babel/preset-react', { runtime: 'automatic' }],
      ],
    },
  },
};

/** @returns {import('webpack').Configuration} */
function esmBundle({ name, packageDir, copy = [] }, mode) {
  return {
    name,
    mode,
    target: 'web',
    devtool: mode === 'production' ? 'source-map' : 'eval-cheap-module-source-map',
    entry: { index: join(root, packageDir, 'src', 'index.ts') },
    experiments: { outputModule: true },
    output: {
      path: join(root, packageDir, 'dist'),
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].js',
      library: { type: 'module' },
      module: true,
      publicPath: 'auto',
      clean: true,
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
      conditionNames: ['onnxruntime-web-use-extern-wasm', 'import', 'module', 'browser', 'default'],
    },
    module: {
      rules: [
        babelLoader,
        // onnxruntime takes `new URL(import.meta.url)` of itself for its optional proxy worker;
        // webpack would emit a second copy of the library for it. We never use that proxy (the
        // whole runtime already lives in our worker), so leave the expression to the browser.
        { test: /onnxruntime-web[\\/]dist[\\/].*\.mjs$/, parser: { url: false, importMeta: false } },
      ],
    },
    plugins: [new CopyFilesPlugin(copy)],
    performance: { hints: false },
    stats: 'errors-warnings',
  };
}

export default (_env, argv) => {
  const mode = argv.mode ?? 'production';
  return [
    esmBundle(
      {
        name: 'extension',
        packageDir: 'extensions/sam-segmentation',
        copy: [
          ...ORT_RUNTIME_FILES.map((f) => ({ from: join(ortDist, f.from), to: `ort/${f.to}` })),
          ...(existsSync(join(root, 'models')) ? modelFiles() : []),
        ],
      },
      mode,
    ),
    esmBundle({ name: 'mode', packageDir: 'modes/sam-mode' }, mode),
  ];
};
