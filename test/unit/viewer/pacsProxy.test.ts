/**
 * `npm start -- --pacs <url> [--load-samples]`: the demo server in front of a PACS, with the
 * project's own DICOMweb endpoint (STOW-RS on, nothing in it) as that PACS on another port, and a
 * raw upstream that echoes what it received, for what the proxy passes on.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDicomWebHandler } from '../../../viewer/dicomweb/handler';
import { createPacsProxy } from '../../../viewer/pacsProxy';
import { SAMPLE_STUDIES } from '../../../viewer/samples';
import { startServer, type RunningServer } from '../../../viewer/server';
import { storeSampleStudies } from '../../../viewer/storeSamples';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('the demo server with --pacs', () => {
  let pacs: Server;
  let demo: RunningServer;
  let pacsRoot: string;

  beforeAll(async () => {
    const dicomweb = createDicomWebHandler({
      folders: [],
      basePath: '/dicom-web',
      stow: { maxBodyBytes: 64 * 1024 * 1024, maxStoredBytes: 256 * 1024 * 1024 },
    });
    pacs = createServer((req, res) => {
      const path = (req.url ?? '').replace(/^\/dicom-web/, '');
      if (!dicomweb(req, res, path)) res.writeHead(404).end();
    });
    pacsRoot = `http://127.0.0.1:${await listen(pacs)}/dicom-web`;
    demo = await startServer({ port: 0, pacs: pacsRoot });
  });

  afterAll(async () => {
    await demo?.close();
    await close(pacs);
  });

  it('makes the PACS the default data source in place of the sample studies', async () => {
    const config = await (await fetch(`${demo.url}app-config.js`)).text();
    expect(config).toContain("window.config.defaultDataSourceName = 'pacs';");
    expect(config).toContain("qidoRoot: '/dicom-web'");
    expect(config).not.toContain("sourceName: 'samples'");
  });

  it('stores the sample studies by STOW-RS through its proxy, and lists them from the PACS', async () => {
    const stored = await storeSampleStudies(`${demo.origin}/dicom-web`);
    expect(stored.map((s) => s.title)).toEqual(SAMPLE_STUDIES.map((s) => s.title));
    expect(stored.every((s) => s.instances > 0)).toBe(true);
    const res = await fetch(`${demo.origin}/dicom-web/studies`, { headers: { Accept: 'application/dicom+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const studies = (await res.json()) as Array<Record<string, { Value?: string[] }>>;
    expect(studies.map((s) => s['0020000D']?.Value?.[0]).sort()).toEqual(
      SAMPLE_STUDIES.map((s) => s.StudyInstanceUID).sort(),
    );
  });

  it('still serves the viewer’s routes', async () => {
    expect((await fetch(`${demo.url}sam?StudyInstanceUIDs=1.2.3`)).status).toBe(200);
  });
});

describe('the PACS proxy', () => {
  it('passes the browser’s Host (with its port), the method, path, query and body; drops hop-by-hop headers', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.writeHead(201, {
          'Content-Type': 'application/dicom+json',
          'Proxy-Authenticate': 'Basic',
          'X-Pacs': 'yes',
        });
        res.end('{}');
      });
    });
    const port = await listen(upstream);
    const demo = await startServer({ port: 0, pacs: `http://127.0.0.1:${port}/dicom-web/` });
    try {
      const res = await fetch(`${demo.origin}/dicom-web/studies?PatientID=1&limit=2`, {
        method: 'POST',
        body: 'stow body',
        headers: { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=x', 'X-Other': 'kept' },
      });
      expect([res.status, res.headers.get('x-pacs'), res.headers.get('proxy-authenticate')]).toEqual([
        201,
        'yes',
        null,
      ]);
      expect(seen).toMatchObject({
        method: 'POST',
        url: '/dicom-web/studies?PatientID=1&limit=2',
        body: 'stow body',
        headers: { host: new URL(demo.origin).host, 'x-other': 'kept' },
      });
    } finally {
      await demo.close();
      await close(upstream);
    }
  });

  it('answers 502 naming the PACS when it does not answer', async () => {
    const gone = createServer();
    const port = await listen(gone);
    await close(gone);
    const demo = await startServer({ port: 0, pacs: `http://127.0.0.1:${port}/dicom-web` });
    try {
      const res = await fetch(`${demo.origin}/dicom-web/studies`);
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(
        new RegExp(`The PACS at http://127.0.0.1:${port}/dicom-web did not answer \\(ECONNREFUSED\\): is it running`),
      );
    } finally {
      await demo.close();
    }
  });

  it.each([
    ['not a url', /is not a URL/],
    ['ftp://127.0.0.1/dicom-web', /only http: and https:/],
    ['http://127.0.0.1:8042/', /the DICOMweb root's path too/],
    ['http://user:pw@127.0.0.1:8042/dicom-web', /without query, fragment or credentials/],
  ])('refuses --pacs %s, saying why', (url, message) => {
    expect(() => createPacsProxy(url)).toThrow(message);
  });
});
