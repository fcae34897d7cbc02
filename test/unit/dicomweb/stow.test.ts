// STOW-RS on the DICOMweb endpoint: instances POSTed as dicomweb-client posts them (OHIF's store
// path) join the index in memory and are then found by QIDO-RS and retrieved by WADO; what is not
// a DICOM instance of the right study, or too big, is refused with a reason and nothing is stored.

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import dcmjs from 'dcmjs';

import { createDicomWebHandler, type DicomWebHandlerOptions } from '../../../viewer/dicomweb/handler';
import { MultipartError, splitMultipart } from '../../../viewer/dicomweb/multipart';
import { sampleFiles, SEG_SOP, STUDY, values, type Json } from './dcmqiSample';

const JSON_ACCEPT = { Accept: 'application/dicom+json' };
const SEG_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

/** The sample's liver SEG with new UIDs (a new instance, of a new series, of `study`). */
function segCopy(file: string, n: number, study = STUDY): Buffer {
  const bytes = readFileSync(file);
  const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const sop = `2.25.${1000 + n}`;
  dicom.dict['00080018'] = { vr: 'UI', Value: [sop] };
  dicom.dict['0020000E'] = { vr: 'UI', Value: [`2.25.${2000 + n}`] };
  dicom.dict['0020000D'] = { vr: 'UI', Value: [study] };
  dicom.dict['00200011'] = { vr: 'IS', Value: [900 + n] };
  dicom.meta['00020003'] = { vr: 'UI', Value: [sop] };
  return Buffer.from(dicom.write());
}

/** A copy with its last byte changed: the same UIDs, other content. */
function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt8(copy.readUInt8(copy.length - 1) ^ 0xff, copy.length - 1);
  return copy;
}

/** A multipart body as dicomweb-client's multipartEncode writes it: CRLF first, no CRLF at the end. */
function stowBody(parts: Array<{ bytes: Buffer; contentType?: string }>, boundary = 'b0und4ry') {
  const chunks = parts.flatMap(({ bytes, contentType = 'application/dicom' }) => [
    Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n`),
    bytes,
  ]);
  return {
    body: Buffer.concat([...chunks, Buffer.from(`\r\n--${boundary}--`)]),
    contentType: `multipart/related; type="application/dicom"; boundary="${boundary}"`,
  };
}

async function serve(options: Omit<DicomWebHandlerOptions, 'basePath'>) {
  const handler = createDicomWebHandler({ ...options, basePath: '/dicomweb' });
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path.startsWith('/dicomweb') && handler(req, res, path.slice('/dicomweb'.length))) return;
    res.writeHead(404).end('not DICOMweb');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicomweb`;
  return { handler, base, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('STOW-RS', () => {
  const sample = sampleFiles();
  const filesOnDisk = readdirSync(sample.folder).sort();
  const liver = sample.file('liver.dcm');
  let endpoint: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    endpoint = await serve({ folders: [sample.folder], stow: { maxBodyBytes: 400_000 } });
  });
  afterAll(async () => {
    await endpoint.close();
    sample.cleanup();
  });

  const post = (path: string, { body, contentType }: { body: Buffer; contentType: string }) =>
    fetch(endpoint.base + path, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'Content-Type': contentType },
    });
  const getJson = async (path: string): Promise<Json[]> => {
    const res = await fetch(endpoint.base + path, { headers: JSON_ACCEPT });
    expect(res.status).toBe(200);
    return (await res.json()) as Json[];
  };
  const seriesOf = async (study: string) =>
    (await getJson(`/studies/${study}/series`)).map((s) => values(s, '0020000E')[0]);
  const expectRefused = async (res: Response, status: number, reason: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(reason);
  };

  it('stores a SEG posted to the study, answers with its Store Instances Response, and serves it', async () => {
    const seg = segCopy(liver, 1);
    const res = await post(`/studies/${STUDY}`, stowBody([{ bytes: seg }]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dicom+json');
    const answer = (await res.json()) as Json;
    expect(values(answer, '00081190')).toEqual([`/dicomweb/studies/${STUDY}`]);
    expect(answer['00081198']).toBeUndefined();
    const [item, ...more] = values(answer, '00081199') as Json[];
    expect(more).toEqual([]);
    const url = `/dicomweb/studies/${STUDY}/series/2.25.2001/instances/2.25.1001`;
    expect(item).toEqual({
      '00081150': { vr: 'UI', Value: [SEG_STORAGE] },
      '00081155': { vr: 'UI', Value: ['2.25.1001'] },
      '00081190': { vr: 'UR', Value: [url] },
    });

    // Listed with the study's series (what OHIF asks for when it opens the study), last by number.
    expect((await seriesOf(STUDY)).at(-1)).toBe('2.25.2001');
    const [study] = await getJson(`/studies?StudyInstanceUID=${STUDY}`);
    expect(values(study as Json, '00201208')).toEqual([5]);
    const [metadata] = await getJson(`/studies/${STUDY}/series/2.25.2001/metadata`);
    expect(values(metadata as Json, '00080018')).toEqual(['2.25.1001']);
    expect((metadata as Json)['7FE00010']?.BulkDataURI).toBe(`${url}/bulk/7FE00010`);

    // Retrieved as stored: WADO-RS (how OHIF's SEG loader fetches it) and WADO-URI.
    const wado = await fetch(endpoint.base + url.slice('/dicomweb'.length), {
      headers: { Accept: 'application/dicom' },
    });
    expect(Buffer.from(await wado.arrayBuffer()).equals(seg)).toBe(true);
    const uri = await fetch(
      `${endpoint.base}?requestType=WADO&studyUID=${STUDY}&seriesUID=2.25.2001&objectUID=2.25.1001`,
    );
    expect(Buffer.from(await uri.arrayBuffer()).equals(seg)).toBe(true);

    // Memory only: the sample folder is as it was.
    expect(readdirSync(sample.folder).sort()).toEqual(filesOnDisk);
  });

  it('stores several instances at once, a new study included, at POST studies', async () => {
    const res = await post(
      '/studies',
      stowBody([{ bytes: segCopy(liver, 2) }, { bytes: segCopy(liver, 3, '2.25.77') }]),
    );
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Json;
    expect(answer['00081190']).toBeUndefined(); // two studies: no single study URL
    expect((values(answer, '00081199') as Json[]).map((i) => values(i, '00081155')[0])).toEqual([
      '2.25.1002',
      '2.25.1003',
    ]);
    expect(await seriesOf('2.25.77')).toEqual(['2.25.2003']);
    expect(await seriesOf(STUDY)).toContain('2.25.2002');
  });

  it('accepts the same instance again, but never replaces one (a sample or a stored one) with other bytes', async () => {
    expect((await post('/studies', stowBody([{ bytes: segCopy(liver, 1) }]))).status).toBe(200);
    const changed = flipLastByte(segCopy(liver, 1));
    await expectRefused(await post('/studies', stowBody([{ bytes: changed }])), 409, /2\.25\.1001 is already on/);
    const sampleSeg = readFileSync(liver);
    expect((await post('/studies', stowBody([{ bytes: sampleSeg }]))).status).toBe(200);
    await expectRefused(
      await post('/studies', stowBody([{ bytes: flipLastByte(sampleSeg) }])),
      409,
      new RegExp(`${SEG_SOP} is already`),
    );
  });

  it('refuses an instance of another study than the URL names, and stores nothing of the request', async () => {
    const body = stowBody([{ bytes: segCopy(liver, 4) }, { bytes: segCopy(liver, 5, '2.25.99') }]);
    await expectRefused(
      await post(`/studies/${STUDY}`, body),
      409,
      /Part 2 .*2\.25\.1005.* belongs to study 2\.25\.99, not/,
    );
    expect(await seriesOf(STUDY)).not.toContain('2.25.2004');
    expect((await fetch(`${endpoint.base}/studies/2.25.99/series`)).status).toBe(404);
  });

  it('refuses parts that are not DICOM instances, and bodies that are not multipart/related DICOM', async () => {
    const seg = segCopy(liver, 6);
    const text = { bytes: Buffer.from('hello'), contentType: 'text/plain' };
    await expectRefused(await post('/studies', stowBody([{ bytes: seg }, text])), 415, /Part 2 is text\/plain/);
    const notPart10 = { bytes: Buffer.alloc(200, 7) };
    await expectRefused(await post('/studies', stowBody([notPart10])), 400, /Part 1 is not a DICOM Part 10 file/);
    const garbled = Buffer.concat([seg.subarray(0, 300), Buffer.alloc(50, 0xff)]);
    await expectRefused(await post('/studies', stowBody([{ bytes: garbled }])), 400, /Part 1 cannot be read as DICOM/);
    expect(await seriesOf(STUDY)).not.toContain('2.25.2006');

    const json = { body: Buffer.from('[]'), contentType: 'application/dicom+json' };
    await expectRefused(await post('/studies', json), 415, /multipart\/related; type="application\/dicom"/);
    const metadataForm = {
      body: Buffer.from(''),
      contentType: 'multipart/related; type="application/dicom+xml"; boundary=x',
    };
    await expectRefused(await post('/studies', metadataForm), 415, /application\/dicom instances only/);
    const noBoundary = { body: Buffer.from(''), contentType: 'multipart/related; type="application/dicom"' };
    await expectRefused(await post('/studies', noBoundary), 400, /no boundary/);
    const cut = stowBody([{ bytes: seg }]);
    await expectRefused(
      await post('/studies', { ...cut, body: cut.body.subarray(0, 1000) }),
      400,
      /Malformed multipart/,
    );
  });

  it('refuses bodies over the size limit, whether their length is declared or not', async () => {
    const big = stowBody([{ bytes: Buffer.concat([segCopy(liver, 7), Buffer.alloc(400_000)]) }]);
    await expectRefused(await post('/studies', big), 413, /larger than this server's limit of 400000 bytes/);
    // Chunked, without Content-Length: counted as it arrives.
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${endpoint.base}/studies`, { method: 'POST', headers: { 'Content-Type': big.contentType } });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      for (let at = 0; at < big.body.length; at += 65_536) req.write(big.body.subarray(at, at + 65_536));
      req.end();
    });
    expect(status).toBe(413);
    expect(text).toMatch(/larger than this server's limit/);
    expect(await seriesOf(STUDY)).not.toContain('2.25.2007');
  });

  it('takes POST only where STOW-RS stores (405 with Allow elsewhere)', async () => {
    const res = await fetch(`${endpoint.base}/studies/${STUDY}/series`, { method: 'POST', body: '' });
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await expectRefused(res, 405, /takes GET, HEAD/);
    const put = await fetch(`${endpoint.base}/studies`, { method: 'PUT', body: '' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});

describe('STOW-RS limits and defaults', () => {
  const sample = sampleFiles();
  afterAll(() => sample.cleanup());

  it('is off unless asked for: the endpoint is read-only', async () => {
    const endpoint = await serve({ folders: [sample.folder] });
    const res = await fetch(`${endpoint.base}/studies`, {
      method: 'POST',
      ...stowBodyInit(segCopy(sample.file('liver.dcm'), 8)),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.text()).toMatch(/read-only/);
    await endpoint.close();
  });

  it('stops storing once the stored instances hold the limit', async () => {
    const seg = segCopy(sample.file('liver.dcm'), 9);
    const endpoint = await serve({ folders: [sample.folder], stow: { maxStoredBytes: seg.length + 10 } });
    expect((await fetch(`${endpoint.base}/studies`, { method: 'POST', ...stowBodyInit(seg) })).status).toBe(200);
    const next = await fetch(`${endpoint.base}/studies`, {
      method: 'POST',
      ...stowBodyInit(segCopy(sample.file('liver.dcm'), 10)),
    });
    expect(next.status).toBe(507);
    expect(await next.text()).toMatch(/limit of \d+ bytes for stored instances/);
    await endpoint.close();
  });
});

function stowBodyInit(bytes: Buffer): RequestInit {
  const { body, contentType } = stowBody([{ bytes }]);
  return { body: new Uint8Array(body), headers: { 'Content-Type': contentType } };
}

describe('splitMultipart', () => {
  const parts = (text: string) =>
    splitMultipart(Buffer.from(text, 'latin1'), 'XY').map((p) => ({ headers: p.headers, body: p.body.toString() }));

  it('reads parts with and without headers, ignoring preamble, padding and epilogue', () => {
    expect(
      parts('preamble\r\n--XY  \r\nContent-Type: a/b\r\n\r\none\r\n--XY\r\n\r\ntwo\r\n--XY--\r\nepilogue'),
    ).toEqual([
      { headers: { 'content-type': 'a/b' }, body: 'one' },
      { headers: {}, body: 'two' },
    ]);
    expect(parts('--XY\r\n\r\n--X\r\n--XY--')).toEqual([{ headers: {}, body: '--X' }]);
  });

  it('says what is wrong with a body that is not multipart', () => {
    expect(() => parts('no delimiter')).toThrow(MultipartError);
    expect(() => parts('--XY\r\n\r\nbody without end')).toThrow(/not followed by a delimiter/);
    expect(() => parts('--XY\r\n\r\nbody\r\n--XY')).toThrow(/without the closing delimiter/);
    expect(() => parts('--XYZ\r\n\r\nbody\r\n--XY--')).toThrow(/does not end with CRLF/);
  });
});
