/**
 * Fetching a model file as the worker does (fetchModelFile, real fetch over the loopback): a missing
 * file says "not found at <URL>" whether the server answers 404 or, as a single-page app's fallback
 * does, 200 with its index.html; a wrong file is named corrupt; the right one arrives with progress.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseModelManifest, type ModelEntry } from '../../../extensions/sam-segmentation/src/core';
import { fetchModelFile } from '../../../extensions/sam-segmentation/src/runtime/modelFiles';

const encoder = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 8) % 251);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const INDEX_HTML = '<!DOCTYPE html><html><head><title>OHIF</title></head><body><div id="root"></div></body></html>';

function entry(): ModelEntry {
  const manifest = parseModelManifest({
    version: 1,
    defaultModel: 'm',
    models: [
      {
        id: 'm',
        name: 'Test model',
        family: 'sam',
        version: '1',
        description: 'test',
        licence: { spdx: 'MIT' },
        segmentAnythingWeights: false,
        files: {
          encoder: { file: 'encoder.onnx', bytes: encoder.length, sha256: sha256(encoder) },
          decoder: { file: 'decoder.onnx', bytes: 10 },
        },
        recommendedBackend: 'any',
      },
    ],
  });
  return manifest.models[0]!;
}

let server: Server;
let base: string;
/** What the server answers for each path: its status, content type and body. */
const routes = new Map<string, { status: number; type: string; body: Uint8Array | string }>();

beforeAll(async () => {
  server = createServer((req, res) => {
    // Unknown paths get index.html with 200, as `try_files $uri /index.html` does.
    const route = routes.get(req.url ?? '') ?? { status: 200, type: 'text/html', body: INDEX_HTML };
    res.writeHead(route.status, { 'Content-Type': route.type });
    res.end(route.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => routes.clear());

describe('fetchModelFile', () => {
  it('says "not found at <URL>" when the server answers its index.html for the missing file', async () => {
    await expect(fetchModelFile(entry(), 'encoder', base)).rejects.toThrow(
      `The encoder of Test model is not found at ${base}m/encoder.onnx: the server answered with a web page`,
    );
  });

  it('says the same when the page comes without an HTML type, and on a 404', async () => {
    routes.set('/models/m/encoder.onnx', { status: 200, type: 'application/octet-stream', body: INDEX_HTML });
    await expect(fetchModelFile(entry(), 'encoder', base)).rejects.toThrow(/is not found at .*: the server answered/);
    routes.set('/models/m/encoder.onnx', { status: 404, type: 'text/plain', body: 'Not found' });
    await expect(fetchModelFile(entry(), 'encoder', base)).rejects.toThrow(
      new RegExp(`The encoder of Test model is not found at ${base}m/encoder\\.onnx\\. It is built by the project`),
    );
  });

  it('calls a file of the wrong size or checksum what it is, and passes the right one with progress', async () => {
    const wrong = encoder.slice();
    wrong[0] = 0;
    routes.set('/models/m/encoder.onnx', { status: 200, type: 'application/octet-stream', body: wrong });
    await expect(fetchModelFile(entry(), 'encoder', base)).rejects.toThrow(/is corrupt or another file: SHA-256/);
    routes.set('/models/m/encoder.onnx', { status: 200, type: 'application/octet-stream', body: encoder });
    const progress: number[] = [];
    const bytes = await fetchModelFile(entry(), 'encoder', base, (p) => progress.push(p.loadedBytes));
    expect(sha256(bytes)).toBe(sha256(encoder));
    expect(progress.at(-1)).toBe(encoder.length);
  });
});
