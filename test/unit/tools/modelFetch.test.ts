/**
 * `npm run models -- fetch <id>` through the CLI's `main`, with a manifest in a temporary models folder
 * and its https URLs served from a loopback server (the test's fetch redirects the host there): a failed
 * download leaves no empty folder behind, an entry without a URL is described as it is (built by this
 * project, or simply not downloadable), and a file without a checksum is never called verified.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../tools/models/cli';

const HOST = 'https://models.example';
const ENCODER = Buffer.from(Array.from({ length: 5_000 }, (_, i) => (i * 7) % 253));
const DECODER = Buffer.from(Array.from({ length: 3_000 }, (_, i) => (i * 11) % 241));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type FileSpec = { file: string; url?: string; bytes?: number; sha256?: string };

function entry(id: string, encoder: FileSpec, decoder: FileSpec) {
  return {
    id,
    name: id,
    family: 'sam',
    version: 'test',
    description: 'test',
    licence: { spdx: 'MIT' },
    segmentAnythingWeights: false,
    files: { encoder, decoder },
    recommendedBackend: 'any',
  };
}

const ENTRIES = [
  // Published at URLs that the server does not have: every download fails.
  entry('gone', { file: 'e.onnx', url: `${HOST}/gone/e.onnx` }, { file: 'd.onnx', url: `${HOST}/gone/d.onnx` }),
  // Downloadable weights whose manifest entry lacks the URL.
  entry('no-url', { file: 'e.onnx', sha256: sha256(ENCODER) }, { file: 'd.onnx', sha256: sha256(DECODER) }),
  // The project's own model (models/generate.ts writes it): no URL, by design.
  entry('intensity-similarity-v1', { file: 'encoder.onnx' }, { file: 'decoder.onnx' }),
  // Served, without checksums (the size only for the encoder).
  entry(
    'unpinned',
    { file: 'e.onnx', url: `${HOST}/unpinned/e.onnx`, bytes: ENCODER.length },
    { file: 'd.onnx', url: `${HOST}/unpinned/d.onnx` },
  ),
];

let dir: string;
let server: ReturnType<typeof createServer>;
let fetchImpl: typeof fetch;
let logged: string[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = { '/unpinned/e.onnx': ENCODER, '/unpinned/d.onnx': DECODER }[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fetchImpl = (input, init) => fetch(String(input).replace(HOST, base), init);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'models-fetch-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: 1, defaultModel: 'gone', models: ENTRIES }));
  logged = [];
  jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const fetchModel = (id: string) => main(['fetch', id], dir, { fetchImpl });

describe('npm run models -- fetch', () => {
  it('removes the folder a failed download created, and keeps one that was there before', async () => {
    await expect(fetchModel('gone')).rejects.toThrow(/gone\/e\.onnx: HTTP 404/);
    expect(existsSync(join(dir, 'gone'))).toBe(false);

    mkdirSync(join(dir, 'gone'));
    await expect(fetchModel('gone')).rejects.toThrow(/HTTP 404/);
    expect(existsSync(join(dir, 'gone'))).toBe(true);
  });

  it('says that a downloadable entry without a URL cannot be fetched, not that the project builds it', async () => {
    const error = (await fetchModel('no-url').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^no-url encoder \(e\.onnx\) has no download URL in .*manifest\.json/);
    expect(error.message).not.toMatch(/built by this project|models:generate/);
    expect(existsSync(join(dir, 'no-url'))).toBe(false);
  });

  it('sends the files this project builds to npm run models:generate', async () => {
    await expect(fetchModel('intensity-similarity-v1')).rejects.toThrow(
      /intensity-similarity-v1 encoder is built by this project, not downloaded: run npm run models:generate/,
    );
  });

  it('never calls a file without a checksum verified, downloaded or already here', async () => {
    await fetchModel('unpinned');
    expect(readFileSync(join(dir, 'unpinned', 'e.onnx')).equals(ENCODER)).toBe(true);
    const downloaded = logged.filter((l) => /\.onnx: /.test(l));
    expect(downloaded).toEqual([
      expect.stringMatching(
        new RegExp(
          `e\\.onnx: downloaded \\(size as in the manifest; no checksum in the manifest: not verified; sha256 ${sha256(ENCODER)}\\)$`,
        ),
      ),
      expect.stringMatching(/d\.onnx: downloaded \(no checksum in the manifest: not verified; sha256 [0-9a-f]{64}\)$/),
    ]);
    expect(logged.join('\n')).not.toMatch(/verified$/m);

    logged = [];
    await fetchModel('unpinned');
    expect(logged).toEqual([
      expect.stringMatching(
        /e\.onnx: already here \(size as in the manifest; no checksum in the manifest: not verified\)$/,
      ),
      expect.stringMatching(/d\.onnx: already here \(no checksum in the manifest: not verified\)$/),
    ]);
  });
});
