/**
 * `npm run models -- fetch <id>` for a model published as a zip archive, end to end through the CLI's
 * `main`: a manifest with https URLs in a temporary models folder, the archive built in the test and served
 * from a loopback server (the test's fetch redirects the manifest's host there).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../tools/models/cli';
import { buildZip } from '../../support/zipWriter';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ENCODER = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 5) % 17));
const ENCODER_DATA = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) % 251));
const DECODER = Buffer.from(Array.from({ length: 9_000 }, (_, i) => (i * 31) % 97));
const ZIP = buildZip(
  [
    { name: 'm.encoder.onnx', data: ENCODER, method: 'deflate' },
    { name: 'm.encoder_data.bin', data: ENCODER_DATA, method: 'stored' },
    { name: 'm.decoder.onnx', data: DECODER, method: 'deflate' },
    { name: 'README.txt', data: Buffer.from('not needed by the model'), method: 'deflate' },
  ],
  { zip64: true },
);
const HOST = 'https://models.example';
const ZIP_URL = `${HOST}/exports/m_archive.zip`;

function manifest(overrides: { archiveSha256?: string | null; decoderSha256?: string; decoderFile?: string } = {}) {
  const { archiveSha256 = sha256(ZIP), decoderSha256 = sha256(DECODER), decoderFile = 'm.decoder.onnx' } = overrides;
  return {
    version: 1,
    defaultModel: 'zipped',
    models: [
      {
        id: 'zipped',
        name: 'A model published as a zip',
        family: 'sam',
        version: 'test',
        description: 'test',
        licence: { spdx: 'Apache-2.0' },
        segmentAnythingWeights: false,
        archive: { url: ZIP_URL, bytes: ZIP.length, ...(archiveSha256 && { sha256: archiveSha256 }) },
        files: {
          encoder: {
            file: 'm.encoder.onnx',
            bytes: ENCODER.length,
            sha256: sha256(ENCODER),
            extraFiles: [{ file: 'm.encoder_data.bin', bytes: ENCODER_DATA.length, sha256: sha256(ENCODER_DATA) }],
          },
          decoder: { file: decoderFile, sha256: decoderSha256 },
        },
        recommendedBackend: 'webgpu',
      },
    ],
  };
}

function modelsDir(json: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'models-archive-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(json));
  return dir;
}

async function zipServer(body: Buffer = ZIP) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url !== '/exports/m_archive.zip') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetchImpl: typeof fetch = (input, init) => fetch(String(input).replace(HOST, base), init);
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { requests, fetchImpl, close };
}

let logged: string[];
beforeEach(() => {
  logged = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => jest.restoreAllMocks());

describe('models fetch for a model published as a zip archive', () => {
  it('downloads the archive, extracts and verifies the model files and extra files, then deletes it', async () => {
    const server = await zipServer();
    const dir = modelsDir(manifest());
    expect(await main(['fetch', 'zipped'], dir, { fetchImpl: server.fetchImpl })).toBe(0);
    await server.close();
    expect(server.requests).toEqual(['/exports/m_archive.zip']);
    expect(readFileSync(join(dir, 'zipped', 'm.encoder.onnx')).equals(ENCODER)).toBe(true);
    expect(readFileSync(join(dir, 'zipped', 'm.encoder_data.bin')).equals(ENCODER_DATA)).toBe(true);
    expect(readFileSync(join(dir, 'zipped', 'm.decoder.onnx')).equals(DECODER)).toBe(true);
    expect(existsSync(join(dir, 'zipped', 'm_archive.zip'))).toBe(false);
    expect(existsSync(join(dir, 'zipped', 'README.txt'))).toBe(false);
    expect(logged.join('\n')).toMatch(/m_archive\.zip: deleted/);

    logged = [];
    expect(await main(['verify', 'zipped'], dir)).toBe(0);
    expect(logged).toHaveLength(3);
    expect(logged.every((line) => /: ok, sha256 [0-9a-f]{64}$/.test(line))).toBe(true);
    // A second fetch finds everything in place and downloads nothing.
    expect(await main(['fetch', 'zipped'], dir, { fetchImpl: () => Promise.reject(new Error('no network')) })).toBe(0);
  });

  it('extracts from an archive copied in by hand, without the network', async () => {
    const dir = modelsDir(manifest());
    mkdirSync(join(dir, 'zipped'));
    writeFileSync(join(dir, 'zipped', 'm_archive.zip'), ZIP);
    logged = [];
    expect(await main(['verify', 'zipped'], dir)).toBe(0);
    expect(logged[0]).toMatch(
      /m\.encoder\.onnx: not downloaded \(its archive is here: run `npm run models -- fetch zipped`/,
    );
    const offline: typeof fetch = () => Promise.reject(new Error('no network'));
    expect(await main(['fetch', 'zipped'], dir, { fetchImpl: offline })).toBe(0);
    expect(readFileSync(join(dir, 'zipped', 'm.decoder.onnx')).equals(DECODER)).toBe(true);
    expect(existsSync(join(dir, 'zipped', 'm_archive.zip'))).toBe(false);
  });

  it('refuses a member that does not match the manifest, keeping an archive that matches its own checksum', async () => {
    const server = await zipServer();
    const dir = modelsDir(manifest({ decoderSha256: 'e'.repeat(64) }));
    await expect(main(['fetch', 'zipped'], dir, { fetchImpl: server.fetchImpl })).rejects.toThrow(
      new RegExp(
        `m\\.decoder\\.onnx extracted from .*m_archive\\.zip is not the expected file: SHA-256 ${sha256(DECODER)}, ` +
          `expected e{64}\\. It was deleted\\. The archive .*m_archive\\.zip matches its checksum and was kept\\.`,
      ),
    );
    await server.close();
    expect(existsSync(join(dir, 'zipped', 'm.decoder.onnx'))).toBe(false);
    expect(existsSync(join(dir, 'zipped', 'm.decoder.onnx.part'))).toBe(false);
    expect(existsSync(join(dir, 'zipped', 'm_archive.zip'))).toBe(true);
  });

  it('refuses a damaged archive (a member fails its CRC-32) and deletes it when no checksum pins it', async () => {
    const damaged = Buffer.from(ZIP);
    const at = damaged.indexOf(ENCODER_DATA.subarray(0, 64));
    damaged[at + 30_000] = damaged[at + 30_000]! ^ 0x0f;
    const server = await zipServer(damaged);
    const dir = modelsDir(manifest({ archiveSha256: null }));
    await expect(main(['fetch', 'zipped'], dir, { fetchImpl: server.fetchImpl })).rejects.toThrow(
      /m\.encoder_data\.bin could not be extracted: member "m\.encoder_data\.bin" fails its CRC-32 check .*The archive was deleted; run `npm run models -- fetch zipped` again\./,
    );
    await server.close();
    expect(existsSync(join(dir, 'zipped', 'm_archive.zip'))).toBe(false);
    expect(existsSync(join(dir, 'zipped', 'm.encoder_data.bin'))).toBe(false);
  });

  it('refuses an archive whose own checksum does not match, before extracting anything', async () => {
    const server = await zipServer();
    const dir = modelsDir(manifest({ archiveSha256: 'a'.repeat(64) }));
    await expect(main(['fetch', 'zipped'], dir, { fetchImpl: server.fetchImpl })).rejects.toThrow(
      /m_archive\.zip downloaded but is not the expected file: SHA-256 [0-9a-f]{64}, expected a{64}/,
    );
    await server.close();
    expect(existsSync(join(dir, 'zipped', 'm.encoder.onnx'))).toBe(false);
  });

  it('names the members when the manifest asks for one the archive lacks', async () => {
    const server = await zipServer();
    const dir = modelsDir(manifest({ decoderFile: 'decoder.onnx' }));
    await expect(main(['fetch', 'zipped'], dir, { fetchImpl: server.fetchImpl })).rejects.toThrow(
      /has no member "decoder\.onnx" \(the model's decoder\); it holds: m\.encoder\.onnx, m\.encoder_data\.bin, m\.decoder\.onnx, README\.txt/,
    );
    await server.close();
  });

  it('tells an offline user which archive to download, where to put it, and what to run then', async () => {
    const server = await zipServer();
    await server.close(); // nothing listens on that port any more
    const dir = modelsDir(manifest());
    const error = await main(['fetch', 'zipped'], dir, { fetchImpl: server.fetchImpl }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`Could not reach models.example`);
    expect(message).toContain(`If this machine is offline, download\n  ${ZIP_URL}\non a machine with internet`);
    expect(message).toContain(`copy it to\n  ${join(dir, 'zipped', 'm_archive.zip')}\nthen run`);
    expect(message).toContain('`npm run models -- fetch zipped` again: it extracts m.encoder.onnx, m.encoder_data.bin');
  });
});
