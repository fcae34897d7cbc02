// multipart/related bodies (RFC 2387), the envelope of DICOMweb frames, bulk data and instances:
// written for retrieve responses, read for STOW-RS requests.
//
// Layout written, as both dicomweb-client's multipartDecode and Cornerstone's extractMultipart parse it:
//   --BOUNDARY\r\nContent-Type: <part type>\r\nContent-Length: <n>\r\n\r\n<bytes>\r\n
//   ... one such block per part ...
//   --BOUNDARY--\r\n
// Both readers find a part's end by searching its bytes for the boundary, so the boundary is
// drawn at random and drawn again in the (astronomically unlikely) case that a part contains it.

import { randomBytes } from 'node:crypto';

export interface Part {
  contentType: string;
  body: Uint8Array;
  /** Optional Content-Location header of the part (the resource's URL). */
  location?: string;
}

export interface MultipartBody {
  /** The response's Content-Type: `multipart/related; type="..."; boundary=...`. */
  contentType: string;
  /** The body in order: the parts' bytes as given (views, not copies), with the delimiters between. */
  chunks: Uint8Array[];
}

function drawBoundary(parts: readonly Part[]): string {
  for (;;) {
    const boundary = `DICOMwebBoundary${randomBytes(16).toString('hex')}`;
    const marker = Buffer.from(`--${boundary}`, 'latin1');
    if (!parts.some((p) => Buffer.from(p.body.buffer, p.body.byteOffset, p.body.byteLength).includes(marker))) {
      return boundary;
    }
  }
}

/**
 * Encodes `parts`; `type` is the root media type named in the Content-Type's `type` parameter.
 * The body stays in chunks, written one after another: concatenating them would copy every part.
 */
export function multipartRelated(type: string, parts: readonly Part[]): MultipartBody {
  const boundary = drawBoundary(parts);
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const headers = [`--${boundary}`, `Content-Type: ${part.contentType}`, `Content-Length: ${part.body.byteLength}`];
    if (part.location) headers.push(`Content-Location: ${part.location}`);
    chunks.push(Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), part.body, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { contentType: `multipart/related; type="${type}"; boundary=${boundary}`, chunks };
}

/** A part of a received multipart body: its headers (names lower case) and its bytes. */
export interface ReceivedPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** A body that is not multipart as RFC 2046 5.1.1 writes it. */
export class MultipartError extends Error {}

const CRLF = Buffer.from('\r\n', 'latin1');

function partHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Splits a multipart body at `boundary` (RFC 2046 5.1.1): the preamble before the first delimiter
 * and the epilogue after the closing one are ignored. dicomweb-client's STOW-RS bodies start
 * with CRLF and end without one; both forms are read.
 */
export function splitMultipart(body: Buffer, boundary: string): ReceivedPart[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const nextDelimiter = Buffer.concat([CRLF, delimiter]);
  let at = 0; // where the current delimiter starts
  if (!body.subarray(0, delimiter.length).equals(delimiter)) {
    const found = body.indexOf(nextDelimiter);
    if (found < 0) throw new MultipartError(`no "--${boundary}" delimiter in the body`);
    at = found + CRLF.length;
  }
  const parts: ReceivedPart[] = [];
  for (;;) {
    let cursor = at + delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString('latin1') === '--') return parts; // the closing delimiter
    while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++; // transport padding
    if (cursor >= body.length) throw new MultipartError('the body ends without the closing delimiter');
    if (!body.subarray(cursor, cursor + 2).equals(CRLF))
      throw new MultipartError('a delimiter line does not end with CRLF');
    const headersStart = cursor + 2;
    const blank = body.subarray(headersStart, headersStart + 2).equals(CRLF)
      ? headersStart
      : body.indexOf('\r\n\r\n', headersStart);
    if (blank < 0) throw new MultipartError(`part ${parts.length + 1} has no end of headers`);
    const bodyStart = blank === headersStart ? headersStart + 2 : blank + 4;
    const end = body.indexOf(nextDelimiter, bodyStart);
    if (end < 0) throw new MultipartError(`part ${parts.length + 1} is not followed by a delimiter (body cut short?)`);
    parts.push({
      headers: partHeaders(body.subarray(headersStart, blank).toString('latin1')),
      body: body.subarray(bodyStart, end),
    });
    at = end + CRLF.length;
  }
}
