// A bounded fuzz test of the demo server (issue 13): a fixed number of random and malformed
// requests from a seeded generator, over the loopback, against the whole server (files, sample
// manifests, the DICOMweb endpoint with STOW-RS). Each must be answered within a time bound with
// a status below 500 (no 5xx is correct for any of them), the server must still serve a normal
// request at the end, and the process's memory must not have grown past a bound.
//
// Bounded by count, not by time: the same seed sends the same requests on every run, so a
// failure names a request that can be replayed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import dcmjs from 'dcmjs';

import { startServer, type RunningServer } from '../../../viewer/server';
import { mulberry32 } from '../../../viewer/samples/prng';
import { CT_SERIES, SEG_SERIES, SEG_SOP, STUDY } from '../dicomweb/dcmqiSample';
import { rawRequest, rawSocketStatus, type RawRequest } from './rawHttp';

const SEED = 0x13;
const REQUESTS = 500;
const IN_FLIGHT = 4;
/** Per request, generous for a loaded 2-core machine: a normal answer takes milliseconds. */
const ANSWER_MS = 5000;
/** Growth of the process's RSS over the whole run; before the fixes one frame list took 2.6 GB. */
const RSS_GROWTH_BOUND = 300 * 1024 * 1024;

const SAMPLE_DIR = join(__dirname, '..', '..', '..', 'viewer', 'samples', 'dcmqi-liver-ct');
const LIVER = readFileSync(join(SAMPLE_DIR, 'liver.dcm'));
const CT_SOP = '1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.23431.1';

type Case = { kind: 'http'; request: RawRequest } | { kind: 'socket'; bytes: string };

/** The sample SEG as a new instance of `study` (a valid STOW-RS part). */
function segCopy(n: number, study: string): Buffer {
  const dicom = dcmjs.data.DicomMessage.readFile(LIVER.buffer.slice(LIVER.byteOffset, LIVER.byteOffset + LIVER.length));
  dicom.dict['0020000D'] = { vr: 'UI', Value: [study] };
  dicom.dict['0020000E'] = { vr: 'UI', Value: [`2.25.77${n}`] };
  dicom.dict['00080018'] = { vr: 'UI', Value: [`2.25.78${n}`] };
  dicom.meta['00020003'] = { vr: 'UI', Value: [`2.25.78${n}`] };
  return Buffer.from(dicom.write());
}

function generator(seed: number) {
  const random = mulberry32(seed);
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chance = (p: number) => random() < p;
  const word = (alphabet: string, length: number) => Array.from({ length }, () => pick([...alphabet])).join('');
  let stored = 0;

  const ESCAPES = [
    '%ff',
    '%00',
    '%2e%2e%2f',
    '%2e%2e',
    '..',
    '.',
    '%252e%252e%252f',
    '%c0%ae%c0%ae%c0%af',
    '%e0%80%ae',
    '%f0%80%80%ae',
    '..\\..\\',
    '\\',
    '%5c..%5c',
    '%',
    '%%',
    '%zz',
    '%u002e',
    '',
    '%2f',
    '%0d%0a',
    ';',
    '?',
    '#',
    '..%00',
    '%ed%a0%80',
    'ÿ',
    '"',
    "'",
    '<script>',
    '~',
    '*',
    '%2A',
  ];
  const SEGMENTS = [
    'sam',
    'extension',
    'mode',
    'models',
    'ort',
    'samples',
    'generated',
    'dicomweb',
    'studies',
    'series',
    'instances',
    'frames',
    'bulk',
    'metadata',
    'assets',
    'index.html',
    'index.js',
    'app-config.js',
    'manifest.json',
    'package.json',
    'etc',
    'passwd',
    'dcmqi-liver-ct',
    'liver.dcm',
    'all.json',
    STUDY,
  ];
  const segment = () => (chance(0.5) ? pick(ESCAPES) : pick(SEGMENTS)) + (chance(0.2) ? pick(ESCAPES) : '');
  const escapedPath = () => {
    const prefix = pick(['/', '/', '//', '/ohif/', '/./', '\\', '/%2e/']);
    return prefix + Array.from({ length: 1 + int(6) }, segment).join(pick(['/', '/', '\\', '//', '%2f']));
  };
  const instance = () =>
    pick([
      `studies/${STUDY}/series/${SEG_SERIES}/instances/${SEG_SOP}`,
      `studies/${STUDY}/series/${CT_SERIES}/instances/${CT_SOP}`,
      `studies/${STUDY}/series/${SEG_SERIES}/instances/1.2.3`,
    ]);
  const frameList = () =>
    pick([
      () => `${'1,'.repeat(1 + int(5000))}1`,
      () => Array.from({ length: 1 + int(400) }, (_, i) => i + 1).join(','),
      () => Array.from({ length: 1 + int(50) }, () => int(5)).join(','),
      () =>
        pick(['0', '-1', '1.5', '%201', '1,,2', ',', '99999999999999999999', '1e3', '0x1', 'abc', '%31', '1%2C2', '']),
      () => `${'9'.repeat(1 + int(400))}`,
    ])();
  const pattern = () =>
    pick([
      () => `${'*a'.repeat(1 + int(40))}*b`,
      () => `*${'a'.repeat(200 + int(400))}*`,
      () => word('ab*?%', 1 + int(30)),
      () => pick(['*', '?', '**', '*?*', '', '\\', '*janct*', 'JAN?CT*', '%', '%ff']),
    ])();
  const number = () => pick(['0', '1', '101', '-1', '', 'abc', '1e9', '99999999999999999999', '9'.repeat(300), '1.5']);
  const qidoQuery = () => {
    const params: string[] = [];
    for (let i = int(6); i > 0; i--) {
      params.push(
        pick([
          () => `PatientName=${encodeURIComponent(pattern())}`,
          () => `StudyDescription=${encodeURIComponent(pattern())}`,
          () => `00100020=${encodeURIComponent(pattern())}`,
          () => `ModalitiesInStudy=${pick(['CT', 'CT,MR', 'S*', '?', ',,,', '\\\\'])}`,
          () => `StudyDate=${pick(['20030417', '-', '--', '20200101-20191231', '2003-', 'x-y', '-'.repeat(50)])}`,
          () => `StudyInstanceUID=${Array.from({ length: 1 + int(300) }, (_, n) => `1.2.${n}`).join('%5C')}`,
          () => `limit=${number()}`,
          () => `offset=${number()}`,
          () => `includefield=${pick(['all', '00081030,00080060', 'Nope', ',,,', '0008103E%2C'.repeat(100)])}`,
          () => `fuzzymatching=${pick(['true', 'false', 'maybe'])}`,
          () => `${pick(['Nonsense', '', '%ff', 'limit', 'LIMIT', '00100010'])}=${pick(['%ff', '%', 'x', ''])}`,
        ])(),
      );
    }
    return params.join(pick(['&', '&', '&&', ';']));
  };
  const accept = () =>
    pick([
      undefined,
      '*/*',
      'application/dicom+json',
      'multipart/related; type="application/octet-stream"; transfer-syntax="*"',
      'multipart/related; type="application/dicom"',
      'multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.4.50',
      'application/octet-stream',
      'multipart/related; type="',
      '*/*;q=abc, text/html;q=0',
      ',;,;'.repeat(500),
      'image/jpeg',
    ]);
  const dicomweb = () => {
    const root = pick(['/dicomweb', '/ohif/dicomweb', '/dicomweb/', '/DICOMWEB']);
    const path = pick([
      () => `studies?${qidoQuery()}`,
      () => `series?${qidoQuery()}`,
      () => `instances?${qidoQuery()}`,
      () => `studies/${STUDY}/series?${qidoQuery()}`,
      () => `studies/${STUDY}/instances?${qidoQuery()}`,
      () => `${instance()}/frames/${frameList()}`,
      () => `${instance()}/frames/${frameList()}`,
      () => `${instance()}/bulk/${pick(['7FE00010', '7fe00010', '00000000', '%ff', '..', '7FE00010/x'])}`,
      () => `${instance()}/metadata`,
      () => `${instance()}${pick(['', '/', '/rendered', '/thumbnail'])}`,
      () => `studies/${STUDY}${pick(['', '/metadata', '/series', `/series/${CT_SERIES}`])}`,
      () =>
        `?requestType=WADO&studyUID=${STUDY}&seriesUID=${SEG_SERIES}&objectUID=${pick([SEG_SOP, '1.2', ''])}` +
        `&contentType=${pick(['application/dicom', 'image/jpeg', '*/*', '%ff'])}&transferSyntax=${pick(['*', '1.2', ''])}`,
      () => `studies/${pick([STUDY, '%ff', '..', '', '1.2.3'])}/${pick(['series', '%2e%2e', 'x/y/z'])}`,
    ])();
    return `${root}${path.startsWith('?') ? '' : '/'}${path}`;
  };
  /** A STOW-RS body: most with a sound envelope, so that the parts (cut, mutated, foreign) are read. */
  const multipart = (): { body: Buffer; contentType: string } => {
    const sound = chance(0.6);
    const boundary = sound
      ? pick(['b0und4ry', 'x', '"quoted boundary"'])
      : pick(['--', 'a'.repeat(70), '', 'b0und4ry']);
    const bare = boundary.replace(/"/g, '');
    const part = () =>
      pick([
        () => LIVER.subarray(0, int(LIVER.length)), // cut short
        () => {
          const mutated = Buffer.from(LIVER);
          for (let i = 1 + int(20); i > 0; i--) mutated[132 + int(mutated.length - 132)] = int(256);
          return mutated;
        },
        () =>
          Buffer.concat([
            Buffer.alloc(128),
            Buffer.from('DICM'),
            Buffer.from(word('\x00\x02\x10UIOB\xff', int(2000)), 'latin1'),
          ]),
        () => Buffer.from(word('abc\r\n-', int(500)), 'latin1'),
        () => Buffer.alloc(0),
        () => (stored < 3 ? segCopy(stored++, pick([STUDY, '2.25.1313'])) : LIVER),
      ])();
    const parts = Array.from({ length: (sound ? 1 : 0) + int(3) }, part);
    const delimiter = sound ? `--${bare}` : pick([`--${bare}`, `--other`, bare]);
    const body = Buffer.concat([
      ...parts.flatMap((p) => [
        Buffer.from(
          `${pick(['', '\r\n'])}${delimiter}\r\n${pick(['Content-Type: application/dicom\r\n', 'Content-Type: application/dicom\r\n', '', 'Content-Type: text/plain\r\n', 'X: y'])}\r\n`,
        ),
        p,
        Buffer.from('\r\n'),
      ]),
      Buffer.from(sound ? `${delimiter}--` : pick([`--${bare}--\r\n`, '', '--'])),
    ]);
    if (sound) return { body, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
    const contentType = pick([
      `multipart/related; type="application/dicom"; boundary=${boundary}`,
      `multipart/related; boundary=${boundary}`,
      `multipart/related; type="application/dicom+xml"; boundary=${boundary}`,
      'multipart/related; type="application/dicom"',
      'application/dicom',
      'application/json',
      `multipart/related; type="application/dicom"; boundary=${boundary}; boundary=other`,
    ]);
    return { body, contentType };
  };
  const stow = (): RawRequest => {
    const { body, contentType } = multipart();
    return {
      method: 'POST',
      path: pick([
        '/dicomweb/studies',
        `/dicomweb/studies/${STUDY}`,
        '/dicomweb/studies/2.25.1',
        '/dicomweb/series',
        '/dicomweb',
      ]),
      headers: { 'Content-Type': contentType, Accept: pick(['application/dicom+json', '*/*', '', 'text/html']) },
      body,
    };
  };
  const METHODS = [
    'GET',
    'GET',
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'DELETE',
    'OPTIONS',
    'PATCH',
    'TRACE',
    'PROPFIND',
    'MKCOL',
    'LOCK',
    'SEARCH',
    'PURGE',
    'FOO',
    'M-SEARCH',
  ];
  const oddHeaders = () => {
    const headers: Record<string, string> = {};
    for (let i = int(4); i > 0; i--) {
      const [name, value] = pick([
        ['Host', pick(['a"b', 'evil.example', '', '[::1]', 'localhost:99999', 'x'.repeat(2000), '127.0.0.1\\'])],
        ['Accept', accept() ?? ''],
        ['Range', pick(['bytes=0-0', 'bytes=-1', 'bytes=a-b', 'bytes=0-1,0-1,0-1'])],
        ['If-None-Match', '*'],
        ['Content-Type', pick(['multipart/related; boundary=', 'text/plain', '%ff'])],
        ['Cookie', 'x='.repeat(2000)],
        ['Expect', '100-continue'],
        ['X-Forwarded-Host', 'evil.example'],
        ['Accept-Encoding', 'gzip, br, *'],
      ] as const);
      headers[name] = value;
    }
    return headers;
  };
  const SOCKET_CASES = [
    'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n',
    'GET /%ff HTTP/1.0\r\n\r\n',
    'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET http://evil.example/samples/generated/all.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: multipart/related; boundary=b\r\n\r\nzz\r\n',
    'POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef',
    'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS ClientHello on the plain port
    `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, // past Node's 16 KiB header limit: 431
  ];

  return (): Case => {
    const roll = random();
    if (roll < 0.06) return { kind: 'socket', bytes: pick(SOCKET_CASES) };
    if (roll < 0.3)
      return { kind: 'http', request: { method: pick(METHODS), path: escapedPath(), headers: oddHeaders() } };
    if (roll < 0.36) {
      const path = `/${pick(['', 'ohif-sam/', 'samples/', 'dicomweb/'])}${word('a%./\\', 1000 + int(14_000))}`;
      return { kind: 'http', request: { path } };
    }
    if (roll < 0.5) return { kind: 'http', request: stow() };
    if (roll < 0.55) {
      const path = pick([
        '/samples/generated/all.json',
        '/samples/generated/dcmqi-liver-ct.json',
        '/samples/generated/%2e%2e/all.json',
      ]);
      return { kind: 'http', request: { path, headers: oddHeaders() } };
    }
    const headers: Record<string, string> = { ...(chance(0.3) ? oddHeaders() : {}) };
    const wanted = accept();
    if (wanted !== undefined) headers.Accept = wanted;
    return {
      kind: 'http',
      request: { method: pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'DELETE']), path: dicomweb(), headers },
    };
  };
}

describe('the demo server under a bounded fuzz', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(() => server.close());

  it(`answers ${REQUESTS} random and malformed requests in time, never with a 5xx, and keeps serving`, async () => {
    const next = generator(SEED);
    const cases = Array.from({ length: REQUESTS }, next);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let slowest = 0;
    const started = performance.now();

    const run = async (c: Case, n: number) => {
      const begun = performance.now();
      const label =
        c.kind === 'socket'
          ? JSON.stringify(c.bytes.slice(0, 120))
          : `${c.request.method ?? 'GET'} ${c.request.path.slice(0, 160)}`;
      try {
        const status =
          c.kind === 'socket'
            ? await rawSocketStatus(server.origin, c.bytes, ANSWER_MS)
            : (await rawRequest(server.origin, { ...c.request, timeoutMs: ANSWER_MS })).status;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        // A socket case may be closed without an answer (Node drops a TLS hello); nothing else may.
        const ok = (status >= 100 && status < 500) || (status === 0 && c.kind === 'socket');
        if (!ok) failures.push(`#${n} ${label}: status ${status}`);
      } catch (error) {
        failures.push(`#${n} ${label}: ${(error as Error).message}`);
      }
      slowest = Math.max(slowest, performance.now() - begun);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    };
    // A few requests at a time, in a fixed order: concurrency without giving up replayability.
    let cursor = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (cursor < cases.length) {
          const n = cursor++;
          await run(cases[n] as Case, n);
        }
      }),
    );
    const elapsed = performance.now() - started;

    expect(failures).toEqual([]);
    expect(slowest).toBeLessThan(ANSWER_MS);
    // Alive and well: the viewer page and a DICOMweb query still answer.
    expect((await fetch(server.url)).status).toBe(200);
    const studies = await fetch(`${server.url}dicomweb/studies`, { headers: { Accept: 'application/dicom+json' } });
    expect(studies.status).toBe(200);
    expect(((await studies.json()) as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(peakRss - rssBefore).toBeLessThan(RSS_GROWTH_BOUND);
    console.log(
      `fuzz: ${REQUESTS} requests in ${(elapsed / 1000).toFixed(1)} s, slowest ${slowest.toFixed(0)} ms, ` +
        `RSS +${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MiB at peak, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
  }, 120_000);
});
