import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError, downloadModelFile } from '../../../tools/models/download';
import { checkModelFile } from '../../../tools/models/fileIntegrity';

const BYTES = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 251));
const SHA256 = createHash('sha256').update(BYTES).digest('hex');

/** A loopback file server; `honourRange: false` imitates servers that always send the whole file. */
function fileServer(options: { honourRange: boolean }) {
  const ranges: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url !== '/model.onnx') return void res.writeHead(404).end();
    ranges.push(req.headers.range);
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (match && options.honourRange) {
      const start = Number(match[1]);
      res.writeHead(206, {
        'Content-Length': BYTES.length - start,
        'Content-Range': `bytes ${start}-${BYTES.length - 1}/${BYTES.length}`,
      });
      return void res.end(BYTES.subarray(start));
    }
    res.writeHead(200, { 'Content-Length': BYTES.length });
    res.end(BYTES);
  });
  return new Promise<{ url: string; ranges: typeof ranges; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        ranges,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

const tmp = () => mkdtempSync(join(tmpdir(), 'model-dl-'));

describe('downloadModelFile', () => {
  it('downloads, reports progress, verifies and gives the file its final name', async () => {
    const server = await fileServer({ honourRange: true });
    const dest = join(tmp(), 'sub', 'model.onnx');
    const progress: number[] = [];
    await downloadModelFile(
      { file: 'model.onnx', url: `${server.url}/model.onnx`, bytes: BYTES.length, sha256: SHA256 },
      dest,
      {
        onProgress: (p) => progress.push(p.receivedBytes),
      },
    );
    await server.close();
    expect(readFileSync(dest).equals(BYTES)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(progress.at(-1)).toBe(BYTES.length);
  });

  it('resumes a partial download with an HTTP Range request', async () => {
    const server = await fileServer({ honourRange: true });
    const dest = join(tmp(), 'model.onnx');
    writeFileSync(`${dest}.part`, BYTES.subarray(0, 40_000));
    await downloadModelFile({ file: 'model.onnx', url: `${server.url}/model.onnx`, sha256: SHA256 }, dest);
    await server.close();
    expect(server.ranges).toEqual(['bytes=40000-']);
    expect(readFileSync(dest).equals(BYTES)).toBe(true);
  });

  it('starts over when the server ignores the Range request', async () => {
    const server = await fileServer({ honourRange: false });
    const dest = join(tmp(), 'model.onnx');
    writeFileSync(`${dest}.part`, Buffer.from('stale bytes of something else'));
    await downloadModelFile({ file: 'model.onnx', url: `${server.url}/model.onnx`, sha256: SHA256 }, dest);
    await server.close();
    expect(readFileSync(dest).equals(BYTES)).toBe(true);
  });

  it('refuses and deletes a file whose checksum does not match', async () => {
    const server = await fileServer({ honourRange: true });
    const dest = join(tmp(), 'model.onnx');
    const wrong = 'f'.repeat(64);
    await expect(
      downloadModelFile({ file: 'model.onnx', url: `${server.url}/model.onnx`, sha256: wrong }, dest),
    ).rejects.toThrow(new RegExp(`not the expected file: SHA-256 ${SHA256}, expected ${wrong}`));
    await server.close();
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('reports an HTTP error with its status', async () => {
    const server = await fileServer({ honourRange: true });
    await expect(
      downloadModelFile({ file: 'x.onnx', url: `${server.url}/missing.onnx` }, join(tmp(), 'x.onnx')),
    ).rejects.toThrow(/missing\.onnx: HTTP 404/);
    await server.close();
  });

  it('tells an offline user what to download and where to put it', async () => {
    const server = await fileServer({ honourRange: true });
    await server.close(); // nothing listens on that port any more
    const dest = join(tmp(), 'model.onnx');
    const error = await downloadModelFile({ file: 'model.onnx', url: `${server.url}/model.onnx` }, dest).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toContain(`copy it to\n  ${dest}`);
    expect((error as Error).message).toMatch(
      /If this machine is offline, download\n {2}http:\/\/127\.0\.0\.1:\d+\/model\.onnx/,
    );
  });
});

describe('checkModelFile', () => {
  it('tells missing, corrupt and good files apart', async () => {
    const dir = tmp();
    const path = join(dir, 'm.onnx');
    expect((await checkModelFile(path, { file: 'm.onnx' })).status).toBe('missing');
    writeFileSync(path, BYTES);
    expect(await checkModelFile(path, { file: 'm.onnx', sha256: SHA256 })).toMatchObject({
      status: 'ok',
      pinned: true,
    });
    expect(await checkModelFile(path, { file: 'm.onnx' })).toMatchObject({
      status: 'ok',
      pinned: false,
      sha256: SHA256,
    });
    expect(await checkModelFile(path, { file: 'm.onnx', bytes: 5 })).toMatchObject({
      status: 'corrupt',
      problem: `${BYTES.length} bytes, expected 5 (incomplete or wrong file)`,
    });
    writeFileSync(path, Buffer.concat([BYTES.subarray(1), Buffer.from([0])]));
    expect(await checkModelFile(path, { file: 'm.onnx', sha256: SHA256 })).toMatchObject({ status: 'corrupt' });
  });
});
