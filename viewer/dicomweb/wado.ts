// WADO-RS retrieve (instances, frames, bulk data; PS3.18 10.4) and WADO-URI (PS3.18 9), the
// replies with pixel data in them. Metadata is plain JSON and lives with the routes.

import type { IncomingMessage } from 'node:http';

import { negotiate, type Offer } from './accept';
import { instancePath, readPart10, TAG, type InstanceRecord } from './dicomIndex';
import { EXPLICIT_VR_LITTLE_ENDIAN, frame, NATIVE_TRANSFER_SYNTAXES } from './frames';
import { HttpError, notAcceptable, partsReply, reply, type Reply } from './http';

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** Part 10 files as stored, one part each (what OHIF's SEG loader prefetches). */
export async function instancesReply(
  req: IncomingMessage,
  instances: readonly InstanceRecord[],
  basePath: string,
): Promise<Reply> {
  // No transcoding: a request for one transfer syntax is answered only when every instance
  // has it; `transfer-syntax=*`, or none, takes them as they are.
  const stored = [...new Set(instances.map((i) => i.transferSyntaxUID))];
  const offer: Offer = {
    mediaType: 'application/dicom',
    transferSyntaxes: stored.length === 1 ? stored : ['*'],
    singlePartAllowed: instances.length === 1,
  };
  if (!negotiate(req.headers.accept, offer)) throw notAcceptable(req, offer); // before reading the files
  const files = await Promise.all(instances.map(readPart10));
  return partsReply(req, offer, () =>
    instances.map((i, n) => ({
      contentType: `application/dicom; transfer-syntax=${i.transferSyntaxUID}`,
      body: files[n] ?? new Uint8Array(),
      location: instancePath(basePath, i.studyUID, i.seriesUID, i.sopUID),
    })),
  );
}

/**
 * Frames `list` ("1" or "3,1,2") of an uncompressed instance, in the order listed. Each frame may
 * be listed once (PS3.18's frame list is of non-duplicate frame numbers): a duplicate is refused
 * with 400, so a reply never holds more frames than the instance, where a 10 KB list of "1,"
 * once built a 2.6 GB reply.
 */
export function framesReply(req: IncomingMessage, target: InstanceRecord, list: string): Reply {
  const numbers = list.split(',').map((n) => (/^\d+$/.test(n.trim()) ? Number(n) : NaN));
  if (numbers.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    const shown = list.length > 80 ? `${list.slice(0, 80)}…` : list;
    throw new HttpError(400, `Frame list "${shown}" must be frame numbers from 1, separated by commas`);
  }
  const seen = new Set<number>();
  for (const n of numbers) {
    if (seen.has(n)) throw new HttpError(400, `Frame list: frame ${n} is listed twice; ask for each frame once`);
    seen.add(n);
  }
  const { pixels, sopUID, transferSyntaxUID } = target;
  if (!pixels && target.bulk.has(TAG.PixelData)) {
    const why = `is stored in transfer syntax ${transferSyntaxUID}; this server serves uncompressed frames only`;
    throw new HttpError(406, `Instance ${sopUID} ${why}`);
  }
  if (!pixels) throw new HttpError(404, `Instance ${sopUID} has no PixelData`);
  const { numberOfFrames } = pixels.layout;
  const outside = numbers.find((n) => n > numberOfFrames);
  if (outside !== undefined) {
    throw new HttpError(404, `Instance ${sopUID} has ${numberOfFrames} frame(s), not frame ${outside}`);
  }
  // Uncompressed little-endian pixels are the same bytes whichever VR encoding is asked for.
  const offer: Offer = {
    mediaType: 'application/octet-stream',
    transferSyntaxes: [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN],
    singlePartAllowed: numbers.length === 1,
  };
  return partsReply(req, offer, (transferSyntax) =>
    numbers.map((n) => ({
      contentType: `application/octet-stream; transfer-syntax=${transferSyntax}`,
      body: frame(pixels.layout, pixels.data, n),
    })),
  );
}

/** The value behind one of the instance's BulkDataURIs. */
export function bulkReply(req: IncomingMessage, target: InstanceRecord, path: string): Reply {
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

/**
 * WADO-URI: `?requestType=WADO&studyUID=..&seriesUID=..&objectUID=..[&contentType=application/dicom]
 * [&transferSyntax=*]`, answered with the Part 10 file. Other parameters (Cornerstone's `frame`)
 * are ignored, and so is the Accept header: WADO-URI names its content type in the query.
 */
export async function wadoUriReply(
  query: URLSearchParams,
  find: (study: string, series: string, sop: string) => InstanceRecord,
): Promise<Reply> {
  const param = (name: string) => query.get(name) ?? '';
  const missing = ['studyUID', 'seriesUID', 'objectUID'].filter((name) => !param(name));
  if (missing.length) throw new HttpError(400, `WADO-URI request without ${missing.join(', ')}`);
  const contentType = param('contentType') || 'application/dicom';
  if (contentType !== 'application/dicom' && contentType !== '*/*') {
    throw new HttpError(406, `WADO-URI: only contentType=application/dicom is available, not ${contentType}`);
  }
  const target = find(param('studyUID'), param('seriesUID'), param('objectUID'));
  const syntax = param('transferSyntax');
  if (syntax && syntax !== '*' && syntax !== target.transferSyntaxUID) {
    throw new HttpError(406, `WADO-URI: the instance is stored as ${target.transferSyntaxUID}, not ${syntax}`);
  }
  return reply(200, 'application/dicom', await readPart10(target));
}
