/**
 * Writes the models the project builds itself into `models/` (`npm run models:generate`).
 * They are committed, so the viewer and the tests work offline; a unit test checks that the
 * committed files are exactly what this generator produces. Keys are paths relative to `models/`.
 *
 * `test/`: small stand-ins with the exact inputs and outputs of each SAM family (official SAM format,
 * SAM 2.1 with its video modules, Transformers.js SAM / SlimSAM) whose masks follow the prompt
 * geometrically — for tests, not Segment Anything (see `generator/samLikeCore.ts`). SAM 2's two
 * constants (4 MB) are not committed: `sam2MemoryConstants()` makes them where a test needs them.
 *
 * `intensity-similarity-v1/`: the project's offline default model in the official SAM format, an
 * intensity / texture similarity segmenter with no learned weights (not SAM; see `generator/defaultModel.ts`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_MODEL_DECODER_FILE,
  DEFAULT_MODEL_ENCODER_FILE,
  buildDefaultDecoder,
  buildDefaultEncoder,
} from './generator/defaultModel';
import { SAM_OFFICIAL_HWC_ENCODER_FILE, buildSamOfficialHwcEncoder } from './generator/hwcEncoderModel';
import { RUNTIME_PROBE_FILE, buildRuntimeProbeModel } from './generator/runtimeProbeModel';
import {
  SAM2_MEMORY_ATTENTION_FILE,
  SAM2_MEMORY_ENCODER_FILE,
  buildSam2MemoryAttention,
  buildSam2MemoryEncoder,
} from './generator/sam2MemoryModel';
import { SAM2_DECODER_FILE, SAM2_ENCODER_FILE, buildSam2Decoder, buildSam2Encoder } from './generator/sam2Model';
import {
  SAM_OFFICIAL_DECODER_FILE,
  SAM_OFFICIAL_ENCODER_FILE,
  buildSamOfficialDecoder,
  buildSamOfficialEncoder,
} from './generator/samOfficialModel';
import {
  TRANSFORMERS_JS_DECODER_FILE,
  TRANSFORMERS_JS_ENCODER_FILE,
  buildTransformersJsDecoder,
  buildTransformersJsEncoder,
} from './generator/transformersJsSamModel';

export const GENERATED_MODELS: Record<string, () => Uint8Array> = {
  [RUNTIME_PROBE_FILE]: buildRuntimeProbeModel,
  [SAM_OFFICIAL_ENCODER_FILE]: buildSamOfficialEncoder,
  [SAM_OFFICIAL_DECODER_FILE]: buildSamOfficialDecoder,
  [SAM_OFFICIAL_HWC_ENCODER_FILE]: buildSamOfficialHwcEncoder,
  [SAM2_ENCODER_FILE]: buildSam2Encoder,
  [SAM2_DECODER_FILE]: buildSam2Decoder,
  [SAM2_MEMORY_ATTENTION_FILE]: buildSam2MemoryAttention,
  [SAM2_MEMORY_ENCODER_FILE]: buildSam2MemoryEncoder,
  [TRANSFORMERS_JS_ENCODER_FILE]: buildTransformersJsEncoder,
  [TRANSFORMERS_JS_DECODER_FILE]: buildTransformersJsDecoder,
  [DEFAULT_MODEL_ENCODER_FILE]: () => buildDefaultEncoder(),
  [DEFAULT_MODEL_DECODER_FILE]: () => buildDefaultDecoder(),
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = dirname(fileURLToPath(import.meta.url));
  for (const [file, build] of Object.entries(GENERATED_MODELS)) {
    const bytes = build();
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    // Size and SHA-256 as models/manifest.json gives them for the project's own models.
    console.log(`models/${file}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
  }
}
