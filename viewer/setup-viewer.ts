/**
 * Installs the prebuilt OHIF viewer into `.viewer/ohif/`.
 *
 * `npm install @ohif/app` fails on the public registry (its @ohif/i18n dependency is not published
 * at the same version), and OHIF cannot be built from sources on a small machine. The package's
 * tarball, however, holds the complete production build in `dist/`, so we fetch the tarball with
 * `npm pack` (integrity-checked by npm against the registry) and extract only `dist/`.
 *
 * Idempotent: does nothing when the pinned version is already in place.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OHIF_APP_VERSION = '3.13.2';
export const VIEWER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.viewer', 'ohif');
const STAMP = join(VIEWER_DIR, '.ohif-app-version');

export function isViewerInstalled(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === OHIF_APP_VERSION;
}

export function installViewer(): void {
  if (isViewerInstalled()) {
    console.log(`OHIF viewer ${OHIF_APP_VERSION} already in ${VIEWER_DIR}`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'ohif-app-'));
  try {
    const started = Date.now();
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const out = execFileSync(npm, ['pack', `@ohif/app@${OHIF_APP_VERSION}`, '--pack-destination', work, '--silent'], {
      encoding: 'utf8',
    });
    const tarball = join(work, out.trim().split('\n').pop()!.trim());
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/dist']);
    rmSync(VIEWER_DIR, { recursive: true, force: true });
    mkdirSync(resolve(VIEWER_DIR, '..'), { recursive: true });
    renameSync(join(work, 'package', 'dist'), VIEWER_DIR);
    writeFileSync(STAMP, `${OHIF_APP_VERSION}\n`);
    console.log(`OHIF viewer ${OHIF_APP_VERSION} installed in ${VIEWER_DIR} (${Date.now() - started} ms)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) installViewer();
