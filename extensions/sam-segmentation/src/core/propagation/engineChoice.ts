/**
 * Which propagation engine a model runs: the first of its family's `propagation.engines` whose files
 * the manifest entry has (a SAM 2 export without the video modules re-prompts). The worker opens
 * that engine; the main thread reads from here whether the run needs the start slice's embedding.
 */
import { getFamily, type PropagationEngineName } from '../families';
import { MEMORY_FILE_ROLES, type MemoryFileRole, type ModelEntry } from '../manifest/modelManifest';

export interface EngineNeeds {
  /** Files beyond the encoder and decoder. */
  files: readonly MemoryFileRole[];
  /** The start slice's embedding (SAM 2 builds the conditioning memory from its features). */
  seedEmbedding: boolean;
}

export const PROPAGATION_ENGINE_NEEDS: Readonly<Record<PropagationEngineName, EngineNeeds>> = {
  memory: { files: MEMORY_FILE_ROLES, seedEmbedding: true },
  reprompt: { files: [], seedEmbedding: false },
};

export function propagationEngineOf(entry: Pick<ModelEntry, 'family' | 'files'>): PropagationEngineName {
  const { engines } = getFamily(entry.family).propagation;
  const usable = engines.find((name) => PROPAGATION_ENGINE_NEEDS[name].files.every((role) => entry.files[role]));
  if (!usable) throw new Error(`A ${entry.family} model needs the files of one of: ${engines.join(', ')}.`);
  return usable;
}
