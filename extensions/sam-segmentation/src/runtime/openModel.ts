/**
 * The one recipe that turns a manifest entry and its file bytes into a ready model: the entry's
 * family with its own preprocessing, both onnxruntime sessions, each graph checked against the
 * family. The inference worker (files fetched by URL), the evaluation CLI and the benchmark (files
 * read from disk) all open models here, so a model behaves the same wherever it runs.
 */
import { familyOf, type ModelEntry } from '../core';
import { SamModel } from './samModel';
import type { Backend } from './backendSelection';

export interface ModelBytes {
  encoder: Uint8Array;
  decoder: Uint8Array;
}

export function openModel(entry: ModelEntry, files: ModelBytes, backend: Backend = 'wasm'): Promise<SamModel> {
  return SamModel.create({ id: entry.id, family: familyOf(entry) }, files, backend);
}
