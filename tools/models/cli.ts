/**
 * `npm run models -- <command>`: the model files on this machine.
 *   list              every model in models/manifest.json, its size and whether its files are here
 *   fetch <id>        download a model's files (progress, resume, SHA-256 check) into models/<id>/;
 *                     for a model published as a zip archive, download it, extract and check the
 *                     model's files, and delete it
 *   verify [id]       check the files present (size and SHA-256 against the manifest)
 */
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  archivePath,
  findModel,
  listModelFiles,
  parseModelManifest,
  type ModelEntry,
  type ModelFileRef,
  type ModelManifest,
} from '../../extensions/sam-segmentation/src/core/manifest';
import { DownloadError, downloadModelFile } from './download';
import { checkModelFile, checkedAs } from './fileIntegrity';
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

/** The folders under `dir` that writing these files would create, deepest first. */
function foldersToCreate(dir: string, paths: string[]): string[] {
  const missing = new Set<string>();
  for (const path of paths)
    for (let folder = dirname(join(dir, path)); folder.startsWith(dir + sep); folder = dirname(folder))
      if (!existsSync(folder)) missing.add(folder);
  return [...missing].sort((a, b) => b.length - a.length);
}

/** Why a file without a URL cannot be fetched: the project builds it, or the manifest entry lacks it. */
async function noUrlError(model: ModelEntry, ref: ModelFileRef, dir: string): Promise<DownloadError> {
  const { label, path } = ref;
  // Loaded only here: the generators are not needed to fetch.
  const { GENERATED_MODELS } = await import('../../models/generate');
  if (path in GENERATED_MODELS)
    return new DownloadError(
      `${model.id} ${label} is built by this project, not downloaded: run npm run models:generate`,
    );
  return new DownloadError(
    `${model.id} ${label} (${ref.file.file}) has no download URL in ` +
      `${relative(process.cwd(), join(dir, 'manifest.json'))}, so it cannot be fetched: ` +
      `copy the file to ${relative(process.cwd(), join(dir, path))} and run npm run models -- verify ${model.id}, ` +
      'or add its "url" to the manifest entry.',
  );
}

async function fetchModel(model: ModelEntry, dir: string, options: CliOptions): Promise<void> {
  // A failed fetch leaves no empty folder behind: those it creates are removed if still empty (a partial
  // download, kept to resume, or a file already fetched keeps its folder).
  const zip = archivePath(model);
  const created = foldersToCreate(dir, [...listModelFiles(model).map((f) => f.path), ...(zip ? [zip] : [])]);
  try {
    await fetchModelFiles(model, dir, options);
  } catch (err) {
    for (const folder of created) {
      try {
        rmdirSync(folder); // refuses a folder that is not empty
      } catch {
        // not empty (or gone): kept
      }
    }
    throw err;
  }
}

async function fetchModelFiles(model: ModelEntry, dir: string, options: CliOptions): Promise<void> {
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
  for (const ref of listModelFiles(model)) {
    const { label, file, path } = ref;
    const destination = join(dir, path);
    const check = await checkModelFile(destination, file);
    if (check.status === 'ok') {
      const how = checkedAs(file);
      console.log(
        `${relative(process.cwd(), destination)}: already here${how === 'verified' ? ' and verified' : ` (${how})`}`,
      );
      continue;
    }
    if (!file.url) throw await noUrlError(model, ref, dir);
    console.log(`${label}: ${file.url}`);
    const written = await downloadModelFile(file, destination, {
      onProgress: progressLine(label),
      ...(options.fetchImpl && { fetchImpl: options.fetchImpl }),
    });
    process.stderr.write('\n');
    const how = checkedAs(file);
    const shown = relative(process.cwd(), destination);
    console.log(how === 'verified' ? `${shown}: verified` : `${shown}: downloaded (${how}; sha256 ${written.sha256})`);
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
