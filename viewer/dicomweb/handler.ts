// A DICOMweb endpoint (QIDO-RS, WADO-RS, WADO-URI, and STOW-RS when enabled) over folders of
// DICOM files: what OHIF's stock `dicomweb` data source uses, answered as PS3.18 says. The routes
// are below.
//
// GET and HEAD read. POST to `studies` or `studies/{study}` stores instances (STOW-RS, stow.ts)
// only when the `stow` option is given: they join the index in memory, never the folders on disk,
// and a restart forgets them. Without it, and for other methods or paths, the answer is 405 with
// an Allow header. Unknown UIDs are 404, unanswerable Accept headers 406, malformed queries 400,
// each with a plain-text reason. Every response carries Cross-Origin-Resource-Policy:
// same-origin, for the viewer's cross-origin-isolated page, and X-Content-Type-Options: nosniff.
// What one request may cost is bounded: wildcard patterns in length (matched in linear time),
// frame lists to each frame once; multipart replies are written part by part, never joined.

import type { IncomingMessage, ServerResponse } from 'node:http';

import {
  buildDicomIndex,
  type DicomIndex,
  type InstanceRecord,
  type SeriesRecord,
  type StudyRecord,
} from './dicomIndex';
import { HttpError, jsonReply, send, type Reply } from './http';
import { createStowRs, type StowOptions } from './stow';
import {
  instanceAttributes,
  parseQidoQuery,
  QueryError,
  runQuery,
  seriesAttributes,
  studyAttributes,
  type EntityAttributes,
} from './qido';
import { bulkReply, framesReply, instancesReply, wadoUriReply } from './wado';

export interface DicomWebHandlerOptions {
  /** Folders whose *.dcm files (found recursively) are served. */
  folders: readonly string[];
  /**
   * Where the DICOMweb root is served, as a URL path such as `/dicomweb` or `/ohif/dicomweb`
   * (or an absolute URL). BulkDataURIs and RetrieveURLs in the responses start with it.
   */
  basePath: string;
  /** Accept STOW-RS (POST) into memory, within these limits. Off (read-only) when absent. */
  stow?: StowOptions;
}

/**
 * Answers `req` and returns true if `pathBelowRoot` (the request path below the root; a query
 * string on it is ignored, the query is read from `req.url`) is a DICOMweb resource or a
 * WADO-URI request; returns false, leaving `res` alone, otherwise. The answer may be sent
 * after the function returns. Everything under `studies/` counts as DICOMweb (404 if unknown).
 */
export interface DicomWebHandler {
  (req: IncomingMessage, res: ServerResponse, pathBelowRoot: string): boolean;
  readonly index: DicomIndex;
}

type Params = Record<'st' | 'se' | 'sop' | 'frames' | 'path', string>;
const NO_PARAMS: Params = { st: '', se: '', sop: '', frames: '', path: '' };

interface Context {
  req: IncomingMessage;
  query: URLSearchParams;
  params: Params;
}

type Answer = (ctx: Context) => Reply | Promise<Reply>;
type Route = [pattern: string, answer: Answer];

/** The paths STOW-RS stores to (PS3.18 10.5.1). */
const STORE_PATTERNS = ['studies', 'studies/:st'];

/** `params` for `segments` if they fit `pattern` (`studies/:st/series`), else undefined. */
function matchPattern(pattern: string, segments: readonly string[]): Params | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Params = { ...NO_PARAMS };
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) params[part.slice(1) as keyof Params] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

export function createDicomWebHandler(options: DicomWebHandlerOptions): DicomWebHandler {
  const basePath = options.basePath.replace(/\/+$/, '');
  const index = buildDicomIndex(options.folders, basePath);
  const store = options.stow ? createStowRs(index, basePath, options.stow) : undefined;

  const study = (st: string): StudyRecord => {
    const found = index.study(st);
    if (!found) throw new HttpError(404, `No study ${st} on this server`);
    return found;
  };
  const series = (st: string, se: string): SeriesRecord => {
    const found = index.series(study(st).uid, se);
    if (!found) throw new HttpError(404, `No series ${se} in study ${st}`);
    return found;
  };
  const instance = (st: string, se: string, sop: string): InstanceRecord => {
    const found = index.instance(series(st, se).studyUID, se, sop);
    if (!found) throw new HttpError(404, `No instance ${sop} in series ${se} of study ${st}`);
    return found;
  };
  const studyInstances = (st: string) => study(st).series.flatMap((s) => s.instances);
  const allSeries = () => index.studies.flatMap((s) => s.series);

  const studyShape = (s: StudyRecord) => studyAttributes(s, basePath);
  const seriesShape = (s: SeriesRecord) => seriesAttributes(s, basePath);
  const instanceShape = (i: InstanceRecord) => instanceAttributes(i, basePath);

  function qido<T>({ req, query }: Context, entities: readonly T[], shape: (e: T) => EntityAttributes): Reply {
    let parsed;
    try {
      parsed = parseQidoQuery(query);
    } catch (error) {
      if (error instanceof QueryError) throw new HttpError(400, `Bad QIDO-RS query: ${error.message}`);
      throw error;
    }
    const { results, remaining } = runQuery(entities, shape, parsed);
    const more = `299 DICOMweb "There are ${remaining} additional results that can be requested"`;
    return jsonReply(req, results, remaining ? { Warning: more } : {});
  }
  function metadata({ req }: Context, instances: readonly InstanceRecord[]): Reply {
    return jsonReply(
      req,
      instances.map((i) => i.metadata),
    );
  }
  const sopPath = 'studies/:st/series/:se/instances/:sop';
  const sop = ({ params: p }: Context) => instance(p.st, p.se, p.sop);

  // prettier-ignore
  const routes: Route[] = [
    // QIDO-RS
    ['studies', (c) => qido(c, index.studies, studyShape)],
    ['series', (c) => qido(c, allSeries(), seriesShape)],
    ['instances', (c) => qido(c, allSeries().flatMap((s) => s.instances), instanceShape)],
    ['studies/:st/series', (c) => qido(c, study(c.params.st).series, seriesShape)],
    ['studies/:st/instances', (c) => qido(c, studyInstances(c.params.st), instanceShape)],
    ['studies/:st/series/:se/instances', (c) => qido(c, series(c.params.st, c.params.se).instances, instanceShape)],
    // WADO-RS metadata
    ['studies/:st/metadata', (c) => metadata(c, studyInstances(c.params.st))],
    ['studies/:st/series/:se/metadata', (c) => metadata(c, series(c.params.st, c.params.se).instances)],
    [`${sopPath}/metadata`, (c) => metadata(c, [sop(c)])],
    // WADO-RS retrieve
    ['studies/:st', (c) => instancesReply(c.req, studyInstances(c.params.st), basePath)],
    ['studies/:st/series/:se', (c) => instancesReply(c.req, series(c.params.st, c.params.se).instances, basePath)],
    [sopPath, (c) => instancesReply(c.req, [sop(c)], basePath)],
    [`${sopPath}/frames/:frames`, (c) => framesReply(c.req, sop(c), c.params.frames)],
    [`${sopPath}/bulk/:path`, (c) => bulkReply(c.req, sop(c), c.params.path)],
  ];

  function readAnswer(segments: string[], query: URLSearchParams): Answer | undefined {
    if (segments.length === 0) {
      return query.get('requestType') === 'WADO' ? () => wadoUriReply(query, instance) : undefined;
    }
    for (const [pattern, answer] of routes) {
      const params = matchPattern(pattern, segments);
      if (params) return (ctx) => answer({ ...ctx, params });
    }
    if (segments[0] !== 'studies') return undefined;
    return () => {
      throw new HttpError(404, `No DICOMweb resource ${segments.join('/')}`);
    };
  }

  /** The answer to `method` on a path of ours (`read` is its GET answer, if any). */
  function answerFor(method: string, segments: string[], read: Answer): Answer {
    if (method === 'GET' || method === 'HEAD') return read;
    const storePath = STORE_PATTERNS.map((p) => matchPattern(p, segments)).find((p) => p !== undefined);
    if (method === 'POST' && store && storePath) return ({ req }) => store(req, storePath.st || undefined);
    const allow = store && storePath ? 'GET, HEAD, POST' : 'GET, HEAD';
    const why = store
      ? `${segments.join('/') || 'this resource'} takes ${allow}`
      : 'this DICOMweb endpoint is read-only';
    return () => {
      throw new HttpError(405, `${method} is not supported: ${why}`, { Allow: allow });
    };
  }

  const handler = (req: IncomingMessage, res: ServerResponse, pathBelowRoot: string): boolean => {
    // The query string as it is: `new URL` would throw on a request target such as `//[`.
    const target = req.url ?? '';
    const queryStart = target.indexOf('?');
    const query = new URLSearchParams(queryStart < 0 ? '' : (target.slice(queryStart + 1).split('#')[0] ?? ''));
    const path = (pathBelowRoot.split('?')[0] ?? '').replace(/^\/+|\/+$/g, '');
    let segments: string[];
    try {
      segments = path === '' ? [] : path.split('/').map(decodeURIComponent);
    } catch {
      return false; // malformed %-escapes: not a path of ours
    }
    const read = readAnswer(segments, query);
    if (!read) return false;
    const answer = answerFor(req.method ?? 'GET', segments, read);
    send(req, res, () => answer({ req, query, params: NO_PARAMS })).catch((error: unknown) => {
      // Only writing can fail here (the answer's own errors are replies): cut the connection, stay up.
      console.error('DICOMweb: could not send the answer:', error);
      res.destroy();
    });
    return true;
  };
  return Object.assign(handler, { index });
}
