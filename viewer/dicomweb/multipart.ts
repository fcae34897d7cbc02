// multipart/related bodies (RFC 2387), the envelope of DICOMweb frames, bulk data and instances.
//
// Layout, as both dicomweb-client's multipartDecode and Cornerstone's extractMultipart parse it:
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
  body: Buffer;
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

/** Encodes `parts`; `type` is the root media type named in the Content-Type's `type` parameter. */
export function multipartRelated(type: string, parts: readonly Part[]): MultipartBody {
  const boundary = drawBoundary(parts);
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const headers = [`--${boundary}`, `Content-Type: ${part.contentType}`, `Content-Length: ${part.body.byteLength}`];
    if (part.location) headers.push(`Content-Location: ${part.location}`);
    chunks.push(Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), part.body, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return {
    contentType: `multipart/related; type="${type}"; boundary=${boundary}`,
    body: Buffer.concat(chunks),
  };
}
