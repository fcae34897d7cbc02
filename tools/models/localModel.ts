/**
 * A manifest model whose files are on this machine (`models/<id>/`): the one place the Node tools (the
 * evaluation, the default model's measurement, the benchmark) find an entry in the manifest, check its
 * files by size and SHA-256 and read them. Open the result with runtime/openModel.ts.
 */
import { join, relative } from 'node:path';
import { findModel, listModelFiles, type ModelEntry } from '../../extensions/sam-segmentation/src/core/manifest';
import type { ModelBytes } from '../../extensions/sam-segmentation/src/runtime/openModel';
import { MODELS_DIR, loadManifest } from './cli';
import { checkModelFile } from './fileIntegrity';

export interface LocalModel {
  entry: ModelEntry;
  /** The encoder's and the decoder's bytes, as checked against the manifest. */
  files: ModelBytes;
}

/**
 * Reads model `id` (default: the manifest's default model) from `dir`. Throws, saying what to do, when
 * the manifest has no such model, a file is missing, or a file is not the manifest's (size or SHA-256).
 * Each graph is read once and checked as read; an extra file (external data) is checked, streamed.
 */
export async function readLocalModel(id?: string, dir = MODELS_DIR): Promise<LocalModel> {
  const shown = (path: string) => relative(process.cwd(), join(dir, path));
  const manifest = loadManifest(dir);
  const wanted = id ?? manifest.defaultModel;
  let entry: ModelEntry;
  try {
    entry = findModel(manifest, wanted);
  } catch {
    const known = manifest.models.map((m) => m.id).join(', ');
    throw new Error(`Model ${wanted} is not in ${shown('manifest.json')}; known: ${known}.`);
  }
  const files: Partial<ModelBytes> = {};
  for (const { label, role, path, file } of listModelFiles(entry)) {
    // Downloaded (a URL, or a member of the model's archive), or built by this project.
    const get = entry.archive || file.url ? `npm run models -- fetch ${entry.id}` : 'npm run models:generate';
    const graph = file === entry.files[role];
    const check = await checkModelFile(join(dir, path), file, { read: graph });
    if (check.status === 'missing')
      throw new Error(`${entry.id}: its ${label} (${shown(path)}) is not here; run: ${get}`);
    if (check.status === 'corrupt') {
      throw new Error(`${entry.id}: ${shown(path)} is not the manifest's file: ${check.problem}. Get it again: ${get}`);
    }
    if (graph) files[role] = check.data;
  }
  return { entry, files: files as ModelBytes };
}
