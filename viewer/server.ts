/**
 * The demo viewer's server: the prebuilt OHIF viewer, the SAM extension and mode bundles, their
 * model files and the embedded sample studies, all from one origin, optionally under a sub-path.
 *
 * Every response carries the cross-origin isolation headers (COOP/COEP): they make
 * SharedArrayBuffer available, which onnxruntime's WASM backend needs to run on several threads.
 * Only loopback by default: it is a development server, not a PACS.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeAppConfig, DICOMWEB_PATH, SAM_EXTENSION_PATH, SAM_MODE_PATH } from './appConfig';
import { createDicomWebHandler } from './dicomweb/handler';
import { SAMPLE_STUDIES } from './samples';
import { VIEWER_DIR, isViewerInstalled } from './setup-viewer';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES_DIR = join(ROOT, 'viewer', 'samples');
const EXTENSION_DIST = join(ROOT, 'extensions', 'sam-segmentation', 'dist');
const MODE_DIST = join(ROOT, 'modes', 'sam-mode', 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.dcm': 'application/dicom',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Serve the viewer under this path ('/' or e.g. '/ohif/'). */
  basePath?: string;
  /** The models folder (manifest and files) to serve; default the repository's `models/` (benchmarks swap it). */
  modelsDir?: string;
}

export interface RunningServer {
  /** The viewer's URL, with the base path. */
  url: string;
  origin: string;
  basePath: string;
  server: Server;
  close(): Promise<void>;
}

export function normaliseBasePath(basePath: string): string {
  const trimmed = basePath.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

/** Maps URL paths (below the base path) to folders on disk, most specific first. */
function mounts(modelsDir = join(ROOT, 'models')): Array<{ prefix: string; dir: string; allow?: RegExp }> {
  const extensionPrefix = SAM_EXTENSION_PATH.replace(/[^/]+$/, '');
  return [
    // Model files straight from the repository's models/ folder, so weights fetched with
    // `npm run models -- fetch <id>` are served without being copied into the bundle.
    { prefix: `${extensionPrefix}models/`, dir: modelsDir, allow: /\.(onnx|onnx_data|bin|json)$/ },
    { prefix: extensionPrefix, dir: EXTENSION_DIST },
    { prefix: SAM_MODE_PATH.replace(/[^/]+$/, ''), dir: MODE_DIST },
    { prefix: 'samples/', dir: SAMPLES_DIR },
    { prefix: '', dir: VIEWER_DIR },
  ];
}

/** Resolves a path inside `dir`, refusing anything that escapes it. */
function safeJoin(dir: string, relative: string): string | undefined {
  const full = normalize(join(dir, decodeURIComponent(relative)));
  return full === dir || full.startsWith(dir + sep) ? full : undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The prebuilt viewer was built for the site root. A deployment under a sub-path rebuilds OHIF
 * with PUBLIC_URL set; we cannot build OHIF here, so the server makes the same changes to the
 * built files: index.html's public URL and root-relative links, the bundles' hard-coded webpack
 * public path, and root-relative URLs in the CSS.
 */
export function rewriteIndexHtml(html: string, basePath: string): string {
  if (basePath === '/') return html;
  return html
    .replaceAll('window.PUBLIC_URL="/"', `window.PUBLIC_URL="${basePath}"`)
    .replace(/(href|src)="\/(?!\/)/g, `$1="${basePath}`);
}

export function rewriteViewerAsset(text: string, extension: string, basePath: string): string {
  if (basePath === '/') return text;
  if (extension === '.js')
    return text.replaceAll('__webpack_require__.p = "/";', `__webpack_require__.p = "${basePath}";`);
  if (extension === '.css') return text.replace(/url\(\/(?!\/)/g, `url(${basePath}`);
  return text;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-cache' });
  res.end(body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  const size = statSync(path).size;
  res.writeHead(200, {
    ...ISOLATION_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
}

function handler(basePath: string, modelsDir?: string) {
  const patchedAssets = new Map<string, Buffer>();
  const viewerAsset = (file: string): Buffer | undefined => {
    const ext = extname(file);
    if (basePath === '/' || (ext !== '.js' && ext !== '.css')) return undefined;
    let patched = patchedAssets.get(file);
    if (!patched) {
      patched = Buffer.from(rewriteViewerAsset(readFileSync(file, 'utf8'), ext, basePath));
      patchedAssets.set(file, patched);
    }
    return patched;
  };
  // The sample studies, served as a DICOMweb endpoint: OHIF's ordinary `dicomweb` data source reads
  // them exactly as it reads a PACS, and stores to it (a SEG from OHIF's Store Segmentation) by
  // STOW-RS. Stored instances live in this process's memory only: the sample folders never change.
  const dicomweb = createDicomWebHandler({
    folders: SAMPLE_STUDIES.map((s) => join(SAMPLES_DIR, s.folder)),
    basePath: `${basePath}${DICOMWEB_PATH}`,
    stow: { maxBodyBytes: 64 * 1024 * 1024, maxStoredBytes: 512 * 1024 * 1024 },
  });
  const stockConfig = readFileSync(join(VIEWER_DIR, 'app-config.js'), 'utf8');
  const appConfig = composeAppConfig(stockConfig, { basePath });
  const indexHtml = rewriteIndexHtml(readFileSync(join(VIEWER_DIR, 'index.html'), 'utf8'), basePath);

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const dicomwebRoot = `${basePath}${DICOMWEB_PATH}`;
    const isDicomweb = url.pathname === dicomwebRoot || url.pathname.startsWith(`${dicomwebRoot}/`);
    // Files are read only; the DICOMweb endpoint answers its own methods (it takes STOW-RS POSTs).
    if (req.method !== 'GET' && req.method !== 'HEAD' && !isDicomweb) {
      return send(res, 405, 'text/plain', 'Method not allowed');
    }
    if (basePath !== '/' && url.pathname === basePath.slice(0, -1)) {
      res.writeHead(302, { Location: basePath + url.search });
      return void res.end();
    }
    if (!url.pathname.startsWith(basePath))
      return send(res, 404, 'text/plain', `Not found (the viewer is at ${basePath})`);
    const path = url.pathname.slice(basePath.length);

    if (isDicomweb) {
      res.setHeader('Cross-Origin-Embedder-Policy', ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']);
      res.setHeader('Cross-Origin-Opener-Policy', ISOLATION_HEADERS['Cross-Origin-Opener-Policy']);
      if (dicomweb(req, res, path.slice(DICOMWEB_PATH.length))) return;
      return send(res, 404, 'text/plain', `Not a DICOMweb resource: ${url.pathname}`);
    }
    if (path === 'app-config.js') return send(res, 200, CONTENT_TYPES['.js']!, appConfig);
    for (const { prefix, dir, allow } of mounts(modelsDir)) {
      if (!path.startsWith(prefix)) continue;
      const file = safeJoin(dir, path.slice(prefix.length));
      if (file === undefined) return send(res, 400, 'text/plain', 'Bad path');
      if (allow && !allow.test(file)) return send(res, 404, 'text/plain', `Not found: ${url.pathname}`);
      if (dir === SAMPLES_DIR && file.endsWith('.json') && isFile(file)) {
        // Sample manifests hold `${SAMPLES_BASE}`: their instances' absolute URLs depend on the host.
        const origin = `http://${req.headers.host ?? 'localhost'}`;
        const body = readFileSync(file, 'utf8').replaceAll('${SAMPLES_BASE}', `${origin}${basePath}samples`);
        return send(res, 200, CONTENT_TYPES['.json']!, body);
      }
      if (isFile(file)) {
        const patched = dir === VIEWER_DIR ? viewerAsset(file) : undefined;
        return patched ? send(res, 200, CONTENT_TYPES[extname(file)]!, patched) : sendFile(req, res, file);
      }
      if (prefix !== '') return send(res, 404, 'text/plain', `Not found: ${url.pathname}`);
    }
    // Client-side routes of the single-page viewer (/, /sam, /viewer, ...) get index.html;
    // a missing asset (a path with an extension) is a real 404.
    if (extname(path) !== '') return send(res, 404, 'text/plain', `Not found: ${url.pathname}`);
    return send(res, 200, CONTENT_TYPES['.html']!, indexHtml);
  };
}

export function assertBuilt(): void {
  const missing: string[] = [];
  if (!isViewerInstalled()) missing.push('the OHIF viewer (run `npm install`, which runs viewer/setup-viewer.ts)');
  for (const dir of [EXTENSION_DIST, MODE_DIST]) {
    if (!existsSync(join(dir, 'index.mjs'))) missing.push(`${dir}/index.mjs (run \`npm run build\`)`);
  }
  if (missing.length > 0) throw new Error(`Cannot serve the viewer, missing:\n  - ${missing.join('\n  - ')}`);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  assertBuilt();
  const basePath = normaliseBasePath(options.basePath ?? '/');
  const host = options.host ?? '127.0.0.1';
  const server = createServer(handler(basePath, options.modelsDir));
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  return {
    url: `${origin}${basePath}`,
    origin,
    basePath,
    server,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
