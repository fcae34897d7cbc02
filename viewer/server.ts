/**
 * The demo viewer's server: the prebuilt OHIF viewer, the SAM extension and mode bundles, their
 * model files and the embedded sample studies, all from one origin, optionally under a sub-path.
 *
 * Every response carries the cross-origin isolation headers (COOP/COEP): they make
 * SharedArrayBuffer available, which onnxruntime's WASM backend needs to run on several threads.
 * Every response says nosniff too, and the viewer's page carries a Content-Security-Policy.
 * No request can stop the server: a malformed one gets a 4xx, an unexpected error a logged 500.
 * Only loopback by default: it is a development server, not a PACS.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { composeAppConfig, DICOMWEB_PATH, SAM_EXTENSION_PATH, SAM_MODE_PATH } from './appConfig';
import { createDicomWebHandler } from './dicomweb/handler';
import { createPacsProxy, type PacsProxy } from './pacsProxy';
import { SAMPLE_STUDIES, SAMPLES_BASE_PLACEHOLDER } from './samples';
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

/**
 * The viewer page's Content-Security-Policy: its own origin only (nothing is fetched from
 * elsewhere at run time), no plugins, no <base> elsewhere, not framed by other sites. What the
 * prebuilt OHIF needs is allowed: its inline bootstrap script and inline styles, blob: workers
 * (onnxruntime's threads, Cornerstone's decoders), WebAssembly compilation, data: and blob:
 * images and fetches, and 'unsafe-eval' because its Emscripten (embind) codecs build functions
 * with `new Function` when they start. A policy only the browser suite can prove complete: the
 * end-to-end tests run the viewer under it.
 */
export const VIEWER_CSP = [
  "default-src 'self' blob: data:",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob:",
  "style-src 'self' 'unsafe-inline' blob:",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for a response of `type`: the isolation ones, and the page's policy on HTML. */
function headersFor(type: string): Record<string, string> {
  return type.startsWith('text/html')
    ? { ...ISOLATION_HEADERS, 'Content-Security-Policy': VIEWER_CSP }
    : { ...ISOLATION_HEADERS };
}

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Serve the viewer under this path ('/' or e.g. '/ohif/'). */
  basePath?: string;
  /** The models folder (manifest and files) to serve; default the repository's `models/` (benchmarks swap it). */
  modelsDir?: string;
  /**
   * A PACS's DICOMweb root (e.g. Orthanc's `http://127.0.0.1:8042/dicom-web`) to read studies from
   * instead of the sample studies: proxied at its own path on this origin, as deploy/nginx.conf does.
   */
  pacs?: string;
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

/** Resolves a decoded path inside `dir`, refusing anything that escapes it. */
function safeJoin(dir: string, relative: string): string | undefined {
  const full = normalize(join(dir, relative));
  return full === dir || full.startsWith(dir + sep) ? full : undefined;
}

/**
 * The path and query of a request target, or undefined when it is neither a path nor an
 * absolute URL (`*`, or `//[` on which `new URL(target, base)` throws). A target starting with
 * `//` is a path here, not another host; an absolute URL (proxy form) counts by its path only.
 */
function requestTarget(target: string): URL | undefined {
  try {
    if (target.startsWith('/')) return new URL(`http://localhost${target}`);
    if (/^https?:\/\//i.test(target)) {
      const { pathname, search } = new URL(target);
      return new URL(`http://localhost${pathname}${search}`);
    }
  } catch {
    // not a URL: answered as a bad request
  }
  return undefined;
}

/**
 * A sample manifest with `${SAMPLES_BASE}` replaced in its string values by `samplesUrl`, parsed
 * and serialised again so that no replacement can change the JSON around it.
 */
export function resolveManifest(text: string, samplesUrl: string): string {
  const resolveValue = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(SAMPLES_BASE_PLACEHOLDER).join(samplesUrl);
    if (Array.isArray(value)) return value.map(resolveValue);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, resolveValue(v)]));
    }
    return value;
  };
  return JSON.stringify(resolveValue(JSON.parse(text)));
}

/**
 * Wraps a request handler so that nothing it throws, or rejects with, ends the process: the
 * error is logged and answered 500 (the details stay in the log), or the connection is cut when
 * the answer has already begun.
 */
export function withErrorBoundary(
  handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const fail = (error: unknown) => {
      console.error(`Demo server: unexpected error answering ${req.method} ${(req.url ?? '').slice(0, 200)}:`, error);
      if (res.headersSent) return void res.destroy();
      try {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end('Internal server error (logged on the server)\n');
      } catch {
        res.destroy();
      }
    };
    try {
      const pending = handle(req, res);
      if (pending instanceof Promise) pending.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
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
  res.writeHead(status, { ...headersFor(type), 'Content-Type': type, 'Cache-Control': 'no-cache' });
  res.end(body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  const size = statSync(path).size;
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...headersFor(type),
    'Content-Type': type,
    'Content-Length': size,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  // pipeline, not pipe: a read error (the file gone since stat) must cut this answer, not the process.
  pipeline(createReadStream(path), res, (error) => {
    if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      console.error(`Demo server: reading ${path} failed:`, error);
    }
  });
}

function handler(basePath: string, modelsDir?: string, pacs?: PacsProxy) {
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
  const appConfig = composeAppConfig(stockConfig, { basePath, ...(pacs && { pacsRoot: pacs.root }) });
  const indexHtml = rewriteIndexHtml(readFileSync(join(VIEWER_DIR, 'index.html'), 'utf8'), basePath);
  // The manifests' instances are named by a path on this server, never by the Host header (which
  // any client sets): Cornerstone's `dicomweb:` loader strips the scheme and fetches the rest,
  // resolved against the page, whose origin served the manifest. OHIF's dicomjson source takes
  // instance URLs as they are (imageId = url) and parses none of them.
  const samplesUrl = `${basePath}samples`;
  const manifests = new Map<string, { mtimeMs: number; body: string }>();
  const manifest = (file: string): string => {
    const { mtimeMs } = statSync(file);
    let cached = manifests.get(file);
    if (cached?.mtimeMs !== mtimeMs) {
      cached = { mtimeMs, body: resolveManifest(readFileSync(file, 'utf8'), samplesUrl) };
      manifests.set(file, cached);
    }
    return cached.body;
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff'); // every answer, whoever writes it
    const url = requestTarget(req.url ?? '');
    if (!url) return send(res, 400, 'text/plain', 'Bad request target: this server serves paths only');
    // Repeated slashes count as one, as most servers count them.
    const pathname = url.pathname.replace(/\/{2,}/g, '/');
    // The PACS at its own path on this origin, below the base path or not (nginx's /dicom-web/ too).
    if (pacs?.handles(pathname)) {
      return pacs.forward(req, res, `${pathname}${url.search}`, {
        'Cross-Origin-Embedder-Policy': ISOLATION_HEADERS['Cross-Origin-Embedder-Policy'],
        'Cross-Origin-Opener-Policy': ISOLATION_HEADERS['Cross-Origin-Opener-Policy'],
        'X-Content-Type-Options': 'nosniff',
      });
    }
    const dicomwebRoot = `${basePath}${DICOMWEB_PATH}`;
    const isDicomweb = pathname === dicomwebRoot || pathname.startsWith(`${dicomwebRoot}/`);
    // Files are read only; the DICOMweb endpoint answers its own methods (it takes STOW-RS POSTs).
    if (req.method !== 'GET' && req.method !== 'HEAD' && !isDicomweb) {
      return send(res, 405, 'text/plain', 'Method not allowed');
    }
    if (basePath !== '/' && pathname === basePath.slice(0, -1)) {
      res.writeHead(302, { Location: basePath + url.search });
      return void res.end();
    }
    if (!pathname.startsWith(basePath)) return send(res, 404, 'text/plain', `Not found (the viewer is at ${basePath})`);
    const path = pathname.slice(basePath.length);

    if (isDicomweb) {
      res.setHeader('Cross-Origin-Embedder-Policy', ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']);
      res.setHeader('Cross-Origin-Opener-Policy', ISOLATION_HEADERS['Cross-Origin-Opener-Policy']);
      if (dicomweb(req, res, path.slice(DICOMWEB_PATH.length))) return;
      return send(res, 404, 'text/plain', `Not a DICOMweb resource: ${pathname}`);
    }
    if (path === 'app-config.js') return send(res, 200, CONTENT_TYPES['.js']!, appConfig);
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return send(res, 400, 'text/plain', `Bad path: malformed %-escape in ${pathname}`);
    }
    if (decoded.includes('\0')) return send(res, 400, 'text/plain', 'Bad path: NUL character');
    for (const { prefix, dir, allow } of mounts(modelsDir)) {
      if (!decoded.startsWith(prefix)) continue;
      const file = safeJoin(dir, decoded.slice(prefix.length));
      if (file === undefined) return send(res, 400, 'text/plain', 'Bad path');
      if (allow && !allow.test(file)) return send(res, 404, 'text/plain', `Not found: ${pathname}`);
      if (dir === SAMPLES_DIR && file.endsWith('.json') && isFile(file)) {
        return send(res, 200, CONTENT_TYPES['.json']!, manifest(file));
      }
      if (isFile(file)) {
        const patched = dir === VIEWER_DIR ? viewerAsset(file) : undefined;
        return patched ? send(res, 200, CONTENT_TYPES[extname(file)]!, patched) : sendFile(req, res, file);
      }
      if (prefix !== '') return send(res, 404, 'text/plain', `Not found: ${pathname}`);
    }
    // Client-side routes of the single-page viewer (/, /sam, /viewer, ...) get index.html;
    // a missing asset (a path with an extension) is a real 404.
    if (extname(path) !== '') return send(res, 404, 'text/plain', `Not found: ${pathname}`);
    return send(res, 200, CONTENT_TYPES['.html']!, indexHtml);
  };
}

/** CONNECT (a proxy tunnel) is not served: Node would close the connection without a word. */
function refuseConnect(_req: IncomingMessage, socket: Socket): void {
  socket.on('error', () => undefined); // a client reset must not become an uncaught error
  socket.end(
    'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  );
}

export function assertBuilt(): void {
  const missing: string[] = [];
  if (!isViewerInstalled()) missing.push('the OHIF viewer (run `npm install`, which runs viewer/setup-viewer.ts)');
  for (const dir of [EXTENSION_DIST, MODE_DIST]) {
    if (!existsSync(join(dir, 'index.js'))) missing.push(`${dir}/index.js (run \`npm run build\`)`);
  }
  if (missing.length > 0) throw new Error(`Cannot serve the viewer, missing:\n  - ${missing.join('\n  - ')}`);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  assertBuilt();
  const basePath = normaliseBasePath(options.basePath ?? '/');
  const host = options.host ?? '127.0.0.1';
  const pacs = options.pacs === undefined ? undefined : createPacsProxy(options.pacs);
  const server = createServer(withErrorBoundary(handler(basePath, options.modelsDir, pacs)));
  server.on('connect', refuseConnect);
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
