/**
 * `npm run models -- <command>`: the model files on this machine.
 *   list              every model in models/manifest.json, its size and whether its files are here
 *   fetch <id>        download a model's files (progress, resume, SHA-256 check) into models/<id>/;
 *                     for a model published as a zip archive, download it, extract and check the
 *                     model's files, and delete it
 *   verify [id]       check the files present (size and SHA-256 against the manifest)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  archivePath,
  findModel,
  listModelFiles,
  parseModelManifest,
  type ModelEntry,
  type ModelManifest,
} from '../../extensions/sam-segmentation/src/core/manifest';
import { DownloadError, downloadModelFile } from './download';
import { checkModelFile } from './fileIntegrity';
import { fetchArchiveModel } from './modelArchive';

export interface CliOptions {
  /** For tests: how to fetch (e.g. redirecting the manifest's https URLs to a loopback server). */
  fetchImpl?: typeof fetch;
}

export const MODELS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');

export function loadManifest(dir = MODELS_DIR): ModelManifest {
  return parseModelManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1e6).toFixed(1)} MB`);

function progressLine(label: string) {
  let last = 0;
  return ({ receivedBytes, totalBytes }: { receivedBytes: number; totalBytes: number | undefined }) => {
    const now = Date.now();
    if (now - last < 250 && receivedBytes !== totalBytes) return;
    last = now;
    const pct = totalBytes ? ` ${((100 * receivedBytes) / totalBytes).toFixed(1)}%` : '';
    process.stderr.write(`\r  ${label}: ${mb(receivedBytes)} / ${mb(totalBytes)}${pct}   `);
  };
}

async function list(manifest: ModelManifest, dir: string): Promise<void> {
  for (const model of manifest.models) {
    const files = listModelFiles(model);
    const states = await Promise.all(
      files.map(async ({ path, file }) => (await checkModelFile(join(dir, path), file)).status),
    );
    const here = states.every((s) => s === 'ok')
      ? 'present'
      : states.some((s) => s === 'corrupt')
        ? 'CORRUPT'
        : 'not downloaded';
    const size = mb(files.reduce((sum, { file }) => sum + (file.bytes ?? NaN), 0) || undefined);
    const archive = model.archive ? ` (download: a ${mb(model.archive.bytes)} zip)` : '';
    const marker = model.id === manifest.defaultModel ? ' (default)' : '';
    console.log(
      `${model.id}${marker}\n  ${model.name} — ${model.family}, ${size}${archive}, ${model.licence.spdx}, ${here}`,
    );
    if (model.notes) console.log(`  ${model.notes}`);
  }
}

async function fetchModel(model: ModelEntry, dir: string, options: CliOptions): Promise<void> {
  if (model.archive) {
    await fetchArchiveModel(model, dir, {
      ...(options.fetchImpl && { fetchImpl: options.fetchImpl }),
      progress: (label) => {
        const line = progressLine(label);
        return (p) => {
          line(p);
          if (p.receivedBytes === p.totalBytes) process.stderr.write('\n');
        };
      },
    });
    return;
  }
  for (const { label, file, path } of listModelFiles(model)) {
    const destination = join(dir, path);
    const check = await checkModelFile(destination, file);
    if (check.status === 'ok') {
      console.log(`${relative(process.cwd(), destination)}: already here and verified`);
      continue;
    }
    if (!file.url)
      throw new DownloadError(
        `${model.id} ${label} is built by this project, not downloaded: run npm run models:generate`,
      );
    console.log(`${label}: ${file.url}`);
    await downloadModelFile(file, destination, {
      onProgress: progressLine(label),
      ...(options.fetchImpl && { fetchImpl: options.fetchImpl }),
    });
    process.stderr.write('\n');
    console.log(`${relative(process.cwd(), destination)}: verified`);
  }
}

async function verify(models: ModelEntry[], dir: string): Promise<boolean> {
  let allGood = true;
  for (const model of models) {
    const zip = archivePath(model);
    const archiveHere = zip !== undefined && existsSync(join(dir, zip));
    for (const { path, file } of listModelFiles(model)) {
      const check = await checkModelFile(join(dir, path), file);
      const name = relative(process.cwd(), join(dir, path));
      if (check.status === 'missing') {
        console.log(
          `${name}: not downloaded${archiveHere ? ` (its archive is here: run \`npm run models -- fetch ${model.id}\` to extract it)` : ''}`,
        );
      } else if (check.status === 'corrupt') {
        allGood = false;
        console.log(`${name}: CORRUPT, ${check.problem}`);
      } else
        console.log(
          `${name}: ok, sha256 ${check.sha256}${check.pinned ? '' : ' (no checksum in the manifest to compare)'}`,
        );
    }
  }
  return allGood;
}

export async function main(argv: string[], dir = MODELS_DIR, options: CliOptions = {}): Promise<number> {
  const [command, id] = argv;
  const manifest = loadManifest(dir);
  switch (command) {
    case 'list':
    case undefined:
      await list(manifest, dir);
      return 0;
    case 'fetch':
      if (!id) throw new Error('Usage: npm run models -- fetch <model id>  (see `npm run models -- list`)');
      await fetchModel(findModel(manifest, id), dir, options);
      return 0;
    case 'verify':
      return (await verify(id ? [findModel(manifest, id)] : manifest.models, dir)) ? 0 : 1;
    default:
      throw new Error(`Unknown command "${command}". Commands: list, fetch <id>, verify [id].`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      // Bad input and network failures are reported in words; set DEBUG=1 for the stack.
      console.error(process.env.DEBUG ? err.stack : err.message);
      process.exit(1);
    },
  );
}
