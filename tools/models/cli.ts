/**
 * `npm run models -- <command>`: the model files on this machine.
 *   list              every model in models/manifest.json, its size and whether its files are here
 *   fetch <id>        download a model's files (progress, resume, SHA-256 check) into models/<id>/
 *   verify [id]       check the files present (size and SHA-256 against the manifest)
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GRAPH_ROLES,
  findModel,
  modelFilePath,
  parseModelManifest,
  type ModelEntry,
  type ModelManifest,
} from '../../extensions/sam-segmentation/src/core/manifest';
import { DownloadError, downloadModelFile } from './download';
import { checkModelFile } from './fileIntegrity';

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
    const states = await Promise.all(
      GRAPH_ROLES.map(
        async (role) => (await checkModelFile(join(dir, modelFilePath(model, role)), model.files[role])).status,
      ),
    );
    const here = states.every((s) => s === 'ok')
      ? 'present'
      : states.some((s) => s === 'corrupt')
        ? 'CORRUPT'
        : 'not downloaded';
    const size = mb((model.files.encoder.bytes ?? NaN) + (model.files.decoder.bytes ?? NaN) || undefined);
    const marker = model.id === manifest.defaultModel ? ' (default)' : '';
    console.log(`${model.id}${marker}\n  ${model.name} — ${model.family}, ${size}, ${model.licence.spdx}, ${here}`);
    if (model.notes) console.log(`  ${model.notes}`);
  }
}

async function fetchModel(model: ModelEntry, dir: string): Promise<void> {
  for (const role of GRAPH_ROLES) {
    const file = model.files[role];
    const destination = join(dir, modelFilePath(model, role));
    const check = await checkModelFile(destination, file);
    if (check.status === 'ok') {
      console.log(`${relative(process.cwd(), destination)}: already here and verified`);
      continue;
    }
    if (!file.url)
      throw new DownloadError(
        `${model.id} ${role} is built by this project, not downloaded: run npm run models:generate`,
      );
    console.log(`${role}: ${file.url}`);
    await downloadModelFile(file, destination, { onProgress: progressLine(role) });
    process.stderr.write('\n');
    console.log(`${relative(process.cwd(), destination)}: verified`);
  }
}

async function verify(models: ModelEntry[], dir: string): Promise<boolean> {
  let allGood = true;
  for (const model of models) {
    for (const role of GRAPH_ROLES) {
      const path = join(dir, modelFilePath(model, role));
      const check = await checkModelFile(path, model.files[role]);
      const name = relative(process.cwd(), path);
      if (check.status === 'missing') console.log(`${name}: not downloaded`);
      else if (check.status === 'corrupt') {
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

export async function main(argv: string[], dir = MODELS_DIR): Promise<number> {
  const [command, id] = argv;
  const manifest = loadManifest(dir);
  switch (command) {
    case 'list':
    case undefined:
      await list(manifest, dir);
      return 0;
    case 'fetch':
      if (!id) throw new Error('Usage: npm run models -- fetch <model id>  (see `npm run models -- list`)');
      await fetchModel(findModel(manifest, id), dir);
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
