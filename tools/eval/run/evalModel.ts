/**
 * The model an evaluation runs: a manifest entry (`--model <id>`) whose files are on disk under models/
 * (the default model ships there; others come from `npm run models -- fetch <id>`), checked once by size
 * and SHA-256 before any work starts, then opened in each worker with the same SamModel and family
 * preprocessing the viewer uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GRAPH_ROLES,
  findModel,
  getFamily,
  listModelFiles,
  withPreprocessing,
  type ModelEntry,
} from '../../../extensions/sam-segmentation/src/core';
import { SamModel } from '../../../extensions/sam-segmentation/src/runtime/samModel';
import { checkModelFile } from '../../models/fileIntegrity';
import { MODELS_DIR, loadManifest } from '../../models/cli';

export interface EvalModelSpec {
  entry: ModelEntry;
  /** Absolute paths of the encoder and decoder files. */
  paths: { encoder: string; decoder: string };
}

/** Finds the model and checks its files; throws saying how to get them when they are missing or wrong. */
export async function resolveEvalModel(id: string, dir = MODELS_DIR): Promise<EvalModelSpec> {
  const manifest = loadManifest(dir);
  let entry: ModelEntry;
  try {
    entry = findModel(manifest, id);
  } catch {
    throw new Error(
      `--model ${id}: not in models/manifest.json; known: ${manifest.models.map((m) => m.id).join(', ')}.`,
    );
  }
  for (const { label, path, file } of listModelFiles(entry)) {
    const check = await checkModelFile(join(dir, path), file);
    if (check.status === 'missing') {
      throw new Error(
        `${entry.id}: its ${label} (models/${path}) is not here; run: npm run models -- fetch ${entry.id}`,
      );
    }
    if (check.status === 'corrupt') {
      throw new Error(`${entry.id}: models/${path} is not the manifest's file: ${check.problem}. Fetch it again.`);
    }
  }
  const paths = Object.fromEntries(GRAPH_ROLES.map((role) => [role, join(dir, entry.id, entry.files[role].file)]));
  return { entry, paths: paths as EvalModelSpec['paths'] };
}

/** Opens both sessions (onnxruntime-web WASM in Node, as the viewer's fallback backend). */
export async function openEvalModel({ entry, paths }: EvalModelSpec): Promise<SamModel> {
  const family = withPreprocessing(getFamily(entry.family), entry.preprocess);
  const files = {
    encoder: new Uint8Array(readFileSync(paths.encoder)),
    decoder: new Uint8Array(readFileSync(paths.decoder)),
  };
  return SamModel.create({ id: entry.id, family }, files, 'wasm');
}
