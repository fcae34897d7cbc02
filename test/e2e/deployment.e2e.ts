/**
 * The README's "Add to your OHIF", deployed literally on stock servers: Debian's nginx with
 * deploy/nginx.conf serving the prebuilt OHIF 3.13 with the two SAM bundles copied in, and Debian's
 * Orthanc with deploy/orthanc.json (DICOMweb plugin) behind its `/dicom-web/` proxy, loaded with the
 * phantom CT through Orthanc's REST API. Chromium opens the study from the study list, reloads its
 * deep link, segments the lesion, accepts it and stores it from the SAM panel; Orthanc's REST API
 * must then hold a Segmentation Storage SEG, SEMIAUTOMATIC with the model's name, whose voxels equal
 * the viewer's, and after another reload OHIF opens that SEG from Orthanc with the same voxels.
 * A missing model file is reported as "not found at <URL>". At `/` and under `/ohif/`. Last, the
 * demo server runs against the same Orthanc (`npm start -- --pacs … --load-samples`).
 *
 * Only the ports and folders of the two configuration files are replaced; nothing else in them.
 * Everything listens on, and talks to, 127.0.0.1. Skipped (with the reason) when nginx or Orthanc
 * is not installed: `.ci/run` installs them (`apt-get install -y orthanc orthanc-dicomweb nginx`).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pacsDataSourceLines, samConfigLines, SAM_BUNDLE_FOLDER } from '../../viewer/appConfig';
import { rewriteIndexHtml, rewriteViewerAsset, startServer } from '../../viewer/server';
import { storeSampleStudies } from '../../viewer/storeSamples';
import { PHANTOM_TRUTH, SAMPLE_STUDIES } from '../../viewer/samples';
import { VIEWER_DIR } from '../../viewer/setup-viewer';
import { launchChromium, newViewerContext, recordProblems, samProblems, STATE_TIMEOUT_MS } from './support/browser';
import {
  imageToPage,
  openFromStudyList,
  showSliceNear,
  waitForDisplayedStack,
  waitForSamRuntime,
} from './support/viewer';
import { openStoredSeg, readLabelmapSlices } from './support/labelmap';
import { readSeg } from './support/segFile';

jest.setTimeout(300_000);

/** The part of the SAM panel's state read here. */
interface SamStateView {
  segStore?: { sopInstanceUID?: string };
  lastAccept?: { segmentationId: string };
}

const ROOT = join(__dirname, '..', '..');
const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const ORTHANC = process.env.ORTHANC_PATH ?? '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const missing = [NGINX, ORTHANC, DICOMWEB_PLUGIN].filter((p) => !existsSync(p));
if (missing.length > 0) {
  console.warn(
    `deployment.e2e.ts SKIPPED: ${missing.join(', ')} not installed ` +
      '(apt-get install -y orthanc orthanc-dicomweb nginx; .ci/run does it)',
  );
}
const describeDeployed = missing.length > 0 ? describe.skip : describe;

const phantom = SAMPLE_STUDIES.find((s) => s.id === 'phantom-ct')!;
const PHANTOM_DIR = join(ROOT, 'viewer', 'samples', 'generated', 'phantom-ct');
const truth = JSON.parse(readFileSync(join(ROOT, 'viewer', 'samples', PHANTOM_TRUTH), 'utf8')) as {
  objects: Array<{ id: string; centerVoxel: [number, number, number]; centerMm: [number, number, number] }>;
};
const lesion = truth.objects.find((o) => o.id === 'lesion')!;
const DEFAULT_ENCODER = 'models/intensity-similarity-v1/encoder.onnx';

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `text` with every `from` replaced, failing when the configuration no longer holds it. */
function replaceAllOf(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`The deployment file no longer contains ${from}`);
  return text.split(from).join(to);
}

/** A child process, its output kept for the failure message; fails at once when it exits early. */
function startDaemon(name: string, command: string, args: string[]): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('exit', (code, signal) => {
    output += `\n[${name} exited: ${code ?? signal}]`;
  });
  return { child, output: () => output };
}

/** Resolves once `url` answers `ok`; the wait is bounded by STATE_TIMEOUT_MS, and ends if the daemon exits. */
async function waitUntilServing(url: string, daemon: { child: ChildProcess; output: () => string }): Promise<void> {
  const deadline = Date.now() + STATE_TIMEOUT_MS;
  for (;;) {
    if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) {
      throw new Error(`Stopped before serving ${url}:\n${daemon.output()}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not served within ${STATE_TIMEOUT_MS} ms:\n${daemon.output()}`);
    // Wait for the daemon's next sign of life (output or exit), or a short poll interval.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        daemon.child.stdout!.off('data', done);
        daemon.child.stderr!.off('data', done);
        daemon.child.off('exit', done);
        resolve();
      };
      const timer = setTimeout(done, 100);
      daemon.child.stdout!.on('data', done);
      daemon.child.stderr!.on('data', done);
      daemon.child.once('exit', done);
    });
  }
}

async function stopDaemon(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * This site's app-config.js: the stock one, the README's two SAM lines, and the README's data
 * source for its PACS behind `/dicom-web` (OHIF's documented settings for Orthanc).
 */
function siteAppConfig(stock: string, basePath: string): string {
  const lines = [
    stock.trimEnd(),
    '',
    samConfigLines(basePath),
    '',
    pacsDataSourceLines('/dicom-web'),
    '',
    'window.config.showCPUFallbackMessage = false;',
    "window.config.investigationalUseDialog = { option: 'never' };",
  ];
  if (basePath !== '/') lines.push(`window.config.routerBasename = '${basePath.replace(/\/$/, '')}';`);
  return `${lines.join('\n')}\n`;
}

/**
 * Copies the prebuilt OHIF into `dir` and the two built bundles into its `ohif-sam/` folder, as the
 * README says. Under a sub-path, OHIF is what a build with PUBLIC_URL=<sub-path> gives: the demo
 * server's rewrite of the prebuilt files (we cannot build OHIF here).
 */
function deployViewer(dir: string, basePath: string): void {
  cpSync(VIEWER_DIR, dir, { recursive: true });
  if (basePath !== '/') {
    for (const file of readdirSync(dir)) {
      const ext = extname(file);
      const path = join(dir, file);
      if (file === 'index.html') writeFileSync(path, rewriteIndexHtml(readFileSync(path, 'utf8'), basePath));
      else if (ext === '.js' || ext === '.css')
        writeFileSync(path, rewriteViewerAsset(readFileSync(path, 'utf8'), ext, basePath));
    }
  }
  cpSync(join(ROOT, 'extensions', 'sam-segmentation', 'dist'), join(dir, SAM_BUNDLE_FOLDER, 'extension'), {
    recursive: true,
  });
  cpSync(join(ROOT, 'modes', 'sam-mode', 'dist'), join(dir, SAM_BUNDLE_FOLDER, 'mode'), { recursive: true });
  const config = join(dir, 'app-config.js');
  writeFileSync(config, siteAppConfig(readFileSync(config, 'utf8'), basePath));
}

describeDeployed('the README recipe on Debian nginx + Orthanc (deploy/)', () => {
  let work: string;
  let nginx: ReturnType<typeof startDaemon> | undefined;
  let orthanc: ReturnType<typeof startDaemon> | undefined;
  let browser: Browser;
  const sites: Record<string, { origin: string; url: string; webRoot: string }> = {};
  let orthancUrl: string;

  beforeAll(async () => {
    const started = Date.now();
    work = mkdtempSync(join(tmpdir(), 'ohif-sam-deploy-'));
    chmodSync(work, 0o755); // nginx's workers (another user when run as root) read the web roots
    const [rootPort, subPathPort, orthancPort] = [await freePort(), await freePort(), await freePort()];
    orthancUrl = `http://127.0.0.1:${orthancPort}`;

    // Orthanc with deploy/orthanc.json: its port and storage folder replaced.
    let orthancConfig = readFileSync(join(ROOT, 'deploy', 'orthanc.json'), 'utf8');
    orthancConfig = replaceAllOf(orthancConfig, '"HttpPort": 8042', `"HttpPort": ${orthancPort}`);
    orthancConfig = replaceAllOf(orthancConfig, '/var/lib/orthanc/db-v6', join(work, 'orthanc-db'));
    writeFileSync(join(work, 'orthanc.json'), orthancConfig);
    orthanc = startDaemon('Orthanc', ORTHANC, [join(work, 'orthanc.json')]);

    // The web roots, exactly as the README lays them out.
    const rootDir = join(work, 'www', 'ohif');
    const subPathRoot = join(work, 'www-subpath');
    deployViewer(rootDir, '/');
    deployViewer(join(subPathRoot, 'ohif'), '/ohif/');

    // nginx with deploy/nginx.conf as a site inside a minimal main configuration.
    let site = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
    site = replaceAllOf(site, 'listen 127.0.0.1:8080;', `listen 127.0.0.1:${rootPort};`);
    site = replaceAllOf(site, 'listen 127.0.0.1:8081;', `listen 127.0.0.1:${subPathPort};`);
    site = replaceAllOf(site, 'http://127.0.0.1:8042', orthancUrl);
    site = replaceAllOf(site, 'root /var/www/ohif-subpath;', `root ${subPathRoot};`);
    site = replaceAllOf(site, 'root /var/www/ohif;', `root ${rootDir};`);
    writeFileSync(join(work, 'site.conf'), site);
    for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
      mkdirSync(join(work, 'nginx-temp', d), { recursive: true });
    const temp = (d: string) => join(work, 'nginx-temp', d);
    writeFileSync(
      join(work, 'nginx-main.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${join(work, 'nginx.pid')};`,
        `error_log ${join(work, 'nginx-error.log')} warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  default_type application/octet-stream;',
        `  access_log ${join(work, 'nginx-access.log')};`,
        `  client_body_temp_path ${temp('body')};`,
        `  proxy_temp_path ${temp('proxy')};`,
        `  fastcgi_temp_path ${temp('fastcgi')};`,
        `  uwsgi_temp_path ${temp('uwsgi')};`,
        `  scgi_temp_path ${temp('scgi')};`,
        `  include ${join(work, 'site.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    nginx = startDaemon('nginx', NGINX, [
      '-p',
      work,
      '-e',
      join(work, 'nginx-error.log'),
      '-c',
      join(work, 'nginx-main.conf'),
    ]);

    await waitUntilServing(`${orthancUrl}/system`, orthanc);
    // The phantom CT into Orthanc through its REST API.
    for (const file of readdirSync(PHANTOM_DIR).filter((f) => f.endsWith('.dcm'))) {
      const res = await fetch(`${orthancUrl}/instances`, {
        method: 'POST',
        body: readFileSync(join(PHANTOM_DIR, file)),
        headers: { 'Content-Type': 'application/dicom' },
      });
      if (!res.ok) throw new Error(`Orthanc refused ${file}: HTTP ${res.status} ${await res.text()}`);
    }
    sites['/'] = { origin: `http://127.0.0.1:${rootPort}`, url: `http://127.0.0.1:${rootPort}/`, webRoot: rootDir };
    sites['/ohif/'] = {
      origin: `http://127.0.0.1:${subPathPort}`,
      url: `http://127.0.0.1:${subPathPort}/ohif/`,
      webRoot: join(subPathRoot, 'ohif'),
    };
    await waitUntilServing(sites['/']!.url, nginx);
    await waitUntilServing(sites['/ohif/']!.url, nginx);
    browser = await launchChromium();
    console.log(
      `deployed (nginx, Orthanc with ${readdirSync(PHANTOM_DIR).length} instances) in ${Date.now() - started} ms`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await stopDaemon(nginx?.child);
    await stopDaemon(orthanc?.child);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe.each(['/', '/ohif/'])('the viewer at %s', (basePath) => {
    const site = () => sites[basePath]!;
    const bundle = () => `${site().url}${SAM_BUNDLE_FOLDER}`;

    it('serves every script as JavaScript, with the README’s Cache-Control and isolation headers', async () => {
      const page = await fetch(`${site().url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`, {
        redirect: 'manual',
      });
      expect(page.status).toBe(200); // the route, not the bundle folder: no 301 to /sam/, no 403
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect((await fetch(`${site().url}app-config.js`)).headers.get('cache-control')).toBe('no-cache');

      for (const entry of ['extension/index.js', 'mode/index.js']) {
        const res = await fetch(`${bundle()}${entry}`);
        expect([entry, res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([
          entry,
          200,
          'text/javascript',
          'no-cache',
        ]);
      }
      const chunks = readdirSync(join(site().webRoot, SAM_BUNDLE_FOLDER, 'extension')).filter((f) =>
        /\.[0-9a-f]{8}\.js$/.test(f),
      );
      expect(chunks.length).toBeGreaterThan(0);
      for (const chunk of chunks) {
        const res = await fetch(`${bundle()}extension/${chunk}`, { method: 'HEAD' });
        expect(res.headers.get('content-type')).toBe('text/javascript');
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      }
      const glue = await fetch(`${bundle()}extension/ort/ort-wasm-simd-threaded.jsep.js`, { method: 'HEAD' });
      expect(glue.headers.get('content-type')).toBe('text/javascript');
      const wasm = await fetch(`${bundle()}extension/ort/ort-wasm-simd-threaded.jsep.wasm`, { method: 'HEAD' });
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      // A missing file below the bundle folder is a 404, never the viewer's index.html.
      expect((await fetch(`${bundle()}extension/models/nothing-here/encoder.onnx`)).status).toBe(404);
    });

    it('keeps the browser’s port in the PACS’s bulk-data URLs (Host $http_host)', async () => {
      const res = await fetch(`${site().origin}/dicom-web/studies/${phantom.StudyInstanceUID}/metadata`);
      expect(res.status).toBe(200);
      const text = await res.text();
      const bulk = [...text.matchAll(/"BulkDataURI"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
      expect(bulk.length).toBeGreaterThan(0);
      expect(bulk.filter((u) => !u.startsWith(`${site().origin}/dicom-web/`)).slice(0, 2)).toEqual([]);
    });

    it('opens the study from the study list, then by deep link (a reload); a click previews; the SEG stored in Orthanc opens again with the same voxels', async () => {
      const context = await newViewerContext(browser);
      try {
        const page = await context.newPage();
        const problems = recordProblems(page);
        const started = Date.now();
        // The study list (OHIF's work list, from Orthanc's QIDO-RS): the study's row, then the SAM mode.
        await page.goto(site().url);
        await openFromStudyList(page, 'SAM, Phantom');
        await waitForDisplayedStack(page, 64);
        const deepLink = page.url();
        expect(deepLink).toContain(`${site().url}sam`);
        expect(deepLink).toContain(`StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
        // The same URL loaded afresh: what a bookmark or a link in the RIS does.
        await page.reload();
        const stack = await waitForDisplayedStack(page, 64);
        expect(stack.currentImageId).toContain(phantom.StudyInstanceUID);
        const runtime = await waitForSamRuntime(page);
        expect(runtime).toMatchObject({ state: 'ready', backend: 'wasm' });
        expect(runtime.text).toMatch(/2 threads/); // COOP/COEP from nginx: cross-origin isolated
        await page.locator('[data-testid="sam-model"][data-state="ready"]').waitFor();

        await showSliceNear(page, lesion.centerMm[2]);
        const [at] = await imageToPage(page, [[lesion.centerVoxel[0], lesion.centerVoxel[1]]]);
        await page.locator('[data-cy="SamIncludePoint"]').click();
        await page.mouse.click(at!.x, at!.y);
        await page.locator('[data-testid="sam-preview"][data-state="preview"]').waitFor();
        console.log(`${basePath}: study list, reload, model ready, click → preview in ${Date.now() - started} ms`);

        // Accept (Enter), describe and store: the SEG goes through nginx's /dicom-web/ to Orthanc.
        await page.keyboard.press('Enter');
        await page.locator('[data-testid="sam-segment-type"]').waitFor({ timeout: STATE_TIMEOUT_MS });
        await page.locator('[data-testid="sam-segment-type"]').selectOption('lesion');
        const seriesName = `SAM at ${basePath}`;
        await page.locator('[data-testid="sam-seg-series"]').fill(seriesName);
        await page.locator('[data-testid="sam-store-seg"]').click();
        await page.locator('[data-testid="sam-seg-store"][data-state="stored"]').waitFor({ timeout: STATE_TIMEOUT_MS });
        const { sopInstanceUID, segmentationId } = await page.evaluate(() => {
          const { samService } = (window as unknown as { services: { samService: { getState(): SamStateView } } })
            .services;
          const state = samService.getState();
          return { sopInstanceUID: state.segStore!.sopInstanceUID!, segmentationId: state.lastAccept!.segmentationId };
        });

        const found = (await (
          await fetch(`${orthancUrl}/tools/lookup`, { method: 'POST', body: sopInstanceUID })
        ).json()) as Array<{ ID: string; Type: string }>;
        expect(found.map((f) => f.Type)).toEqual(['Instance']);
        const tags = (await (await fetch(`${orthancUrl}/instances/${found[0]!.ID}/simplified-tags`)).json()) as {
          SOPClassUID: string;
          SeriesInstanceUID: string;
          SeriesDescription: string;
          SegmentSequence: Array<Record<string, unknown>>;
        };
        expect(tags.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.66.4');
        expect(tags.SeriesDescription).toBe(seriesName);
        expect(tags.SegmentSequence[0]).toMatchObject({
          SegmentAlgorithmType: 'SEMIAUTOMATIC',
          SegmentAlgorithmName: expect.stringMatching(/\S/),
        });
        // The voxels the PACS holds are the viewer's, on the slice they were drawn on.
        const file = readSeg(
          new Uint8Array(await (await fetch(`${orthancUrl}/instances/${found[0]!.ID}/file`)).arrayBuffer()),
        );
        expect(file.frames).toHaveLength(1);
        const viewer = await readLabelmapSlices(page, segmentationId, [file.frames[0]!.referencedSopInstanceUID]);
        expect(Array.from(file.frames[0]!.pixels)).toEqual(viewer.slices[0]);
        expect(viewer.elsewhere).toBe(0);

        // Reloaded, nothing of the session is left: OHIF lists the SEG from Orthanc and opens it onto the CT.
        await page.reload();
        await waitForDisplayedStack(page, 64);
        const reopenedId = await openStoredSeg(page, tags.SeriesInstanceUID, seriesName);
        await waitForDisplayedStack(page, 64);
        const reopened = await readLabelmapSlices(page, reopenedId, [file.frames[0]!.referencedSopInstanceUID]);
        expect(reopened.slices[0]).toEqual(viewer.slices[0]);
        expect(reopened.elsewhere).toBe(0);
        expect(samProblems(problems)).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('says a missing model file is "not found at <URL>"', async () => {
      const encoder = join(site().webRoot, SAM_BUNDLE_FOLDER, 'extension', DEFAULT_ENCODER);
      renameSync(encoder, `${encoder}.away`);
      let context: BrowserContext | undefined;
      try {
        context = await newViewerContext(browser); // a fresh context: nothing in Cache Storage
        const page: Page = await context.newPage();
        await page.goto(`${site().url}sam?StudyInstanceUIDs=${phantom.StudyInstanceUID}`);
        const error = page.locator('[data-testid="sam-model"][data-state="error"]');
        await error.waitFor();
        expect(await error.textContent()).toContain(`not found at ${bundle()}extension/${DEFAULT_ENCODER}`);
      } finally {
        await context?.close();
        renameSync(`${encoder}.away`, encoder);
      }
    });
  });

  it('runs `npm start -- --pacs <Orthanc> --load-samples`: the samples stored by STOW-RS, a study opened from the list through its proxy', async () => {
    const dicomWebRoot = `${orthancUrl}/dicom-web`;
    const stored = await storeSampleStudies(dicomWebRoot);
    expect(stored.map((s) => s.instances)).toEqual(
      SAMPLE_STUDIES.map(
        (s) => readdirSync(join(ROOT, 'viewer', 'samples', s.folder)).filter((f) => f.endsWith('.dcm')).length,
      ),
    );
    const liver = SAMPLE_STUDIES.find((s) => s.id === 'dcmqi-liver-ct')!;
    const inOrthanc = (await (
      await fetch(`${orthancUrl}/tools/lookup`, { method: 'POST', body: liver.StudyInstanceUID })
    ).json()) as Array<{ Type: string }>;
    expect(inOrthanc.map((f) => f.Type)).toEqual(['Study']);

    const demo = await startServer({ port: 0, pacs: dicomWebRoot });
    const context = await newViewerContext(browser);
    try {
      const page = await context.newPage();
      const problems = recordProblems(page);
      const orthancRequests: string[] = [];
      page.on('request', (r) => void (r.url().startsWith(orthancUrl) && orthancRequests.push(r.url())));
      await page.goto(demo.url);
      await openFromStudyList(page, 'JANCT000');
      const stack = await waitForDisplayedStack(page, 3);
      expect(stack.currentImageId).toContain(`wadors:/dicom-web/studies/${liver.StudyInstanceUID}/`);
      await page.locator('[data-testid="sam-model"][data-state="ready"]').waitFor({ timeout: STATE_TIMEOUT_MS });
      // The browser talks to the demo's origin only; the demo server talks to Orthanc.
      expect(orthancRequests).toEqual([]);
      expect(samProblems(problems)).toEqual([]);
    } finally {
      await context.close();
      await demo.close();
    }
  });
});
