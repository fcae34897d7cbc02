// Content negotiation for DICOMweb retrieve requests (PS3.18 8.7): which media type and transfer
// syntax to answer with, given the request's Accept header and what the server can deliver. Its
// media type parser also reads the Content-Type of STOW-RS requests.
//
// What OHIF 3.13 sends:
//   JSON (QIDO, metadata):  Accept: application/dicom+json
//   frames (image loader):  Accept: multipart/related; type="application/octet-stream"; transfer-syntax="*"
//   whole instance (SEG):   Accept: multipart/related; type="application/dicom"
//   bulk data:              Accept: multipart/related; type="application/octet-stream"

/** A media type with its parameters, as in a Content-Type header or one item of an Accept header. */
export interface MediaType {
  /** Lower-case `type/subtype`, e.g. `multipart/related` or `*\/*`. */
  type: string;
  /** Parameters with lower-case names and unquoted values (`type`, `transfer-syntax`, `boundary`, ...). */
  params: Record<string, string>;
}

export interface MediaRange extends MediaType {
  q: number;
}

/** Splits on `separator` outside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Parses one media type with its parameters. */
export function parseMediaType(text: string): MediaType {
  const [typePart = '', ...paramParts] = splitOutsideQuotes(text, ';');
  const params: Record<string, string> = {};
  for (const param of paramParts) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    params[name] = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { type: typePart.trim().toLowerCase(), params };
}

/** The media ranges of an Accept header, highest q first; none when the header is absent or empty. */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const ranges: MediaRange[] = [];
  for (const item of splitOutsideQuotes(header, ',')) {
    const { type, params } = parseMediaType(item);
    if (!type) continue;
    const q = params.q === undefined ? 1 : Number(params.q);
    ranges.push({ type, params, q: Number.isFinite(q) ? q : 0 });
  }
  return ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
}

/** Whether media range `pattern` (`*\/*`, `application/*` or a full type) covers `mediaType`. */
export function mediaMatches(pattern: string, mediaType: string): boolean {
  if (pattern === '*/*' || pattern === mediaType) return true;
  return pattern.endsWith('/*') && mediaType.startsWith(pattern.slice(0, -1));
}

export function acceptsJson(header: string | undefined): boolean {
  const ranges = parseAccept(header);
  return (
    ranges.length === 0 ||
    ranges.some((r) => mediaMatches(r.type, 'application/dicom+json') || mediaMatches(r.type, 'application/json'))
  );
}

export interface Offer {
  /** Media type of the payload: of each part, or of the whole body when single-part. */
  mediaType: 'application/octet-stream' | 'application/dicom';
  /** Transfer syntaxes the server can deliver the payload in, preferred first. */
  transferSyntaxes: readonly string[];
  /** Whether the payload may be sent as the body itself rather than as a multipart/related part. */
  singlePartAllowed: boolean;
}

export interface Choice {
  multipart: boolean;
  transferSyntax: string;
}

/** The response to send, or undefined when nothing acceptable can be offered (406). */
export function negotiate(header: string | undefined, offer: Offer): Choice | undefined {
  const ranges = parseAccept(header);
  const preferred = offer.transferSyntaxes[0];
  if (preferred === undefined) return undefined;
  if (ranges.length === 0) return { multipart: true, transferSyntax: preferred };

  const pickSyntax = (requested: string | undefined): string | undefined =>
    requested === undefined || requested === '*'
      ? preferred
      : offer.transferSyntaxes.includes(requested)
        ? requested
        : undefined;

  for (const range of ranges) {
    if (range.type === '*/*') return { multipart: true, transferSyntax: preferred };
    if (mediaMatches(range.type, 'multipart/related')) {
      if (!mediaMatches(range.params.type ?? offer.mediaType, offer.mediaType)) continue;
      const transferSyntax = pickSyntax(range.params['transfer-syntax']);
      if (transferSyntax) return { multipart: true, transferSyntax };
    } else if (offer.singlePartAllowed && mediaMatches(range.type, offer.mediaType)) {
      const transferSyntax = pickSyntax(range.params['transfer-syntax']);
      if (transferSyntax) return { multipart: false, transferSyntax };
    }
  }
  return undefined;
}
