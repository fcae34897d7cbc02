// The DICOMweb endpoint over the real dcmqi sample (3-slice CT + its 3-frame binary liver SEG),
// queried over HTTP as OHIF's dicomweb data source queries it.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import dcmjs from 'dcmjs';

import { createDicomWebHandler, type DicomWebHandler } from '../../../viewer/dicomweb/handler';
import { CT_SERIES, sampleFiles, SEG_SERIES, SEG_SOP, STUDY, values, type Json } from './dcmqiSample';

const FRAMES_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax="*"'; // OHIF's
const JSON_ACCEPT = { Accept: 'application/dicom+json' };

interface ParsedPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** A multipart/related body split into parts (boundary from the Content-Type header). */
function parseMultipart(contentType: string | null, body: Buffer): ParsedPart[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType ?? '')?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: ParsedPart[] = [];
  let at = body.indexOf(delimiter);
  expect(at).toBe(0);
  for (;;) {
    const after = at + delimiter.length;
    if (body.subarray(after, after + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', after);
    const headers: Record<string, string> = {};
    for (const line of body
      .subarray(after + 2, headerEnd)
      .toString('latin1')
      .split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = body.indexOf(delimiter, headerEnd + 4);
    parts.push({ headers, body: body.subarray(headerEnd + 4, next - 2) });
    at = next;
  }
  return parts;
}

/** PixelData of a file, read by dcmjs independently of the server. */
function pixelDataOf(path: string): Buffer {
  const bytes = readFileSync(path);
  const dict = dcmjs.data.DicomMessage.readFile(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  ).dict;
  return Buffer.from(dict['7FE00010']?.Value?.[0] as ArrayBuffer);
}

describe('the DICOMweb endpoint', () => {
  const sample = sampleFiles();
  let server: Server;
  let handler: DicomWebHandler;
  let base: string;

  beforeAll(async () => {
    handler = createDicomWebHandler({ folders: [sample.folder], basePath: '/dicomweb' });
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path.startsWith('/dicomweb') && handler(req, res, path.slice('/dicomweb'.length))) return;
      res.writeHead(404).end('not DICOMweb');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicomweb`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    sample.cleanup();
  });

  const get = (path: string, accept?: string) => fetch(base + path, accept ? { headers: { Accept: accept } } : {});
  const getJson = async (path: string): Promise<Json[]> => {
    const res = await fetch(base + path, { headers: JSON_ACCEPT });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dicom+json');
    return (await res.json()) as Json[];
  };
  const instancePath = (series: string, sop: string) => `/studies/${STUDY}/series/${series}/instances/${sop}`;

  it('lists the study for the study list query OHIF sends, with the study-level attributes', async () => {
    const query =
      '?PatientName=*janct*&00100020=99000&ModalitiesInStudy=CT&StudyDate=20030101-20031231&limit=101&offset=0' +
      '&fuzzymatching=false&includefield=00081030%2C00080060%2C00080090%2C00100030';
    const [study, ...others] = await getJson(`/studies${query}`);
    expect(others).toEqual([]);
    expect(study).toBeDefined();
    const s = study as Json;
    expect(values(s, '0020000D')).toEqual([STUDY]);
    expect(values(s, '00100010')).toEqual([{ Alphabetic: 'JANCT000' }]);
    expect(values(s, '00100020')).toEqual(['99000']);
    expect(values(s, '00080020')).toEqual(['20030417']);
    expect(values(s, '00080030')).toEqual(['104607']);
    expect(values(s, '00080050')).toEqual(['03086212']);
    expect(values(s, '00080061')).toEqual(['CT', 'SEG']);
    expect(values(s, '00201206')).toEqual([2]);
    expect(values(s, '00201208')).toEqual([4]);
    expect(values(s, '00100040')).toEqual(['M']);
    expect(s['00081030']).toEqual({ vr: 'LO' }); // asked for, empty in these files
    expect(s['00080060']).toBeUndefined(); // a series attribute: not at the study level
  });

  it('filters studies by name, ID, modality, date and UID', async () => {
    const count = async (query: string) => (await getJson(`/studies?${query}`)).length;
    expect(await count('PatientName=JANCT000')).toBe(1);
    expect(await count('PatientName=jan*')).toBe(1);
    expect(await count('PatientName=*nobody*')).toBe(0);
    expect(await count('PatientID=99001')).toBe(0);
    expect(await count('ModalitiesInStudy=MR')).toBe(0);
    expect(await count('ModalitiesInStudy=MR%2CSEG')).toBe(1);
    expect(await count('StudyDate=20030418-')).toBe(0);
    expect(await count('StudyDate=-20030417')).toBe(1);
    expect(await count(`StudyInstanceUID=1.2.3%5C${STUDY}`)).toBe(1);
    expect(await count('StudyInstanceUID=1.2.3')).toBe(0);
    expect(await count('limit=0')).toBe(0);
    expect(await count('offset=1')).toBe(0);
  });

  it('pages results with limit and offset, and says how many were left out', async () => {
    const res = await fetch(`${base}/studies/${STUDY}/instances?limit=2&offset=1`, { headers: JSON_ACCEPT });
    const page = (await res.json()) as Json[];
    expect(page.map((i) => values(i, '00080018')[0])).toHaveLength(2);
    expect(res.headers.get('warning')).toMatch(/^299 .*1 additional result/);
    const all = await getJson(`/studies/${STUDY}/instances`);
    expect(all).toHaveLength(4);
    expect(page).toEqual(all.slice(1, 3));
  });

  it('lists the CT and SEG series with the fields OHIF includes', async () => {
    const series = await getJson(`/studies/${STUDY}/series?includefield=00080021%2C00080031%2C0008103E%2C00200011`);
    const byModality = Object.fromEntries(series.map((s) => [values(s, '00080060')[0], s]));
    expect(Object.keys(byModality).sort()).toEqual(['CT', 'SEG']);
    expect(values(byModality.CT as Json, '0020000E')).toEqual([CT_SERIES]);
    expect(values(byModality.CT as Json, '00201209')).toEqual([3]);
    expect(values(byModality.SEG as Json, '0020000E')).toEqual([SEG_SERIES]);
    expect(values(byModality.SEG as Json, '0008103E')).toEqual(['Liver Segmentation']);
    expect(values(byModality.SEG as Json, '00080021')).toEqual(['20160318']);
    expect(await getJson(`/studies/${STUDY}/series?SeriesInstanceUID=${SEG_SERIES}`)).toHaveLength(1);
  });

  it('gives series metadata with BulkDataURIs instead of pixel data', async () => {
    const ct = await getJson(`/studies/${STUDY}/series/${CT_SERIES}/metadata`);
    expect(ct).toHaveLength(3);
    for (const instance of ct) {
      const pixelData = instance['7FE00010'];
      expect(pixelData?.Value).toBeUndefined();
      const sop = values(instance, '00080018')[0] as string;
      expect(pixelData?.BulkDataURI).toBe(`/dicomweb${instancePath(CT_SERIES, sop)}/bulk/7FE00010`);
      expect(Object.keys(instance).every((tag) => /^[0-9A-F]{8}$/.test(tag) && !tag.endsWith('0000'))).toBe(true);
      expect(values(instance, '00083002')).toEqual(['1.2.840.10008.1.2']);
    }
    const [seg] = await getJson(`/studies/${STUDY}/series/${SEG_SERIES}/metadata`);
    // The SEG handler reads these from the metadata.
    expect(values(seg as Json, '00280008')).toEqual([3]);
    expect((seg as Json)['52009230']?.Value).toHaveLength(3);
    expect((seg as Json)['00620002']?.Value).toHaveLength(1);
    expect(await getJson(`/studies/${STUDY}/metadata`)).toHaveLength(4);
  });

  it('answers a frame request with one part holding exactly that slice', async () => {
    const [first] = await getJson(`/studies/${STUDY}/series/${CT_SERIES}/metadata`);
    const json = first as Json;
    const sop = values(json, '00080018')[0] as string;
    const rows = values(json, '00280010')[0] as number;
    const columns = values(json, '00280011')[0] as number;
    const res = await get(`${instancePath(CT_SERIES, sop)}/frames/1`, FRAMES_ACCEPT);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^multipart\/related; type="application\/octet-stream"; boundary=/);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const parts = parseMultipart(res.headers.get('content-type'), Buffer.from(await res.arrayBuffer()));
    expect(parts).toHaveLength(1);
    const [part] = parts as [ParsedPart];
    expect(part.headers['content-type']).toBe('application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1');
    expect(part.body.length).toBe(rows * columns * 2);
    const file = ['01.dcm', '02.dcm', '03.dcm'].map(sample.file).find((f) => readFileSync(f).includes(sop));
    expect(part.body.equals(pixelDataOf(file as string))).toBe(true);
  });

  it("serves all the SEG's bit-packed frames and its whole pixel data", async () => {
    const [seg] = await getJson(`/studies/${STUDY}/series/${SEG_SERIES}/metadata`);
    const json = seg as Json;
    const [rows, columns, frames] = ['00280010', '00280011', '00280008'].map((t) => values(json, t)[0] as number);
    const expected = pixelDataOf(sample.file('liver.dcm'));
    const frameBytes = ((rows as number) * (columns as number)) / 8;

    const res = await get(`${instancePath(SEG_SERIES, SEG_SOP)}/frames/1,2,3`, FRAMES_ACCEPT);
    const parts = parseMultipart(res.headers.get('content-type'), Buffer.from(await res.arrayBuffer()));
    expect(parts.map((p) => p.body.length)).toEqual([frameBytes, frameBytes, frameBytes]);
    parts.forEach((p, i) => expect(p.body.equals(expected.subarray(i * frameBytes, (i + 1) * frameBytes))).toBe(true));
    expect(parts.some((p) => p.body.some((b) => b !== 0))).toBe(true);

    const bulk = await get(
      json['7FE00010']?.BulkDataURI?.replace('/dicomweb', '') ?? '',
      'multipart/related; type="application/octet-stream"',
    );
    const [whole] = parseMultipart(bulk.headers.get('content-type'), Buffer.from(await bulk.arrayBuffer()));
    expect(whole?.body.length).toBe(Math.ceil(((rows as number) * (columns as number) * (frames as number)) / 8));
    expect(whole?.body.equals(expected)).toBe(true);

    const single = await get(`${instancePath(SEG_SERIES, SEG_SOP)}/bulk/7FE00010`, 'application/octet-stream');
    expect(single.headers.get('content-type')).toBe('application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1');
    expect(Buffer.from(await single.arrayBuffer()).equals(expected)).toBe(true);
  });

  it('returns whole instances as multipart application/dicom, and by WADO-URI', async () => {
    const file = readFileSync(sample.file('liver.dcm'));
    // What dicomweb-client's retrieveInstance sends (OHIF prefetches the SEG this way).
    const res = await get(instancePath(SEG_SERIES, SEG_SOP), 'multipart/related; type="application/dicom"');
    expect(res.headers.get('content-type')).toMatch(/^multipart\/related; type="application\/dicom"/);
    const [part, ...more] = parseMultipart(res.headers.get('content-type'), Buffer.from(await res.arrayBuffer()));
    expect(more).toEqual([]);
    expect(part?.headers['content-type']).toBe('application/dicom; transfer-syntax=1.2.840.10008.1.2.1');
    expect(part?.body.equals(file)).toBe(true);

    const series = await get(`/studies/${STUDY}/series/${CT_SERIES}`, 'multipart/related; type="application/dicom"');
    expect(parseMultipart(series.headers.get('content-type'), Buffer.from(await series.arrayBuffer()))).toHaveLength(3);

    const uri = await fetch(
      `${base}?requestType=WADO&studyUID=${STUDY}&seriesUID=${SEG_SERIES}&objectUID=${SEG_SOP}` +
        '&contentType=application%2Fdicom&transferSyntax=*',
      { headers: { Accept: FRAMES_ACCEPT } }, // OHIF's loader sends its frame Accept header here too
    );
    expect(uri.status).toBe(200);
    expect(uri.headers.get('content-type')).toBe('application/dicom');
    expect(Buffer.from(await uri.arrayBuffer()).equals(file)).toBe(true);
  });

  it('explains what it cannot do', async () => {
    const expectError = async (res: Response, status: number, message: RegExp) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(await res.text()).toMatch(message);
    };
    await expectError(await get('/studies/1.2.3/series'), 404, /No study 1\.2\.3/);
    await expectError(await get(`/studies/${STUDY}/series/1.2.3/metadata`), 404, /No series 1\.2\.3/);
    await expectError(await get(`${instancePath(SEG_SERIES, '1.2.3')}/frames/1`), 404, /No instance 1\.2\.3/);
    await expectError(await get(`${instancePath(SEG_SERIES, SEG_SOP)}/frames/4`, FRAMES_ACCEPT), 404, /3 frame/);
    await expectError(await get(`${instancePath(SEG_SERIES, SEG_SOP)}/frames/x`), 400, /Frame list/);
    await expectError(await get(`${instancePath(SEG_SERIES, SEG_SOP)}/rendered`), 404, /No DICOMweb resource/);
    await expectError(await get('/studies?Nonsense=1'), 400, /Nonsense/);
    await expectError(await get(`${instancePath(SEG_SERIES, SEG_SOP)}/frames/1`, 'image/jpeg'), 406, /octet-stream/);
    await expectError(await get(`/studies/${STUDY}/metadata`, 'application/dicom+xml'), 406, /dicom\+json/);
    const post = await fetch(`${base}/studies`, { method: 'POST', body: '' });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await expectError(post, 405, /read-only/);
    const head = await fetch(`${base}/studies`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    expect((await get('/elsewhere')).status).toBe(404); // not DICOMweb: left to the server
    expect(await (await get('/elsewhere')).text()).toBe('not DICOMweb');
  });
});
