/**
 * Shared by the manual WebGPU checks (checkSamModelsOnWebGpu.ts, checkDefaultModelOnWebGpu.ts; not
 * part of jest, they need Chromium): serves onnxruntime-web's files at /ort/ and one models folder at
 * /models/ on loopback, opens a blank page in headless Chromium with WebGPU enabled (SwiftShader, or a
 * real GPU), runs `check` in it and closes everything.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.html': 'text/html',
};

export async function withWebGpuPage<T>(
  modelsDir: string,
  chromiumPath: string,
  check: (page: Page, logs: string[]) => Promise<T>,
): Promise<T> {
  const routes: Record<string, string> = {
    '/ort/': join(ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
    '/models/': modelsDir,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>webgpu check</title>');
      return;
    }
    const prefix = Object.keys(routes).find((p) => url.pathname.startsWith(p));
    const file = prefix ? normalize(join(routes[prefix]!, url.pathname.slice(prefix.length))) : undefined;
    if (!prefix || !file || !file.startsWith(routes[prefix]!)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`.slice(0, 300)));
    // tsx (esbuild) wraps named functions in `__name(...)`; the page needs that helper too.
    await page.addInitScript('globalThis.__name = (target) => target;');
    await page.goto(`http://localhost:${port}/`);
    return await check(page, logs);
  } finally {
    await browser.close();
    server.close();
  }
}
