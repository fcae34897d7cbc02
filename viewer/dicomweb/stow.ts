// STOW-RS (PS3.18 10.5): DICOM instances POSTed to `studies` or `studies/{StudyInstanceUID}` as
// multipart/related; type="application/dicom" are parsed and added to the index that the QIDO-RS
// and WADO-RS routes serve, in memory only: nothing is written to disk, a restart forgets them.
//
// A request is all or nothing: every part must be a readable DICOM Part 10 file of the study in
// the URL (when one is named), or nothing is stored and the answer is a 4xx with a plain-text
// reason. So a 200 answer's Store Instances Response lists every instance in
// ReferencedSOPSequence (0008,1199) and never has a FailedSOPSequence (0008,1198).
// An instance already on the server is accepted again only with the same bytes: the sample
// studies, and what was stored before, are never replaced.

import type { IncomingMessage } from 'node:http';

import { acceptsJson, parseMediaType } from './accept';
import { instancePath, parseInstance, readPart10, type DicomIndex, type InstanceRecord } from './dicomIndex';
import type { DicomJsonDataset } from './dicomJson';
import { HttpError, jsonReply, type Reply } from './http';
import { MultipartError, splitMultipart } from './multipart';

export interface StowOptions {
  /** The largest request body accepted, in bytes (413 above). Default 64 MiB. */
  maxBodyBytes?: number;
  /** The most bytes all stored instances may hold together (507 beyond). Default 512 MiB. */
  maxStoredBytes?: number;
}

const MiB = 1024 * 1024;
const DICOM = 'application/dicom';
const EXPECTED_TYPE = `multipart/related; type="${DICOM}"`;

/** The request body, or 413 once past `limit` bytes (the rest is read and dropped, so the client gets the answer). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (size: number) =>
    new HttpError(413, `The request body (${size} bytes) is larger than this server's limit of ${limit} bytes`);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(declared)); // Node drops the unread body after the answer
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks = [];
    });
    req.on('end', () => (size > limit ? reject(tooLarge(size)) : resolve(Buffer.concat(chunks, size))));
    // A broken or aborted upload is the client's doing (400), not a server error; no-op after 'end'.
    const cutOff = () => reject(new HttpError(400, 'The request body was cut off'));
    req.on('error', cutOff);
    req.on('close', cutOff);
  });
}

/** The boundary of a STOW-RS request's body, or 415/400 saying what the Content-Type should be. */
function boundaryOf(contentType: string | undefined): string {
  const { type, params } = parseMediaType(contentType ?? '');
  if (type !== 'multipart/related') {
    throw new HttpError(
      415,
      `STOW-RS takes ${EXPECTED_TYPE} bodies, not ${contentType || 'a body without Content-Type'}`,
    );
  }
  // `type` may be left out (the parts say what they are); the JSON / XML metadata + bulk data form is not supported.
  if (params.type !== undefined && params.type.toLowerCase() !== DICOM) {
    throw new HttpError(
      415,
      `This server stores ${DICOM} instances only, not multipart/related; type="${params.type}"`,
    );
  }
  if (!params.boundary) throw new HttpError(400, 'The Content-Type has no boundary parameter');
  return params.boundary;
}

const isPart10 = (bytes: Uint8Array) =>
  bytes.length >= 132 && Buffer.from(bytes.buffer, bytes.byteOffset + 128, 4).toString('latin1') === 'DICM';

interface ReceivedInstance {
  instance: InstanceRecord;
  bytes: Uint8Array;
}

/** Part `n` (from 1) as an instance, or 415/400 saying why it is not a DICOM file. */
function instanceOfPart(n: number, headers: Record<string, string>, body: Buffer, basePath: string): ReceivedInstance {
  // A part without Content-Type is taken as the `type` of the whole body; its bytes are checked anyway.
  const declared = headers['content-type'];
  if (declared !== undefined && parseMediaType(declared).type !== DICOM) {
    throw new HttpError(415, `Part ${n} is ${declared}: only ${DICOM} parts (DICOM Part 10 files) are stored`);
  }
  if (!isPart10(body)) {
    throw new HttpError(400, `Part ${n} is not a DICOM Part 10 file (no "DICM" after the 128-byte preamble)`);
  }
  const bytes = new Uint8Array(body); // a copy: the request's buffer is not kept
  try {
    return { instance: parseInstance(bytes, { kind: 'memory', bytes }, basePath), bytes };
  } catch (error) {
    throw new HttpError(400, `Part ${n} cannot be read as DICOM: ${(error as Error).message}`);
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

function storeResponse(instances: readonly InstanceRecord[], basePath: string): DicomJsonDataset {
  const response: DicomJsonDataset = {};
  const studies = [...new Set(instances.map((i) => i.studyUID))];
  if (studies.length === 1) response['00081190'] = { vr: 'UR', Value: [`${basePath}/studies/${studies[0]}`] };
  response['00081199'] = {
    vr: 'SQ',
    Value: instances.map((i) => ({
      '00081150': { vr: 'UI', Value: [i.sopClassUID] },
      '00081155': { vr: 'UI', Value: [i.sopUID] },
      '00081190': { vr: 'UR', Value: [instancePath(basePath, i.studyUID, i.seriesUID, i.sopUID)] },
    })),
  };
  return response;
}

/** STOW-RS over `index`: `store(req, studyUID?)` reads the request, stores its instances and answers. */
export function createStowRs(index: DicomIndex, basePath: string, options: StowOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * MiB;
  const maxStoredBytes = options.maxStoredBytes ?? 512 * MiB;
  let storedBytes = 0;
  /** Requests are checked and added one at a time, so two cannot both add the same new instance. */
  let queue: Promise<unknown> = Promise.resolve();

  /** Whether the instance is already on the server with these bytes; 409 if with others. */
  async function alreadyStored({ instance, bytes }: ReceivedInstance): Promise<boolean> {
    const existing = index.instanceBySop(instance.sopUID);
    if (!existing) return false;
    if (sameBytes(await readPart10(existing), bytes)) return true;
    throw new HttpError(
      409,
      `SOP Instance ${instance.sopUID} is already on this server with other content: instances are never replaced`,
    );
  }

  /** Checks every received instance against the URL's study and the server, then adds the new ones. */
  async function commit(received: readonly ReceivedInstance[], studyUID: string | undefined): Promise<void> {
    const fresh: ReceivedInstance[] = [];
    for (const [i, item] of received.entries()) {
      const { instance, bytes } = item;
      if (studyUID !== undefined && instance.studyUID !== studyUID) {
        throw new HttpError(
          409,
          `Part ${i + 1} (SOP Instance ${instance.sopUID}) belongs to study ${instance.studyUID}, ` +
            `not to study ${studyUID} named in the URL`,
        );
      }
      const twin = fresh.find((f) => f.instance.sopUID === instance.sopUID);
      if (twin && !sameBytes(twin.bytes, bytes)) {
        throw new HttpError(409, `SOP Instance ${instance.sopUID} comes twice in the request, with other content`);
      }
      if (!twin && !(await alreadyStored(item))) fresh.push(item);
    }
    const adding = fresh.reduce((n, f) => n + f.bytes.length, 0);
    if (storedBytes + adding > maxStoredBytes) {
      throw new HttpError(
        507,
        `Storing ${adding} more bytes would pass this server's limit of ${maxStoredBytes} bytes for stored ` +
          'instances (a restart forgets them)',
      );
    }
    for (const { instance } of fresh) index.add(instance);
    storedBytes += adding;
  }

  return async function store(req: IncomingMessage, studyUID?: string): Promise<Reply> {
    if (!acceptsJson(req.headers.accept)) {
      throw new HttpError(406, `The Store Instances Response is application/dicom+json, not ${req.headers.accept}`);
    }
    const boundary = boundaryOf(req.headers['content-type']);
    const body = await readBody(req, maxBodyBytes);
    let parts;
    try {
      parts = splitMultipart(body, boundary);
    } catch (error) {
      if (error instanceof MultipartError) throw new HttpError(400, `Malformed multipart body: ${error.message}`);
      throw error;
    }
    if (parts.length === 0) throw new HttpError(400, 'The request holds no instances');
    const received = parts.map((p, i) => instanceOfPart(i + 1, p.headers, p.body, basePath));

    const committed = queue.then(() => commit(received, studyUID));
    queue = committed.catch(() => undefined);
    await committed;
    const instances = [...new Map(received.map(({ instance }) => [instance.sopUID, instance])).values()];
    return jsonReply(req, storeResponse(instances, basePath));
  };
}
