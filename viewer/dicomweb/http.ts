// The HTTP side of the DICOMweb endpoint: replies as values, errors with a status and a reason,
// content negotiation into multipart or single-part bodies, and sending with the common headers.

import type { IncomingMessage, ServerResponse } from 'node:http';

import { acceptsJson, negotiate, type Offer } from './accept';
import { multipartRelated, type Part } from './multipart';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** The body, or its chunks in order (a multipart body, sent chunk by chunk and never joined). */
  body: Uint8Array | readonly Uint8Array[];
}

/** An answer other than 200: sent as text/plain with `message` as the reason, and `headers` (e.g. Allow). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const DICOM_JSON = 'application/dicom+json';

export function reply(status: number, contentType: string, body: Uint8Array | string, headers = {}): Reply {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.length);
  return { status, headers: { 'Content-Type': contentType, ...headers }, body: bytes };
}

export function jsonReply(req: IncomingMessage, value: unknown, headers: Record<string, string> = {}): Reply {
  if (!acceptsJson(req.headers.accept)) {
    throw new HttpError(406, `This resource is only available as ${DICOM_JSON}, not ${req.headers.accept}`);
  }
  return reply(200, DICOM_JSON, JSON.stringify(value), headers);
}

export function notAcceptable(req: IncomingMessage, offer: Offer): HttpError {
  const single = offer.singlePartAllowed ? ` or ${offer.mediaType}` : '';
  return new HttpError(
    406,
    `Cannot satisfy Accept: ${req.headers.accept}. This resource is available as multipart/related; ` +
      `type="${offer.mediaType}"${single}, transfer syntax ${offer.transferSyntaxes.join(', ')}`,
  );
}

/**
 * Negotiates `offer` against the request's Accept header, then sends the parts that
 * `parts(transferSyntax)` makes: as multipart/related, or as the bare body when one part is
 * asked for without multipart.
 */
export function partsReply(req: IncomingMessage, offer: Offer, parts: (transferSyntax: string) => Part[]): Reply {
  const choice = negotiate(req.headers.accept, offer);
  if (!choice) throw notAcceptable(req, offer);
  const made = parts(choice.transferSyntax);
  const [single] = made;
  if (!choice.multipart && made.length === 1 && single) return reply(200, single.contentType, single.body);
  const { contentType, chunks } = multipartRelated(offer.mediaType, made);
  return { status: 200, headers: { 'Content-Type': contentType }, body: chunks };
}

/** Writes `chunks` in order, waiting whenever the socket's buffer is full; stops if the client goes. */
async function writeChunks(res: ServerResponse, chunks: readonly Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done).off('close', done);
          resolve();
        };
        res.on('drain', done).on('close', done);
      });
    }
  }
  res.end();
}

/**
 * Runs `make` and sends its reply, or the HttpError it throws (500 for anything else), with
 * Content-Length, Cross-Origin-Resource-Policy and X-Content-Type-Options: nosniff (a reason or a
 * stored instance's bytes are never to be read as HTML or script).
 */
export async function send(req: IncomingMessage, res: ServerResponse, make: () => Reply | Promise<Reply>) {
  let answer: Reply;
  try {
    answer = await make();
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    if (status === 500) console.error('DICOMweb:', error);
    const message = error instanceof Error ? error.message : String(error);
    const headers = error instanceof HttpError ? error.headers : {};
    answer = reply(status, 'text/plain; charset=utf-8', `${message}\n`, headers);
  }
  if (res.headersSent || res.destroyed) return;
  const chunks = answer.body instanceof Uint8Array ? [answer.body] : answer.body;
  res.writeHead(answer.status, {
    ...answer.headers,
    'Content-Length': String(chunks.reduce((n, c) => n + c.byteLength, 0)),
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else await writeChunks(res, chunks);
}
