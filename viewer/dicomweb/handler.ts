// A read-only DICOMweb endpoint (QIDO-RS, WADO-RS, WADO-URI) over folders of DICOM files: what
// OHIF's stock `dicomweb` data source needs, answered the way PS3.18 says. Routes, below the root:
//
//   studies | series | instances                              QIDO-RS, application/dicom+json
//   studies/{st}/series | studies/{st}/instances               QIDO-RS
//   studies/{st}/series/{se}/instances                         QIDO-RS
//   studies/{st}[/series/{se}[/instances/{sop}]]/metadata      WADO-RS metadata (BulkDataURIs)
//   studies/{st}[/series/{se}[/instances/{sop}]]               WADO-RS instances, multipart application/dicom
//   .../instances/{sop}/frames/{1,2,...}                       WADO-RS frames, multipart application/octet-stream
//   .../instances/{sop}/bulk/{path}                            the BulkDataURIs of the metadata
//   ?requestType=WADO&studyUID=..&seriesUID=..&objectUID=..    WADO-URI, the Part 10 file
//
// Only GET and HEAD (405 otherwise). Unknown UIDs are 404, unanswerable Accept headers 406,
// malformed queries 400, each with a plain-text reason. Every response carries
// Cross-Origin-Resource-Policy: same-origin, for the viewer's cross-origin-isolated page.

import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { acceptsJson, negotiate, type Offer } from './accept';
import {
  buildDicomIndex,
  instancePath,
  type DicomIndex,
  type InstanceRecord,
  type SeriesRecord,
  type StudyRecord,
  TAG,
} from './dicomIndex';
import { EXPLICIT_VR_LITTLE_ENDIAN, frame, NATIVE_TRANSFER_SYNTAXES } from './frames';
import { multipartRelated, type Part } from './multipart';
import {
  instanceAttributes,
  parseQidoQuery,
  QueryError,
  runQuery,
  seriesAttributes,
  studyAttributes,
  type EntityAttributes,
} from './qido';

export interface DicomWebHandlerOptions {
  /** Folders whose *.dcm files (found recursively) are served. */
  folders: readonly string[];
  /**
   * Where the DICOMweb root is served, as a URL path such as `/dicomweb` or `/ohif/dicomweb`
   * (or an absolute URL). BulkDataURIs and RetrieveURLs in the responses start with it.
   */
  basePath: string;
}

/**
 * Answers `req` if `pathBelowRoot` (the request path below the root, query string optional)
 * is a DICOMweb resource, returning true; returns false, leaving `res` alone, otherwise.
 * The answer itself may be sent after the function returns.
 */
export interface DicomWebHandler {
  (req: IncomingMessage, res: ServerResponse, pathBelowRoot: string): boolean;
  readonly index: DicomIndex;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Route = () => Reply | Promise<Reply>;

const JSON_TYPE = 'application/dicom+json';

function reply(status: number, contentType: string, body: Buffer | string, headers: Record<string, string> = {}) {
  return { status, headers: { 'Content-Type': contentType, ...headers }, body: Buffer.from(body) } satisfies Reply;
}

function jsonReply(req: IncomingMessage, value: unknown, headers: Record<string, string> = {}): Reply {
  if (!acceptsJson(req.headers.accept)) {
    throw new HttpError(406, `This resource is only available as ${JSON_TYPE}, not ${req.headers.accept}`);
  }
  return reply(200, JSON_TYPE, JSON.stringify(value), headers);
}

function notAcceptable(req: IncomingMessage, offer: Offer): HttpError {
  const syntaxes = offer.transferSyntaxes.join(', ');
  return new HttpError(
    406,
    `Cannot satisfy Accept: ${req.headers.accept}. This resource is available as ` +
      `multipart/related; type="${offer.mediaType}"${offer.singlePartAllowed ? ` or ${offer.mediaType}` : ''}, ` +
      `transfer syntax ${syntaxes}`,
  );
}

/** Sends `parts` (all of `offer.mediaType`) as the Accept header asks: multipart, or one bare part. */
function partsReply(req: IncomingMessage, offer: Offer, parts: (transferSyntax: string) => Part[]): Reply {
  const choice = negotiate(req.headers.accept, offer);
  if (!choice) throw notAcceptable(req, offer);
  const chosen = parts(choice.transferSyntax);
  const single = chosen[0];
  if (!choice.multipart && chosen.length === 1 && single) {
    return reply(
      200,
      single.contentType,
      Buffer.from(single.body.buffer, single.body.byteOffset, single.body.byteLength),
    );
  }
  const { contentType, body } = multipartRelated(offer.mediaType, chosen);
  return { status: 200, headers: { 'Content-Type': contentType }, body };
}

export function createDicomWebHandler(options: DicomWebHandlerOptions): DicomWebHandler {
  const basePath = options.basePath.replace(/\/+$/, '');
  const index = buildDicomIndex(options.folders, basePath);

  // ---- Lookups ----

  function study(uid: string): StudyRecord {
    const found = index.study(uid);
    if (!found) throw new HttpError(404, `No study ${uid} on this server`);
    return found;
  }
  function series(st: string, se: string): SeriesRecord {
    const found = index.series(study(st).uid, se);
    if (!found) throw new HttpError(404, `No series ${se} in study ${st}`);
    return found;
  }
  function instance(st: string, se: string, sop: string): InstanceRecord {
    const found = index.instance(series(st, se).studyUID, se, sop);
    if (!found) throw new HttpError(404, `No instance ${sop} in series ${se} of study ${st}`);
    return found;
  }
  const allSeries = () => index.studies.flatMap((s) => s.series);
  const allInstances = () => allSeries().flatMap((s) => s.instances);

  // ---- QIDO-RS ----

  function qido<T>(
    req: IncomingMessage,
    query: URLSearchParams,
    entities: readonly T[],
    shape: (e: T) => EntityAttributes,
  ) {
    let parsed;
    try {
      parsed = parseQidoQuery(query);
    } catch (error) {
      if (error instanceof QueryError) throw new HttpError(400, `Bad QIDO-RS query: ${error.message}`);
      throw error;
    }
    const { results, remaining } = runQuery(entities, shape, parsed);
    const warning: Record<string, string> = remaining
      ? { Warning: `299 DICOMweb "There are ${remaining} additional results that can be requested"` }
      : {};
    return jsonReply(req, results, warning);
  }
  const studyShape = (s: StudyRecord) => studyAttributes(s, basePath);
  const seriesShape = (s: SeriesRecord) => seriesAttributes(s, basePath);
  const instanceShape = (i: InstanceRecord) => instanceAttributes(i, basePath);

  // ---- WADO-RS ----

  async function instancesReply(req: IncomingMessage, instances: readonly InstanceRecord[]): Promise<Reply> {
    // Served as stored (no transcoding): a request for one transfer syntax is answered only when
    // every instance has it; `transfer-syntax=*` or none takes them as they are.
    const stored = [...new Set(instances.map((i) => i.transferSyntaxUID))];
    const offer: Offer = {
      mediaType: 'application/dicom',
      transferSyntaxes: stored.length === 1 ? stored : ['*'],
      singlePartAllowed: instances.length === 1,
    };
    if (!negotiate(req.headers.accept, offer)) throw notAcceptable(req, offer);
    const files = await Promise.all(instances.map((i) => readFile(i.filePath)));
    return partsReply(req, offer, () =>
      instances.map((i, n) => ({
        contentType: `application/dicom; transfer-syntax=${i.transferSyntaxUID}`,
        body: files[n] ?? new Uint8Array(),
        location: instancePath(basePath, i.studyUID, i.seriesUID, i.sopUID),
      })),
    );
  }

  function framesReply(req: IncomingMessage, target: InstanceRecord, list: string): Reply {
    const numbers = list.split(',').map((n) => (/^\d+$/.test(n.trim()) ? Number(n) : NaN));
    if (numbers.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new HttpError(400, `Frame list "${list}" must be frame numbers from 1, separated by commas`);
    }
    const { pixels } = target;
    if (!pixels && target.bulk.has(TAG.PixelData)) {
      const why = `is stored in transfer syntax ${target.transferSyntaxUID}; this server serves uncompressed frames only`;
      throw new HttpError(406, `Instance ${target.sopUID} ${why}`);
    }
    if (!pixels) throw new HttpError(404, `Instance ${target.sopUID} has no PixelData`);
    const outside = numbers.find((n) => n > pixels.layout.numberOfFrames);
    if (outside !== undefined) {
      throw new HttpError(
        404,
        `Instance ${target.sopUID} has ${pixels.layout.numberOfFrames} frame(s), not frame ${outside}`,
      );
    }
    // Uncompressed little-endian bytes are the same whichever of the two VR encodings is asked for.
    const offer: Offer = {
      mediaType: 'application/octet-stream',
      transferSyntaxes: [EXPLICIT_VR_LITTLE_ENDIAN, '1.2.840.10008.1.2'],
      singlePartAllowed: numbers.length === 1,
    };
    return partsReply(req, offer, (transferSyntax) =>
      numbers.map((n) => ({
        contentType: `application/octet-stream; transfer-syntax=${transferSyntax}`,
        body: frame(pixels.layout, pixels.data, n),
      })),
    );
  }

  function bulkReply(req: IncomingMessage, target: InstanceRecord, path: string): Reply {
    const bytes = target.bulk.get(path.toUpperCase());
    if (!bytes) throw new HttpError(404, `Instance ${target.sopUID} has no bulk data ${path}`);
    const native = NATIVE_TRANSFER_SYNTAXES.has(target.transferSyntaxUID);
    const offer: Offer = {
      mediaType: 'application/octet-stream',
      transferSyntaxes: [native ? EXPLICIT_VR_LITTLE_ENDIAN : target.transferSyntaxUID],
      singlePartAllowed: true,
    };
    return partsReply(req, offer, (transferSyntax) => [
      { contentType: `application/octet-stream; transfer-syntax=${transferSyntax}`, body: bytes },
    ]);
  }

  // ---- WADO-URI ----

  async function wadoUriReply(query: URLSearchParams): Promise<Reply> {
    const param = (name: string) => query.get(name) ?? '';
    const missing = ['studyUID', 'seriesUID', 'objectUID'].filter((name) => !param(name));
    if (missing.length) throw new HttpError(400, `WADO-URI request without ${missing.join(', ')}`);
    const contentType = param('contentType') || 'application/dicom';
    if (contentType !== 'application/dicom' && contentType !== '*/*') {
      throw new HttpError(406, `WADO-URI: only contentType=application/dicom is available, not ${contentType}`);
    }
    const target = instance(param('studyUID'), param('seriesUID'), param('objectUID'));
    const syntax = param('transferSyntax');
    if (syntax && syntax !== '*' && syntax !== target.transferSyntaxUID) {
      throw new HttpError(406, `WADO-URI: the instance is stored as ${target.transferSyntaxUID}, not ${syntax}`);
    }
    return reply(200, 'application/dicom', await readFile(target.filePath));
  }

  // ---- Routing ----

  function route(req: IncomingMessage, segments: string[], query: URLSearchParams): Route | undefined {
    const [root, st, level, se, sub, sop, action, arg, ...rest] = segments;
    if (root === undefined) {
      return query.get('requestType') === 'WADO' ? () => wadoUriReply(query) : undefined;
    }
    if (segments.length === 1 && root === 'series') return () => qido(req, query, allSeries(), seriesShape);
    if (segments.length === 1 && root === 'instances') return () => qido(req, query, allInstances(), instanceShape);
    if (root !== 'studies') return undefined;

    const unknown = () => {
      throw new HttpError(404, `No DICOMweb resource ${segments.join('/')}`);
    };
    if (st === undefined) return () => qido(req, query, index.studies, studyShape);
    if (level === undefined)
      return () =>
        instancesReply(
          req,
          study(st).series.flatMap((s) => s.instances),
        );
    if (level === 'metadata' && se === undefined) {
      return () =>
        jsonReply(
          req,
          study(st).series.flatMap((s) => s.instances.map((i) => i.metadata)),
        );
    }
    if (level === 'instances' && se === undefined) {
      return () =>
        qido(
          req,
          query,
          study(st).series.flatMap((s) => s.instances),
          instanceShape,
        );
    }
    if (level !== 'series') return unknown;
    if (se === undefined) return () => qido(req, query, study(st).series, seriesShape);
    if (sub === undefined) return () => instancesReply(req, series(st, se).instances);
    if (sub === 'metadata' && sop === undefined)
      return () =>
        jsonReply(
          req,
          series(st, se).instances.map((i) => i.metadata),
        );
    if (sub !== 'instances') return unknown;
    if (sop === undefined) return () => qido(req, query, series(st, se).instances, instanceShape);
    if (action === undefined) return () => instancesReply(req, [instance(st, se, sop)]);
    if (rest.length === 0 && action === 'metadata' && arg === undefined) {
      return () => jsonReply(req, [instance(st, se, sop).metadata]);
    }
    if (rest.length === 0 && action === 'frames' && arg !== undefined) {
      return () => framesReply(req, instance(st, se, sop), arg);
    }
    if (rest.length === 0 && action === 'bulk' && arg !== undefined) {
      return () => bulkReply(req, instance(st, se, sop), arg);
    }
    return unknown;
  }

  async function send(req: IncomingMessage, res: ServerResponse, run: Route): Promise<void> {
    let answer: Reply;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new HttpError(405, `${req.method} is not supported: this DICOMweb endpoint is read-only`);
      }
      answer = await run();
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 500) console.error('DICOMweb:', error);
      answer = reply(status, 'text/plain; charset=utf-8', `${message}\n`, status === 405 ? { Allow: 'GET, HEAD' } : {});
    }
    if (res.headersSent) return;
    res.writeHead(answer.status, {
      ...answer.headers,
      'Content-Length': String(answer.body.length),
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }

  const handler = (req: IncomingMessage, res: ServerResponse, pathBelowRoot: string): boolean => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const path = (pathBelowRoot.split('?')[0] ?? '').replace(/^\/+|\/+$/g, '');
    let segments: string[];
    try {
      segments = path === '' ? [] : path.split('/').map(decodeURIComponent);
    } catch {
      return false;
    }
    const run = route(req, segments, query);
    if (!run) return false;
    void send(req, res, run);
    return true;
  };
  return Object.assign(handler, { index });
}
