// The DICOMweb endpoint's bounds on what one request may cost (issue 13): a wildcard query runs
// in linear time whatever was stored, a frame list cannot ask for more than the instance holds,
// and multipart replies are written part by part with their exact length.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import dcmjs from 'dcmjs';

import { createDicomWebHandler } from '../../../viewer/dicomweb/handler';
import { MAX_WILDCARD_PATTERN } from '../../../viewer/dicomweb/qido';
import { CT_SERIES, sampleFiles, SEG_SERIES, SEG_SOP, STUDY, values, type Json } from './dcmqiSample';

const FRAMES_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax="*"';
const JSON_ACCEPT = { Accept: 'application/dicom+json' };
const LONG_STUDY = '2.25.13013';

/** The sample's liver SEG as the one instance of a new study whose StudyDescription is `description`. */
function segOfNewStudy(file: string, description: string): Buffer {
  const bytes = readFileSync(file);
  const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  dicom.dict['0020000D'] = { vr: 'UI', Value: [LONG_STUDY] };
  dicom.dict['0020000E'] = { vr: 'UI', Value: ['2.25.13014'] };
  dicom.dict['00080018'] = { vr: 'UI', Value: ['2.25.13015'] };
  dicom.meta['00020003'] = { vr: 'UI', Value: ['2.25.13015'] };
  dicom.dict['00081030'] = { vr: 'LO', Value: [description] };
  return Buffer.from(dicom.write());
}

describe('the DICOMweb endpoint’s bounds', () => {
  const sample = sampleFiles();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const handler = createDicomWebHandler({ folders: [sample.folder], basePath: '/dicomweb', stow: {} });
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path.startsWith('/dicomweb') && handler(req, res, path.slice('/dicomweb'.length))) return;
      res.writeHead(404).end('not DICOMweb');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicomweb`;
    const boundary = 'b0und4ry';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      segOfNewStudy(sample.file('liver.dcm'), 'a'.repeat(200)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const stored = await fetch(`${base}/studies`, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` },
    });
    expect(stored.status).toBe(200);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    sample.cleanup();
  });

  const timed = async (path: string, accept: string) => {
    const started = performance.now();
    const res = await fetch(base + path, { headers: { Accept: accept } });
    const body = Buffer.from(await res.arrayBuffer());
    return { res, body, ms: performance.now() - started };
  };
  const instancePath = (series: string, sop: string) => `/studies/${STUDY}/series/${series}/instances/${sop}`;

  it('runs many-star wildcard queries over a long stored value in linear time', async () => {
    // The query took 8.6 s with the backtracking regular expression, blocking every route.
    const miss = await timed('/studies?StudyDescription=*a*a*a*a*b', JSON_ACCEPT.Accept);
    expect(miss.res.status).toBe(200);
    expect(JSON.parse(miss.body.toString())).toEqual([]);
    expect(miss.ms).toBeLessThan(2000); // a few ms on a quiet machine
    const hit = await timed(`/studies?StudyDescription=${'*a'.repeat(40)}*`, JSON_ACCEPT.Accept);
    expect((JSON.parse(hit.body.toString()) as Json[]).map((s) => values(s, '0020000D')[0])).toEqual([LONG_STUDY]);
    expect(hit.ms).toBeLessThan(2000);
  });

  it('refuses over-long wildcard patterns with 400', async () => {
    const { res, body } = await timed(`/studies?StudyDescription=*${'a'.repeat(MAX_WILDCARD_PATTERN)}*`, '*/*');
    expect(res.status).toBe(400);
    expect(body.toString()).toMatch(new RegExp(`longer than ${MAX_WILDCARD_PATTERN}`));
  });

  it('refuses a frame list that names a frame twice, at once and without building a reply', async () => {
    // 10 KB of "1,": 2.6 GB of reply in memory before, for a CT slice.
    const list = `${'1,'.repeat(5000)}1`;
    for (const path of [
      `${instancePath(SEG_SERIES, SEG_SOP)}/frames/${list}`,
      `${instancePath(SEG_SERIES, SEG_SOP)}/frames/2,3,2`,
    ]) {
      const { res, body, ms } = await timed(path, FRAMES_ACCEPT);
      expect(res.status).toBe(400);
      expect(body.toString()).toMatch(/frame \d+ is listed twice/);
      expect(ms).toBeLessThan(2000);
    }
  });

  it('serves frames in the order asked for, each once, with the exact Content-Length', async () => {
    const one = await timed(`${instancePath(SEG_SERIES, SEG_SOP)}/frames/1`, 'application/octet-stream');
    const frameBytes = one.body.length;
    const { res, body } = await timed(`${instancePath(SEG_SERIES, SEG_SOP)}/frames/3,1,2`, FRAMES_ACCEPT);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    const boundary = /boundary=([^;]+)/.exec(res.headers.get('content-type') ?? '')?.[1] ?? '';
    const parts = body.toString('latin1').split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(3);
    const second = body.indexOf(Buffer.from(`--${boundary}`), 1);
    const firstBody = body.subarray(body.indexOf('\r\n\r\n') + 4, second - 2);
    expect(firstBody.length).toBe(frameBytes);
    const three = await timed(`${instancePath(SEG_SERIES, SEG_SOP)}/frames/3`, 'application/octet-stream');
    expect(firstBody.equals(three.body)).toBe(true);

    // Whole instances too: a series of three Part 10 files, written one after another.
    const series = await timed(`/studies/${STUDY}/series/${CT_SERIES}`, 'multipart/related; type="application/dicom"');
    expect(series.res.status).toBe(200);
    expect(Number(series.res.headers.get('content-length'))).toBe(series.body.length);
    const head = await fetch(`${base}/studies/${STUDY}/series/${CT_SERIES}`, {
      method: 'HEAD',
      headers: { Accept: 'multipart/related; type="application/dicom"' },
    });
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(3 * 500_000);
  });
});
