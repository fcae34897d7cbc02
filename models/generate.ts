/**
 * Writes the models the project builds itself into `models/` (`npm run models:generate`).
 * They are committed, so the viewer and the tests work offline; a unit test checks that the
 * committed files are exactly what this generator produces.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_PROBE_FILE, buildRuntimeProbeModel } from './generator/runtimeProbeModel';

export const GENERATED_MODELS: Record<string, () => Uint8Array> = {
  [RUNTIME_PROBE_FILE]: buildRuntimeProbeModel,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [file, build] of Object.entries(GENERATED_MODELS)) {
    const bytes = build();
    writeFileSync(join(dirname(fileURLToPath(import.meta.url)), file), bytes);
    console.log(`models/${file}: ${bytes.length} bytes`);
  }
}
