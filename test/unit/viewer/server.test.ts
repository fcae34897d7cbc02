import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAppConfig, pacsDataSourceLines, samConfigLines } from '../../../viewer/appConfig';
import {
  normaliseBasePath,
  rewriteIndexHtml,
  rewriteViewerAsset,
  startServer,
  type RunningServer,
} from '../../../viewer/server';
import { VIEWER_DIR } from '../../../viewer/setup-viewer';
import { ORT_FILES } from '../../../extensions/sam-segmentation/src/runtime/assetUrls';

const ROOT = join(__dirname, '..', '..', '..');

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('the built bundles', () => {
  // Any stock web server (Debian's nginx mime.types has no `mjs`) serves `.js` as JavaScript.
  it.each(['extensions/sam-segmentation/dist', 'modes/sam-mode/dist'])(
    '%s: an index.js entry, every other script content-hashed, no .mjs file',
    (dist) => {
      const files = filesBelow(join(ROOT, dist));
      expect(files).toContain('index.js');
      expect(files.filter((f) => f.endsWith('.mjs'))).toEqual([]);
      const scripts = files.filter((f) => f.endsWith('.js') && f !== 'index.js' && !f.startsWith('ort/'));
      expect(scripts.filter((f) => !/\.[0-9a-f]{8}\.js$/.test(f))).toEqual([]);
    },
  );

  it('holds onnxruntime’s files under the names the extension gives onnxruntime', () => {
    const files = filesBelow(join(ROOT, 'extensions/sam-segmentation/dist'));
    expect(files).toEqual(expect.arrayContaining([`ort/${ORT_FILES.mjs}`, `ort/${ORT_FILES.wasm}`]));
    expect(files.filter((f) => f.startsWith('ort/')).sort()).toEqual([`ort/${ORT_FILES.mjs}`, `ort/${ORT_FILES.wasm}`]);
  });
});

describe('app-config composition', () => {
  const stock = readFileSync(join(VIEWER_DIR, 'app-config.js'), 'utf8');

  it('keeps the stock config verbatim and appends the SAM lines the README documents', () => {
    const config = composeAppConfig(stock, { basePath: '/' });
    expect(config.startsWith(stock.trimEnd())).toBe(true);
    expect(config).toContain(samConfigLines('/'));
    expect(samConfigLines('/ohif/')).toContain("window.config.extensions.push('/ohif/ohif-sam/extension/index.js');");
    expect(samConfigLines('/ohif/')).toContain("window.config.modes.push('/ohif/ohif-sam/mode/index.js');");
  });

  it('lets the samples data source store (STOW-RS to the demo endpoint)', () => {
    const config = composeAppConfig(stock, { basePath: '/' });
    expect(config).toMatch(/sourceName: 'samples',[\s\S]*supportsStow: true,[\s\S]*defaultDataSourceName = 'samples'/);
  });

  it('gives in the README exactly the PACS data source the deployment test appends (whitespace aside)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const code = (text: string) => text.replace(/\/\/.*$/gm, '').replace(/\s+/g, '');
    const lines = code(pacsDataSourceLines('/dicom-web'));
    expect(lines).toContain("defaultDataSourceName='pacs'");
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => code(m[1]!));
    expect(blocks).toContain(lines);
  });

  it('sets the router base name only under a sub-path', () => {
    expect(composeAppConfig(stock, { basePath: '/' })).not.toContain('routerBasename =');
    expect(composeAppConfig(stock, { basePath: '/ohif/' })).toContain("window.config.routerBasename = '/ohif';");
  });
});

describe('sub-path rewriting of the prebuilt viewer', () => {
  it('normalises base paths', () => {
    expect(normaliseBasePath('')).toBe('/');
    expect(normaliseBasePath('ohif')).toBe('/ohif/');
    expect(normaliseBasePath('/a/b/')).toBe('/a/b/');
  });

  it('points index.html at the base path', () => {
    const html =
      '<script>window.PUBLIC_URL="/"</script><link href="/assets/x.png"><script src="/app.js"></script><a href="//cdn/x">';
    expect(rewriteIndexHtml(html, '/ohif/')).toBe(
      '<script>window.PUBLIC_URL="/ohif/"</script><link href="/ohif/assets/x.png"><script src="/ohif/app.js"></script><a href="//cdn/x">',
    );
    expect(rewriteIndexHtml(html, '/')).toBe(html);
  });

  it('rewrites the bundles’ hard-coded webpack public path and root-relative CSS URLs', () => {
    expect(rewriteViewerAsset('__webpack_require__.p = "/";', '.js', '/ohif/')).toBe(
      '__webpack_require__.p = "/ohif/";',
    );
    expect(rewriteViewerAsset('a{src:url(/font.woff2)}', '.css', '/ohif/')).toBe('a{src:url(/ohif/font.woff2)}');
  });
});

describe('the demo server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, basePath: '/ohif/' });
  });
  afterAll(() => server.close());

  it('serves the viewer under the sub-path with cross-origin isolation headers', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const html = await res.text();
    expect(html).toContain('window.PUBLIC_URL="/ohif/"');
  });

  it('answers client-side routes with index.html and missing assets with 404', async () => {
    expect((await fetch(`${server.url}sam?StudyInstanceUIDs=1.2.3`)).status).toBe(200);
    expect((await fetch(`${server.url}missing.js`)).status).toBe(404);
    expect((await fetch(`${server.origin}/app-config.js`)).status).toBe(404);
  });

  it('serves the composed app-config and the extension, its onnxruntime files and models', async () => {
    expect(await (await fetch(`${server.url}app-config.js`)).text()).toContain(samConfigLines('/ohif/'));
    const ext = await fetch(`${server.url}ohif-sam/extension/index.js`);
    expect(ext.headers.get('content-type')).toMatch(/^text\/javascript/);
    const wasm = await fetch(`${server.url}ohif-sam/extension/ort/${ORT_FILES.wasm}`, { method: 'HEAD' });
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    const glue = await fetch(`${server.url}ohif-sam/extension/ort/${ORT_FILES.mjs}`, { method: 'HEAD' });
    expect(glue.status).toBe(200);
    expect(glue.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${server.url}ohif-sam/extension/models/runtime-probe.onnx`)).status).toBe(200);
    expect((await fetch(`${server.url}ohif-sam/mode/index.js`)).status).toBe(200);
  });

  it('patches the viewer bundles for the sub-path', async () => {
    const appBundle = readdirSync(VIEWER_DIR).find((f) => /^app\.bundle\..*\.js$/.test(f))!;
    const text = await (await fetch(`${server.url}${appBundle}`)).text();
    expect(text).toContain('__webpack_require__.p = "/ohif/";');
    expect(text).not.toContain('__webpack_require__.p = "/";');
  });

  it('takes STOW-RS POSTs at its DICOMweb endpoint only; everything else stays read-only', async () => {
    const stow = await fetch(`${server.url}dicomweb/studies`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(stow.status).toBe(415); // the STOW-RS route answered: it wants multipart/related DICOM
    expect(await stow.text()).toMatch(/multipart\/related; type="application\/dicom"/);
    expect((await fetch(`${server.url}ohif-sam/mode/index.js`, { method: 'POST', body: '' })).status).toBe(405);
  });

  it('refuses paths that escape the served folders', async () => {
    const res = await fetch(`${server.url}ohif-sam/extension/%2e%2e%2f%2e%2e%2fpackage.json`);
    expect([400, 404]).toContain(res.status);
  });
});

describe('the demo server with another models folder (the bench’s decoder twin)', () => {
  it('serves that folder’s manifest and files in place of the repository’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    writeFileSync(join(dir, 'manifest.json'), '{"version":1,"marker":"bench"}');
    const server = await startServer({ port: 0, modelsDir: dir });
    try {
      expect(await (await fetch(`${server.url}ohif-sam/extension/models/manifest.json`)).json()).toEqual({
        version: 1,
        marker: 'bench',
      });
      expect((await fetch(`${server.url}ohif-sam/extension/models/runtime-probe.onnx`)).status).toBe(404);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
