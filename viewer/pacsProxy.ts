/**
 * The demo server's reverse proxy to a PACS's DICOMweb root (`npm start -- --pacs <url>`), doing
 * what deploy/nginx.conf's `/dicom-web/` location does: the same path on the viewer's origin
 * (so no CORS, and the page's COOP/COEP hold), every method (STOW-RS stores a SEG), the browser's
 * Host passed on with its port (Orthanc writes its BulkDataURIs from it), the body streamed both ways.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !named.has(name)),
  ) as IncomingHttpHeaders;
}

export interface PacsProxy {
  /** The PACS's DICOMweb root, as given (`http://127.0.0.1:8042/dicom-web`). */
  target: URL;
  /** The path on the viewer's origin that is proxied: the target's own path (`/dicom-web`). */
  root: string;
  /** Whether a request path is below `root`. */
  handles(pathname: string): boolean;
  /** Forwards the request for `path` (its path and query, as the server parsed them) to the PACS. */
  forward(req: IncomingMessage, res: ServerResponse, path: string, extraHeaders: Record<string, string>): void;
}

/** A proxy to `pacsUrl`; throws, saying what is wrong, for a URL that cannot be one. */
export function createPacsProxy(pacsUrl: string): PacsProxy {
  let target: URL;
  try {
    target = new URL(pacsUrl);
  } catch {
    throw new Error(
      `--pacs ${pacsUrl} is not a URL: give the PACS's DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`--pacs ${pacsUrl}: only http: and https: DICOMweb roots can be proxied`);
  }
  if (target.search || target.hash || target.username) {
    throw new Error(`--pacs ${pacsUrl}: give the DICOMweb root only, without query, fragment or credentials`);
  }
  const root = target.pathname.replace(/\/+$/, '');
  if (root === '') {
    throw new Error(`--pacs ${pacsUrl}: give the DICOMweb root's path too (Orthanc: /dicom-web), not the site root`);
  }
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return {
    target,
    root,
    handles: (pathname) => pathname === root || pathname.startsWith(`${root}/`),
    forward(req, res, path, extraHeaders) {
      const upstream = request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path,
          // The browser's Host (with its port), as nginx's `proxy_set_header Host $http_host`.
          headers: endToEnd(req.headers),
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, { ...endToEnd(answer.headers), ...extraHeaders });
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', ...extraHeaders });
        res.end(
          `The PACS at ${target.href} did not answer (${error.code ?? error.message}): ` +
            'is it running, and is that its DICOMweb root?\n',
        );
      });
      // A browser that goes away (a cancelled series load) cancels the PACS request too.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    },
  };
}
