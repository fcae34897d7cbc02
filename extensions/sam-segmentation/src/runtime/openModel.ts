/**
 * The one recipe that turns a manifest entry and its file bytes into a ready model: the entry's
 * family with its own preprocessing, both onnxruntime sessions, each graph checked against the
 * family. The inference worker (files fetched by URL), the evaluation CLI and the benchmark (files
 * read from disk) all open models here, so a model behaves the same wherever it runs.
 */
import { familyOf, propagationEngineOf, type ModelEntry } from '../core';
import { SamModel, type ModelBytes } from './samModel';
import type { Backend } from './backendSelection';
import type { OrtRuntime } from './ortRuntime';

export type { ModelBytes } from './samModel';

export function openModel(
  entry: ModelEntry,
  files: ModelBytes,
  backend: Backend = 'wasm',
  runtime?: OrtRuntime,
): Promise<SamModel> {
  const description = { id: entry.id, family: familyOf(entry), propagation: propagationEngineOf(entry) };
  return SamModel.create(description, files, backend, runtime);
}
