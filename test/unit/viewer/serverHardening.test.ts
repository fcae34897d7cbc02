// The demo server under hostile or careless requests (issue 13): no request may stop it, the
// sample manifests do not depend on the Host header, and every answer says nosniff.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startServer, withErrorBoundary, type RunningServer } from '../../../viewer/server';
import { SAMPLE_STUDIES } from '../../../viewer/samples';
import { rawRequest, rawSocketStatus } from './rawHttp';

interface Manifest {
  studies: Array<{ series: Array<{ instances: Array<{ url: string }> }> }>;
}
const instanceUrls = (manifest: Manifest) =>
  manifest.studies.flatMap((s) => s.series.flatMap((se) => se.instances.map((i) => i.url)));

describe('the demo server under malformed requests', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(() => server.close());

  it('answers malformed %-escapes in file paths with 400 and stays up', async () => {
    // `curl --path-as-is http://127.0.0.1:3000/%ff` ended the process (URIError in safeJoin).
    for (const path of ['/%ff', '/ohif-sam/extension/%ff.js', '/samples/%E0%80.json', '/assets/%', '/%c0%ae%c0%ae/']) {
      const res = await rawRequest(server.origin, { path });
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.toString()).toMatch(/malformed %-escape/);
    }
    const nul = await rawRequest(server.origin, { path: '/assets/%00.png' });
    expect(nul.status).toBe(400);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('answers targets that no URL parser takes, and CONNECT (405), without stopping', async () => {
    // `new URL('//[', base)` throws: it ended the process too. Here `//[` is a path (a client-side
    // route of the single-page viewer, so its page), not a host.
    for (const path of ['//[', '//[::1', '//a:b@[x']) {
      expect([path, (await rawRequest(server.origin, { path })).status]).toEqual([path, 200]);
    }
    expect(await rawSocketStatus(server.origin, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(
      400,
    );
    expect(await rawSocketStatus(server.origin, 'GET *x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(400);
    // Node closes a CONNECT without any answer unless the server takes it.
    expect(
      await rawSocketStatus(server.origin, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
    ).toBe(405);
    // A path starting with `//` is a path, not another host.
    expect((await rawRequest(server.origin, { path: '//ohif-sam/mode/index.js' })).status).toBe(200);
    expect((await fetch(server.url)).status).toBe(200);
  });
});

describe('the error boundary around the request handler', () => {
  let server: Server;
  let origin: string;
  let logged: unknown[][];
  const error = jest.spyOn(console, 'error');
  beforeAll(async () => {
    server = createServer(
      withErrorBoundary((req, res) => {
        if (req.url === '/throw') throw new Error('boom');
        if (req.url === '/throw-late') {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.write('partial');
          throw new Error('late boom');
        }
        if (req.url === '/reject') return Promise.reject(new Error('async boom'));
        res.end('fine');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    logged = [];
    error.mockImplementation((...args: unknown[]) => void logged.push(args));
  });
  afterAll(async () => {
    error.mockRestore();
    await new Promise((resolve) => server.close(resolve));
  });

  it('turns an exception into a logged 500 and keeps serving', async () => {
    const res = await rawRequest(origin, { path: '/throw' });
    expect(res.status).toBe(500);
    expect(res.body.toString()).toMatch(/Internal server error/);
    expect(res.body.toString()).not.toMatch(/boom/); // the details go to the log, not to the client
    expect(String(logged[0]?.[1])).toMatch(/boom/);
    const rejected = await rawRequest(origin, { path: '/reject' });
    expect(rejected.status).toBe(500);
    expect(String(logged[1]?.[1])).toMatch(/async boom/);
    // Once the headers are out, the connection is cut: the client sees a broken reply, not a 200.
    await expect(rawRequest(origin, { path: '/throw-late' })).rejects.toThrow();
    expect((await rawRequest(origin, { path: '/' })).body.toString()).toBe('fine');
  });
});

describe('the sample manifests', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, basePath: '/ohif/' });
  });
  afterAll(() => server.close());

  const manifestPath = `/ohif/samples/${SAMPLE_STUDIES[0]!.manifest}`;

  it('are valid JSON whatever the Host header holds, with the instances on this server', async () => {
    // `Host: a"b` broke the JSON; `Host: evil.example` pointed every instance at that host.
    for (const host of ['a"b', 'evil.example', 'evil.example:3000', '127.0.0.1\\x', 'localhost']) {
      const res = await rawRequest(server.origin, { path: manifestPath, headers: { Host: host } });
      expect(res.status).toBe(200);
      const text = res.body.toString();
      expect(text).not.toContain('evil');
      const urls = instanceUrls(JSON.parse(text) as Manifest);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url).toMatch(/^dicomweb:\/ohif\/samples\/[^"\\]+\.dcm$/);
    }
  });

  it('name instances the server serves, relative to the page’s origin', async () => {
    const manifest = (await (await fetch(`${server.origin}${manifestPath}`)).json()) as Manifest;
    const urls = instanceUrls(manifest);
    expect(JSON.stringify(manifest)).not.toContain('${SAMPLES_BASE}');
    for (const url of urls) {
      // Cornerstone's dicomweb: loader strips the scheme and fetches the rest from the page's origin.
      const res = await fetch(new URL(url.slice('dicomweb:'.length), server.url), { method: 'HEAD' });
      expect([url, res.status, res.headers.get('content-type')]).toEqual([url, 200, 'application/dicom']);
    }
  });
});

describe('the demo server’s security headers', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, basePath: '/ohif/' });
  });
  afterAll(() => server.close());

  it('sends X-Content-Type-Options: nosniff on every response', async () => {
    const requests: Array<[method: string, path: string, status: number]> = [
      ['GET', '/ohif/', 200],
      ['GET', '/ohif/sam?StudyInstanceUIDs=1.2.3', 200],
      ['GET', '/ohif/app-config.js', 200],
      ['GET', '/ohif/ohif-sam/extension/index.js', 200],
      ['HEAD', '/ohif/ohif-sam/extension/ort/ort-wasm-simd-threaded.jsep.wasm', 200],
      ['GET', `/ohif/samples/${SAMPLE_STUDIES[0]!.manifest}`, 200],
      ['GET', '/ohif/dicomweb/studies', 200],
      ['GET', '/ohif/dicomweb/studies/1.2.3/series', 404],
      ['GET', '/ohif/missing.js', 404],
      ['GET', '/elsewhere', 404],
      ['POST', '/ohif/ohif-sam/mode/index.js', 405],
      ['GET', '/ohif/%ff', 400],
      ['GET', '/ohif', 302],
    ];
    for (const [method, path, status] of requests) {
      const res = await rawRequest(server.origin, { method, path, headers: { Accept: '*/*' } });
      expect([method, path, res.status, res.headers['x-content-type-options']]).toEqual([
        method,
        path,
        status,
        'nosniff',
      ]);
    }
  });

  it('sends a Content-Security-Policy with the viewer page that keeps OHIF and onnxruntime working', async () => {
    for (const path of ['/ohif/', '/ohif/sam?StudyInstanceUIDs=1.2.3']) {
      const csp = (await fetch(`${server.origin}${path}`)).headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
          .map(([n, ...v]) => [n, v]),
      );
      expect(directives.get('default-src')).toContain("'self'");
      expect(directives.get('script-src')).toEqual(expect.arrayContaining(["'self'", "'wasm-unsafe-eval'", 'blob:']));
      expect(directives.get('worker-src')).toEqual(expect.arrayContaining(["'self'", 'blob:']));
      expect(directives.get('connect-src')).toContain("'self'");
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'self'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      // Only the page's own origin: nothing is fetched from elsewhere at run time.
      expect(csp).not.toMatch(/https?:|\*/);
    }
  });
});
